"""The connection lifecycle: open SQLite the way every part of the app needs it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from . import migrations

BUSY_TIMEOUT_MS = 10_000


def connect(path: str | Path, *, migrate: bool = True) -> Database:
    """Open the database in WAL mode with a busy timeout, bringing its schema up to date."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn, execute_plugins=False)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL survives a killed process; only power loss can drop the last commits.
    db.execute("PRAGMA synchronous = NORMAL")
    if migrate:
        migrations.MIGRATIONS.apply(db)
    return db


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction, taking the write lock at its start (BEGIN IMMEDIATE)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()


def backup(source: str | Path, target: str | Path) -> tuple[int, str]:
    """Copy a live database page by page (SQLite's online backup); returns (pages, integrity check)."""
    src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    return pages, check


# --- Flask wiring: one connection per request, closed at teardown ---------------------


def get_db() -> Database:
    from flask import current_app, g

    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"], migrate=False)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    from flask import g

    found = g.pop("db", None)
    if found is not None:
        found.close()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
