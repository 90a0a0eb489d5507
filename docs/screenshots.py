"""Screenshots of the annotation, review and adjudication pages at 1440, 1024 and 390 px wide.

    .venv/bin/python docs/screenshots.py [OUT]   (default: test-artifacts/screenshots)

The seed article pre-annotated, two annotators' submitted versions that disagree,
and an annotator part-way through; served on 127.0.0.1 and shot in Chromium. The
1440 px annotation page is also written to docs/screenshot.png (the README's).
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from annotator import config, create_app, edits, importing, store
from annotator import db as database

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "screenshots-password"
WIDTHS = (1440, 1024, 390)


def _submitted(db, name: str, relabel: dict[int, str]) -> None:
    """`name` opens the seed article, relabels the entities starting at the given offsets, submits."""
    user = store.get_user_by_name(db, name)
    article_id = store.find_article(db, "khamenei-rashid-tehran")
    found = store.open_set(db, article_id, user.id)
    version = found.version
    for start, label in relabel.items():

        def change(annotation, start=start, label=label):
            return edits.relabel(annotation, next(e.id for e in annotation.entities if e.start == start), label)

        version = store.edit(db, found.id, version, change, user.id).version
    store.set_status(db, found.id, version, "submitted", user.id)


def _database(work: Path) -> tuple[Path, int]:
    path = work / "screens.db"
    db = database.connect(path)
    importing.import_paths(db, config.load(None), [ROOT / "seeds"], preannotate=True, progress=False)
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for name, role in (("alice", "annotator"), ("bob", "annotator"), ("carol", "annotator"), ("rita", "reviewer")):
        store.add_user(db, name, role, hashed)
    store.set_annotators_per_article(db, 3)
    _submitted(db, "alice", {1387: "PERSON", 1294: "ORG", 7: "DATE"})
    _submitted(db, "bob", {22: "ORG", 129: "FAC", 1387: "PERSON"})
    article_id = store.find_article(db, "khamenei-rashid-tehran")
    db.close()
    return path, article_id


def _sign_in(page, base: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/queue")


def _annotating(page, base: str, first: bool) -> None:
    """Carol part-way through: the first paragraph accepted (the first time), a quote selected, its panel shown."""
    _sign_in(page, base, "carol")
    page.locator("form[action$='/next'] button").click()  # the queue's Start (or Continue)
    page.wait_for_url("**/articles/*")
    if first:
        page.locator("#text .tag[data-id='t1']").click()
        page.keyboard.press("Shift+P")
        page.locator("#status .msg", has_text="Saved").wait_for()
    page.locator("#text .tag[data-layer='quote']").nth(2).click()
    page.locator("#selection .field").first.wait_for()


def shoot(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        path, article_id = _database(Path(work))
        app = create_app({"DATABASE": path, "SECRET_KEY": secrets.token_urlsafe(32)})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for width in WIDTHS:
                page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
                _annotating(page, base, first=width == WIDTHS[0])
                page.screenshot(path=str(out / f"annotate-{width}.png"), caret="initial")
                _sign_in(page, base, "rita")
                page.goto(f"{base}/review/")
                page.screenshot(path=str(out / f"review-{width}.png"), full_page=True, caret="initial")
                page.goto(f"{base}/review/{article_id}")
                page.screenshot(path=str(out / f"adjudicate-{width}.png"), caret="initial")
                page.evaluate("document.getElementById('versions').scrollIntoView()")
                page.screenshot(path=str(out / f"adjudicate-versions-{width}.png"), caret="initial")
                page.context.close()
            browser.close()
        server.shutdown()
    shutil.copy(out / "annotate-1440.png", ROOT / "docs" / "screenshot.png")


if __name__ == "__main__":
    shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "test-artifacts" / "screenshots")
