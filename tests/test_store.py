import sqlite3

import pytest

from annotator import edits, store
from annotator.model import MODEL, Tokens

from .conftest import seed_article_id


def _alice(db):
    return store.get_user_by_name(db, "alice")


def test_store_opening_copies_model_suggestions(seeded):
    article_id = seed_article_id(seeded)
    model = store.load_annotation(seeded, store.find_set(seeded, article_id, "model").id)
    mine = store.open_set(seeded, article_id, _alice(seeded).id)
    annotation = store.load_annotation(seeded, mine.id)
    assert [(e.start, e.end, e.label) for e in annotation.entities] == [
        (e.start, e.end, e.label) for e in model.entities
    ]
    assert all(e.origin == MODEL for e in annotation.entities)
    # every layer, with the quotes' speakers and the events' actors and attributes
    assert annotation == edits_free(model) and model.quotes and model.events
    assert any(i.links for i in annotation.items()) and any(i.attrs for i in annotation.items())
    assert store.annotation_at(seeded, mine.id, 1) == annotation  # the history's first version is it too
    assert store.open_set(seeded, article_id, _alice(seeded).id).id == mine.id  # opened again: the same set


def test_store_stale_version_is_refused_and_changes_nothing(seeded):
    article_id = seed_article_id(seeded)
    user = _alice(seeded)
    mine = store.open_set(seeded, article_id, user.id)
    first = store.load_annotation(seeded, mine.id).entities[0]
    saved = store.edit(seeded, mine.id, mine.version, lambda a: edits.delete(a, first.id), user.id)
    assert saved.version == mine.version + 1
    before = store.load_annotation(seeded, mine.id)
    with pytest.raises(store.StaleVersion):
        store.edit(seeded, mine.id, mine.version, lambda a: edits.relabel(a, a.entities[0].id, "ORG"), user.id)
    assert store.load_annotation(seeded, mine.id) == before
    assert store.get_set(seeded, mine.id).version == saved.version


def test_store_undo_reverts_the_latest_edit_then_the_one_before(seeded, project):
    article = store.get_article(seeded, seed_article_id(seeded))
    tokens = Tokens(article.tokens, article.text)
    user = _alice(seeded)
    mine = store.open_set(seeded, article.id, user.id)
    original = store.load_annotation(seeded, mine.id)
    target = original.entities[1]
    v = store.edit(seeded, mine.id, mine.version, lambda a: edits.relabel(a, target.id, "ORG"), user.id).version
    v = store.edit(seeded, mine.id, v, lambda a: edits.move_boundary(a, tokens, target.id, "end", 1), user.id).version

    def check(change, annotation):  # the rules every edit passes (document.undo gives the same)
        return edits.validated(change, annotation, article.text, project.schemes)

    v = store.undo(seeded, mine.id, v, user.id, check).version
    assert store.load_annotation(seeded, mine.id).get(target.id).label == "ORG"
    v = store.undo(seeded, mine.id, v, user.id, check).version
    assert store.load_annotation(seeded, mine.id) == original
    with pytest.raises(store.NothingToUndo):
        store.undo(seeded, mine.id, v, user.id, check)
    actions = [h["action"] for h in store.history(seeded, mine.id)]
    assert actions == ["create", "edit", "edit", "undo", "undo"]


def test_store_history_is_append_only(seeded):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        seeded.execute("UPDATE history SET action = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        seeded.execute("DELETE FROM history")


def test_store_links_must_point_at_entities_of_the_set(seeded):
    mine = store.open_set(seeded, seed_article_id(seeded), _alice(seeded).id)
    with pytest.raises(sqlite3.IntegrityError), seeded.conn:
        seeded.execute(
            "INSERT INTO items (set_id, key, layer, label, origin) VALUES (?, 'q1', 'quote', 'DIRECT', 'human')",
            [mine.id],
        )
        seeded.execute("INSERT INTO links (set_id, item, role, target) VALUES (?, 'q1', 'speaker', 'nope')", [mine.id])


def test_store_queue_and_progress(seeded):
    user = _alice(seeded)
    article_id = seed_article_id(seeded)
    assert store.progress(seeded, user.id) == (0, 1)
    assert store.next_article(seeded, user.id) == article_id
    mine = store.open_set(seeded, article_id, user.id)
    store.set_status(seeded, mine.id, mine.version, "submitted", user.id)
    assert store.progress(seeded, user.id) == (1, 1)
    assert store.next_article(seeded, user.id) is None
    assert [row.status for row in store.queue_page(seeded, user.id)] == ["submitted"]


def test_store_database_is_in_wal_mode(seeded):
    assert seeded.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_an_edit_that_changes_nothing_writes_nothing(seeded):
    user = _alice(seeded)
    mine = store.open_set(seeded, seed_article_id(seeded), user.id)
    first = store.load_annotation(seeded, mine.id).entities[0].id
    saved = store.edit(seeded, mine.id, mine.version, lambda a: edits.confirm(a, first), user.id)
    again = store.edit(seeded, mine.id, saved.version, lambda a: edits.confirm(a, first), user.id)
    assert again.change.empty and again.version == saved.version == store.get_set(seeded, mine.id).version
    assert [h["action"] for h in store.history(seeded, mine.id)] == ["create", "edit"]


def test_store_a_stale_edit_is_saved_on_top_unless_it_touches_what_changed(seeded):
    user = _alice(seeded)
    mine = store.open_set(seeded, seed_article_id(seeded), user.id)
    t1, t2 = (e.id for e in store.load_annotation(seeded, mine.id).entities[:2])
    store.edit(seeded, mine.id, mine.version, lambda a: edits.relabel(a, t1, "LOC"), user.id)  # another tab
    on_top = store.edit(seeded, mine.id, mine.version, lambda a: edits.relabel(a, t2, "LOC"), user.id, rebase=True)
    assert on_top.version == mine.version + 2 and len(on_top.elsewhere) == 1
    labels = store.load_annotation(seeded, mine.id)
    assert labels.get(t1).label == labels.get(t2).label == "LOC"
    with pytest.raises(store.StaleVersion):  # t1 changed since the version this edit was made on
        store.edit(seeded, mine.id, mine.version, lambda a: edits.delete(a, t1), user.id, rebase=True)
    with pytest.raises(store.StaleVersion):  # without rebase, any newer version refuses it
        store.edit(seeded, mine.id, mine.version, lambda a: edits.relabel(a, t2, "ORG"), user.id)
    assert store.load_annotation(seeded, mine.id) == labels


def test_store_a_stale_edit_is_not_saved_on_top_of_a_status_change(seeded):
    """Submitted (or skipped, or reopened) since: the set the edit was made for is not there any more."""
    user = _alice(seeded)
    mine = store.open_set(seeded, seed_article_id(seeded), user.id)
    t2 = store.load_annotation(seeded, mine.id).entities[1].id
    store.set_status(seeded, mine.id, mine.version, "submitted", user.id)
    with pytest.raises(store.StaleVersion):
        store.edit(seeded, mine.id, mine.version, lambda a: edits.relabel(a, t2, "LOC"), user.id, rebase=True)
    assert store.load_annotation(seeded, mine.id).get(t2).label != "LOC"


def test_store_history_of_a_new_set_counts_its_items_and_every_version_can_be_read_back(seeded):
    article_id = seed_article_id(seeded)
    model = store.find_set(seeded, article_id, "model")
    imported = store.load_annotation(seeded, model.id)
    user = _alice(seeded)
    mine = store.open_set(seeded, article_id, user.id)
    # neither the import nor the first opening repeats the items in the history: it counts them
    for found in (model, mine):
        (first,) = [h for h in store.history(seeded, found.id) if h["version"] == 1]
        assert first["change"] == {"items": len(list(imported.items()))}
    first, second = store.load_annotation(seeded, mine.id).entities[:2]
    v1 = store.edit(seeded, mine.id, mine.version, lambda a: edits.relabel(a, first.id, "ORG"), user.id).version
    after_relabel = store.load_annotation(seeded, mine.id)
    v2 = store.edit(seeded, mine.id, v1, lambda a: edits.delete(a, second.id), user.id).version
    v3 = store.set_status(seeded, mine.id, v2, "submitted", user.id)
    # the audit still sees every version: as opened (the suggestions), after each edit
    assert store.annotation_at(seeded, mine.id, 1) == edits_free(imported)
    assert store.annotation_at(seeded, mine.id, v1) == after_relabel
    assert store.annotation_at(seeded, mine.id, v3) == store.load_annotation(seeded, mine.id)
    assert store.annotation_at(seeded, model.id, 1) == imported
    with pytest.raises(store.NotFound):
        store.annotation_at(seeded, mine.id, v3 + 1)


def edits_free(annotation):
    """The model's suggestions as an annotator's set starts from them."""
    from annotator.model import as_suggestions

    return as_suggestions(annotation)
