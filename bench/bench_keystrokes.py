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
import threading
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from .common import Row

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "gold" / "keystrokes.jsonl"
BASELINE = HERE / "gold" / "keystrokes-before.json"
SEEDS = HERE.parent / "seeds"
PASSWORD = "keystrokes-bench-password"
STEPS = 3  # arrow presses a person spends before reaching for the mouse


@contextmanager
def serving(work: Path):
    """The seed article pre-annotated, one annotator, served on 127.0.0.1."""
    from werkzeug.security import generate_password_hash
    from werkzeug.serving import make_server

    from annotator import config, create_app, importing, store
    from annotator import db as database

    path = work / "keystrokes.db"
    db = database.connect(path)
    importing.import_paths(db, config.load(None), [SEEDS], preannotate=True, progress=False)
    store.add_user(db, "alice", "annotator", generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": "bench-secret-key-0123456789"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


class Session:
    """The page, with every key press and mouse action counted under the kind of correction being made."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.presses: Counter[str] = Counter()
        self.clicks: Counter[str] = Counter()
        self.kind = ""
        self.new_page = page.locator("#text .tag[data-id]").count() > 0  # items have handles
        self.keymap = json.loads(page.get_attribute("#keymap", "data-keys"))
        self.text = page.evaluate("() => document.getElementById('text').textContent")

    # --- counted actions ----------------------------------------------------------------

    def press(self, chord: str) -> None:
        self.presses[self.kind] += 1
        self.page.keyboard.press(chord)

    def click(self, locator) -> None:
        self.clicks[self.kind] += 1
        locator.click()

    def drag(self, start: int, end: int) -> None:
        """Select article characters start..end with the mouse."""
        self.clicks[self.kind] += 1
        box = self.page.evaluate(_RECTS, [start, end])
        self.page.mouse.move(box["x1"], box["y1"])
        self.page.mouse.down()
        self.page.mouse.move(box["x2"], box["y2"], steps=5)
        self.page.mouse.up()

    # --- reading the page -------------------------------------------------------------

    def version(self) -> int:
        return int(self.page.get_attribute("#doc-meta", "data-version"))

    def saved(self, before: int) -> None:
        """Wait for the edit just made to be saved."""
        self.page.locator(f"#doc-meta[data-version='{before + 1}']").wait_for(state="attached")

    def selected(self) -> str | None:
        return self.page.evaluate(
            "() => (document.querySelector('#text .selected[data-id]') || {dataset: {}}).dataset.id || null"
        )

    def order(self, layer: str) -> list[str]:
        """The ids the arrow keys walk in a layer, in their order."""
        if self.new_page:
            return self.page.eval_on_selector_all(
                f"#text .tag[data-layer='{layer}']",
                "els => els.sort((a, b) => a.dataset.s - b.dataset.s).map(e => e.dataset.id)",
            )
        return self.page.eval_on_selector_all(
            f"#text [data-layer='{layer}']", "els => [...new Set(els.map(e => e.dataset.id))]"
        )

    def layer_of(self, item_id: str) -> str:
        return self.page.get_attribute(f"#text [data-id='{item_id}']", "data-layer")

    def chord(self, command: str) -> str | None:
        return next((chord for chord, name in self.keymap.items() if name == command), None)

    def label_key(self, layer: str, label: str) -> str:
        return self.page.get_attribute(f".label[data-layer='{layer}'][data-label='{label}']", "data-key")

    # --- what a person does -------------------------------------------------------------

    def reach(self, item_id: str) -> None:
        """Select an item: arrows when it is near the selection in its layer, else a click on it."""
        current = self.selected()
        if current == item_id:
            return
        layer = self.layer_of(item_id)
        if current is not None and self.layer_of(current) == layer:
            order = self.order(layer)
            distance = order.index(item_id) - order.index(current)
            if abs(distance) <= STEPS:
                for _ in range(abs(distance)):
                    self.press("ArrowRight" if distance > 0 else "ArrowLeft")
                self.page.locator(f"#text .selected[data-id='{item_id}']").first.wait_for()
                return
        if self.new_page:
            target = self.page.locator(f"#text .tag[data-id='{item_id}']")
        else:  # a piece of the item with no other item inside, so the click is the item's own
            target = self.page.locator(f"#text [data-id='{item_id}']:not(:has(*))").first
        self.click(target)
        self.page.locator(f"#text .selected[data-id='{item_id}']").first.wait_for()

    def edit(self, chord: str) -> None:
        before = self.version()
        self.press(chord)
        self.saved(before)

    def pick(self, command: str, name: str) -> None:
        """Open a link picker and type the target's name until it heads the list, then take it."""
        before = self.version()
        self.press(self.chord(command))
        self.page.locator("#selection .picker input").wait_for()
        active = "#selection .picker li.active, #selection .picker li[aria-selected='true']"
        typed = ""
        while not self.page.locator(active).inner_text().startswith(f"{name} (") and typed != name:
            typed += name[len(typed)]
            self.press(name[len(typed) - 1])
        while not self.page.locator(active).inner_text().startswith(f"{name} ("):  # a longer name came first
            self.press("ArrowDown")
        self.press("Enter")
        self.page.wait_for_function(
            f"() => +document.getElementById('doc-meta').dataset.version > {before} "
            "|| /Nothing changed/.test(document.getElementById('status').textContent)"
        )

    def accept_the_rest(self) -> None:
        """Every suggestion not looked at yet, accepted as it is: with one key if the page has one."""
        chord = self.chord("confirm_all")
        if chord:
            return self.edit(chord)
        for layer in ("entity", "quote", "event"):
            order = self.order(layer)
            self.reach(order[0])
            for index, item_id in enumerate(order):
                suggested = self.page.locator(f"#text .suggested[data-id='{item_id}']").count() > 0
                if suggested:
                    self.edit("a")
                if index < len(order) - 1:
                    self.press("ArrowRight")
                    self.page.locator(f"#text .selected[data-id='{order[index + 1]}']").first.wait_for()

    def submit(self) -> None:
        self.press("Enter")
        if self.page.locator("#ask").count():
            self.page.wait_for_timeout(300)
            if self.page.locator("#ask[open]").count():  # the page asks first: answered at once
                self.press("Enter")
        self.page.wait_for_url(lambda url: "/articles/" not in url)


# The screen points of the first and last character of article characters start..end (scrolled into view).
_RECTS = """([start, end]) => {
    const root = document.getElementById('text');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const at = (offset) => {
        walker.currentNode = root;
        let node, seen = 0;
        while ((node = walker.nextNode())) {
            if (seen + node.length > offset) return [node, offset - seen];
            seen += node.length;
        }
    };
    const rect = (offset) => {
        const [node, inner] = at(offset);
        const range = document.createRange();
        range.setStart(node, inner); range.setEnd(node, inner + 1);
        return range.getClientRects()[0];
    };
    at(start)[0].parentElement.scrollIntoView({block: 'center'});
    const a = rect(start), b = rect(end - 1);
    return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
}"""


def corrections(s: Session, model: dict) -> None:
    """The corrections that turn the seed's pre-annotation into the reference, by kind."""
    text = s.text

    def entity(phrase: str, label: str | None = None, nth: int = 0) -> str:
        found = [e for e in model["entities"] if e["text"] == phrase and (label is None or e["label"] == label)]
        return found[nth]["id"]

    def at(layer: str, start: int) -> str:
        key = {"quote": "quotes", "event": "events"}[layer]
        part = "content" if layer == "quote" else "trigger"
        return next(x["id"] for x in model[key] if (x[part][0] if layer == "quote" else x[part])["start"] == start)

    s.kind = "delete a wrong entity"
    for item_id in (entity("Supreme"), entity("Defense"), entity("supreme", "ORG")):
        s.reach(item_id)
        s.edit("Delete")
    s.kind = "relabel an entity"
    for item_id, label in (
        (entity("Ashab al-Kahf", nth=0), "ORG"),
        (entity("Ashab al-Kahf", nth=1), "ORG"),
        (entity("Kataib Sayyid al-Shuhada"), "ORG"),
        (entity("Sudani", "GPE"), "PERSON"),
        (entity("Sudani", "NORP"), "PERSON"),
    ):
        s.reach(item_id)
        s.edit(s.label_key("entity", label))
    s.kind = "move an entity's start"
    s.reach(entity("the Islamic Republic"))
    s.edit("Alt+Shift+ArrowRight")
    s.kind = "add a missing entity"
    start = text.index("Victory base")
    before = s.version()
    s.drag(start, start + len("Victory base"))
    s.press(s.label_key("entity", "FAC"))
    s.saved(before)
    s.kind = "set a quote's source"
    khamenei = text.index("Ayatollah Ali Khamenei")
    for opening in ("Baghdad should not allow", "Washington is a"):
        s.reach(at("quote", text.index(opening)))
        before = s.version()
        s.drag(khamenei, khamenei + len("Ayatollah Ali Khamenei"))
        s.press("r")
        s.saved(before)
    s.kind = "set a quote's speaker"
    s.reach(next(q["id"] for q in model["quotes"] if q["source"] and q["source"]["text"] == "The KSS spokesman"))
    s.pick("pick_speaker", "KSS")
    s.kind = "change an event's type"
    s.reach(at("event", text.index("warned")))
    s.edit(s.label_key("event", "DISAPPROVE"))
    s.kind = "set an event's actor"
    s.reach(at("event", text.index("They discussed") + len("They ")))
    s.pick("pick_speaker", "Rashid")
    s.kind = "delete a wrong event"
    s.reach(at("event", text.index("prevent attacks") + len("prevent ")))
    s.edit("Delete")
    s.kind = "add a missing event"
    start = text.index("infiltration")
    before = s.version()
    s.drag(start, start + len("infiltration"))
    s.press("e")
    s.press(s.label_key("event", "CRIME"))
    s.saved(before)
    s.kind = "accept every untouched suggestion"
    s.accept_the_rest()
    if s.page.locator("#text .suggested").count():
        raise RuntimeError("suggestions are left that nobody looked at")
    s.kind = "submit"
    s.submit()


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
    page.goto(f"{base}/next")
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
