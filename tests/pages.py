"""What the browser tests share: opening the annotation page as someone, reading what it shows and saves."""

from __future__ import annotations

import json

from annotator import exporting, store

from .conftest import hold, seed_article_id
from .test_browser_annotate import select_text, sign_in, wait_version

__all__ = ["select_text", "sign_in", "wait_version"]


def open_article(page, live_server, seeded, name: str = "alice") -> int:
    """Sign in as `name` and open the seed article; returns the version the page shows."""
    sign_in(page, live_server, name)
    if store.get_user_by_name(seeded, name).role == "annotator":
        hold(seeded, seed_article_id(seeded), name)  # as the queue's Start would
    page.goto(f"{live_server}/articles/{seed_article_id(seeded)}")
    return version(page)


def version(page) -> int:
    return int(page.get_attribute("#doc-meta", "data-version"))


def settled(page) -> None:
    """Wait until every request of the page is answered (htmx marks requests in flight)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def own_set(seeded, name: str = "alice") -> store.AnnotationSet:
    user = store.get_user_by_name(seeded, name)
    return store.find_set(seeded, seed_article_id(seeded), "annotator", user.id)


def saved(seeded, name: str = "alice"):
    """The person's annotation as stored."""
    return store.load_annotation(seeded, own_set(seeded, name).id)


def exported(seeded, tmp_path, source: str = "annotations") -> list[dict]:
    """The native JSONL export, read back."""
    out = tmp_path / f"{source}.jsonl"
    exporting.export(seeded, "jsonl", source, out)
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def selected(page) -> str | None:
    """The id of the item the page shows selected."""
    return page.evaluate(
        "() => (document.querySelector('#text .selected[data-id]') || {dataset: {}}).dataset.id || null"
    )


def select_item(page, item_id: str) -> None:
    """Click the item's badge, as a person clicks it (on a page without badges, a piece of the item no
    other item covers: so these tests run against older pages too, and fail there for what they test)."""
    handle = page.locator(f"#text .tag[data-id='{item_id}']")
    target = handle if handle.count() else page.locator(f"#text [data-id='{item_id}']:not(:has(*))").first
    target.click()
    page.locator(f"#text .selected[data-id='{item_id}']").first.wait_for()


def script_errors(page) -> list[str]:
    """The page's script errors; the browser's own note of a refused (4xx) request is not one."""
    return [e for e in page.errors if "the server responded with a status of 4" not in e]


def new_tab(context):
    """Another tab of the same browser session, its script errors collected as the `page` fixture's are."""
    opened = context.new_page()
    opened.errors = []
    opened.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    opened.on("console", lambda msg: opened.errors.append(msg.text) if msg.type == "error" else None)
    return opened
