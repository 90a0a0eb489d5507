"""Submitting says what it accepts; each item keeps its origin in the export, in agreement and on review."""

import json

import pytest
from click.testing import CliRunner

from annotator import edits, store
from annotator.cli import cli

from .conftest import seed_article_id
from .pages import (
    exported,
    open_article,
    own_set,
    saved,
    script_errors,
    select_item,
    select_text,
    sign_in,
    wait_version,
)
from .test_review import _submit

pytestmark = pytest.mark.browser


def test_browser_origins_enter_asks_once_and_the_record_keeps_each_origin(
    page, live_server, seeded, seeded_path, tmp_path
):
    """Issue 12, point 4: Enter submitted at once; nothing said 78 suggestions were never looked at."""
    store.set_annotators_per_article(seeded, 2)
    open_article(page, live_server, seeded)
    model = saved(seeded)
    text = store.get_article(seeded, seed_article_id(seeded)).text
    total = len(list(model.items()))
    # one accepted, one changed, one added by hand
    accepted, changed = model.entities[0], model.entities[1]
    select_item(page, accepted.id)
    page.keyboard.press("a")
    select_item(page, changed.id)
    page.keyboard.press("1")
    kss = text.index("Kataib Sayyid al-Shuhada")
    select_text(page, kss, kss + len("Kataib Sayyid al-Shuhada"))
    page.keyboard.press("2")
    wait_version(page, 4)
    untouched = total - 2 - 1  # the new entity pushed aside the model's PERSON span over the same words

    page.keyboard.press("Enter")
    dialog = page.locator("#ask[open]")
    dialog.wait_for()
    assert f"{untouched} of the model's suggestions were never looked at" in dialog.inner_text()
    page.keyboard.press("Escape")  # go back: nothing submitted
    assert page.locator("#ask[open]").count() == 0
    assert own_set(seeded).status == "draft"
    page.keyboard.press("Enter")
    page.locator("#ask[open]").wait_for()
    page.keyboard.press("Enter")  # the one question answered: submitted
    page.wait_for_url(f"{live_server}/done")

    record = exported(seeded, tmp_path)[0]
    origin = {x["id"]: x["origin"] for key in ("entities", "quotes", "events") for x in record[key]}
    assert origin[accepted.id] == "accepted" and origin[changed.id] == "changed"
    made = next(e for e in record["entities"] if e["start"] == kss)
    assert made["origin"] == "added" and made["label"] == "ORG"
    assert list(origin.values()).count("model") == untouched  # accepted by submitting, never looked at
    history = store.history(seeded, own_set(seeded).id)
    assert history[-1]["action"] == "submitted" and history[-1]["change"] == {"untouched": untouched}

    _agreement_counts_only_what_a_person_touched(seeded, seeded_path)
    _the_reviewer_sees_the_origins(page, live_server, seeded, untouched)
    assert script_errors(page) == []


def _agreement_counts_only_what_a_person_touched(seeded, seeded_path):
    _submit(seeded, "bob", [lambda a: edits.relabel(a, a.entities[1].id, "PERSON")])
    runner = CliRunner()
    every = json.loads(
        runner.invoke(cli, ["--db", str(seeded_path), "agreement", "--json", "--layer", "entity"]).output
    )
    touched = json.loads(
        runner.invoke(
            cli, ["--db", str(seeded_path), "agreement", "--json", "--layer", "entity", "--touched-only"]
        ).output
    )
    assert every["documents"] == touched["documents"] == 1
    # both left most suggestions untouched, which agree perfectly; counted without them, they agree less
    assert touched["span_f1"]["exact"] < every["span_f1"]["exact"]


def _the_reviewer_sees_the_origins(page, live_server, seeded, untouched):
    """Per annotator on the dashboard, per item and in the history when adjudicating."""
    page.context.clear_cookies()
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server}/review/")
    row = page.locator("table.origins tr", has_text="alice")
    assert row.locator("td").nth(1).inner_text() == str(untouched)
    page.click("text=Count only what a person touched")
    assert "Counting only what a person touched" in page.locator(".counting").inner_text()
    page.goto(f"{live_server}/review/{seed_article_id(seeded)}")
    alice_pane = page.locator("article.version", has_text="alice")
    origin = alice_pane.locator("tr", has_text="Kataib Sayyid al-Shuhada").locator("td.origin")
    assert origin.inner_text() == "added" and origin.get_attribute("title") == "added by a person"
    alice_pane.locator("details.history summary").click()
    assert f"submitted ({untouched} suggestions accepted unseen)" in alice_pane.locator("details.history").inner_text()
