"""Submitted work is read-only until reopened, visibly to the reviewer; skipped work is read-only for good."""

import pytest

from annotator import store

from .conftest import seed_article_id
from .pages import new_tab, open_article, own_set, saved, script_errors, select_item, sign_in, version, wait_version

pytestmark = pytest.mark.browser


def test_browser_readonly_submitted_set_refuses_edits_until_reopened(page, live_server, seeded):
    """Issue 12, point 7: alice relabelled an entity in her submitted set: "Saved", status still submitted."""
    open_article(page, live_server, seeded)
    first = saved(seeded).entities[0]
    page.keyboard.press("Shift+A")
    wait_version(page, 2)
    page.keyboard.press("Enter")  # nothing left untouched: no question
    page.wait_for_url(f"{live_server}/done")
    submitted = own_set(seeded)
    assert submitted.status == "submitted"

    page.goto(f"{live_server}/queue")
    page.click(f"a[href='/articles/{seed_article_id(seeded)}']")
    status = page.locator("#status")
    assert "Submitted: read-only." in status.inner_text() and status.locator("#reopen").is_visible()
    select_item(page, first.id)
    page.keyboard.press("1")  # relabel: refused, says why
    page.wait_for_selector("#status.error")
    assert "submitted, so it is read-only: reopen it to change it" in status.inner_text()
    page.keyboard.press("Enter")  # submitting again: refused as well
    page.wait_for_selector("#status.error:has-text('submitted already')")
    assert own_set(seeded) == submitted and saved(seeded).get(first.id).label == first.label
    page.reload()
    assert page.locator(f"#text mark.ent[data-id='{first.id}']").get_attribute("data-label") == first.label

    # the reviewer sees it submitted; alice reopens it, explicitly, and the reviewer sees that too
    reviewer = page.context.browser.new_context()
    rita = reviewer.new_page()
    sign_in(rita, live_server, "rita")
    rita.goto(f"{live_server}/review/{seed_article_id(seeded)}")
    assert rita.locator("article.version h2", has_text="alice").locator(".status").inner_text() == "submitted"
    page.click("#reopen")
    page.locator("#doc-meta[data-status='draft']").wait_for(state="attached")
    select_item(page, first.id)
    reopened = version(page)
    page.keyboard.press("1")
    wait_version(page, reopened + 1)
    assert saved(seeded).get(first.id).label == "PERSON" and own_set(seeded).status == "draft"
    rita.reload()
    assert "alice · draft (reopened " in rita.locator(".others").inner_text()
    actions = [h["action"] for h in store.history(seeded, submitted.id)]
    assert actions[-3:] == ["submitted", "reopened", "edit"]
    reviewer.close()
    assert script_errors(page) == []


def test_browser_readonly_skipped_set_refuses_edits_and_submit_from_a_stale_tab(page, live_server, seeded):
    """Issue 12, point 7 (and issue 14, point 6): a skipped set accepted edits and a submit after its slot went."""
    open_article(page, live_server, seeded)
    first = saved(seeded).entities[0]
    other = new_tab(page.context)
    other.goto(f"{live_server}/articles/{seed_article_id(seeded)}")
    other.keyboard.press("s")
    other.locator("#ask[open]").wait_for()
    assert "Skip this article?" in other.locator("#ask").inner_text()
    other.keyboard.press("Enter")
    other.wait_for_url(f"{live_server}/done")
    skipped = own_set(seeded)
    assert skipped.status == "skipped"

    select_item(page, first.id)  # the first tab never heard of it
    page.keyboard.press("a")
    page.wait_for_selector("#status.error:has-text('you skipped this article')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#status.error:has-text('cannot be submitted')")
    assert own_set(seeded) == skipped and saved(seeded).get(first.id).origin == "model"
    assert store.holds(seeded, seed_article_id(seeded), store.get_user_by_name(seeded, "alice").id) is False
    assert script_errors(page) == [] and script_errors(other) == []
