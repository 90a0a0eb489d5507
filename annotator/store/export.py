"""Reading many sets at once, streamed in keyset batches: exports, agreement, counts."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
from sqlite_utils import Database

from ..model import Annotation, Article
from ._sql import iter_rows, marks, rows, value
from .articles import ARTICLE_COLUMNS, ARTICLE_COLUMNS_WITHOUT_TOKENS, article_of, decode_tokens
from .items import load_annotations
from .sets import SET_COLUMNS, AnnotationSet, set_of


def _articles(db: Database, ids: list[int], tokens: bool = True) -> dict[int, sqlite3.Row]:
    """The articles' rows, made into Articles one by one as they are yielded: a batch's tokens
    decoded at once were a list a token alive for the whole batch, and the garbage collector
    walked them all again and again (a fifth of the spaCy export)."""
    columns = ARTICLE_COLUMNS if tokens else ARTICLE_COLUMNS_WITHOUT_TOKENS
    return {r["id"]: r for r in iter_rows(db, f"SELECT {columns} FROM articles WHERE id IN ({marks(ids)})", ids)}


def _set_batches(
    db: Database, kind: str, submitted_only: bool, batch: int, tokens: bool, ids: SetIds
) -> Iterator[tuple[sqlite3.Row, AnnotationSet, Annotation]]:
    """Every set of one kind with its article's row and its annotation, read in keyset batches."""
    last, upto = ids
    status = "AND s.status = 'submitted'" if submitted_only else ""
    until, bound = ("", []) if upto is None else ("AND s.id <= ?", [upto])
    while True:
        sets = [
            set_of(r)
            for r in rows(
                db,
                f"SELECT {SET_COLUMNS} WHERE s.kind = ? AND s.id > ? {until} {status} ORDER BY s.id LIMIT ?",
                [kind, last, *bound, batch],
            )
        ]
        if not sets:
            return
        annotations = load_annotations(db, [s.id for s in sets])
        articles = _articles(db, sorted({s.article_id for s in sets}), tokens)
        for found in sets:
            yield articles[found.article_id], found, annotations[found.id]
        last = sets[-1].id


# The sets after the first id up to the second (None: to the last), as `split_sets` gives them.
SetIds = tuple[int, int | None]
EVERY_SET: SetIds = (0, None)


def split_sets(db: Database, kind: str, parts: int, *, submitted_only: bool = False) -> list[SetIds]:
    """The sets of one kind in at most `parts` runs of consecutive ids, about as many sets in each."""
    status = "AND status = 'submitted'" if submitted_only else ""
    where = f"FROM annotation_sets WHERE kind = ? {status}"
    count = int(value(db, f"SELECT count(*) {where}", [kind]))
    ends = [
        int(value(db, f"SELECT id {where} ORDER BY id LIMIT 1 OFFSET ?", [kind, count * n // parts - 1]))
        for n in range(1, parts)
        if count * n // parts > 0
    ]
    starts = [0, *sorted(set(ends))]
    return list(zip(starts, [*starts[1:], None]))


def iter_sets(
    db: Database, kind: str, *, submitted_only: bool = False, batch: int = 200, tokens: bool = True
) -> Iterator[tuple[Article, AnnotationSet, Annotation]]:
    """Every set of one kind with its article, in keyset batches so memory stays flat.

    Without `tokens` the articles' tokens are neither read nor decoded (their tokens are empty).
    """
    for article, found, annotation in _set_batches(db, kind, submitted_only, batch, tokens, EVERY_SET):
        yield article_of(article, with_tokens=tokens), found, annotation


def iter_exported(
    db: Database,
    kind: str,
    *,
    submitted_only: bool = False,
    batch: int = 50,
    tokens: bool = True,
    ids: SetIds = EVERY_SET,
) -> Iterator[tuple[Article, AnnotationSet, Annotation, np.ndarray | None]]:
    """As iter_sets, for exports (of the sets in `ids` only): the article's tokens apart, as the decoded
    (n, 2) array (None without `tokens`), since a pair of Python ints a token cost the spaCy export more
    than spaCy's Doc did. Batches of 50 sets: the exports' peak memory follows the batch (200 held 11 MB more)."""
    for article, found, annotation in _set_batches(db, kind, submitted_only, batch, tokens, ids):
        yield (
            article_of(article, with_tokens=False),
            found,
            annotation,
            decode_tokens(article["tokens"]) if tokens else None,
        )


def iter_submitted(db: Database, batch: int = 200) -> Iterator[tuple[Article, dict[str, Annotation]]]:
    """Each article with at least one submitted annotation, with them by annotator name, streamed."""
    last = 0
    while True:
        ids = [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT article_id FROM annotation_sets WHERE kind = 'annotator' AND status = 'submitted' "
                "AND article_id > ? ORDER BY article_id LIMIT ?",
                [last, batch],
            )
        ]
        if not ids:
            return
        sets = [
            set_of(r)
            for r in rows(
                db,
                f"SELECT {SET_COLUMNS} WHERE s.article_id IN ({marks(ids)}) AND s.kind = 'annotator' "
                "AND s.status = 'submitted'",
                ids,
            )
        ]
        annotations = load_annotations(db, [s.id for s in sets])
        by_article: dict[int, dict[str, Annotation]] = defaultdict(dict)
        for found in sets:
            by_article[found.article_id][found.user_name or ""] = annotations[found.id]
        articles = _articles(db, ids)
        for article_id in ids:
            yield article_of(articles[article_id]), by_article[article_id]
        last = ids[-1]


def stats(db: Database) -> dict[str, int]:
    """Counts for the admin page and the CLI."""
    counts = {
        "articles": int(value(db, "SELECT count(*) FROM articles")),
        "users": int(value(db, "SELECT count(*) FROM users")),
    }
    for kind, n in db.execute("SELECT kind, count(*) FROM annotation_sets GROUP BY kind"):
        counts[kind] = n
    return counts
