"""Correcting quotes and events from the keyboard, in chromium; the spaCy export carries the result."""

import pytest
import spacy
from spacy.tokens import DocBin

from annotator import exporting, store

from .conftest import hold, seed_article_id
from .test_browser_annotate import select_text, sign_in, wait_version

pytestmark = pytest.mark.browser


def _open(page, live_server, seeded):
    article_id = seed_article_id(seeded)
    sign_in(page, live_server)
    hold(seeded, article_id, "alice")
    page.goto(f"{live_server}/articles/{article_id}")
    text = store.get_article(seeded, article_id).text
    model = store.load_annotation(seeded, store.find_set(seeded, article_id, "model").id)
    return article_id, text, model, int(page.get_attribute("#doc-meta", "data-version"))


def _click_item(page, item_id, cls):
    """Click the item's badge (its handle: the item itself, whatever else covers its text)."""
    page.locator(f"#text .tag[data-id='{item_id}']").click()
    page.locator(f"#text .{cls}[data-id='{item_id}'].selected").first.wait_for()


def _field(page, name, expected=None):
    """A field of the side panel; with `expected`, once the panel (asked for after each save) shows it."""
    field = page.locator("#selection .field", has_text=name)
    if expected is not None:
        field.locator(".value", has_text=expected).wait_for()
    return field.locator(".value").inner_text()


def _exported(seeded, tmp_path):
    out = tmp_path / "a.spacy"
    exporting.export(seeded, "spacy", "annotations", out)
    return next(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))


def test_browser_quote_source_speaker_and_a_new_quote(page, live_server, seeded, tmp_path):
    article_id, text, model, version = _open(page, live_server, seeded)
    by_cue = {
        text[q.span("cue").start : q.span("cue").end] + str(q.main.start): q for q in model.quotes if q.span("cue")
    }
    first = next(q for q in model.quotes if text[q.main.start :].startswith("Baghdad should not allow"))
    kss_quote = next(
        q
        for q in model.quotes
        if q.span("source") and text[q.span("source").start : q.span("source").end] == "The KSS spokesman"
    )
    assert by_cue

    # 1. The opening quote's source: "Ayatollah Ali Khamenei" instead of the whole phrase (select, then r).
    _click_item(page, first.id, "qc")
    khamenei = text.index("Ayatollah Ali Khamenei")
    select_text(page, khamenei, khamenei + len("Ayatollah Ali Khamenei"))
    page.keyboard.press("r")
    version += 1
    wait_version(page, version)
    assert _field(page, "source", "Ayatollah Ali Khamenei") == "Ayatollah Ali Khamenei"

    # 2. The KSS spokesman's speaker: the organisation's short name, picked by typing (k, type, Enter).
    _click_item(page, kss_quote.id, "qc")
    page.keyboard.press("k")
    page.keyboard.type("KSS")
    page.keyboard.press("Enter")
    version += 1
    wait_version(page, version)
    assert _field(page, "speaker", "KSS (ORG)") == "KSS (ORG)"

    # 3. A quote the model missed, made from a selection (q), with its cue (select, then c).
    topics = text.index("a number of topics")
    select_text(page, topics, text.index(" rights.") + len(" rights"))
    page.keyboard.press("q")
    version += 1
    wait_version(page, version)
    cue = text.index("They discussed") + len("They ")
    select_text(page, cue, cue + len("discussed"))
    page.keyboard.press("c")
    version += 1
    wait_version(page, version)

    # 4. Reload: all three corrections are there.
    page.reload()
    assert page.locator(f"#text .qsrc[data-id='{first.id}']").inner_text() == "Ayatollah Ali Khamenei"
    _click_item(page, kss_quote.id, "qc")
    assert _field(page, "speaker", "KSS (ORG)") == "KSS (ORG)"
    new = page.locator("#text .qc.first").filter(has_text="a number of topics")
    assert new.count() == 1
    page.locator(f"#text .tag[data-id='{new.get_attribute('data-id')}']").click()  # the new quote's badge
    assert _field(page, "cue", "discussed") == "discussed" and "water rights" in _field(page, "content")
    assert page.errors == []

    _export_has_the_quote_groups(_exported(seeded, tmp_path), first, kss_quote)


def _export_has_the_quote_groups(doc, first, kss_quote):
    """The spaCy export has the quote groups with the shared ids and the speaker link."""
    contents = {s.id_: s.text for s in doc.spans["quote"]}
    cues = {s.id_: s.text for s in doc.spans["cue"]}
    new_id = next(i for i, t in contents.items() if t.startswith("a number of topics"))
    assert cues[new_id] == "discussed"
    assert {s.id_: s.text for s in doc.spans["source"]}[first.id] == "Ayatollah Ali Khamenei"
    # links are written as the linked entity's [start_char, end_char], as the pipeline writes them
    start, end = doc.spans["quote"].attrs["speaker"][kss_quote.id]
    assert next(e.text for e in doc.ents if (e.start_char, e.end_char) == (start, end)) == "KSS"


def test_browser_event_type_and_target_by_keyboard(page, live_server, seeded, tmp_path):
    article_id, text, model, version = _open(page, live_server, seeded)
    signed = next(v for v in model.events if text[v.main.start : v.main.end] == "signed")
    _click_item(page, signed.id, "trig")
    page.keyboard.press("x")  # the target actor picker
    page.keyboard.type("Bagh")
    page.keyboard.press("Enter")
    version += 1
    wait_version(page, version)
    page.keyboard.press("1")  # AGREE, the event scheme's first type
    version += 1
    wait_version(page, version)
    page.reload()
    trigger = page.locator(f"#text .trig[data-id='{signed.id}']")
    assert trigger.get_attribute("data-label") == "AGREE"
    _click_item(page, signed.id, "trig")
    assert _field(page, "target actor", "Baghdad (GPE)") == "Baghdad (GPE)"
    assert page.errors == []

    doc = _exported(seeded, tmp_path)
    event = next(s for s in doc.spans["event"] if s.id_ == signed.id)
    assert event.label_ == "AGREE"
    start, end = doc.spans["event"].attrs["target_actor"][signed.id]
    assert next(e.text for e in doc.ents if (e.start_char, e.end_char) == (start, end)) == "Baghdad"
