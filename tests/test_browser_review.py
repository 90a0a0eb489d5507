"""Two annotators disagree; a reviewer sees it on the dashboard and adjudicates gold, in chromium."""

import json
import re

import pytest

from annotator import edits, exporting, store

from .conftest import seed_article_id
from .pages import script_errors
from .test_browser_annotate import sign_in, wait_version
from .test_review import _entity_at, _submit

pytestmark = pytest.mark.browser


def test_browser_reviewer_takes_one_span_from_each_and_saves_gold(page, live_server, seeded, tmp_path):
    store.set_annotators_per_article(seeded, 2)
    alice = _submit(seeded, "alice", [lambda a: edits.relabel(a, _entity_at(1387)(a).id, "PERSON")])
    bob = _submit(seeded, "bob", [lambda a: edits.relabel(a, _entity_at(7)(a).id, "PERSON")])
    article_id = seed_article_id(seeded)

    sign_in(page, live_server, "rita")
    page.click("nav >> text=Review")
    row = page.locator("table.worst tr", has_text="khamenei-rashid-tehran")
    assert row.count() == 1
    assert row.locator("td").nth(2).inner_text() not in ("", "n/a")  # its token alpha is shown
    row.locator("text=Adjudicate").click()
    page.wait_for_url(f"{live_server}/review/{article_id}")

    version = int(page.get_attribute("#doc-meta", "data-version"))
    page.click(f"[data-take='alice:{_entity_at(1387)(alice).id}']")
    version += 1
    wait_version(page, version)
    page.click(f"[data-take='bob:{_entity_at(7)(bob).id}']")
    version += 1
    wait_version(page, version)
    marks = page.eval_on_selector_all(
        "#text mark.ent", "els => els.map(m => [+m.dataset.s, +m.dataset.e, m.dataset.label])"
    )
    assert sorted(map(tuple, marks)) == [(7, 14, "PERSON"), (1387, 1393, "PERSON")]

    page.keyboard.press("Enter")  # submit gold
    page.wait_for_url(f"{live_server}/review/")
    gold = store.find_set(seeded, article_id, "gold")
    assert gold.status == "submitted"
    out = tmp_path / "gold.jsonl"
    exporting.export(seeded, "jsonl", "gold", out)
    record = json.loads(out.read_text("utf-8"))
    assert sorted((e["start"], e["end"], e["label"]) for e in record["entities"]) == [
        (7, 14, "PERSON"),
        (1387, 1393, "PERSON"),
    ]
    assert page.errors == []


def _relabel(start, label):
    return lambda a: edits.relabel(a, _entity_at(start)(a).id, label)


@pytest.fixture
def disagreeing(seeded):
    """Alice and Bob disagree on labels across the scheme (FAC, DATE, CARDINAL among them)."""
    store.set_annotators_per_article(seeded, 2)
    _submit(
        seeded, "alice", [_relabel(1387, "PERSON"), _relabel(0, "FAC"), _relabel(115, "CARDINAL"), _relabel(7, "DATE")]
    )
    _submit(seeded, "bob", [lambda a: edits.delete(a, _entity_at(7)(a).id), _relabel(22, "ORG"), _relabel(129, "FAC")])
    return seed_article_id(seeded)


INSIDE = """([inner, outer]) => { const a = inner.getBoundingClientRect(), b = outer.getBoundingClientRect();
    return a.left >= b.left - 0.5 && a.right <= b.right + 0.5
        && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5; }"""
CONTRAST = """(el) => {
    const lum = (hex) => { const c = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16) / 255)
        .map(s => s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4);
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
    const hex = (rgb) => '#' + rgb.match(/\\d+/g).slice(0, 3).map(n => (+n).toString(16).padStart(2, '0')).join('');
    const [a, b] = [lum(hex(getComputedStyle(el).fill)), lum(el.dataset.fill)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05); }"""


def test_browser_review_dashboard_charts_show_every_label_and_number_readably(page, live_server, seeded, disagreeing):
    """Issue 12, point 11: the confusion matrix was clipped at 1440 px, the per-label chart lost its support
    numbers, dark cells carried dark text; the document list showed no gold status."""
    page.set_viewport_size({"width": 1440, "height": 1000})
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server}/review/")
    confusion = page.locator("figure", has_text="Token label confusion").locator("svg")
    labels = confusion.locator("text.col")
    assert {"FAC", "DATE", "CARDINAL"} <= set(labels.all_text_contents())
    viewport = page.evaluate("() => document.documentElement.clientWidth")
    for label in labels.all():
        assert page.evaluate(INSIDE, [label.element_handle(), confusion.element_handle()]), label.text_content()
        assert label.bounding_box()["x"] + label.bounding_box()["width"] <= viewport
    bars = page.locator("figure", has_text="Span F1 per label").locator("svg")
    notes = bars.locator("text.cell")
    assert notes.count() > 3 and all(re.search(r"\(\d+\)$", t) for t in notes.all_text_contents())
    for note in notes.all():
        assert page.evaluate(INSIDE, [note.element_handle(), bars.element_handle()]), note.text_content()
    for cell in page.locator("svg.heatmap text.cell").all():
        assert page.evaluate(CONTRAST, cell.element_handle()) >= 4.5, cell.text_content()
    gold = page.locator("table.worst tr", has_text="khamenei-rashid-tehran").locator("td").nth(4)
    assert gold.inner_text() == "none"
    page.goto(f"{live_server}/review/{disagreeing}")
    page.keyboard.press("Shift+A")  # nothing to accept in an empty gold, but Enter submits it
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/review/")
    assert page.locator("table.worst tr", has_text="khamenei-rashid-tehran").locator("td").nth(4).inner_text() == "done"
    assert script_errors(page) == []


def test_browser_review_adjudication_rows_line_up_take_marks_merge_counts_filter_hides(
    page, live_server, seeded, disagreeing
):
    """Issue 12, point 11: agreed rows were shifted a column; Take did not mark what was taken; "Merge 80 items"
    still said 80 after merging; no filter for disagreements."""
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server}/review/{disagreeing}")
    pane = page.locator("article.version", has_text="alice")
    header = pane.locator("thead th").first.bounding_box()
    agreed = pane.locator("tbody tr.agree-all").first
    assert agreed.locator("td").count() == pane.locator("thead th").count()
    assert abs(agreed.locator("td").first.bounding_box()["x"] - header["x"]) < 1

    # Take marks the row taken, in both panes where both have it
    sudani = pane.locator("tbody tr", has_text="Sudani").filter(has_text="PERSON").first
    sudani.locator("button", has_text="Take").click()
    sudani_after = pane.locator("tbody tr.in-gold", has_text="Sudani").filter(has_text="PERSON")
    sudani_after.first.wait_for()
    assert sudani_after.first.locator(".taken").inner_text() == "In gold ✓"

    merge = page.locator("#merge-line button")
    count = int(re.search(r"Merge the (\d+) items", merge.inner_text()).group(1))
    merge.click()
    page.locator("#merge-line button", has_text="Gold has every item").wait_for()
    assert page.locator("#merge-line button").is_disabled()
    gold = store.load_annotation(seeded, store.find_set(seeded, disagreeing, "gold").id)
    assert len(list(gold.items())) == count + 1  # the agreed items and the one taken before
    page.click("#merge-line button", force=True)  # disabled: nothing happens, nothing is written
    assert store.find_set(seeded, disagreeing, "gold").version == 3

    rows = pane.locator("tbody tr")
    disagreements = pane.locator("tbody tr:not(.agree-all)").count()
    page.check("#only-disagreements")
    assert sum(row.is_visible() for row in rows.all()) == disagreements < rows.count()
    assert script_errors(page) == []


@pytest.fixture
def adjudicating(page, live_server, seeded):
    """Rita on the adjudication page of Alice's and Bob's versions: the article, Bob's Take for his PERSON at 7."""
    store.set_annotators_per_article(seeded, 2)
    _submit(seeded, "alice", [_relabel(1387, "PERSON")])
    bob = _submit(seeded, "bob", [_relabel(7, "PERSON")])
    article_id = seed_article_id(seeded)
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server}/review/{article_id}")
    return article_id, page.locator(f"[data-take='bob:{_entity_at(7)(bob).id}']")


def _gold_entities(db, article_id):
    gold = store.find_set(db, article_id, "gold")
    return gold.status, [(e.start, e.end, e.label) for e in store.load_annotation(db, gold.id).entities]


def test_browser_enter_after_a_clicked_take_submits_gold_not_the_take_again(page, live_server, seeded, adjudicating):
    """CI saw it: Take clicked with the mouse kept the focus until the versions came back, so the Enter a
    reviewer pressed next took the item again instead of submitting gold. Held back here, the versions
    come back only after the Enter."""
    article_id, take = adjudicating
    held = []
    page.route(re.compile(r".*/review/\d+/versions$"), lambda route: held.append(route))
    takes = []
    page.on("request", lambda r: takes.append(r) if r.url.endswith("/take") else None)

    version = int(page.get_attribute("#doc-meta", "data-version"))
    take.click()
    wait_version(page, version + 1)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/review/")
    for route in held:
        route.abort()
    assert len(takes) == 1
    status, entities = _gold_entities(seeded, article_id)
    assert status == "submitted"
    assert [e for e in entities if e[0] == 7] == [(7, 14, "PERSON")]


def test_browser_take_still_answers_enter_from_the_keyboard(page, seeded, adjudicating):
    """Take keeps no focus from a click, but a reviewer who tabs to it presses it with Enter."""
    article_id, take = adjudicating
    version = int(page.get_attribute("#doc-meta", "data-version"))
    take.focus()
    page.keyboard.press("Enter")
    wait_version(page, version + 1)
    status, entities = _gold_entities(seeded, article_id)
    assert status == "draft"
    assert (7, 14, "PERSON") in entities
