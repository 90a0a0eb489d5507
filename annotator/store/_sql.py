"""What every store module shares: rows read by column name, the clock, the text digest."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

Params = Sequence[Any] | dict[str, Any]


def rows(db: Database, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    """Every row of a query, each readable by column name."""
    return list(iter_rows(db, sql, params))


def iter_rows(db: Database, sql: str, params: Params = ()) -> Iterator[sqlite3.Row]:
    """The rows of a query as they come, each readable by column name."""
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    yield from cursor.execute(sql, params)


def row(db: Database, sql: str, params: Params = ()) -> sqlite3.Row | None:
    """The first row of a query, or None."""
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    found: sqlite3.Row | None = cursor.execute(sql, params).fetchone()
    return found


def value(db: Database, sql: str, params: Params = ()) -> Any:
    """The first column of the first row (a count, an id), or None."""
    found = db.execute(sql, params).fetchone()
    return None if found is None else found[0]


def marks(values: Sequence[Any]) -> str:
    """Placeholders for an IN (...) list of `values`."""
    return ",".join("?" * len(values))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
