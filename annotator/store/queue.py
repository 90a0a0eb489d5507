"""Assignment and the queue: which annotator has which article, and what each does next.

Each article goes to k annotators (a setting). `articles.assignees` counts who
holds it now and the `open_articles` counter how many articles still need
someone, both kept with every claim and release, so no page counts the pool.
Each user's own counts (`queue_counts`: done, unfinished, held-and-still-open)
are kept by triggers (migration m013) on every change of a set's status, an
assignment or an article's assignees, so no page counts what its user holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from ..db import write
from ..errors import NotFound
from ._sql import now, row, rows, value


def get_setting(db: Database, key: str, default: str) -> str:
    found = value(db, "SELECT value FROM settings WHERE key = ?", [key])
    return default if found is None else str(found)


def set_setting(db: Database, key: str, setting: str) -> None:
    with write(db):
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
            [key, setting, setting],
        )


def annotators_per_article(db: Database) -> int:
    """k: how many annotators each article gets."""
    return int(get_setting(db, "annotators_per_article", "1"))


def set_annotators_per_article(db: Database, k: int) -> None:
    """Change k, and recount the articles that still need annotators (the one full count, done here)."""
    with write(db):
        set_setting(db, "annotators_per_article", str(k))
        open_now = value(db, "SELECT count(*) FROM articles WHERE assignees < ?", [k])
        db.execute("UPDATE counters SET value = ? WHERE name = 'open_articles'", [open_now])
        recount_queue_counts(db)


def count_open(db: Database, delta: int) -> None:
    """Move the running count of articles that still need annotators."""
    db.execute("UPDATE counters SET value = value + ? WHERE name = 'open_articles'", [delta])


def open_articles(db: Database) -> int:
    """How many articles still need annotators (kept as a running count)."""
    return int(value(db, "SELECT value FROM counters WHERE name = 'open_articles'"))


def assign(db: Database, article_id: int, user_id: int) -> None:
    """Give the article to the user (inside the caller's write transaction)."""
    db.execute("INSERT INTO assignments (article_id, user_id, created) VALUES (?, ?, ?)", [article_id, user_id, now()])
    held = value(db, "UPDATE articles SET assignees = assignees + 1 WHERE id = ? RETURNING assignees", [article_id])
    if held == annotators_per_article(db):
        count_open(db, -1)


def holds(db: Database, article_id: int, user_id: int) -> bool | None:
    """True if the user holds the article, False if they gave it back (skipped), None if never had it."""
    released = value(db, "SELECT released FROM assignments WHERE article_id = ? AND user_id = ?", [article_id, user_id])
    return None if released is None else not released


def assign_if_open(db: Database, article_id: int, user_id: int) -> bool:
    """Give the user this article if it still needs annotators (or is theirs already)."""
    with write(db):  # under the write lock: two people never both take the last slot
        held = holds(db, article_id, user_id)
        if held is not None:
            return held
        assignees = value(db, "SELECT assignees FROM articles WHERE id = ?", [article_id])
        if assignees is None:
            raise NotFound(f"there is no article {article_id}")
        if assignees >= annotators_per_article(db):
            return False
        assign(db, article_id, user_id)
        return True


_UNFINISHED = """SELECT g.article_id FROM assignments g WHERE g.user_id = {user} AND g.released = 0
    AND NOT EXISTS (SELECT 1 FROM annotation_sets s WHERE s.article_id = g.article_id
                    AND s.kind = 'annotator' AND s.user_id = g.user_id AND s.status != 'draft')"""


def next_article(db: Database, user_id: int, after: int = 0, *, claim: bool = True) -> int | None:
    """The user's next article: an unfinished one they hold (after `after` first), else, with `claim`, a new one."""
    for bound in (after, 0):
        found = value(
            db, f"{_UNFINISHED.format(user='?')} AND g.article_id > ? ORDER BY g.article_id LIMIT 1", [user_id, bound]
        )
        if found is not None:
            return int(found)
    if not claim:
        return None
    with write(db):
        found = value(
            db,
            "SELECT a.id FROM articles a WHERE a.assignees < ? AND NOT EXISTS "
            "(SELECT 1 FROM assignments g WHERE g.article_id = a.id AND g.user_id = ?) "
            "ORDER BY a.assignees, a.id LIMIT 1",
            [annotators_per_article(db), user_id],
        )
        if found is None:
            return None
        assign(db, found, user_id)
        return int(found)


def release(db: Database, article_id: int, user_id: int) -> None:
    """Give a skipped article back to the pool; the user will not get it again."""
    with write(db):
        if db.execute(
            "UPDATE assignments SET released = 1 WHERE article_id = ? AND user_id = ? AND released = 0",
            [article_id, user_id],
        ).rowcount:
            held = value(
                db, "UPDATE articles SET assignees = assignees - 1 WHERE id = ? RETURNING assignees", [article_id]
            )
            if held == annotators_per_article(db) - 1:
                count_open(db, +1)


@dataclass(frozen=True)
class QueueRow:
    article_id: int
    ext_id: str
    title: str
    status: str | None
    held: bool  # given to the user; the others are still open to them and come by Start, in order


_HELD_PAGE = (
    "SELECT a.id, a.ext_id, json_extract(a.meta, '$.title') AS title, s.status, 1 AS held "
    "FROM assignments g JOIN articles a ON a.id = g.article_id LEFT JOIN annotation_sets s "
    "ON s.article_id = a.id AND s.kind = 'annotator' AND s.user_id = g.user_id "
    "WHERE g.user_id = :user AND g.article_id > :after ORDER BY g.article_id LIMIT :limit"
)
_OPEN_PAGE = (
    "SELECT a.id, a.ext_id, json_extract(a.meta, '$.title'), NULL, 0 FROM articles a "
    "WHERE a.id > :after AND a.assignees < :k AND NOT EXISTS "
    "(SELECT 1 FROM assignments g WHERE g.article_id = a.id AND g.user_id = :user) ORDER BY a.id LIMIT :limit"
)


def queue_page(db: Database, user_id: int, after: int = 0, limit: int = 50) -> list[QueueRow]:
    """One page of the user's queue by keyset (`after` = last id seen): the articles they hold or
    held, with their status, and those still open to them (status None: "new")."""
    sql = f"SELECT * FROM ({_HELD_PAGE})"
    if _counts(db, user_id).open_to_them:  # else the pool's scan would pass over only their own
        both = f"{sql} UNION ALL SELECT * FROM ({_OPEN_PAGE})"
        sql = f"SELECT id, ext_id, title, status, held FROM ({both}) ORDER BY id LIMIT :limit"
    params = {"user": user_id, "after": after, "limit": limit, "k": annotators_per_article(db)}
    found = rows(db, sql, params)
    return [QueueRow(r["id"], r["ext_id"], r["title"] or r["ext_id"], r["status"], bool(r["held"])) for r in found]


def progress(db: Database, user_id: int) -> tuple[int, int]:
    """(articles the user finished, those plus what is left for them: held unfinished and still open)."""
    counts = _counts(db, user_id)
    return counts.done, counts.done + counts.unfinished + counts.open_to_them


@dataclass(frozen=True)
class _Counts:
    done: int
    unfinished: int
    open_to_them: int  # articles that still need annotators and were never theirs


def _counts(db: Database, user_id: int) -> _Counts:
    """The user's row of queue_counts (kept by triggers) with the pool's open count."""
    found = row(db, "SELECT done, unfinished, open_held FROM queue_counts WHERE user_id = ?", [user_id])
    if found is None:
        return _Counts(0, 0, open_articles(db))
    return _Counts(found["done"], found["unfinished"], open_articles(db) - found["open_held"])


def recount_queue_counts(db: Database) -> None:
    """Count every user's queue afresh (the one full count: migration m013 and a change of k use it);
    the triggers of m013 keep these counts from then on."""
    k = annotators_per_article(db)
    db.execute("DELETE FROM queue_counts")
    db.execute(
        "INSERT INTO queue_counts (user_id, done, unfinished, open_held) SELECT u.id, "
        "(SELECT count(*) FROM annotation_sets s WHERE s.user_id = u.id AND s.status != 'draft'), "
        f"(SELECT count(*) FROM ({_UNFINISHED.format(user='u.id')})), "
        "(SELECT count(*) FROM assignments g JOIN articles a ON a.id = g.article_id "
        " WHERE g.user_id = u.id AND a.assignees < ?) FROM users u",
        [k],
    )
