"""Trained model versions: what each learned from, where it lies, how it scored; and which articles are unopened.

A version is registered once, by `annotator train`, with the articles it trained on and the
ones it held out (`model_articles`); `annotator evaluate` stores its last report on it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..db import write
from ..errors import Conflict
from ._sql import now, row, rows, value


@dataclass(frozen=True)
class ModelVersion:
    """A trained pipeline registered under a name."""

    name: str
    path: str  # the pipeline folder, relative to the database's folder when inside it
    base: str
    layers: tuple[str, ...]
    source: str  # gold | submitted
    train_documents: int
    dev_documents: int
    split: str  # how the held-out articles were chosen, in words
    scores: dict[str, float] = field(default_factory=dict)  # dev scores at the end of training
    minutes: float = 0.0
    created: str = ""
    evaluation: dict[str, Any] | None = None  # the last `annotator evaluate` report
    evaluated: str | None = None
    id: int | None = None


_COLUMNS = (
    "id, name, path, base, layers, source, train_documents, dev_documents, split, scores, minutes, created, "
    "evaluation, evaluated"
)


def _version(found: sqlite3.Row) -> ModelVersion:
    return ModelVersion(
        name=found["name"],
        path=found["path"],
        base=found["base"],
        layers=tuple(json.loads(found["layers"])),
        source=found["source"],
        train_documents=found["train_documents"],
        dev_documents=found["dev_documents"],
        split=found["split"],
        scores=json.loads(found["scores"]),
        minutes=found["minutes"],
        created=found["created"],
        evaluation=None if found["evaluation"] is None else json.loads(found["evaluation"]),
        evaluated=found["evaluated"],
        id=found["id"],
    )


def add_model_version(db: Database, version: ModelVersion, articles: Mapping[int, str]) -> ModelVersion:
    """Register a version with its articles ({article id: "train" | "dev"}); refuses a name already taken."""
    with write(db):
        if value(db, "SELECT 1 FROM model_versions WHERE name = ?", [version.name]):
            raise Conflict(f"a model version named {version.name!r} exists already")
        created = now()
        cur = db.execute(
            "INSERT INTO model_versions (name, path, base, layers, source, train_documents, dev_documents, split, "
            "scores, minutes, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                version.name,
                version.path,
                version.base,
                json.dumps(list(version.layers)),
                version.source,
                version.train_documents,
                version.dev_documents,
                version.split,
                json.dumps(version.scores, sort_keys=True),
                version.minutes,
                created,
            ],
        )
        model_id = int(cur.lastrowid or 0)
        db.conn.executemany(
            "INSERT INTO model_articles (model_id, article_id, split) VALUES (?, ?, ?)",
            [(model_id, article_id, split) for article_id, split in articles.items()],
        )
    found = get_model_version(db, version.name)
    assert found is not None  # just written
    return found


def get_model_version(db: Database, name: str) -> ModelVersion | None:
    """The version of that name, or None."""
    found = row(db, f"SELECT {_COLUMNS} FROM model_versions WHERE name = ?", [name])
    return None if found is None else _version(found)


def registered_model(db: Database, name: str) -> tuple[Path, str] | None:
    """Where the pipeline of the version of that name lies, and its name; None when there is none."""
    version = get_model_version(db, name)
    return None if version is None else (database_folder(db) / version.path, version.name)


def latest_model_version(db: Database) -> ModelVersion | None:
    """The version registered last, or None."""
    found = row(db, f"SELECT {_COLUMNS} FROM model_versions ORDER BY id DESC LIMIT 1")
    return None if found is None else _version(found)


def list_model_versions(db: Database) -> list[ModelVersion]:
    """Every version, oldest first."""
    return [_version(r) for r in rows(db, f"SELECT {_COLUMNS} FROM model_versions ORDER BY id")]


def model_articles(db: Database, name: str, split: str) -> set[int]:
    """The ids of the articles a version trained on ("train") or held out ("dev")."""
    found = db.execute(
        "SELECT a.article_id FROM model_articles a JOIN model_versions m ON m.id = a.model_id "
        "WHERE m.name = ? AND a.split = ?",
        [name, split],
    )
    return {r[0] for r in found}


def set_evaluation(db: Database, name: str, report: Mapping[str, Any]) -> None:
    """Keep a version's latest evaluation report (JSON-ready)."""
    with write(db):
        db.execute(
            "UPDATE model_versions SET evaluation = ?, evaluated = ? WHERE name = ?",
            [json.dumps(report, sort_keys=True), now(), name],
        )


def database_folder(db: Database) -> Path:
    """The folder of the database file (the working folder for an in-memory database)."""
    found = database_file(db)
    return Path.cwd() if found is None else found.parent


def database_file(db: Database) -> Path | None:
    """The database's file (None for an in-memory database), for another process to open."""
    for found in db.execute("PRAGMA database_list"):
        if found[1] == "main" and found[2]:
            return Path(found[2]).resolve()
    return None


def prediction_model(db: Database, article_id: int) -> str | None:
    """The model version (or spaCy pipeline) that made the article's predictions, when known."""
    found = value(db, "SELECT model FROM annotation_sets WHERE article_id = ? AND kind = 'model'", [article_id])
    return None if found is None else str(found)


def is_opened(db: Database, article_id: int) -> bool:
    """Whether anyone has worked on the article: an annotator's set or a gold set exists."""
    sql = "SELECT 1 FROM annotation_sets WHERE article_id = ? AND kind != 'model' LIMIT 1"
    return bool(value(db, sql, [article_id]))


_UNOPENED = "NOT EXISTS (SELECT 1 FROM annotation_sets s WHERE s.article_id = a.id AND s.kind != 'model')"


def count_unopened(db: Database) -> int:
    """How many articles nobody has opened yet."""
    return int(value(db, f"SELECT count(*) FROM articles a WHERE {_UNOPENED}"))


def iter_unopened_ids(db: Database, batch: int = 500) -> Iterator[int]:
    """The ids of the articles nobody has opened, in order, fetched in keyset pages."""
    last = 0
    while True:
        ids = [
            r[0]
            for r in db.execute(
                f"SELECT a.id FROM articles a WHERE a.id > ? AND {_UNOPENED} ORDER BY a.id LIMIT ?", [last, batch]
            )
        ]
        if not ids:
            return
        yield from ids
        last = ids[-1]
