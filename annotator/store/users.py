"""Users (every change to one ends their sessions), and the failed sign-ins that slow down password guessing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

from ..db import write
from ..errors import Conflict, NotFound
from ..model.accounts import user_name
from ._sql import marks, now, row, rows, value


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


def _change(db: Database, name: str, column: str, setting: str | None) -> None:
    """Change one column of the user and end all their sessions, in one transaction."""
    with write(db):
        user_id = value(db, f"UPDATE users SET {column} = ? WHERE name = ? RETURNING id", [setting, name])
        if user_id is None:
            raise NotFound(f"there is no user {name!r}")
        end_sessions(db, user_id)


def set_password(db: Database, name: str, password_hash: str) -> None:
    """Give the user a new password; every session they had ends."""
    _change(db, name, "password_hash", password_hash)


def set_role(db: Database, name: str, role: str) -> None:
    """Give the user another role; every session they had ends (it was granted under the old one)."""
    _change(db, name, "role", role)


def remove_user(db: Database, name: str) -> None:
    """Take away the user's access: sessions end, no password signs in; their annotations stay theirs."""
    _change(db, name, "password_hash", None)


def end_sessions(db: Database, user_id: int) -> None:
    """End every session of a user (inside the caller's write transaction)."""
    db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


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


def login_failures(db: Database, keys: list[str], since: float) -> dict[str, tuple[int, float]]:
    """For each key with failed sign-ins since `since`: how many, and when the last was."""
    found = rows(
        db,
        f"SELECT key, count(*) AS n, max(at) AS last FROM login_failures WHERE key IN ({marks(keys)}) AND at > ? "
        "GROUP BY key",
        [*keys, since],
    )
    return {r["key"]: (r["n"], r["last"]) for r in found}


def record_login_failure(db: Database, keys: list[str], at: float, forget_before: float) -> None:
    """Note a failed sign-in under each key, dropping failures too old to matter."""
    with write(db):
        db.execute("DELETE FROM login_failures WHERE at < ?", [forget_before])
        db.conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(key, at) for key in keys])


def clear_login_failures(db: Database, keys: list[str]) -> None:
    with write(db):
        db.execute(f"DELETE FROM login_failures WHERE key IN ({marks(keys)})", keys)
