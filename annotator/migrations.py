"""Schema steps, one function each, recorded in the database by sqlite-utils."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("annotator")


# The first schema, kept as it was written: later steps change it.
INITIAL_SCHEMA = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('annotator', 'reviewer', 'admin')),
    password_hash TEXT,
    created TEXT NOT NULL
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    ext_id TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    tokens TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX articles_text_hash ON articles (text_hash);
-- One model set and one gold set per article, one set per annotator.
CREATE TABLE annotation_sets (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    kind TEXT NOT NULL CHECK (kind IN ('model', 'annotator', 'gold')),
    user_id INTEGER REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'skipped')),
    version INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    CHECK ((kind = 'annotator') = (user_id IS NOT NULL))
);
CREATE UNIQUE INDEX annotation_sets_one_per_owner
    ON annotation_sets (article_id, kind, ifnull(user_id, 0));
CREATE INDEX annotation_sets_by_user ON annotation_sets (user_id, status, article_id);
CREATE INDEX annotation_sets_by_kind ON annotation_sets (kind, id);
-- An item is an entity, a quote or an event; `key` is its id in the set (t1, q1, v1).
CREATE TABLE items (
    set_id INTEGER NOT NULL REFERENCES annotation_sets (id),
    key TEXT NOT NULL,
    layer TEXT NOT NULL CHECK (layer IN ('entity', 'quote', 'event')),
    label TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('model', 'human')),
    attrs TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (set_id, key)
);
CREATE TABLE spans (
    set_id INTEGER NOT NULL,
    item TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('entity', 'content', 'cue', 'source', 'trigger')),
    ord INTEGER NOT NULL DEFAULT 0,
    start_char INTEGER NOT NULL CHECK (start_char >= 0),
    end_char INTEGER NOT NULL CHECK (end_char > start_char),
    PRIMARY KEY (set_id, item, role, ord),
    FOREIGN KEY (set_id, item) REFERENCES items (set_id, key) ON DELETE CASCADE
);
-- Speaker and actor links point from a quote or event to an entity of the same set.
CREATE TABLE links (
    set_id INTEGER NOT NULL,
    item TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('speaker', 'source_actor', 'target_actor')),
    target TEXT NOT NULL,
    PRIMARY KEY (set_id, item, role),
    FOREIGN KEY (set_id, item) REFERENCES items (set_id, key) ON DELETE CASCADE,
    FOREIGN KEY (set_id, target) REFERENCES items (set_id, key) DEFERRABLE INITIALLY DEFERRED
);
-- Append-only: who changed which set, when, and how (the change as JSON).
CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES annotation_sets (id),
    user_id INTEGER REFERENCES users (id),
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    change TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL,
    undoes INTEGER REFERENCES history (id)
);
CREATE INDEX history_by_set ON history (set_id, id);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
"""


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    """Articles, users, annotation sets with their items, spans and links, and history."""
    _run(db, INITIAL_SCHEMA)


def _run(db: Database, script: str) -> None:
    """Execute a script statement by statement, inside the migration's transaction.

    (sqlite3's executescript would commit first and break that transaction.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement!r}")


@MIGRATIONS()
def m002_assignments(db: Database) -> None:
    """Which annotator has which article, how many each article still needs, and settings."""
    _run(
        db,
        """
        CREATE TABLE assignments (
            article_id INTEGER NOT NULL REFERENCES articles (id),
            user_id INTEGER NOT NULL REFERENCES users (id),
            created TEXT NOT NULL,
            -- a skipped article goes back to the pool, but never to the same person again
            released INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (article_id, user_id)
        );
        CREATE INDEX assignments_by_user ON assignments (user_id, article_id);
        -- how many annotators hold the article now (kept with each claim and release)
        ALTER TABLE articles ADD COLUMN assignees INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX articles_open ON articles (assignees, id);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- annotations made before assignments existed count as assignments
        INSERT INTO assignments (article_id, user_id, created)
            SELECT article_id, user_id, created FROM annotation_sets WHERE kind = 'annotator';
        UPDATE articles SET assignees = (SELECT count(*) FROM assignments s WHERE s.article_id = articles.id);
        """,
    )


@MIGRATIONS()
def m003_login_failures(db: Database) -> None:
    """Failed sign-ins, so that guessing passwords is slowed down across every worker process."""
    _run(
        db,
        """
        CREATE TABLE login_failures (key TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX login_failures_by_key ON login_failures (key, at);
        """,
    )


@MIGRATIONS()
def m004_open_articles_counter(db: Database) -> None:
    """A running count of articles that still need annotators, so no page counts them."""
    _run(
        db,
        """
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO counters (name, value) SELECT 'open_articles', count(*) FROM articles
            WHERE assignees < ifnull(
                (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'annotators_per_article'), 1);
        """,
    )


@MIGRATIONS(transactional=False)
def m005_article_small_columns_first(db: Database) -> None:
    """Rebuild articles with the small columns before text and tokens.

    SQLite reads a row's columns in order, so a column stored after a long text
    costs a walk through the text's overflow pages: the queue's titles and the
    claim counts read meta and assignees on every page view. (Foreign keys are
    off during the rebuild, as SQLite's procedure for changing a table requires.)
    """
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            _run(
                db,
                """
                CREATE TABLE articles_rebuilt (
                    id INTEGER PRIMARY KEY,
                    ext_id TEXT NOT NULL UNIQUE,
                    text_hash TEXT NOT NULL,
                    assignees INTEGER NOT NULL DEFAULT 0,
                    meta TEXT NOT NULL DEFAULT '{}',
                    created TEXT NOT NULL,
                    text TEXT NOT NULL,
                    tokens TEXT NOT NULL
                );
                INSERT INTO articles_rebuilt (id, ext_id, text_hash, assignees, meta, created, text, tokens)
                    SELECT id, ext_id, text_hash, assignees, meta, created, text, tokens FROM articles;
                DROP TABLE articles;
                ALTER TABLE articles_rebuilt RENAME TO articles;
                CREATE INDEX articles_text_hash ON articles (text_hash);
                CREATE INDEX articles_open ON articles (assignees, id);
                """,
            )
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


@MIGRATIONS()
def m006_article_normal_form(db: Database) -> None:
    """A digest of each article's normal form (NFC, whitespace runs as one space), so that a text
    another tool spelled with CRLF, NFD or trailing spaces finds its article (model/normal.py)."""
    from .model.normal import normal_hash

    db.execute("ALTER TABLE articles ADD COLUMN norm_hash TEXT")
    for article_id, text in db.execute("SELECT id, text FROM articles").fetchall():
        db.execute("UPDATE articles SET norm_hash = ? WHERE id = ?", [normal_hash(text), article_id])
    db.execute("CREATE INDEX articles_norm_hash ON articles (norm_hash)")


@MIGRATIONS()
def m007_sessions(db: Database) -> None:
    """Sessions kept on the server, so that logout, a new password, a new role or removal can end them.

    The cookie carries a random token; the table keeps only its SHA-256, so a copy of
    the database opens no session. Sign-in failures are now counted per address, per
    name and per trusted device (the key says which); the old rows keyed by address
    and name together mean nothing to the new rule.
    """
    _run(
        db,
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            created REAL NOT NULL,
            seen REAL NOT NULL
        );
        CREATE INDEX sessions_by_user ON sessions (user_id);
        CREATE INDEX sessions_by_seen ON sessions (seen);
        DELETE FROM login_failures;
        """,
    )


@MIGRATIONS(transactional=False)
def m008_item_origins(db: Database) -> None:
    """Items say what a person did with them: model (a suggestion nobody looked at), accepted,
    changed, or added; before, a person's touch of any kind was recorded as "human".

    "human" items of a set started on the page from the model's suggestions are told apart by
    comparing them with the model's item of the same id: the same label, spans, links and
    attributes make it accepted, a difference changed, no such item added. In other sets
    (imported, gold) a person's item is added. Foreign keys are off while the table is rebuilt.
    """
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            _run(
                db,
                """
                CREATE TABLE items_rebuilt (
                    set_id INTEGER NOT NULL REFERENCES annotation_sets (id),
                    key TEXT NOT NULL,
                    layer TEXT NOT NULL CHECK (layer IN ('entity', 'quote', 'event')),
                    label TEXT NOT NULL,
                    origin TEXT NOT NULL CHECK (origin IN ('model', 'accepted', 'changed', 'added')),
                    attrs TEXT NOT NULL DEFAULT '{}',
                    PRIMARY KEY (set_id, key)
                );
                INSERT INTO items_rebuilt (set_id, key, layer, label, origin, attrs)
                    SELECT set_id, key, layer, label, CASE origin WHEN 'model' THEN 'model' ELSE 'added' END, attrs
                    FROM items;
                DROP TABLE items;
                ALTER TABLE items_rebuilt RENAME TO items;
                """,
            )
            _tell_accepted_from_changed(db)
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


# An item's content for comparison with the model's: label, attributes, spans and links.
_ITEM_SHAPES = """
SELECT i.key, i.label || '|' || i.attrs
    || '|' || ifnull((SELECT group_concat(p, ',') FROM (SELECT role || ':' || ord || ':' || start_char
              || '-' || end_char AS p FROM spans s WHERE s.set_id = i.set_id AND s.item = i.key
              ORDER BY role, ord)), '')
    || '|' || ifnull((SELECT group_concat(p, ',') FROM (SELECT role || ':' || target AS p FROM links l
              WHERE l.set_id = i.set_id AND l.item = i.key ORDER BY role)), '') AS shape
FROM items i WHERE i.set_id = ?
"""


def _tell_accepted_from_changed(db: Database) -> None:
    """Person-touched items of sets started from the model's suggestions: accepted or changed."""
    started = db.execute(
        "SELECT s.id, m.id FROM annotation_sets s JOIN annotation_sets m ON m.article_id = s.article_id "
        "AND m.kind = 'model' WHERE s.kind = 'annotator' AND (SELECT h.action FROM history h "
        "WHERE h.set_id = s.id ORDER BY h.id LIMIT 1) = 'create'"
    ).fetchall()
    for set_id, model_id in started:
        model = dict(db.execute(_ITEM_SHAPES, [model_id]).fetchall())
        for key, shape in db.execute(_ITEM_SHAPES, [set_id]).fetchall():
            if key in model:
                origin = "accepted" if model[key] == shape else "changed"
                db.execute(
                    "UPDATE items SET origin = ? WHERE set_id = ? AND key = ? AND origin = 'added'",
                    [origin, set_id, key],
                )


@MIGRATIONS()
def m009_model_versions(db: Database) -> None:
    """Trained model versions, the articles each learned from or held out, and who made each prediction set."""
    _run(
        db,
        """
        CREATE TABLE model_versions (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            -- the trained pipeline's folder: relative to the database's folder when inside it
            path TEXT NOT NULL,
            base TEXT NOT NULL,
            layers TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('gold', 'submitted')),
            train_documents INTEGER NOT NULL,
            dev_documents INTEGER NOT NULL,
            split TEXT NOT NULL,
            scores TEXT NOT NULL DEFAULT '{}',
            minutes REAL NOT NULL,
            created TEXT NOT NULL,
            -- the last `annotator evaluate` of this version, as JSON
            evaluation TEXT,
            evaluated TEXT
        );
        CREATE TABLE model_articles (
            model_id INTEGER NOT NULL REFERENCES model_versions (id),
            article_id INTEGER NOT NULL REFERENCES articles (id),
            split TEXT NOT NULL CHECK (split IN ('train', 'dev')),
            PRIMARY KEY (model_id, article_id)
        );
        -- which model version (or spaCy pipeline) made a prediction set; NULL for other sets and old predictions
        ALTER TABLE annotation_sets ADD COLUMN model TEXT;
        """,
    )


@MIGRATIONS()
def m010_compact_tokens(db: Database) -> None:
    """Article tokens as a compact BLOB (store/articles.py says how) instead of JSON pairs, which took
    most of the articles table. The column keeps its name and TEXT declaration: SQLite keeps a BLOB
    in a TEXT column as it is, and a rebuild of the table would copy every text for nothing."""
    import json

    from .store.articles import encode_tokens

    last = 0
    while found := db.execute(
        "SELECT id, tokens FROM articles WHERE id > ? AND typeof(tokens) = 'text' ORDER BY id LIMIT 500", [last]
    ).fetchall():
        db.conn.executemany(
            "UPDATE articles SET tokens = ? WHERE id = ?",
            [(encode_tokens(json.loads(tokens)), article_id) for article_id, tokens in found],
        )
        last = found[-1][0]


# The item tables as m001 and m008 made them, with each "x IN (...)" check written as equalities:
# SQLite built a table of the IN list for every row inserted (over half an import's row-writing
# time); the equalities cost nothing and refuse the same values. Without rowid, each table is its
# primary key's B-tree alone, not a table and a copy of its key in an index.
_ITEM_TABLES = """
CREATE TABLE items_rebuilt (
    set_id INTEGER NOT NULL REFERENCES annotation_sets (id),
    key TEXT NOT NULL,
    layer TEXT NOT NULL CHECK (layer = 'entity' OR layer = 'quote' OR layer = 'event'),
    label TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin = 'model' OR origin = 'accepted' OR origin = 'changed' OR origin = 'added'),
    attrs TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (set_id, key)
) WITHOUT ROWID;
INSERT INTO items_rebuilt (set_id, key, layer, label, origin, attrs)
    SELECT set_id, key, layer, label, origin, attrs FROM items;
CREATE TABLE spans_rebuilt (
    set_id INTEGER NOT NULL,
    item TEXT NOT NULL,
    role TEXT NOT NULL
        CHECK (role = 'entity' OR role = 'content' OR role = 'cue' OR role = 'source' OR role = 'trigger'),
    ord INTEGER NOT NULL DEFAULT 0,
    start_char INTEGER NOT NULL CHECK (start_char >= 0),
    end_char INTEGER NOT NULL CHECK (end_char > start_char),
    PRIMARY KEY (set_id, item, role, ord),
    FOREIGN KEY (set_id, item) REFERENCES items (set_id, key) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO spans_rebuilt (set_id, item, role, ord, start_char, end_char)
    SELECT set_id, item, role, ord, start_char, end_char FROM spans;
CREATE TABLE links_rebuilt (
    set_id INTEGER NOT NULL,
    item TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role = 'speaker' OR role = 'source_actor' OR role = 'target_actor'),
    target TEXT NOT NULL,
    PRIMARY KEY (set_id, item, role),
    FOREIGN KEY (set_id, item) REFERENCES items (set_id, key) ON DELETE CASCADE,
    FOREIGN KEY (set_id, target) REFERENCES items (set_id, key) DEFERRABLE INITIALLY DEFERRED
) WITHOUT ROWID;
INSERT INTO links_rebuilt (set_id, item, role, target) SELECT set_id, item, role, target FROM links;
DROP TABLE links;
DROP TABLE spans;
DROP TABLE items;
ALTER TABLE items_rebuilt RENAME TO items;
ALTER TABLE spans_rebuilt RENAME TO spans;
ALTER TABLE links_rebuilt RENAME TO links;
"""


@MIGRATIONS(transactional=False)
def m012_item_tables_cheap_to_fill(db: Database) -> None:
    """Items, spans and links rebuilt without rowid, their checks written as equalities (see
    _ITEM_TABLES): an import writes them at twice the speed and they take less room. Foreign keys
    are off while the tables are rebuilt, as in m008."""
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            _run(db, _ITEM_TABLES)
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


# k, the annotators each article gets, as the triggers below read it (1 when never set)
_K = "ifnull((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'annotators_per_article'), 1)"
# the user holds the article (given and not released), for the triggers of annotation sets
_HELD = "EXISTS (SELECT 1 FROM assignments g WHERE g.article_id = {row}.article_id AND g.user_id = {row}.user_id "
_HELD += "AND g.released = 0)"
# the user finished the article (an annotator set of theirs that is not a draft), for those of assignments
_FINISHED = "EXISTS (SELECT 1 FROM annotation_sets s WHERE s.article_id = {row}.article_id "
_FINISHED += "AND s.user_id = {row}.user_id AND s.status != 'draft')"


@MIGRATIONS()
def m013_queue_counts(db: Database) -> None:
    """Each user's queue counts kept by triggers, so the queue and every annotation page read one row
    instead of counting what the user holds (25 ms a page for someone holding 10,000 articles).

    `done`: their annotator sets that are not drafts; `unfinished`: articles they hold without one;
    `open_held`: articles they hold or held that still need annotators (the pool's count less these
    is what is still open to them). Changing k recounts them all (store.recount_queue_counts)."""
    from .store.queue import recount_queue_counts

    held_new, held_old = _HELD.format(row="new"), _HELD.format(row="old")
    finished_new = _FINISHED.format(row="new")
    _run(
        db,
        f"""
        CREATE TABLE queue_counts (
            user_id INTEGER PRIMARY KEY REFERENCES users (id),
            done INTEGER NOT NULL DEFAULT 0,
            unfinished INTEGER NOT NULL DEFAULT 0,
            open_held INTEGER NOT NULL DEFAULT 0
        );
        CREATE TRIGGER queue_counts_user AFTER INSERT ON users BEGIN
            INSERT OR IGNORE INTO queue_counts (user_id) VALUES (new.id);
        END;
        CREATE TRIGGER queue_counts_set_added AFTER INSERT ON annotation_sets
        WHEN new.user_id IS NOT NULL AND new.status != 'draft' BEGIN
            UPDATE queue_counts SET done = done + 1, unfinished = unfinished - ({held_new})
            WHERE user_id = new.user_id;
        END;
        CREATE TRIGGER queue_counts_set_status AFTER UPDATE OF status ON annotation_sets
        WHEN new.user_id IS NOT NULL AND (old.status = 'draft') != (new.status = 'draft') BEGIN
            UPDATE queue_counts SET done = done + iif(new.status = 'draft', -1, 1),
                unfinished = unfinished + iif(new.status = 'draft', 1, -1) * ({held_new})
            WHERE user_id = new.user_id;
        END;
        CREATE TRIGGER queue_counts_set_removed AFTER DELETE ON annotation_sets
        WHEN old.user_id IS NOT NULL AND old.status != 'draft' BEGIN
            UPDATE queue_counts SET done = done - 1, unfinished = unfinished + ({held_old})
            WHERE user_id = old.user_id;
        END;
        CREATE TRIGGER queue_counts_given AFTER INSERT ON assignments BEGIN
            UPDATE queue_counts SET
                unfinished = unfinished + (new.released = 0 AND NOT {finished_new}),
                open_held = open_held + ((SELECT assignees FROM articles WHERE id = new.article_id) < {_K})
            WHERE user_id = new.user_id;
        END;
        CREATE TRIGGER queue_counts_released AFTER UPDATE OF released ON assignments
        WHEN old.released != new.released AND NOT {finished_new} BEGIN
            UPDATE queue_counts SET unfinished = unfinished + iif(new.released, -1, 1) WHERE user_id = new.user_id;
        END;
        CREATE TRIGGER queue_counts_filled AFTER UPDATE OF assignees ON articles
        WHEN (old.assignees < {_K}) != (new.assignees < {_K}) BEGIN
            UPDATE queue_counts SET open_held = open_held + iif(new.assignees < {_K}, 1, -1)
            WHERE user_id IN (SELECT user_id FROM assignments WHERE article_id = new.id);
        END;
        """,
    )
    recount_queue_counts(db)


@MIGRATIONS()
def m014_main_span_in_the_item_row(db: Database) -> None:
    """Each item's first span (of its layer's main role: an entity's span, a quote's first content
    part, an event's trigger; every item has one) moves into its own row of `items`; `spans` keeps
    the others (a quote's further parts, cue and source). An entity is one row, not two: an import
    of 400,000 predicted entities writes 40 % less, and the database is smaller."""
    _run(
        db,
        """
        ALTER TABLE items ADD COLUMN start_char INTEGER;
        ALTER TABLE items ADD COLUMN end_char INTEGER;
        UPDATE items SET (start_char, end_char) = (
            SELECT s.start_char, s.end_char FROM spans s
            WHERE s.set_id = items.set_id AND s.item = items.key AND s.ord = 0
              AND s.role = CASE items.layer WHEN 'entity' THEN 'entity' WHEN 'quote' THEN 'content' ELSE 'trigger' END
        );
        DELETE FROM spans WHERE ord = 0 AND EXISTS (
            SELECT 1 FROM items i WHERE i.set_id = spans.set_id AND i.key = spans.item AND i.start_char IS NOT NULL
              AND spans.role = CASE i.layer WHEN 'entity' THEN 'entity' WHEN 'quote' THEN 'content' ELSE 'trigger' END
        );
        """,
    )
