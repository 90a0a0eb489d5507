"""Schema steps keep the data: a database made by an older version comes through each step whole."""

from annotator import db as database
from annotator import importing, migrations, store


def test_migrations_rebuilding_articles_keeps_everything(tmp_path, project):
    path = tmp_path / "old.db"
    db = database.connect(path, migrate=False)
    migrations.MIGRATIONS.apply(db, stop_before="m005_article_small_columns_first")
    source = tmp_path / "a.jsonl"
    source.write_text(
        '{"id": "a1", "text": "Rashid visited Tehran.", "meta": {"title": "Visit"}}\n'
        '{"id": "a1", "text": "Rashid visited Tehran.", "source": "annotator", "annotator": "carol", '
        '"status": "submitted", "entities": [{"id": "t1", "start": 0, "end": 6, "label": "PERSON"}]}\n',
        "utf-8",
    )
    importing.import_paths(db, project, [source], progress=False)
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
    source = tmp_path / "a.jsonl"
    source.write_text(
        '{"id": "a1", "text": "Rashid visited Tehran.", "source": "annotator", "annotator": "carol", '
        '"status": "submitted", "entities": [{"id": "t1", "start": 0, "end": 6, "label": "PERSON"}]}\n',
        "utf-8",
    )
    importing.import_paths(db, project, [source], progress=False)
    db.close()

    db = database.connect(path)
    carol = store.get_user_by_name(db, "carol")
    article = store.find_article(db, "a1")
    found = store.find_set(db, article, "annotator", carol.id)
    assert [e.label for e in store.load_annotation(db, found.id).entities] == ["PERSON"]
    assert store.prediction_model(db, article) is None and store.list_model_versions(db) == []
    assert store.is_opened(db, article) and store.count_unopened(db) == 0
