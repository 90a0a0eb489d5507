"""Users, and the failed sign-ins that slow down password guessing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

from ..db import write
from ..errors import Conflict, NotFound
from ..model.accounts import user_name
from ._sql import now, row, rows, value


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    password_hash: str | None


_COLUMNS = "id, name, role, password_hash"


def _user(found: sqlite3.Row | None) -> User | None:
    return None if found is None else User(found["id"], found["name"], found["role"], found["password_hash"])


def add_user(db: Database, name: str, role: str, password_hash: str | None) -> User:
    """Create a user; refuses a name that breaks the naming rule or is taken (also in other letter case)."""
    name = user_name(name)
    # NOCASE folds ASCII letters only: enough that "Admin" cannot pass for "admin"
    taken = value(db, "SELECT name FROM users WHERE name = ? COLLATE NOCASE", [name])
    if taken is not None:
        raise Conflict(f"user {taken!r} exists already")
    with write(db):
        cur = db.execute(
            "INSERT INTO users (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
            [name, role, password_hash, now()],
        )
    return User(int(cur.lastrowid or 0), name, role, password_hash)


def set_password(db: Database, name: str, password_hash: str) -> None:
    with write(db):
        if db.execute("UPDATE users SET password_hash = ? WHERE name = ?", [password_hash, name]).rowcount == 0:
            raise NotFound(f"there is no user {name!r}")


def user_for_import(db: Database, name: str) -> User:
    """The user an imported annotation belongs to, created (without password) if missing."""
    name = user_name(name)
    user = get_user_by_name(db, name)
    if user is not None:
        return user
    cur = db.execute(
        "INSERT INTO users (name, role, password_hash, created) VALUES (?, 'annotator', NULL, ?)", [name, now()]
    )
    return User(int(cur.lastrowid or 0), name, "annotator", None)


def get_user(db: Database, user_id: int) -> User | None:
    return _user(row(db, f"SELECT {_COLUMNS} FROM users WHERE id = ?", [user_id]))


def get_user_by_name(db: Database, name: str) -> User | None:
    return _user(row(db, f"SELECT {_COLUMNS} FROM users WHERE name = ?", [name]))


def list_users(db: Database) -> list[User]:
    return [
        User(r["id"], r["name"], r["role"], r["password_hash"])
        for r in rows(db, f"SELECT {_COLUMNS} FROM users ORDER BY name")
    ]


def recent_login_failures(db: Database, key: str, since: float) -> int:
    return int(value(db, "SELECT count(*) FROM login_failures WHERE key = ? AND at > ?", [key, since]))


def record_login_failure(db: Database, key: str, at: float, forget_before: float) -> None:
    """Note a failed sign-in, dropping those too old to matter."""
    with write(db):
        db.execute("DELETE FROM login_failures WHERE at < ?", [forget_before])
        db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", [key, at])


def clear_login_failures(db: Database, key: str) -> None:
    with write(db):
        db.execute("DELETE FROM login_failures WHERE key = ?", [key])
