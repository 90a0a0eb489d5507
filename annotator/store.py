"""Every read and write of the database. Takes a Database; knows nothing of HTTP.

All SQL of the application lives here, so that another database could replace
SQLite behind these functions.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlite_utils import Database

from .db import write
from .model import (
    Annotation,
    Article,
    Change,
    Checked,
    Entity,
    Event,
    InvalidAnnotation,
    Item,
    Quote,
    Span,
    as_suggestions,
    item_from_dict,
    item_to_dict,
)


class StoreError(Exception):
    """A request the stored data does not allow; the message is for the user."""


class NotFound(StoreError):
    pass


class StaleVersion(StoreError):
    """The set was saved by someone (or another tab) since the client loaded it."""

    def __init__(self, current: int, given: int):
        super().__init__(f"this article was changed elsewhere (version {current} saved, yours is {given})")
        self.current = current


class NothingToUndo(StoreError):
    pass


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    password_hash: str | None


@dataclass(frozen=True)
class AnnotationSet:
    id: int
    article_id: int
    kind: str
    user_id: int | None
    user_name: str | None
    status: str
    version: int


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- users ----------------------------------------------------------------------------


def add_user(db: Database, name: str, role: str, password_hash: str | None) -> User:
    """Create a user; refuses a name already taken."""
    if get_user_by_name(db, name) is not None:
        raise StoreError(f"user {name!r} exists already")
    with write(db):
        cur = db.execute(
            "INSERT INTO users (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
            [name, role, password_hash, now()],
        )
    return User(cur.lastrowid, name, role, password_hash)


def set_password(db: Database, name: str, password_hash: str) -> None:
    with write(db):
        if db.execute("UPDATE users SET password_hash = ? WHERE name = ?", [password_hash, name]).rowcount == 0:
            raise NotFound(f"there is no user {name!r}")


def user_for_import(db: Database, name: str) -> User:
    """The user an imported annotation belongs to, created (without password) if missing."""
    user = get_user_by_name(db, name)
    if user is not None:
        return user
    cur = db.execute(
        "INSERT INTO users (name, role, password_hash, created) VALUES (?, 'annotator', NULL, ?)", [name, now()]
    )
    return User(cur.lastrowid, name, "annotator", None)


def _user(row) -> User | None:
    return None if row is None else User(*row)


def get_user(db: Database, user_id: int) -> User | None:
    return _user(db.execute("SELECT id, name, role, password_hash FROM users WHERE id = ?", [user_id]).fetchone())


def get_user_by_name(db: Database, name: str) -> User | None:
    return _user(db.execute("SELECT id, name, role, password_hash FROM users WHERE name = ?", [name]).fetchone())


def list_users(db: Database) -> list[User]:
    return [User(*row) for row in db.execute("SELECT id, name, role, password_hash FROM users ORDER BY name")]


def recent_login_failures(db: Database, key: str, since: float) -> int:
    return db.execute("SELECT count(*) FROM login_failures WHERE key = ? AND at > ?", [key, since]).fetchone()[0]


def record_login_failure(db: Database, key: str, at: float, forget_before: float) -> None:
    """Note a failed sign-in, dropping those too old to matter."""
    with write(db):
        db.execute("DELETE FROM login_failures WHERE at < ?", [forget_before])
        db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", [key, at])


def clear_login_failures(db: Database, key: str) -> None:
    with write(db):
        db.execute("DELETE FROM login_failures WHERE key = ?", [key])


# --- articles -------------------------------------------------------------------------


def ensure_article(db: Database, article: Article) -> tuple[int, bool]:
    """The id of the stored article with this id or else this exact text, storing it if new.

    Returns (id, created). Refuses an id that exists already with another text.
    """
    digest = text_hash(article.text)
    row = db.execute("SELECT id, text_hash FROM articles WHERE ext_id = ?", [article.ext_id]).fetchone()
    if row is not None:
        if row[1] != digest:
            raise StoreError(f"article {article.ext_id!r} exists already with a different text")
        return row[0], False
    row = db.execute("SELECT id FROM articles WHERE text_hash = ? ORDER BY id LIMIT 1", [digest]).fetchone()
    if row is not None:
        return row[0], False
    cur = db.execute(
        "INSERT INTO articles (ext_id, text, text_hash, meta, tokens, created) VALUES (?, ?, ?, ?, ?, ?)",
        [
            article.ext_id,
            article.text,
            digest,
            json.dumps(article.meta, ensure_ascii=False, sort_keys=True),
            json.dumps(article.tokens, separators=(",", ":")),
            now(),
        ],
    )
    _count_open(db, +1)
    return cur.lastrowid, True


def find_article(db: Database, ext_id: str) -> int | None:
    """The id of the article with this external id."""
    row = db.execute("SELECT id FROM articles WHERE ext_id = ?", [ext_id]).fetchone()
    return row[0] if row else None


def _article(row) -> Article:
    return Article(ext_id=row[1], text=row[2], meta=json.loads(row[3]), tokens=json.loads(row[4]), id=row[0])


def get_article(db: Database, article_id: int) -> Article:
    row = db.execute("SELECT id, ext_id, text, meta, tokens FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no article {article_id}")
    return _article(row)


def get_article_text(db: Database, article_id: int) -> str:
    row = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no article {article_id}")
    return row[0]


def count_articles(db: Database) -> int:
    return db.execute("SELECT count(*) FROM articles").fetchone()[0]


def iter_article_ids(db: Database, batch: int = 500) -> Iterator[int]:
    """Every article id in order, fetched in keyset pages."""
    last = 0
    while True:
        ids = [r[0] for r in db.execute("SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", [last, batch])]
        if not ids:
            return
        yield from ids
        last = ids[-1]


# --- annotation sets ------------------------------------------------------------------

_SET_COLUMNS = """s.id, s.article_id, s.kind, s.user_id, u.name, s.status, s.version
    FROM annotation_sets s LEFT JOIN users u ON u.id = s.user_id"""


def _set(row) -> AnnotationSet | None:
    return None if row is None else AnnotationSet(*row)


def get_set(db: Database, set_id: int) -> AnnotationSet:
    found = _set(db.execute(f"SELECT {_SET_COLUMNS} WHERE s.id = ?", [set_id]).fetchone())
    if found is None:
        raise NotFound(f"there is no annotation set {set_id}")
    return found


def find_set(db: Database, article_id: int, kind: str, user_id: int | None = None) -> AnnotationSet | None:
    return _set(
        db.execute(
            f"SELECT {_SET_COLUMNS} WHERE s.article_id = ? AND s.kind = ? AND ifnull(s.user_id, 0) = ?",
            [article_id, kind, user_id or 0],
        ).fetchone()
    )


def load_annotation(db: Database, set_id: int) -> Annotation:
    return _load_annotations(db, [set_id])[set_id]


def _load_annotations(db: Database, set_ids: list[int]) -> dict[int, Annotation]:
    """The annotations of several sets, in three queries."""
    marks = ",".join("?" * len(set_ids))
    spans: dict[tuple[int, str], dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for set_id, item, role, start, end in db.execute(
        f"SELECT set_id, item, role, start_char, end_char FROM spans WHERE set_id IN ({marks}) "
        "ORDER BY set_id, item, role, ord",
        set_ids,
    ):
        spans[set_id, item][role].append(Span(start, end))
    links: dict[tuple[int, str], dict[str, str]] = defaultdict(dict)
    for set_id, item, role, target in db.execute(
        f"SELECT set_id, item, role, target FROM links WHERE set_id IN ({marks})", set_ids
    ):
        links[set_id, item][role] = target
    items: dict[int, list[Item]] = {set_id: [] for set_id in set_ids}
    for set_id, key, layer, label, origin, attrs in db.execute(
        f"SELECT set_id, key, layer, label, origin, attrs FROM items WHERE set_id IN ({marks})", set_ids
    ):
        items[set_id].append(_item(key, layer, label, origin, attrs, spans[set_id, key], links[set_id, key]))
    return {set_id: Annotation.of(found) for set_id, found in items.items()}


def _item(key, layer, label, origin, attrs, spans, links) -> Item:
    if layer == "entity":
        span = spans["entity"][0]
        return Entity(key, span.start, span.end, label, origin)
    if layer == "quote":
        one = lambda role: spans[role][0] if spans.get(role) else None  # noqa: E731
        return Quote(key, label, tuple(spans["content"]), one("cue"), one("source"), links.get("speaker"), origin)
    return Event(
        key,
        label,
        spans["trigger"][0],
        links.get("source_actor"),
        links.get("target_actor"),
        tuple(sorted(json.loads(attrs).items())),
        origin,
    )


def _insert_items(db: Database, set_id: int, items: Iterable[Item]) -> None:
    item_rows, span_rows, link_rows = [], [], []
    for item in items:
        attrs = json.dumps(dict(item.attrs)) if isinstance(item, Event) else "{}"
        item_rows.append((set_id, item.id, item.layer, item.label, item.origin, attrs))
        counts: dict[str, int] = defaultdict(int)
        for role, span in item.spans():
            span_rows.append((set_id, item.id, role, counts[role], span.start, span.end))
            counts[role] += 1
        link_rows.extend((set_id, item.id, role, target) for role, target in item.links() if target is not None)
    db.conn.executemany("INSERT INTO items (set_id, key, layer, label, origin, attrs) VALUES (?,?,?,?,?,?)", item_rows)
    db.conn.executemany(
        "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (?,?,?,?,?,?)", span_rows
    )
    db.conn.executemany("INSERT INTO links (set_id, item, role, target) VALUES (?,?,?,?)", link_rows)


def _delete_items(db: Database, set_id: int, keys: Iterable[str]) -> None:
    db.conn.executemany("DELETE FROM items WHERE set_id = ? AND key = ?", [(set_id, key) for key in keys])


def _record(
    db: Database, set_id: int, user_id: int | None, action: str, change: Change | None, version: int, undoes=None
) -> int:
    body = {} if change is None else {
        "before": [item_to_dict(i) for i in change.before],
        "after": [item_to_dict(i) for i in change.after],
    }
    cur = db.execute(
        "INSERT INTO history (set_id, user_id, at, action, change, version, undoes) VALUES (?,?,?,?,?,?,?)",
        [set_id, user_id, now(), action, json.dumps(body, ensure_ascii=False), version, undoes],
    )
    return cur.lastrowid


def create_set(
    db: Database,
    article_id: int,
    kind: str,
    user_id: int | None,
    annotation: Annotation,
    *,
    status: str = "draft",
    by: int | None = None,
    action: str = "create",
) -> int:
    """A new annotation set holding `annotation`, its creation in the history."""
    stamp = now()
    cur = db.execute(
        "INSERT INTO annotation_sets (article_id, kind, user_id, status, version, created, updated) "
        "VALUES (?, ?, ?, ?, 1, ?, ?)",
        [article_id, kind, user_id, status, stamp, stamp],
    )
    set_id = cur.lastrowid
    _insert_items(db, set_id, annotation.items())
    _record(db, set_id, by, action, Change(after=tuple(annotation.items())), 1)
    return set_id


def put_set(
    db: Database,
    article_id: int,
    kind: str,
    user_id: int | None,
    annotation: Annotation,
    *,
    status: str = "draft",
    by: int | None = None,
    action: str = "import",
) -> int:
    """Create the set, or replace what it holds (recorded in history, so nothing is lost)."""
    existing = find_set(db, article_id, kind, user_id)
    if kind == "annotator" and _holds(db, article_id, user_id) is None:
        _assign(db, article_id, user_id)
    if existing is None:
        return create_set(db, article_id, kind, user_id, annotation, status=status, by=by, action=action)
    old = load_annotation(db, existing.id)
    change = Change(before=tuple(old.items()), after=tuple(annotation.items()))
    _delete_items(db, existing.id, [i.id for i in old.items()])
    _insert_items(db, existing.id, annotation.items())
    version = existing.version + 1
    db.execute(
        "UPDATE annotation_sets SET version = ?, status = ?, updated = ? WHERE id = ?",
        [version, status, now(), existing.id],
    )
    _record(db, existing.id, by, action, change, version)
    return existing.id


def open_set(db: Database, article_id: int, user_id: int) -> AnnotationSet:
    """The user's own set of an article, started from the model's suggestions on first opening."""
    found = find_set(db, article_id, "annotator", user_id)
    if found is not None:
        return found
    get_article_text(db, article_id)  # raises NotFound
    with write(db):
        # Checked again under the write lock: another tab may have just created it.
        if find_set(db, article_id, "annotator", user_id) is None:
            model = find_set(db, article_id, "model")
            start = as_suggestions(load_annotation(db, model.id)) if model else Annotation()
            create_set(db, article_id, "annotator", user_id, start, by=user_id)
    return find_set(db, article_id, "annotator", user_id)


def open_gold(db: Database, article_id: int, user_id: int) -> AnnotationSet:
    """The article's gold set, created empty the first time a reviewer opens it."""
    found = find_set(db, article_id, "gold")
    if found is not None:
        return found
    get_article_text(db, article_id)  # raises NotFound
    with write(db):
        if find_set(db, article_id, "gold") is None:
            create_set(db, article_id, "gold", None, Annotation(), by=user_id)
    return find_set(db, article_id, "gold")


def submitted_versions(db: Database, article_id: int) -> list[tuple[AnnotationSet, Annotation]]:
    """The annotators' submitted sets of one article, by annotator name."""
    sets = [
        AnnotationSet(*row)
        for row in db.execute(
            f"SELECT {_SET_COLUMNS} WHERE s.article_id = ? AND s.kind = 'annotator' AND s.status = 'submitted' "
            "ORDER BY u.name",
            [article_id],
        )
    ]
    annotations = _load_annotations(db, [s.id for s in sets]) if sets else {}
    return [(found, annotations[found.id]) for found in sets]


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
        marks = ",".join("?" * len(ids))
        sets = [
            AnnotationSet(*row)
            for row in db.execute(
                f"SELECT {_SET_COLUMNS} WHERE s.article_id IN ({marks}) AND s.kind = 'annotator' "
                "AND s.status = 'submitted'",
                ids,
            )
        ]
        annotations = _load_annotations(db, [s.id for s in sets])
        by_article: dict[int, dict[str, Annotation]] = defaultdict(dict)
        for found in sets:
            by_article[found.article_id][found.user_name] = annotations[found.id]
        for row in db.execute(f"SELECT id, ext_id, text, meta, tokens FROM articles WHERE id IN ({marks}) ORDER BY id", ids):
            yield _article(row), by_article[row[0]]
        last = ids[-1]


def _bump(db: Database, set_id: int, expected_version: int, status: str | None = None) -> int:
    """Advance the set's version if it is still `expected_version`; raise StaleVersion if not."""
    cur = db.execute(
        "UPDATE annotation_sets SET version = version + 1, status = ifnull(?, status), updated = ? "
        "WHERE id = ? AND version = ?",
        [status, now(), set_id, expected_version],
    )
    if cur.rowcount == 0:
        current = db.execute("SELECT version FROM annotation_sets WHERE id = ?", [set_id]).fetchone()
        if current is None:
            raise NotFound(f"there is no annotation set {set_id}")
        raise StaleVersion(current[0], expected_version)
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
        _delete_items(db, set_id, [item.id for item in change.before])
        _insert_items(db, set_id, change.after)
        _record(db, set_id, user_id, action, change, version, undoes)
    return Saved(version, change, result)


def undo(db: Database, set_id: int, expected_version: int, user_id: int) -> Saved:
    """Revert the user's latest edit of the set that is not undone yet."""
    row = db.execute(
        "SELECT id, change FROM history h WHERE set_id = ? AND user_id = ? AND action = 'edit' "
        "AND NOT EXISTS (SELECT 1 FROM history u WHERE u.set_id = h.set_id AND u.undoes = h.id) "
        "ORDER BY id DESC LIMIT 1",
        [set_id, user_id],
    ).fetchone()
    if row is None:
        raise NothingToUndo("there is nothing to undo")
    body = json.loads(row[1])
    done = Change(
        before=tuple(item_from_dict(d) for d in body["before"]),
        after=tuple(item_from_dict(d) for d in body["after"]),
    )
    try:
        return edit(db, set_id, expected_version, lambda _: done.inverse(), user_id, action="undo", undoes=row[0])
    except InvalidAnnotation as exc:
        raise NothingToUndo(f"cannot undo: {exc}") from None


def set_status(db: Database, set_id: int, expected_version: int, status: str, user_id: int) -> int:
    """Mark a set submitted, skipped or back to draft."""
    with write(db):
        version = _bump(db, set_id, expected_version, status)
        _record(db, set_id, user_id, status, None, version)
    return version


def last_change(db: Database) -> int:
    """The id of the newest history entry: any change to any set moves it."""
    return db.execute("SELECT ifnull(max(id), 0) FROM history").fetchone()[0]


def history(db: Database, set_id: int) -> list[dict]:
    """The set's history, oldest first."""
    rows = db.execute(
        "SELECT h.id, u.name, h.at, h.action, h.change, h.version, h.undoes "
        "FROM history h LEFT JOIN users u ON u.id = h.user_id WHERE h.set_id = ? ORDER BY h.id",
        [set_id],
    )
    keys = ("id", "user", "at", "action", "change", "version", "undoes")
    return [dict(zip(keys, row[:4] + (json.loads(row[4]),) + row[5:])) for row in rows]


# --- assignment and the queue ---------------------------------------------------------


def get_setting(db: Database, key: str, default: str) -> str:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_setting(db: Database, key: str, value: str) -> None:
    with write(db):
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                   [key, value, value])


def annotators_per_article(db: Database) -> int:
    """k: how many annotators each article gets."""
    return int(get_setting(db, "annotators_per_article", "1"))


def set_annotators_per_article(db: Database, k: int) -> None:
    """Change k, and recount the articles that still need annotators (the one full count, done here)."""
    with write(db):
        set_setting(db, "annotators_per_article", str(k))
        open_now = db.execute("SELECT count(*) FROM articles WHERE assignees < ?", [k]).fetchone()[0]
        db.execute("UPDATE counters SET value = ? WHERE name = 'open_articles'", [open_now])


def _count_open(db: Database, delta: int) -> None:
    db.execute("UPDATE counters SET value = value + ? WHERE name = 'open_articles'", [delta])


def open_articles(db: Database) -> int:
    """How many articles still need annotators (kept as a running count)."""
    return db.execute("SELECT value FROM counters WHERE name = 'open_articles'").fetchone()[0]


def _assign(db: Database, article_id: int, user_id: int) -> None:
    db.execute("INSERT INTO assignments (article_id, user_id, created) VALUES (?, ?, ?)", [article_id, user_id, now()])
    held = db.execute(
        "UPDATE articles SET assignees = assignees + 1 WHERE id = ? RETURNING assignees", [article_id]
    ).fetchone()[0]
    if held == annotators_per_article(db):
        _count_open(db, -1)


def _holds(db: Database, article_id: int, user_id: int) -> bool | None:
    """True if the user holds the article, False if they gave it back (skipped), None if never had it."""
    row = db.execute(
        "SELECT released FROM assignments WHERE article_id = ? AND user_id = ?", [article_id, user_id]
    ).fetchone()
    return None if row is None else not row[0]


def assign_if_open(db: Database, article_id: int, user_id: int) -> bool:
    """Give the user this article if it still needs annotators (or is theirs already)."""
    with write(db):  # under the write lock: two people never both take the last slot
        held = _holds(db, article_id, user_id)
        if held is not None:
            return held
        row = db.execute("SELECT assignees FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            raise NotFound(f"there is no article {article_id}")
        if row[0] >= annotators_per_article(db):
            return False
        _assign(db, article_id, user_id)
        return True


_UNFINISHED = """SELECT g.article_id FROM assignments g WHERE g.user_id = ? AND g.released = 0
    AND NOT EXISTS (SELECT 1 FROM annotation_sets s WHERE s.article_id = g.article_id
                    AND s.kind = 'annotator' AND s.user_id = g.user_id AND s.status != 'draft')"""


def next_article(db: Database, user_id: int, after: int = 0) -> int | None:
    """The user's next article: an unfinished one they hold (after `after` first), else a newly claimed one."""
    for bound in (after, 0):
        row = db.execute(f"{_UNFINISHED} AND g.article_id > ? ORDER BY g.article_id LIMIT 1", [user_id, bound]).fetchone()
        if row:
            return row[0]
    with write(db):
        row = db.execute(
            "SELECT a.id FROM articles a WHERE a.assignees < ? AND NOT EXISTS "
            "(SELECT 1 FROM assignments g WHERE g.article_id = a.id AND g.user_id = ?) "
            "ORDER BY a.assignees, a.id LIMIT 1",
            [annotators_per_article(db), user_id],
        ).fetchone()
        if row is None:
            return None
        _assign(db, row[0], user_id)
        return row[0]


def release(db: Database, article_id: int, user_id: int) -> None:
    """Give a skipped article back to the pool; the user will not get it again."""
    with write(db):
        if db.execute(
            "UPDATE assignments SET released = 1 WHERE article_id = ? AND user_id = ? AND released = 0",
            [article_id, user_id],
        ).rowcount:
            held = db.execute(
                "UPDATE articles SET assignees = assignees - 1 WHERE id = ? RETURNING assignees", [article_id]
            ).fetchone()[0]
            if held == annotators_per_article(db) - 1:
                _count_open(db, +1)


@dataclass(frozen=True)
class QueueRow:
    article_id: int
    ext_id: str
    title: str
    status: str | None


def queue_page(db: Database, user_id: int, after: int = 0, limit: int = 50) -> list[QueueRow]:
    """One page of the user's articles with their status, by keyset (`after` = last id seen)."""
    rows = db.execute(
        "SELECT a.id, a.ext_id, json_extract(a.meta, '$.title'), s.status FROM assignments g "
        "JOIN articles a ON a.id = g.article_id "
        "LEFT JOIN annotation_sets s ON s.article_id = a.id AND s.kind = 'annotator' AND s.user_id = g.user_id "
        "WHERE g.user_id = ? AND g.article_id > ? ORDER BY g.article_id LIMIT ?",
        [user_id, after, limit],
    )
    return [QueueRow(r[0], r[1], r[2] or r[1], r[3]) for r in rows]


def progress(db: Database, user_id: int) -> tuple[int, int]:
    """(articles the user finished, those plus what is left for them: held unfinished and still open)."""
    # only annotator sets have a user (a CHECK says so): no kind test, which would lead
    # SQLite to the kind index and through every annotator's sets
    done = db.execute(
        "SELECT count(*) FROM annotation_sets WHERE user_id = ? AND status != 'draft'", [user_id]
    ).fetchone()[0]
    held = db.execute(f"SELECT count(*) FROM ({_UNFINISHED})", [user_id]).fetchone()[0]
    k = annotators_per_article(db)
    open_total = open_articles(db)
    open_mine = db.execute(
        "SELECT count(*) FROM assignments g JOIN articles a ON a.id = g.article_id "
        "WHERE g.user_id = ? AND a.assignees < ?",
        [user_id, k],
    ).fetchone()[0]
    return done, done + held + open_total - open_mine


# --- export ---------------------------------------------------------------------------


def iter_sets(
    db: Database, kind: str, *, submitted_only: bool = False, batch: int = 200
) -> Iterator[tuple[Article, AnnotationSet, Annotation]]:
    """Every set of one kind with its article, in keyset batches so memory stays flat."""
    last = 0
    status = "AND s.status = 'submitted'" if submitted_only else ""
    while True:
        sets = [
            AnnotationSet(*row)
            for row in db.execute(
                f"SELECT {_SET_COLUMNS} WHERE s.kind = ? AND s.id > ? {status} ORDER BY s.id LIMIT ?",
                [kind, last, batch],
            )
        ]
        if not sets:
            return
        annotations = _load_annotations(db, [s.id for s in sets])
        article_ids = sorted({s.article_id for s in sets})
        marks = ",".join("?" * len(article_ids))
        articles = {
            row[0]: _article(row)
            for row in db.execute(
                f"SELECT id, ext_id, text, meta, tokens FROM articles WHERE id IN ({marks})", article_ids
            )
        }
        for found in sets:
            yield articles[found.article_id], found, annotations[found.id]
        last = sets[-1].id


def stats(db: Database) -> dict[str, int]:
    """Counts for the admin page and the CLI."""
    counts = {"articles": count_articles(db), "users": db.execute("SELECT count(*) FROM users").fetchone()[0]}
    for kind, n in db.execute("SELECT kind, count(*) FROM annotation_sets GROUP BY kind"):
        counts[kind] = n
    return counts

