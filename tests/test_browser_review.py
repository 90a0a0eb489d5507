"""Two annotators disagree; a reviewer sees it on the dashboard and adjudicates gold, in chromium."""

import json

import pytest

from annotator import edits, exporting, store

from .conftest import seed_article_id
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
