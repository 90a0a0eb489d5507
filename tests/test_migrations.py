"""Schema steps keep the data: a database made by an older version comes through each step whole."""

from annotator import db as database
from annotator import migrations, store


def test_migrations_rebuilding_articles_keeps_everything(tmp_path, project):
    path = tmp_path / "old.db"
    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m005_article_small_columns_first")
    # The rows as the code of that time wrote them (today's import needs today's schema).
    db.execute(
        "INSERT INTO articles (id, ext_id, text, text_hash, meta, tokens, created, assignees) "
        "VALUES (1, 'a1', 'Rashid visited Tehran.', 'h', '{\"title\": \"Visit\"}', '[[0,6],[7,14],[15,21],[21,22]]', "
        "'2024-01-01', 1)"
    )
    db.execute("INSERT INTO users (id, name, role, created) VALUES (1, 'carol', 'annotator', '2024-01-01')")
    db.execute(
        "INSERT INTO annotation_sets (id, article_id, kind, user_id, status, version, created, updated) "
        "VALUES (1, 1, 'annotator', 1, 'submitted', 1, '2024-01-01', '2024-01-01')"
    )
    db.execute("INSERT INTO assignments (article_id, user_id, created) VALUES (1, 1, '2024-01-01')")
    db.execute("INSERT INTO items (set_id, key, layer, label, origin) VALUES (1, 't1', 'entity', 'PERSON', 'human')")
    db.execute("INSERT INTO spans (set_id, item, role, start_char, end_char) VALUES (1, 't1', 'entity', 0, 6)")
    db.conn.commit()
    before = db.execute("SELECT id, ext_id, text, meta, tokens, assignees FROM articles").fetchall()
    db.close()

    db = database.connect(path)  # applies the rest
    assert db.execute("SELECT id, ext_id, text, meta, tokens, assignees FROM articles").fetchall() == before
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
    # The rows as the code of that time wrote them (today's import needs today's schema).
    db.execute(
        "INSERT INTO articles (id, ext_id, text, text_hash, meta, tokens, created, assignees) "
        "VALUES (1, 'a1', 'Rashid visited Tehran.', 'h', '{}', '[[0,6],[7,14],[15,21],[21,22]]', '2024-01-01', 1)"
    )
    db.execute("INSERT INTO users (id, name, role, created) VALUES (1, 'carol', 'annotator', '2024-01-01')")
    db.execute("INSERT INTO assignments (article_id, user_id, created) VALUES (1, 1, '2024-01-01')")
    db.execute(
        "INSERT INTO annotation_sets (id, article_id, kind, user_id, status, version, created, updated) "
        "VALUES (1, 1, 'annotator', 1, 'submitted', 1, '2024-01-01', '2024-01-01')"
    )
    db.execute("INSERT INTO items (set_id, key, layer, label, origin) VALUES (1, 't1', 'entity', 'PERSON', 'human')")
    db.execute("INSERT INTO spans (set_id, item, role, start_char, end_char) VALUES (1, 't1', 'entity', 0, 6)")
    db.conn.commit()
    db.close()

    db = database.connect(path)
    carol = store.get_user_by_name(db, "carol")
    article = store.find_article(db, "a1")
    found = store.find_set(db, article, "annotator", carol.id)
    assert [e.label for e in store.load_annotation(db, found.id).entities] == ["PERSON"]
    assert store.prediction_model(db, article) is None and store.list_model_versions(db) == []
    assert store.is_opened(db, article) and store.count_unopened(db) == 0
