"""Schema steps keep the data: a database made by an older version comes through each step whole."""

import json
import sqlite3

import pytest

from annotator import db as database
from annotator import migrations, store
from annotator.model import MODEL, Annotation, Item, Span


def _carols_submitted_set(db, meta: str, origin: str) -> None:
    """Article a1 with carol's submitted set of one PERSON, as the code of an older schema wrote them
    (by raw SQL: today's import needs today's schema); `origin` as that era named a person's item."""
    at = "2024-01-01"
    db.execute(
        "INSERT INTO articles (id, ext_id, text, text_hash, meta, tokens, created, assignees) "
        "VALUES (1, 'a1', 'Rashid visited Tehran.', 'h', ?, '[[0,6],[7,14],[15,21],[21,22]]', ?, 1)",
        [meta, at],
    )
    db.execute("INSERT INTO users (id, name, role, created) VALUES (1, 'carol', 'annotator', ?)", [at])
    db.execute("INSERT INTO assignments (article_id, user_id, created) VALUES (1, 1, ?)", [at])
    db.execute(
        "INSERT INTO annotation_sets (id, article_id, kind, user_id, status, version, created, updated) "
        "VALUES (1, 1, 'annotator', 1, 'submitted', 1, ?, ?)",
        [at, at],
    )
    item = "INSERT INTO items (set_id, key, layer, label, origin) VALUES (1, 't1', 'entity', 'PERSON', ?)"
    db.execute(item, [origin])
    db.execute("INSERT INTO spans (set_id, item, role, start_char, end_char) VALUES (1, 't1', 'entity', 0, 6)")
    db.conn.commit()


def test_migrations_rebuilding_articles_keeps_everything(tmp_path, project):
    path = tmp_path / "old.db"
    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m005_article_small_columns_first")
    _carols_submitted_set(db, meta='{"title": "Visit"}', origin="human")
    before = db.execute("SELECT id, ext_id, text, meta, assignees FROM articles").fetchall()
    db.close()

    db = database.connect(path)  # applies the rest
    assert db.execute("SELECT id, ext_id, text, meta, assignees FROM articles").fetchall() == before
    assert store.get_article(db, 1).tokens == [[0, 6], [7, 14], [15, 21], [21, 22]]  # m010 re-encoded them
    columns = [row[1] for row in db.execute("PRAGMA table_info(articles)")]
    assert columns.index("meta") < columns.index("text") and columns.index("assignees") < columns.index("text")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    carol = store.get_user_by_name(db, "carol")
    found = store.find_set(db, store.find_article(db, "a1"), "annotator", carol.id)
    assert [e.label for e in store.load_annotation(db, found.id).entities] == ["PERSON"]
    assert store.queue_page(db, carol.id)[0].title == "Visit"


def test_migration_m009_adds_model_versions_and_keeps_the_sets(tmp_path, project):
    path = tmp_path / "old.db"
    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m009_model_versions")
    _carols_submitted_set(db, meta="{}", origin="added")
    db.close()

    db = database.connect(path)
    carol = store.get_user_by_name(db, "carol")
    article = store.find_article(db, "a1")
    found = store.find_set(db, article, "annotator", carol.id)
    assert [e.label for e in store.load_annotation(db, found.id).entities] == ["PERSON"]
    assert store.prediction_model(db, article) is None and store.list_model_versions(db) == []
    assert store.is_opened(db, article) and store.count_unopened(db) == 0


def _old_rows(db, sql_rows):
    for sql, values in sql_rows:
        db.execute(sql, values)
    db.conn.commit()


def _sets_as_before_m008(path):
    """A model set, alice's set started from it on the page, carol's imported: as stored before m008."""
    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m008_item_origins")
    at = "2026-01-01T00:00:00.000+00:00"
    text = "Rashid visited Tehran on Monday."
    sets = "INSERT INTO annotation_sets (id, article_id, kind, user_id, status, version, created, updated) VALUES "
    item = "INSERT INTO items (set_id, key, layer, label, origin, attrs) VALUES (?, ?, 'entity', ?, ?, '{}')"
    span = "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (?, ?, 'entity', 0, ?, ?)"
    history = "INSERT INTO history (set_id, user_id, at, action, change, version) VALUES (?, ?, ?, ?, '{}', 1)"
    _old_rows(
        db,
        [
            (
                "INSERT INTO articles (id, ext_id, text_hash, assignees, meta, created, text, tokens) "
                "VALUES (1, 'a1', 'h', 2, '{}', ?, ?, '[[0, 6], [7, 14], [15, 21], [22, 24], [25, 31], [31, 32]]')",
                [at, text],
            ),
            (
                "INSERT INTO users (id, name, role, created) VALUES (1, 'alice', 'annotator', ?), (2, 'carol', "
                "'annotator', ?)",
                [at, at],
            ),
            (sets + "(1, 1, 'model', NULL, 'draft', 1, ?, ?)", [at, at]),
            (sets + "(2, 1, 'annotator', 1, 'submitted', 1, ?, ?)", [at, at]),
            (sets + "(3, 1, 'annotator', 2, 'submitted', 1, ?, ?)", [at, at]),
            (history, [1, None, at, "preannotate"]),
            (history, [2, 1, at, "create"]),  # alice's set was started on the page from the suggestions
            (history, [3, None, at, "import"]),  # carol's came from a file
            *[(item, [1, key, label, "model"]) for key, label in (("t1", "PERSON"), ("t2", "GPE"), ("t4", "DATE"))],
            *[(span, [1, key, s, e]) for key, s, e in (("t1", 0, 6), ("t2", 15, 21), ("t4", 25, 31))],
            (item, [2, "t1", "PERSON", "human"]),  # as the model had it: accepted
            (item, [2, "t2", "LOC", "human"]),  # relabelled: changed
            (item, [2, "t3", "ORG", "human"]),  # the model had no t3: added
            (item, [2, "t4", "DATE", "model"]),  # never looked at
            *[(span, [2, key, s, e]) for key, s, e in (("t1", 0, 6), ("t2", 15, 21), ("t3", 7, 14), ("t4", 25, 31))],
            (item, [3, "t1", "PERSON", "human"]),  # imported: made by a person elsewhere
            (span, [3, "t1", 0, 6]),
        ],
    )
    db.close()


def test_migrations_item_origins_tell_accepted_changed_and_added_apart(tmp_path):
    """Before m008 a person's touch was "human"; after it, accepted, changed or added, from the model's items."""
    path = tmp_path / "old.db"
    _sets_as_before_m008(path)
    db = database.connect(path)
    origins = {(r[0], r[1]): r[2] for r in db.execute("SELECT set_id, key, origin FROM items ORDER BY set_id, key")}
    assert origins == {
        (1, "t1"): "model",
        (1, "t2"): "model",
        (1, "t4"): "model",
        (2, "t1"): "accepted",
        (2, "t2"): "changed",
        (2, "t3"): "added",
        (2, "t4"): "model",
        (3, "t1"): "added",
    }
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [(s.start, s.end) for _, s in store.load_annotation(db, 2).get("t3").spans] == [(7, 14)]
    # the new check holds: an origin outside the four is refused
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO items (set_id, key, layer, label, origin) VALUES (2, 't9', 'entity', 'ORG', 'human')")


def test_migration_m010_stores_tokens_compactly_and_keeps_them(tmp_path, project):
    path = tmp_path / "old.db"
    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m010_compact_tokens")
    # As the code of that time wrote them: JSON pairs, whitespace tokens included, and a CoNLL
    # article whose tokens are the file's (`im` one token, as spaCy would not cut it).
    old = {
        "a1": (
            "Rashid visited Tehran.\n\nHe left.",
            [[0, 6], [7, 14], [15, 21], [21, 22], [22, 24], [24, 26], [27, 31], [31, 32]],
        ),
        "conll": ("im Haus", [[0, 2], [3, 7]]),
        "empty": ("", []),
    }
    for n, (ext_id, (text, tokens)) in enumerate(old.items(), 1):
        db.execute(
            "INSERT INTO articles (id, ext_id, text, text_hash, norm_hash, meta, tokens, created, assignees) "
            "VALUES (?, ?, ?, 'h', 'n', '{}', ?, '2024-01-01', 0)",
            [n, ext_id, text, json.dumps(tokens, separators=(",", ":"))],
        )
    db.conn.commit()
    json_bytes = db.execute("SELECT sum(length(tokens)) FROM articles").fetchone()[0]
    db.close()

    db = database.connect(path)  # applies m010
    assert db.execute("SELECT DISTINCT typeof(tokens) FROM articles").fetchall() == [("blob",)]
    assert db.execute("SELECT sum(length(tokens)) FROM articles").fetchone()[0] < json_bytes / 3
    for ext_id, (text, tokens) in old.items():
        article = store.get_article(db, store.find_article(db, ext_id))
        assert (article.text, article.tokens) == (text, tokens)
    # a second start changes nothing (the step is recorded; a BLOB is never decoded as JSON)
    db.close()
    assert store.get_article(database.connect(path), 2).tokens == [[0, 2], [3, 7]]


def test_migration_m012_rebuilds_the_item_tables_keeping_items_and_their_rules(tmp_path, project):
    path = tmp_path / "old.db"
    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m012_item_tables_cheap_to_fill")
    _carols_submitted_set(db, meta="{}", origin="added")
    # a quote whose speaker is carol's PERSON: spans of three roles and a link
    db.execute("INSERT INTO items (set_id, key, layer, label, origin) VALUES (1, 'q1', 'quote', 'INDIRECT', 'model')")
    db.conn.executemany(
        "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (1, 'q1', ?, ?, ?, ?)",
        [("content", 0, 7, 14), ("content", 1, 15, 21), ("cue", 0, 7, 14)],
    )
    db.execute("INSERT INTO links (set_id, item, role, target) VALUES (1, 'q1', 'speaker', 't1')")
    db.conn.commit()
    tables = ("items", "spans", "links")
    before = {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall() for table in tables}
    db.close()

    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m014_main_span_in_the_item_row")  # m012 (and m013)
    assert {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall() for table in tables} == before
    db.close()
    db = database.connect(path)  # and the migrations after it, for today's code to read the items
    quote = store.load_annotation(db, 1).quotes[0]
    assert [(s.start, s.end) for s in quote.parts("content")] == [(7, 14), (15, 21)]
    assert quote.link("speaker") == "t1"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    for table in tables:  # each is its primary key's B-tree alone
        with pytest.raises(sqlite3.OperationalError, match="rowid"):
            db.execute(f"SELECT rowid FROM {table}")
    # the rules hold as before: values outside each list, an empty span, a span of no item, a link to nothing
    refused = [
        "INSERT INTO items (set_id, key, layer, label, origin) VALUES (1, 'x1', 'relation', 'L', 'model')",
        "INSERT INTO items (set_id, key, layer, label, origin) VALUES (1, 'x2', 'entity', 'L', 'human')",
        "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (1, 't1', 'speaker', 0, 0, 6)",
        "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (1, 't1', 'entity', 1, 6, 6)",
        "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (1, 'zz', 'entity', 0, 0, 6)",
        "INSERT INTO links (set_id, item, role, target) VALUES (1, 'q1', 'cue', 't1')",
    ]
    for statement in refused:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(statement)
    with pytest.raises(sqlite3.IntegrityError), db.conn:  # the deferred link check, at commit
        db.execute("DELETE FROM links")
        db.execute("INSERT INTO links (set_id, item, role, target) VALUES (1, 'q1', 'speaker', 'nobody')")
    # deleting an item still takes its spans and links with it
    with db.conn:
        db.execute("DELETE FROM items WHERE key = 'q1'")
    assert db.execute("SELECT count(*) FROM spans WHERE item = 'q1'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM links").fetchone()[0] == 0


def test_migration_m014_moves_each_items_first_span_into_its_row_and_keeps_every_item(tmp_path, project):
    path = tmp_path / "old.db"
    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m014_main_span_in_the_item_row")
    _carols_submitted_set(db, meta="{}", origin="added")  # t1, an entity (0-6)
    db.execute("INSERT INTO items (set_id, key, layer, label, origin) VALUES (1, 'q1', 'quote', 'INDIRECT', 'model')")
    db.execute("INSERT INTO items (set_id, key, layer, label, origin) VALUES (1, 'v1', 'event', 'MEET', 'model')")
    db.conn.executemany(
        "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (1, ?, ?, ?, ?, ?)",
        [
            ("q1", "content", 0, 7, 14),
            ("q1", "content", 1, 15, 21),
            ("q1", "cue", 0, 7, 14),
            ("v1", "trigger", 0, 7, 14),
        ],
    )
    db.execute("INSERT INTO links (set_id, item, role, target) VALUES (1, 'q1', 'speaker', 't1')")
    db.conn.commit()
    db.close()

    db = database.connect(path)  # applies m014
    quote = Item.quote("q1", "INDIRECT", [Span(7, 14), Span(15, 21)], cue=Span(7, 14), speaker="t1", origin=MODEL)
    event = Item.event("v1", "MEET", Span(7, 14), origin=MODEL)
    assert store.load_annotation(db, 1) == Annotation.of([Item.entity("t1", 0, 6, "PERSON"), quote, event])
    rows = db.execute("SELECT key, start_char, end_char FROM items ORDER BY key").fetchall()
    assert rows == [("q1", 7, 14), ("t1", 0, 6), ("v1", 7, 14)]
    left = db.execute("SELECT item, role, ord, start_char, end_char FROM spans ORDER BY 1, 2, 3").fetchall()
    assert left == [("q1", "content", 1, 15, 21), ("q1", "cue", 0, 7, 14)]  # the others only
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
