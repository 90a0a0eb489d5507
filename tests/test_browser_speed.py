"""Going through suggestions fast: keys act at once however slow the saves, accept-all, next untouched,
and edits that change nothing write nothing."""

import time

import pytest

from annotator import store

from .conftest import seed_article_id, serving
from .pages import (
    exported,
    open_article,
    own_set,
    saved,
    script_errors,
    select_item,
    selected,
    version,
    wait_version,
)

pytestmark = pytest.mark.browser
LATENCY = 0.2  # seconds the server takes for each save


@pytest.fixture
def slow_server(app):
    """The app served with every POST answered LATENCY seconds late, as over a slow network."""
    inner = app.wsgi_app

    def slow(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            time.sleep(LATENCY)
        return inner(environ, start_response)

    app.wsgi_app = slow
    with serving(app) as url:
        yield url


def test_browser_speed_keys_typed_during_slow_saves_act_as_if_each_save_were_instant(
    page, slow_server, seeded, tmp_path
):
    """Issue 12, point 2: with 200 ms per save, `a →` typed eight times confirmed 7 items."""
    open_article(page, slow_server, seeded)
    entities = saved(seeded).entities
    select_item(page, entities[0].id)
    for _ in range(8):
        page.keyboard.press("a")
        page.wait_for_timeout(20)
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(20)
    assert selected(page) == entities[8].id  # the arrows moved at once, not after each save
    wait_version(page, 9)  # eight saves, one each
    assert selected(page) == entities[8].id  # and the answers did not pull the selection back
    page.reload()
    shown = page.eval_on_selector_all("#text mark.ent.first", "els => els.map(m => m.classList.contains('suggested'))")
    assert shown[:9] == [False] * 8 + [True]
    origins = [e["origin"] for e in exported(seeded, tmp_path)[0]["entities"]]
    assert origins[:9] == ["accepted"] * 8 + ["model"]
    assert script_errors(page) == []


def test_browser_speed_shift_a_accepts_every_untouched_suggestion_in_one_press(page, live_server, seeded, tmp_path):
    """Issue 12, point 3: confirming the 94 suggestions took about 200 key presses."""
    open_article(page, live_server, seeded)
    model = saved(seeded)
    select_item(page, model.entities[1].id)
    page.keyboard.press("1")  # one relabelled first: it stays "changed"
    wait_version(page, 2)
    page.keyboard.press("Shift+A")
    wait_version(page, 3)
    assert "0 untouched suggestions" in page.locator("#status").inner_text()
    page.reload()
    assert page.locator("#text .suggested").count() == 0
    record = exported(seeded, tmp_path)[0]
    origins = [x["origin"] for key in ("entities", "quotes", "events") for x in record[key]]
    assert origins.count("changed") == 1 and origins.count("accepted") == len(list(model.items())) - 1
    assert script_errors(page) == []


def test_browser_speed_shift_p_accepts_one_paragraph_and_arrow_down_skips_what_is_done(page, live_server, seeded):
    """Issue 12, point 3: no accept-all of a paragraph, no key for "next unconfirmed", arrows visit confirmed items."""
    open_article(page, live_server, seeded)
    text = store.get_article(seeded, seed_article_id(seeded)).text
    model = saved(seeded)
    second = text.index("\n") + 1  # the second paragraph
    in_second = [i for i in model.items() if second <= i.start < text.index("\n", second)]
    first_there = min(in_second, key=lambda i: i.start)
    select_item(page, first_there.id)
    page.keyboard.press("Shift+P")
    wait_version(page, 2)
    after = saved(seeded)
    assert {i.id for i in after.items() if i.origin == "accepted"} == {i.id for i in in_second}
    assert all(i.origin == "model" for i in after.items() if i.id not in {j.id for j in in_second})

    # ↓ walks the untouched suggestions in reading order, any layer; what is done is passed over
    untouched = sorted((i for i in after.items() if i.origin == "model"), key=lambda i: (i.start, i.layer != "quote"))
    select_item(page, untouched[0].id)
    seen = [selected(page)]
    for _ in range(7):
        page.keyboard.press("ArrowDown")
        seen.append(selected(page))
    assert not {i.id for i in in_second} & set(seen)
    assert len(set(seen)) == 8 and {saved(seeded).get(i).layer for i in seen} >= {"entity", "event"}
    # accepting as one goes: `a ↓` never lands on what it just accepted
    for _ in range(3):
        page.keyboard.press("a")
        page.keyboard.press("ArrowDown")
    wait_version(page, 5)
    assert saved(seeded).get(seen[-1]).origin == "accepted"
    assert saved(seeded).get(selected(page)).origin == "model"
    assert script_errors(page) == []


def test_browser_speed_an_edit_that_changes_nothing_makes_no_version_and_nothing_to_undo(page, live_server, seeded):
    """Issue 12, point 8: accepting an accepted item made a new version and cluttered undo."""
    open_article(page, live_server, seeded)
    first = saved(seeded).entities[0]
    select_item(page, first.id)
    page.keyboard.press("a")
    wait_version(page, 2)
    page.keyboard.press("a")  # again: nothing to do
    page.locator("#status .msg", has_text="Nothing changed").wait_for()
    assert first.label == "GPE"
    page.keyboard.press("3")  # its own label, GPE, again: nothing either
    page.locator("#status .msg", has_text="Nothing changed").wait_for()
    assert version(page) == 2 and own_set(seeded).version == 2
    history = store.history(seeded, own_set(seeded).id)
    assert [h["action"] for h in history] == ["create", "edit"]
    page.keyboard.press("Control+z")  # one undo takes back the one real change
    wait_version(page, 3)
    assert saved(seeded).get(first.id).origin == "model"
    assert script_errors(page) == []
