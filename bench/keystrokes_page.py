"""The keystroke benchmark's person at the page: the actions, counted, and how they reach an item.

Used by `bench_keystrokes.py`; plays any version of the annotation page, reading
what it offers from the page itself (its keymap, whether items have handles).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
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
    app = create_app({"DATABASE": path, "SECRET_KEY": secrets.token_urlsafe(32)})
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
        """Press a key (a chord is one press), counted."""
        self.presses[self.kind] += 1
        self.page.keyboard.press(chord)

    def click(self, locator) -> None:
        """Click, counted."""
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
        """The version the page shows."""
        return int(self.page.get_attribute("#doc-meta", "data-version"))

    def saved(self, before: int) -> None:
        """Wait for the edit just made to be saved."""
        self.page.locator(f"#doc-meta[data-version='{before + 1}']").wait_for(state="attached")

    def selected(self) -> str | None:
        """The id of the item the page shows selected."""
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
        """The layer of an item on the page."""
        return self.page.get_attribute(f"#text [data-id='{item_id}']", "data-layer")

    def chord(self, command: str) -> str | None:
        """The page's key for a command, if it has one."""
        return next((chord for chord, name in self.keymap.items() if name == command), None)

    def label_key(self, layer: str, label: str) -> str:
        """The key of a label of a layer."""
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
        """Press a key that edits, and wait for the save."""
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
        """Enter (and Enter again if the page asks), until the page moves on."""
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
