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
from ._sql import marks, now, row, rows, value
from .items import delete_items, insert_items, load_annotation


def record(
    db: Database,
    set_id: int,
    user_id: int | None,
    action: str,
    change: Change | None,
    version: int,
    undoes: int | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one entry to the set's history (an edit's change, or a status change's details)."""
    body: dict[str, Any] = dict(details or {})
    if change is not None:
        body["before"] = [item_to_dict(i) for i in change.before]
        body["after"] = [item_to_dict(i) for i in change.after]
    cur = db.execute(
        "INSERT INTO history (set_id, user_id, at, action, change, version, undoes) VALUES (?,?,?,?,?,?,?)",
        [set_id, user_id, now(), action, json.dumps(body, ensure_ascii=False), version, undoes],
    )
    return int(cur.lastrowid or 0)


def _version(db: Database, set_id: int) -> int:
    found = value(db, "SELECT version FROM annotation_sets WHERE id = ?", [set_id])
    if found is None:
        raise NotFound(f"there is no annotation set {set_id}")
    return int(found)


def _bump(db: Database, set_id: int, expected_version: int, status: str | None = None) -> int:
    """Advance the set's version if it is still `expected_version`; raise StaleVersion if not.

    An edit leaves the status out of the UPDATE: SQLite then neither updates the index that
    holds it nor looks at the queue's status trigger (a relabel's save: 68 -> 60 us)."""
    set_status, args = ("", []) if status is None else (", status = ?", [status])
    cur = db.execute(
        f"UPDATE annotation_sets SET version = version + 1{set_status}, updated = ? WHERE id = ? AND version = ?",
        [*args, now(), set_id, expected_version],
    )
    if cur.rowcount == 0:
        raise StaleVersion(_version(db, set_id), expected_version)
    return expected_version + 1


@dataclass(frozen=True)
class Saved:
    version: int
    change: Change  # empty when the edit changed nothing (then nothing was written)
    annotation: Annotation
    # What others saved between the version the edit was made on and the one it was saved on top of.
    elsewhere: tuple[Change, ...] = ()


def _change_of(body: dict[str, Any]) -> Change:
    return Change(
        before=tuple(item_from_dict(d) for d in body.get("before", ())),
        after=tuple(item_from_dict(d) for d in body.get("after", ())),
    )


def changes_since(db: Database, set_id: int, version: int) -> tuple[Change, ...]:
    """What was saved to the set after `version`, oldest first (status changes change no item)."""
    found = rows(db, "SELECT change FROM history WHERE set_id = ? AND version > ? ORDER BY id", [set_id, version])
    return tuple(_change_of(json.loads(r["change"])) for r in found)


def annotation_at(db: Database, set_id: int, version: int) -> Annotation:
    """The set as it was at `version`: what it holds now with every change saved after that version
    taken back, newest first (a set's first entry counts its items, it does not repeat them)."""
    current = load_annotation(db, set_id)
    if not 1 <= version <= _version(db, set_id):
        raise NotFound(f"annotation set {set_id} has no version {version}")
    for change in reversed(changes_since(db, set_id, version)):
        current = current.apply(change.inverse())
    return current


def _status_changed_since(db: Database, set_id: int, version: int) -> bool:
    """Whether the set was submitted, skipped or reopened after `version`: a change to all of it."""
    return bool(
        value(
            db,
            "SELECT 1 FROM history WHERE set_id = ? AND version > ? AND action NOT IN ('edit', 'undo') LIMIT 1",
            [set_id, version],
        )
    )


def _ids(changes: tuple[Change, ...]) -> set[str]:
    return {item.id for change in changes for item in (*change.before, *change.after)}


def edit(
    db: Database,
    set_id: int,
    expected_version: int,
    make_change: Callable[[Annotation], Change | Checked],
    user_id: int,
    action: str = "edit",
    undoes: int | None = None,
    current: Annotation | None = None,
    rebase: bool = False,
) -> Saved:
    """Read, change and write a set in one transaction, if nobody saved it since `expected_version`.

    With `rebase`, an edit made on an older version is made on the newest one instead when it
    touches none of the items saved since (a stale tab's edit is kept, not lost); one that does
    is refused with StaleVersion. A change that changes nothing writes nothing: no version, no
    history entry. `current` may give the set's annotation at `expected_version` (a cached
    snapshot); the version check makes that safe, since a version's content never changes.
    """
    with write(db):
        version = _version(db, set_id)
        elsewhere: tuple[Change, ...] = ()
        if version != expected_version:
            if not rebase or version < expected_version or _status_changed_since(db, set_id, expected_version):
                raise StaleVersion(version, expected_version)
            elsewhere, current = changes_since(db, set_id, expected_version), None
        if current is None:
            current = load_annotation(db, set_id)
        try:
            made = make_change(current)
        except Invalid:
            if elsewhere:  # what the edit was about has changed since: the person must look again
                raise StaleVersion(version, expected_version, touched=True) from None
            raise
        # a checked change brings its result along; a bare one is applied here
        change, result = (made.change, made.result) if isinstance(made, Checked) else (made, current.apply(made))
        if elsewhere and _ids((change,)) & _ids(elsewhere):
            raise StaleVersion(version, expected_version, touched=True)
        if change.empty:
            return Saved(version, change, current, elsewhere)
        version = _bump(db, set_id, version)
        delete_items(db, set_id, [item.id for item in change.before])
        insert_items(db, set_id, change.after)
        record(db, set_id, user_id, action, change, version, undoes)
    return Saved(version, change, result, elsewhere)


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
    done = _change_of(json.loads(found["change"]))
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


def set_status(
    db: Database,
    set_id: int,
    expected_version: int,
    status: str,
    user_id: int,
    *,
    action: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Mark a set submitted, skipped or back to draft (`action` names it in the history: "reopened")."""
    with write(db):
        version = _bump(db, set_id, expected_version, status)
        record(db, set_id, user_id, action or status, None, version, details=details)
    return version


@dataclass(frozen=True)
class StatusEntry:
    """One step of a set's life that is not an edit: made, imported, submitted, skipped, reopened."""

    set_id: int
    action: str
    at: str
    user: str | None
    details: dict[str, Any]


def status_history(db: Database, set_ids: list[int]) -> dict[int, list[StatusEntry]]:
    """The steps of each set's life other than edits, oldest first."""
    found: dict[int, list[StatusEntry]] = {set_id: [] for set_id in set_ids}
    for r in rows(
        db,
        f"SELECT h.set_id, h.action, h.at, u.name AS user, h.change FROM history h "
        f"LEFT JOIN users u ON u.id = h.user_id WHERE h.set_id IN ({marks(set_ids)}) "
        "AND h.action NOT IN ('edit', 'undo') ORDER BY h.id",
        set_ids,
    ):
        body = json.loads(r["change"])
        details = {k: v for k, v in body.items() if k not in ("before", "after")}
        found[r["set_id"]].append(StatusEntry(r["set_id"], r["action"], r["at"], r["user"], details))
    return found


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
