"""The queue shows the articles there are to do, before anyone opened them, and says so when there are none."""

import pytest
from werkzeug.security import generate_password_hash

from annotator import create_app, store
from annotator import db as database

from .conftest import PASSWORD, SECRET_KEY, seed_article_id, serving
from .pages import script_errors, sign_in

pytestmark = pytest.mark.browser


def test_browser_queue_lists_articles_not_opened_yet(page, live_server, seeded):
    """Issue 12, point 10: "0 of 1 done · Start annotating" above "No articles yet"."""
    sign_in(page, live_server)
    assert "0 of 1 done" in page.locator(".progress-line").inner_text()
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1 and "No articles yet" not in page.locator("table.queue").inner_text()
    assert rows.first.locator(".status").inner_text() == "new"
    assert rows.first.locator("a").count() == 0  # not the user's yet: Start gives it, in queue order
    page.click("button:text('Start annotating')")
    page.wait_for_url(f"{live_server}/articles/{seed_article_id(seeded)}")
    page.goto(f"{live_server}/queue")
    assert page.locator("table.queue tbody tr").first.locator(".status").inner_text() == "draft"
    assert page.locator("table.queue tbody tr").first.locator("a").count() == 1
    assert script_errors(page) == []


def test_browser_queue_without_articles_says_so_and_nothing_else(page, tmp_path):
    path = tmp_path / "empty.db"
    db = database.connect(path)
    store.add_user(db, "alice", "annotator", generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": SECRET_KEY, "TESTING": True})
    with serving(app) as url:
        sign_in(page, url)
        card = page.locator("main").inner_text()
        assert "No articles yet" in card
        assert "Start annotating" not in card and "All articles are done" not in card
    assert script_errors(page) == []
