"""Two tabs on one article: the stale one learns of the other's saves, and keeps its own edits."""

import pytest

from .pages import exported, new_tab, open_article, saved, script_errors, select_item, version, wait_version

pytestmark = pytest.mark.browser


def _label(page, item_id):
    return page.locator(f"#text mark.ent[data-id='{item_id}']").first.get_attribute("data-label")


def test_browser_stale_tab_catches_up_on_focus_and_its_edit_is_saved_on_top(page, live_server, seeded, tmp_path):
    """Issue 12, point 9: a second tab showed old content until its edit was refused; after Reload it was gone."""
    open_article(page, live_server, seeded)
    t1, t2, t3, t4 = saved(seeded).entities[:4]
    other = new_tab(page.context)
    other.goto(page.url)

    # the other tab deletes t2; this one learns of it when its window gets the focus, before anyone types
    select_item(other, t2.id)
    other.keyboard.press("Delete")
    wait_version(other, 2)
    assert page.locator(f"#text mark.ent[data-id='{t2.id}']").count() == 1
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    wait_version(page, 2)
    assert page.locator(f"#text mark.ent[data-id='{t2.id}']").count() == 0
    assert "changed elsewhere" in page.locator("#status").inner_text()

    # the other tab relabels t3; this one, not told yet, relabels t1: saved on top, and it sees t3 too
    select_item(other, t3.id)
    other.keyboard.press("2")  # ORG
    wait_version(other, 3)
    select_item(page, t1.id)
    page.keyboard.press("5")  # LOC
    wait_version(page, 4)
    assert "Saved on top of changes made elsewhere" in page.locator("#status").inner_text()
    assert _label(page, t1.id) == "LOC" and _label(page, t3.id) == "ORG"
    page.reload()
    assert _label(page, t1.id) == "LOC" and _label(page, t3.id) == "ORG"
    entities = {e["id"]: e["label"] for e in exported(seeded, tmp_path)[0]["entities"]}
    assert entities[t1.id] == "LOC" and entities[t3.id] == "ORG" and t2.id not in entities

    # an edit of the very item the other tab changed meanwhile is refused, and the other's edit stands
    other.reload()
    select_item(other, t4.id)
    other.keyboard.press("1")  # PERSON
    wait_version(other, 5)
    select_item(page, t4.id)
    page.keyboard.press("Delete")
    page.wait_for_selector("#status.error")
    assert "in the very items your edit changes" in page.locator("#status").inner_text()
    assert saved(seeded).get(t4.id).label == "PERSON" and version(page) == 4
    page.click("#status a:text('Reload')")
    wait_version(page, 5)
    assert _label(page, t4.id) == "PERSON"
    assert script_errors(page) == [] and script_errors(other) == []
