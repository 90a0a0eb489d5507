"""Saving an edit: the version check, the append-only history, undo and status changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from ..db import write
from ..errors import Invalid, NotFound, NothingToUndo, StaleVersion, UndoConflict
from ..model import Annotation, Change, Checked, item_from_dict, item_to_dict
from ._sql import now, row, rows, value
from .items import delete_items, insert_items, load_annotation


def record(
    db: Database,
    set_id: int,
    user_id: int | None,
    action: str,
    change: Change | None,
    version: int,
    undoes: int | None = None,
) -> int:
    """Append one entry to the set's history."""
    body = (
        {}
        if change is None
        else {
            "before": [item_to_dict(i) for i in change.before],
            "after": [item_to_dict(i) for i in change.after],
        }
    )
    cur = db.execute(
        "INSERT INTO history (set_id, user_id, at, action, change, version, undoes) VALUES (?,?,?,?,?,?,?)",
        [set_id, user_id, now(), action, json.dumps(body, ensure_ascii=False), version, undoes],
    )
    return int(cur.lastrowid or 0)


def _bump(db: Database, set_id: int, expected_version: int, status: str | None = None) -> int:
    """Advance the set's version if it is still `expected_version`; raise StaleVersion if not."""
    cur = db.execute(
        "UPDATE annotation_sets SET version = version + 1, status = ifnull(?, status), updated = ? "
        "WHERE id = ? AND version = ?",
        [status, now(), set_id, expected_version],
    )
    if cur.rowcount == 0:
        current = value(db, "SELECT version FROM annotation_sets WHERE id = ?", [set_id])
        if current is None:
            raise NotFound(f"there is no annotation set {set_id}")
        raise StaleVersion(current, expected_version)
    return expected_version + 1


@dataclass(frozen=True)
class Saved:
    version: int
    change: Change
    annotation: Annotation


def edit(
    db: Database,
    set_id: int,
    expected_version: int,
    make_change: Callable[[Annotation], Change | Checked],
    user_id: int,
    action: str = "edit",
    undoes: int | None = None,
    current: Annotation | None = None,
) -> Saved:
    """Read, change and write a set in one transaction, if nobody saved it since `expected_version`.

    `current` may give the set's annotation at `expected_version` (a cached snapshot); the
    version check makes that safe, since a version's content never changes.
    """
    with write(db):
        version = _bump(db, set_id, expected_version)
        if current is None:
            current = load_annotation(db, set_id)
        made = make_change(current)
        # a checked change brings its result along; a bare one is applied here
        change, result = (made.change, made.result) if isinstance(made, Checked) else (made, current.apply(made))
        delete_items(db, set_id, [item.id for item in change.before])
        insert_items(db, set_id, change.after)
        record(db, set_id, user_id, action, change, version, undoes)
    return Saved(version, change, result)


def undo(
    db: Database, set_id: int, expected_version: int, user_id: int, check: Callable[[Change, Annotation], Checked]
) -> Saved:
    """Revert the user's latest edit of the set that is not undone yet, if the set's rules still hold after it.

    In a set several people edit (gold), someone may have built on what the edit made
    since: linked a quote's speaker to the entity it added, say. The inverse alone
    would then leave a link to nothing (SQLite refused it at commit, a 500, and the
    undo stayed stuck); `check` (the rules every edit passes) refuses it with a message
    instead, and nothing is written.
    """
    found = row(
        db,
        "SELECT id, change FROM history h WHERE set_id = ? AND user_id = ? AND action = 'edit' "
        "AND NOT EXISTS (SELECT 1 FROM history u WHERE u.set_id = h.set_id AND u.undoes = h.id) "
        "ORDER BY id DESC LIMIT 1",
        [set_id, user_id],
    )
    if found is None:
        raise NothingToUndo("there is nothing to undo")
    body = json.loads(found["change"])
    done = Change(
        before=tuple(item_from_dict(d) for d in body["before"]),
        after=tuple(item_from_dict(d) for d in body["after"]),
    )
    try:
        return edit(
            db,
            set_id,
            expected_version,
            lambda current: check(done.inverse(), current),
            user_id,
            action="undo",
            undoes=found["id"],
        )
    except Invalid as exc:
        raise UndoConflict(f"cannot undo your last change, since someone changed the article after it: {exc}") from None


def set_status(db: Database, set_id: int, expected_version: int, status: str, user_id: int) -> int:
    """Mark a set submitted, skipped or back to draft."""
    with write(db):
        version = _bump(db, set_id, expected_version, status)
        record(db, set_id, user_id, status, None, version)
    return version


def last_change(db: Database) -> int:
    """The id of the newest history entry: any change to any set moves it."""
    return int(value(db, "SELECT ifnull(max(id), 0) FROM history"))


def history(db: Database, set_id: int) -> list[dict[str, Any]]:
    """The set's history, oldest first."""
    found = rows(
        db,
        "SELECT h.id, u.name AS user, h.at, h.action, h.change, h.version, h.undoes "
        "FROM history h LEFT JOIN users u ON u.id = h.user_id WHERE h.set_id = ? ORDER BY h.id",
        [set_id],
    )
    return [{**dict(r), "change": json.loads(r["change"])} for r in found]
