"""Annotation sets: the model's, each annotator's, and gold, one per owner and article."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

from ..db import write
from ..errors import NotFound
from ..model import MODEL, Annotation, Change
from ._sql import marks, now, row, rows
from .history import record
from .items import ItemRows, copy_items, delete_items, insert_items, insert_rows, load_annotation, load_annotations
from .queue import assign, holds


@dataclass(frozen=True)
class AnnotationSet:
    id: int
    article_id: int
    kind: str
    user_id: int | None
    user_name: str | None
    status: str
    version: int


SET_COLUMNS = """s.id, s.article_id, s.kind, s.user_id, u.name AS user_name, s.status, s.version
    FROM annotation_sets s LEFT JOIN users u ON u.id = s.user_id"""


def set_of(found: sqlite3.Row) -> AnnotationSet:
    """An AnnotationSet from a row of SET_COLUMNS."""
    return AnnotationSet(
        found["id"],
        found["article_id"],
        found["kind"],
        found["user_id"],
        found["user_name"],
        found["status"],
        found["version"],
    )


def get_set(db: Database, set_id: int) -> AnnotationSet:
    found = row(db, f"SELECT {SET_COLUMNS} WHERE s.id = ?", [set_id])
    if found is None:
        raise NotFound(f"there is no annotation set {set_id}")
    return set_of(found)


def find_set(db: Database, article_id: int, kind: str, user_id: int | None = None) -> AnnotationSet | None:
    found = row(
        db,
        f"SELECT {SET_COLUMNS} WHERE s.article_id = ? AND s.kind = ? AND ifnull(s.user_id, 0) = ?",
        [article_id, kind, user_id or 0],
    )
    return None if found is None else set_of(found)


def put_set(
    db: Database,
    article_id: int,
    kind: str,
    user_id: int | None,
    annotation: Annotation | ItemRows,
    *,
    status: str = "draft",
    by: int | None = None,
    action: str = "import",
    model: str | None = None,
) -> int:
    """Create the set, or replace what it holds (recorded in history, so nothing is lost).

    Runs inside the caller's write transaction. An annotator's set assigns them the article.
    `model` names the model version (or pipeline) that made a prediction set. The items may come
    as their rows (an import's, ItemRows), which a new set writes as they are.
    """
    existing = find_set(db, article_id, kind, user_id)
    if existing is None:
        set_id = _new_set(db, article_id, kind, user_id, status, model)
        rows = annotation if isinstance(annotation, ItemRows) else ItemRows.of(annotation.items())
        insert_rows(db, set_id, rows)
        # A new set's first entry counts its items rather than repeating them: its items are the
        # record of version 1 (history.annotation_at gives it back), and an import of 10,000 sets
        # wrote each set twice before, a quarter of the database.
        record(db, set_id, by, action, None, 1, details={"items": len(rows)})
        return set_id
    if isinstance(annotation, ItemRows):
        annotation = annotation.annotation()
    old = load_annotation(db, existing.id)
    change = Change(before=tuple(old.items()), after=tuple(annotation.items()))
    delete_items(db, existing.id, [i.id for i in old.items()])
    insert_items(db, existing.id, annotation.items())
    version = existing.version + 1
    db.execute(
        "UPDATE annotation_sets SET version = ?, status = ?, updated = ? WHERE id = ?",
        [version, status, now(), existing.id],
    )
    _made_by(db, existing.id, kind, model)
    record(db, existing.id, by, action, change, version)
    return existing.id


def _new_set(db: Database, article_id: int, kind: str, user_id: int | None, status: str, model: str | None) -> int:
    """A new, empty set at version 1 (an annotator's set assigns them the article)."""
    if kind == "annotator" and user_id is not None and holds(db, article_id, user_id) is None:
        assign(db, article_id, user_id)
    stamp = now()
    cur = db.execute(
        "INSERT INTO annotation_sets (article_id, kind, user_id, status, version, created, updated, model) "
        "VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
        [article_id, kind, user_id, status, stamp, stamp, model if kind == "model" else None],
    )
    return int(cur.lastrowid or 0)


def _made_by(db: Database, set_id: int, kind: str, model: str | None) -> None:
    """Record which model made a prediction set (None: not known, as for predictions read from a file)."""
    if kind == "model":
        db.execute("UPDATE annotation_sets SET model = ? WHERE id = ?", [model, set_id])


def open_set(db: Database, article_id: int, user_id: int) -> AnnotationSet:
    """The user's own set of an article, started from the model's suggestions on first opening."""
    found = find_set(db, article_id, "annotator", user_id)
    if found is not None:
        return found
    with write(db):
        # Checked again under the write lock: another tab may have just created it.
        if row(db, "SELECT id FROM articles WHERE id = ?", [article_id]) is None:
            raise NotFound(f"there is no article {article_id}")
        if find_set(db, article_id, "annotator", user_id) is None:
            set_id = _new_set(db, article_id, "annotator", user_id, "draft", None)
            model = find_set(db, article_id, "model")
            # the model's items as untouched suggestions (what as_suggestions makes), copied in SQL
            copied = copy_items(db, model.id, set_id, MODEL) if model else 0
            record(db, set_id, user_id, "create", None, 1, details={"items": copied})
    return get_set_of(db, article_id, "annotator", user_id)


def open_gold(db: Database, article_id: int, user_id: int) -> AnnotationSet:
    """The article's gold set, created empty the first time a reviewer opens it."""
    found = find_set(db, article_id, "gold")
    if found is not None:
        return found
    with write(db):
        if row(db, "SELECT id FROM articles WHERE id = ?", [article_id]) is None:
            raise NotFound(f"there is no article {article_id}")
        if find_set(db, article_id, "gold") is None:
            put_set(db, article_id, "gold", None, Annotation(), by=user_id, action="create")
    return get_set_of(db, article_id, "gold")


def get_set_of(db: Database, article_id: int, kind: str, user_id: int | None = None) -> AnnotationSet:
    found = find_set(db, article_id, kind, user_id)
    if found is None:
        raise NotFound(f"article {article_id} has no {kind} set")
    return found


def submitted_versions(db: Database, article_id: int) -> list[tuple[AnnotationSet, Annotation]]:
    """The annotators' submitted sets of one article, by annotator name."""
    sets = [
        set_of(r)
        for r in rows(
            db,
            f"SELECT {SET_COLUMNS} WHERE s.article_id = ? AND s.kind = 'annotator' AND s.status = 'submitted' "
            "ORDER BY u.name",
            [article_id],
        )
    ]
    annotations = load_annotations(db, [s.id for s in sets]) if sets else {}
    return [(found, annotations[found.id]) for found in sets]


def sets_of_article(db: Database, article_id: int, kind: str = "annotator") -> list[AnnotationSet]:
    """Every set of one kind of an article, whatever its status, by owner name."""
    found = rows(db, f"SELECT {SET_COLUMNS} WHERE s.article_id = ? AND s.kind = ? ORDER BY u.name", [article_id, kind])
    return [set_of(r) for r in found]


def gold_statuses(db: Database, article_ids: list[int]) -> dict[int, str]:
    """The status of each article's gold set, for those that have one."""
    if not article_ids:
        return {}
    found = rows(
        db,
        f"SELECT article_id, status FROM annotation_sets WHERE kind = 'gold' AND article_id IN ({marks(article_ids)})",
        article_ids,
    )
    return {r["article_id"]: r["status"] for r in found}
