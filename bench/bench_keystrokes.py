"""Key presses and clicks to correct the seed article, in a scripted Chromium session.

The session opens the seed article's pre-annotation as an annotator and makes it
the reference annotation in `bench/gold/keystrokes.jsonl` (every item looked at:
a dozen corrections, every other suggestion accepted), then submits. It counts
key presses (a chord is one press) and mouse actions (a click or a drag) per kind
of correction, and checks that what was saved is the reference.

It plays the page as a practised person would, using whatever keys the page
offers (read from its keymap), so the same script measures older pages too:
reaching an item takes arrow presses when it is at most three steps away in its
layer, else one click; new text is selected with a mouse drag; a link is picked
by typing the target's name until it heads the list (then ↓ past longer names
that contain it). `--baseline` records the
counts of the page being measured as the one to compare with
(`bench/gold/keystrokes-before.json`, measured on the page before issue 12).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from .common import Row
from .keystrokes_page import PASSWORD, Session, serving

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "gold" / "keystrokes.jsonl"
BASELINE = HERE / "gold" / "keystrokes-before.json"


def corrections(s: Session, model: dict) -> None:
    """The corrections that turn the seed's pre-annotation into the reference, by kind."""
    entity_corrections(s, model)
    quote_corrections(s, model)
    event_corrections(s, model)
    s.kind = "accept every untouched suggestion"
    s.accept_the_rest()
    if s.page.locator("#text .suggested").count():
        raise RuntimeError("suggestions are left that nobody looked at")
    s.kind = "submit"
    s.submit()


def _entity(model: dict, phrase: str, label: str | None = None, nth: int = 0) -> str:
    found = [e for e in model["entities"] if e["text"] == phrase and (label is None or e["label"] == label)]
    return found[nth]["id"]


def _starting(model: dict, layer: str, start: int) -> str:
    """The id of the quote (by its first content span) or the event (by its trigger) starting at `start`."""
    if layer == "quote":
        return next(q["id"] for q in model["quotes"] if q["content"][0]["start"] == start)
    return next(v["id"] for v in model["events"] if v["trigger"]["start"] == start)


def entity_corrections(s: Session, model: dict) -> None:
    """Wrong entities deleted, wrong labels changed, a start moved, a missing entity added."""
    s.kind = "delete a wrong entity"
    for item_id in (_entity(model, "Supreme"), _entity(model, "Defense"), _entity(model, "supreme", "ORG")):
        s.reach(item_id)
        s.edit("Delete")
    s.kind = "relabel an entity"
    for item_id, label in (
        (_entity(model, "Ashab al-Kahf", nth=0), "ORG"),
        (_entity(model, "Ashab al-Kahf", nth=1), "ORG"),
        (_entity(model, "Kataib Sayyid al-Shuhada"), "ORG"),
        (_entity(model, "Sudani", "GPE"), "PERSON"),
        (_entity(model, "Sudani", "NORP"), "PERSON"),
    ):
        s.reach(item_id)
        s.edit(s.label_key("entity", label))
    s.kind = "move an entity's start"
    s.reach(_entity(model, "the Islamic Republic"))
    s.edit("Alt+Shift+ArrowRight")
    s.kind = "add a missing entity"
    start = s.text.index("Victory base")
    before = s.version()
    s.drag(start, start + len("Victory base"))
    s.press(s.label_key("entity", "FAC"))
    s.saved(before)


def quote_corrections(s: Session, model: dict) -> None:
    """Two quotes' source narrowed to the name, one quote's speaker changed."""
    s.kind = "set a quote's source"
    khamenei = s.text.index("Ayatollah Ali Khamenei")
    for opening in ("Baghdad should not allow", "Washington is a"):
        s.reach(_starting(model, "quote", s.text.index(opening)))
        before = s.version()
        s.drag(khamenei, khamenei + len("Ayatollah Ali Khamenei"))
        s.press("r")
        s.saved(before)
    s.kind = "set a quote's speaker"
    s.reach(next(q["id"] for q in model["quotes"] if q["source"] and q["source"]["text"] == "The KSS spokesman"))
    s.pick("pick_speaker", "KSS")


def event_corrections(s: Session, model: dict) -> None:
    """An event's type and source actor changed, a wrong event deleted, a missing one added."""
    text = s.text
    s.kind = "change an event's type"
    s.reach(_starting(model, "event", text.index("warned")))
    s.edit(s.label_key("event", "DISAPPROVE"))
    s.kind = "set an event's actor"
    s.reach(_starting(model, "event", text.index("They discussed") + len("They ")))
    s.pick("pick_speaker", "Rashid")
    s.kind = "delete a wrong event"
    s.reach(_starting(model, "event", text.index("prevent attacks") + len("prevent ")))
    s.edit("Delete")
    s.kind = "add a missing event"
    start = text.index("infiltration")
    before = s.version()
    s.drag(start, start + len("infiltration"))
    s.press("e")
    s.press(s.label_key("event", "CRIME"))
    s.saved(before)


def content(record: dict) -> set:
    """What a record says, ids aside: each item's layer, label, spans and the spans its links point at."""
    entities = {e["id"]: (e["start"], e["end"], e["label"]) for e in record["entities"]}

    def span(value):
        return None if value is None else (value["start"], value["end"])

    found = {("entity", e["label"], (e["start"], e["end"])) for e in record["entities"]}
    for q in record["quotes"]:
        parts = (tuple(span(c) for c in q["content"]), span(q["cue"]), span(q["source"]))
        found.add(("quote", q["type"], parts, entities.get(q["speaker"])))
    for v in record["events"]:
        actors = (entities.get(v["source_actor"]), entities.get(v["target_actor"]))
        found.add(("event", v["type"], span(v["trigger"]), actors))
    return found


def session(browser, base: str) -> tuple[Counter[str], Counter[str]]:
    """Sign in, correct the seed article into the reference, submit; the counts, checked against the result."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/queue")
    page.locator("form[action$='/next'] button").click()  # the queue's Start: not a correction, not counted
    page.wait_for_url("**/articles/*")
    page.locator("#text").wait_for()
    set_base = page.get_attribute("#doc-meta", "data-base")
    model = page.evaluate(f"() => fetch('{set_base}.json').then(r => r.json())")
    s = Session(page, base)
    corrections(s, model)
    result = page.evaluate(f"() => fetch('{set_base}.json').then(r => r.json())")
    context.close()
    reference = json.loads(REFERENCE.read_text("utf-8"))
    if content(result) != content(reference) or result["status"] != "submitted":
        missing, extra = content(reference) - content(result), content(result) - content(reference)
        raise RuntimeError(f"the session did not reach the reference: missing {missing}, extra {extra}")
    return s.presses, s.clicks


def measure() -> tuple[Counter[str], Counter[str]]:
    """One session in Chromium on a fresh database: presses and clicks by kind of correction."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as work, serving(Path(work)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            return session(browser, base)
        finally:
            browser.close()


def run(quick: bool = False) -> list[Row]:
    """The rows of `make bench`: presses per kind of correction, with the page before issue 12's beside them."""
    presses, clicks = measure()
    before = json.loads(BASELINE.read_text("utf-8"))
    then_presses, then_clicks = Counter(before["presses"]), Counter(before["clicks"])
    rows = [
        Row(
            f"key presses to {kind}",
            float(presses[kind]),
            float(then_presses[kind]),
            unit="",
            note=f"{presses[kind]} presses, {clicks[kind]} clicks; before: "
            f"{then_presses[kind]} presses, {then_clicks[kind]} clicks",
        )
        for kind in dict.fromkeys([*before["presses"], *presses])
    ]
    confirm = "accept every untouched suggestion"
    rows.append(
        Row(
            "key presses to confirm all untouched suggestions of an article",
            float(presses[confirm]),
            3,
            unit=" presses",
            note=f"before: {then_presses[confirm]} presses and {then_clicks[confirm]} clicks",
        )
    )
    total, then = sum(presses.values()), sum(then_presses.values())
    rows.append(
        Row(
            "all key presses to correct the seed article, vs before issue 12",
            total / then,
            0.5,
            note=f"{total} presses and {sum(clicks.values())} clicks; before {then} presses and "
            f"{sum(then_clicks.values())} clicks",
        )
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_keystrokes", description=__doc__)
    parser.add_argument("--baseline", action="store_true", help=f"record this page's counts in {BASELINE.name}")
    args = parser.parse_args(argv)
    presses, clicks = measure()
    for kind in presses | clicks:
        print(f"{kind:<40} {presses[kind]:>4} presses {clicks[kind]:>3} clicks")
    print(f"{'total':<40} {sum(presses.values()):>4} presses {sum(clicks.values()):>3} clicks")
    if args.baseline:
        BASELINE.write_text(json.dumps({"presses": presses, "clicks": clicks}, indent=2) + "\n", "utf-8")
        print(f"recorded in {BASELINE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
