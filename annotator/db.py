"""The connection lifecycle: open SQLite the way every part of the app needs it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from . import migrations
from .files import create_private

BUSY_TIMEOUT_MS = 10_000


class NoDatabase(Exception):
    """The database file does not exist: only `annotator init` (and `demo`) create one."""


def require(path: str | Path) -> None:
    """Refuse a database path that names no file, rather than let SQLite create an empty one."""
    if not Path(path).is_file():
        raise NoDatabase(f"{path}: no such database; `annotator init` creates one (or check --db and $ANNOTATOR_DB)")


def connect(path: str | Path, *, migrate: bool = True) -> Database:
    """Open the database in WAL mode with a busy timeout, bringing its schema up to date.

    A new database file is created readable by its owner only; SQLite gives the WAL
    and shared-memory files it makes beside it the same mode.
    """
    if str(path) != ":memory:":
        create_private(Path(path))
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
    """Copy a live database page by page (SQLite's online backup) to a new private file; (pages, integrity check).

    Raises NoDatabase for a missing source and FileExistsError for an existing target.
    """
    require(source)
    if not create_private(Path(target)):
        raise FileExistsError(f"{target} exists already; choose a new file")
    # mode=rw: never create the source, even if it vanished since the check
    src = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    return pages, check


# --- Flask wiring: one connection per server thread, reused by its requests ----------
# Opening one costs more than most pages' queries (0.6 ms: the file's mode, the pragmas,
# SQLite reading the schema again), so each thread keeps its own; a request never leaves
# a transaction open for the next one.


def get_db() -> Database:
    from flask import current_app, g

    if "db" not in g:
        pool = current_app.extensions.setdefault("annotator.connections", threading.local())
        path = current_app.config["DATABASE"]
        if getattr(pool, "path", None) != path:
            pool.path, pool.db = path, connect(path, migrate=False)
        g.db = pool.db
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    from flask import g

    found = g.pop("db", None)
    if found is not None and found.conn.in_transaction:
        found.conn.rollback()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
