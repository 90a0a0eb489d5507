"""Fixtures: a temporary database, the app over it, a client, and the seed article pre-annotated."""

from __future__ import annotations

import contextlib
import secrets
import shutil
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from annotator import config, create_app, importing, store
from annotator import db as database

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ID = "khamenei-rashid-tehran"
PASSWORD = "correct horse battery"
# A key as `annotator init` writes one (the app refuses anything weaker).
SECRET_KEY = secrets.token_urlsafe(32)
USERS = (("alice", "annotator"), ("bob", "annotator"), ("rita", "reviewer"), ("admin", "admin"))


@pytest.fixture(scope="session")
def project() -> config.Project:
    return config.load(None)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory, project) -> Path:
    """A database with the seed article pre-annotated by the real model and four users, built once."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    db = database.connect(path)
    importing.import_paths(db, project, [SEEDS], preannotate=True, progress=False)
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for name, role in USERS:
        store.add_user(db, name, role, password_hash)
    db.close()
    return path


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "annotator.db"


@pytest.fixture
def db(db_path):
    connection = database.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def seeded_path(seeded_template, tmp_path) -> Path:
    path = tmp_path / "seeded.db"
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture
def seeded(seeded_path):
    connection = database.connect(seeded_path)
    yield connection
    connection.close()


@pytest.fixture
def app(seeded_path):
    return create_app({"DATABASE": seeded_path, "SECRET_KEY": SECRET_KEY, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_of(client) -> str:
    with client.session_transaction() as session:
        return session.get("csrf", "")


def login(client, name: str = "alice", password: str = PASSWORD):
    """Sign in as a browser would: the form first, then a page (which gives the session its CSRF token)."""
    client.get("/login")
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(client)})
    if response.status_code == 302:
        client.get("/queue")
    return response


def start(client) -> str:
    """Press the queue's Start button (the one way to be given an article); returns the article page's path."""
    return client.post("/next", data={"csrf_token": csrf_of(client)}).headers["Location"]


def hold(connection, article_id: int, name: str) -> None:
    """Give the user the article, as Start would (for tests that open a page by its URL)."""
    store.assign_if_open(connection, article_id, store.get_user_by_name(connection, name).id)


def seed_article_id(connection) -> int:
    return store.find_article(connection, SEED_ID)


# --- browser tests: Playwright driving Debian's chromium ------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    import os

    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    import os
    import warnings

    executable = _chromium()
    if executable is None:
        message = "BROWSER TESTS NOT RUN: no chromium found (apt-get install chromium, or set CHROMIUM=path)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — required under CI=true")
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextlib.contextmanager
def serving(app):
    """The app served for real on 127.0.0.1, on a free port, in a thread; yields its URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def live_server(app):
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    opened.errors = errors
    yield opened
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        artifacts = ROOT / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        opened.screenshot(path=str(artifacts / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
