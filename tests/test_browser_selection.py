"""Selecting what to mark: within a paragraph, any layer's item by mouse or key, new text by keyboard."""

import pytest

from annotator import store

from .conftest import seed_article_id
from .pages import (
    exported,
    open_article,
    saved,
    script_errors,
    select_item,
    select_text,
    selected,
    version,
    wait_version,
)

pytestmark = pytest.mark.browser


def test_browser_selection_across_a_paragraph_break_is_refused_and_changes_nothing(page, live_server, seeded, tmp_path):
    """Issue 12, point 1: 'nobody.’\\n“Americans' became one entity and removed the spans it overlapped."""
    start_version = open_article(page, live_server, seeded)
    text = store.get_article(seeded, seed_article_id(seeded)).text
    start = text.index("nobody.’")
    end = text.index("“Americans") + len("“Americans")
    assert "\n" in text[start:end]
    before = saved(seeded)

    select_text(page, start, end)
    page.keyboard.press("2")  # ORG
    page.wait_for_selector("#status.error")
    assert "a span stays within one paragraph" in page.locator("#status").inner_text()
    assert version(page) == start_version
    americans = next(e for e in before.entities if text[e.start : e.end] == "Americans")
    assert page.locator(f"#text mark.ent[data-id='{americans.id}']").count() == 1  # still there

    page.reload()
    assert page.locator(f"#text mark.ent[data-id='{americans.id}']").count() == 1
    assert saved(seeded) == before
    record = exported(seeded, tmp_path)[0]
    assert not any("\n" in e["text"] for e in record["entities"])
    assert script_errors(page) == []


def test_browser_selection_click_again_reaches_the_quote_under_an_entity(page, live_server, seeded):
    """Issue 12, point 6: a quote could be selected only where no entity covered it."""
    open_article(page, live_server, seeded)
    model = saved(seeded)
    quote = next(
        q for q in model.quotes if any(e.start >= q.main.start and e.end <= q.main.end for e in model.entities)
    )
    inside = next(e for e in model.entities if e.start >= quote.main.start and e.end <= quote.main.end)
    entity_piece = page.locator(f"#text mark.ent[data-id='{inside.id}']").first
    entity_piece.click()
    assert selected(page) == inside.id
    entity_piece.click()  # the same place again: the next item out, the quote
    assert selected(page) == quote.id
    page.locator("#selection .field", has_text="speaker").wait_for()
    assert page.locator(".label-group.active").get_attribute("data-layer") == "quote"
    page.keyboard.press("2")  # with the quote selected, its type keys are live: INDIRECT
    wait_version(page, 2)
    assert saved(seeded).get(quote.id).label == "INDIRECT"


def test_browser_selection_arrows_stay_in_the_layer_and_shift_l_switches_layer(page, live_server, seeded):
    """Issue 12, point 6: arrows stayed in the selected item's layer, with no key to switch layer."""
    open_article(page, live_server, seeded)
    model = saved(seeded)
    first, second = model.entities[0], model.entities[1]
    select_item(page, first.id)
    page.keyboard.press("ArrowRight")
    assert selected(page) == second.id  # an entity again, though quotes and events lie between
    page.keyboard.press("Shift+L")  # the quote layer: the quote nearest (or covering) "Supreme"
    quote = min(model.quotes, key=lambda q: abs(q.main.start - second.start))
    assert selected(page) == quote.id
    page.keyboard.press("ArrowRight")
    assert selected(page) == model.quotes[model.quotes.index(quote) + 1].id
    page.keyboard.press("Shift+L")  # events
    assert page.locator("#text .tag.selected").get_attribute("data-layer") == "event"
    page.keyboard.press("Shift+L")  # and back to entities
    assert page.locator("#text .tag.selected").get_attribute("data-layer") == "entity"
    # the selected item's handle has the focus, a role and a name
    focused = page.evaluate(
        "() => [document.activeElement.getAttribute('role'), document.activeElement.getAttribute('aria-label')]"
    )
    assert focused[0] == "button" and " entity" in focused[1]
    assert script_errors(page) == []


def test_browser_selection_by_keyboard_makes_a_new_entity(page, live_server, seeded, tmp_path):
    """Issue 12, point 6: a new span needed a mouse drag."""
    open_article(page, live_server, seeded)
    text = store.get_article(seeded, seed_article_id(seeded)).text
    model = saved(seeded)
    # "Iranian counterpart Ebrahim Raisi": start after the NORP "Iranian", take two words, label them
    iranian = next(e for e in model.entities if text[e.start : e.end] == "Iranian")
    select_item(page, iranian.id)
    page.keyboard.press("Control+Shift+ArrowRight")  # "counterpart"
    page.keyboard.press("Control+Shift+ArrowRight")  # "counterpart Ebrahim"
    page.keyboard.press("Control+Shift+ArrowRight")  # "counterpart Ebrahim Raisi"
    page.keyboard.press("Control+Shift+ArrowLeft")  # back to "counterpart Ebrahim"
    assert page.evaluate("() => window.getSelection().toString()") == "counterpart Ebrahim"
    page.keyboard.press("1")  # PERSON; it pushes aside the "Ebrahim Raisi" span it overlaps
    wait_version(page, 2)
    start = text.index("counterpart Ebrahim")
    page.reload()
    mark = page.locator(f"#text mark.ent[data-s='{start}']")
    assert mark.get_attribute("data-label") == "PERSON" and mark.inner_text() == "counterpart Ebrahim"
    record = exported(seeded, tmp_path)[0]
    made = next(e for e in record["entities"] if e["start"] == start)
    assert (made["text"], made["label"], made["origin"]) == ("counterpart Ebrahim", "PERSON", "added")
    assert script_errors(page) == []
