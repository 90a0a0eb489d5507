"""Sessions on the server: started at sign-in, checked on every request, ended by logout or a change to the user.

The cookie holds a random token; the table holds its SHA-256 (a leaked database opens
no session), who it belongs to, when it started and when it was last used. A session
ends when it is idle too long or older than its lifetime, whatever the cookie says.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlite_utils import Database

from ..db import write
from ._sql import row
from .users import User

# How stale `seen` may get before a request writes it again: idle limits are minutes,
# so a write per request would buy nothing but contention for the write lock.
TOUCH_EVERY_SECONDS = 60


@dataclass(frozen=True)
class Lifetimes:
    idle: float  # seconds without a request
    absolute: float  # seconds since sign-in


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(db: Database, user_id: int, at: float, limits: Lifetimes) -> str:
    """A new session for the user; returns the token for the cookie. Drops every expired session on the way."""
    token = secrets.token_urlsafe(32)
    with write(db):
        db.execute("DELETE FROM sessions WHERE seen < ? OR created < ?", [at - limits.idle, at - limits.absolute])
        db.execute(
            "INSERT INTO sessions (id, user_id, created, seen) VALUES (?, ?, ?, ?)", [_digest(token), user_id, at, at]
        )
    return token


def session_user(db: Database, token: str, at: float, limits: Lifetimes) -> User | None:
    """The user of a live session, noting the request; None (and the session gone) if it has ended."""
    digest = _digest(token)
    found = row(
        db,
        "SELECT s.created, s.seen, u.id, u.name, u.role, u.password_hash FROM sessions s "
        "JOIN users u ON u.id = s.user_id WHERE s.id = ?",
        [digest],
    )
    if found is None:
        return None
    if at - found["seen"] > limits.idle or at - found["created"] > limits.absolute:
        end_session(db, token)
        return None
    if at - found["seen"] > TOUCH_EVERY_SECONDS:
        with write(db):
            db.execute("UPDATE sessions SET seen = max(seen, ?) WHERE id = ?", [at, digest])
    return User(found["id"], found["name"], found["role"], found["password_hash"])


def end_session(db: Database, token: str) -> None:
    """End one session (logout)."""
    with write(db):
        db.execute("DELETE FROM sessions WHERE id = ?", [_digest(token)])
