"""The speaker and actor picker: the current link first, likely speakers nearest first."""

import pytest

from annotator import store

from .conftest import seed_article_id
from .pages import exported, open_article, saved, script_errors, select_item, version, wait_version

pytestmark = pytest.mark.browser
SPEAKERS = {"PERSON", "ORG", "NORP", "GPE"}


def _options(page) -> list[str]:
    page.locator("#selection .picker li").first.wait_for()
    return page.eval_on_selector_all("#selection .picker li:not([hidden])", "els => els.map(li => li.textContent)")


def test_browser_picker_k_enter_keeps_the_speaker_and_offers_speakers_nearest_first(
    page, live_server, seeded, tmp_path
):
    """Issue 12, point 5: `k` then Enter cleared the speaker; DATE and CARDINAL were offered as speakers."""
    open_article(page, live_server, seeded)
    text = store.get_article(seeded, seed_article_id(seeded)).text
    model = saved(seeded)
    quote = next(q for q in model.quotes if text[q.main.start :].startswith("“Even the presence"))
    speaker = model.get(quote.link("speaker"))
    select_item(page, quote.id)
    page.keyboard.press("k")
    options = _options(page)
    assert options[0] == f"{text[speaker.start : speaker.end]} ({speaker.label}) · now"
    none = options.index("— none —")
    assert all(option.rsplit("(", 1)[1].rstrip(")") in SPEAKERS for option in options[1:none])
    assert {option.rsplit("(", 1)[1].rstrip(")") for option in options[none + 1 :]} >= {"DATE", "CARDINAL"}
    # nearest first: by distance from the quote, one mention per name
    distances = []
    for option in options[1:none]:
        name = option.rsplit(" (", 1)[0]
        mentions = [e for e in model.entities if text[e.start : e.end] == name]
        distances.append(min(abs(e.start - quote.start) for e in mentions))
    assert distances == sorted(distances)

    page.keyboard.press("Enter")  # straight away: the speaker it has
    page.locator("#status .msg", has_text="Nothing changed").wait_for()
    assert version(page) == 1 and saved(seeded).get(quote.id).link("speaker") == speaker.id
    assert page.locator("#selection .field", has_text="speaker").locator(".value").inner_text() == (
        f"{text[speaker.start : speaker.end]} ({speaker.label})"
    )
    page.reload()
    record = exported(seeded, tmp_path)[0]
    assert next(q for q in record["quotes"] if q["id"] == quote.id)["speaker"] == speaker.id
    assert script_errors(page) == []


def test_browser_picker_typed_before_it_opens_still_picks_and_none_clears(page, live_server, seeded):
    """The picker comes from the server: what is typed while it is on its way is not lost."""
    open_article(page, live_server, seeded)
    model = saved(seeded)
    event = next(v for v in model.events if v.link("target_actor"))
    select_item(page, event.id)
    page.keyboard.type("x" + "Baghd")  # x opens the target picker; the name is typed at once
    page.keyboard.press("Enter")
    wait_version(page, 2)
    target = saved(seeded).get(saved(seeded).get(event.id).link("target_actor"))
    assert target.label == "GPE"
    page.locator("#selection .field", has_text="target actor").filter(has_text="Baghdad").wait_for()
    page.keyboard.press("x")
    page.locator("#selection .picker input").wait_for()
    page.keyboard.press("ArrowDown")  # past the current one: the next is "— none —" only after the likely actors
    while page.locator("#selection .picker li[aria-selected='true']").inner_text() != "— none —":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_version(page, 3)
    assert saved(seeded).get(event.id).link("target_actor") is None
    assert script_errors(page) == []
