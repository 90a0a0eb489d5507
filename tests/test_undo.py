"""Undo in a shared set (gold): it applies cleanly, or is refused with a message; never a 500, never stuck half-way."""

import pytest

from annotator import store

from .conftest import csrf_of, login, seed_article_id


@pytest.fixture
def gold(app, seeded):
    """Gold of the seed article, opened by rita; a client per reviewer and a way to post to the set."""
    article = seed_article_id(seeded)
    found = store.open_gold(seeded, article, store.get_user_by_name(seeded, "rita").id)
    text = store.get_article(seeded, article).text
    clients = {name: app.test_client() for name in ("rita", "admin")}
    for name, client in clients.items():
        login(client, name)

    def post(who, path, **form):
        client = clients[who]
        form.setdefault("version", store.get_set(seeded, found.id).version)
        return client.post(
            f"/sets/{found.id}{path}", data=form, headers={"X-CSRF-Token": csrf_of(client), "HX-Request": "true"}
        )

    def span(words):
        start = text.index(words)
        return {"start": start, "end": start + len(words)}

    post.set_id, post.span = found.id, span
    return post


def _state(db, set_id):
    return store.load_annotation(db, set_id), store.get_set(db, set_id).version


def test_undo_of_an_entity_another_reviewer_linked_to_is_refused_with_a_message(seeded, gold):
    assert (
        gold("rita", "/items", layer="entity", label="PERSON", **gold.span("Ayatollah Ali Khamenei")).status_code == 200
    )
    entity = store.load_annotation(seeded, gold.set_id).entities[0].id
    quote = gold.span("Even the presence of one American in Iraq is too much")
    assert gold("admin", "/items", layer="quote", label="DIRECT", **quote).status_code == 200
    quote_id = store.load_annotation(seeded, gold.set_id).quotes[0].id
    assert gold("admin", f"/items/{quote_id}/link", role="speaker", target=entity).status_code == 200
    before = _state(seeded, gold.set_id)

    response = gold("rita", "/undo")  # rita's add of the entity, which admin's quote now names as speaker
    assert response.status_code == 409
    assert "cannot undo" in response.get_data(as_text=True) and quote_id in response.get_data(as_text=True)
    assert _state(seeded, gold.set_id) == before
    assert seeded.execute("PRAGMA foreign_key_check").fetchall() == []
    assert gold("rita", "/undo").status_code == 409  # asked again: the same clear answer, nothing half-done

    # once admin takes the link back, rita's undo applies cleanly
    assert gold("admin", "/undo").status_code == 200
    assert gold("rita", "/undo").status_code == 200
    after = store.load_annotation(seeded, gold.set_id)
    assert after.entities == () and after.quotes[0].links == ()
    assert seeded.execute("PRAGMA foreign_key_check").fetchall() == []


def test_undo_of_an_item_another_reviewer_changed_is_refused(seeded, gold):
    gold("rita", "/items", layer="entity", label="PERSON", **gold.span("Ayatollah Ali Khamenei"))
    entity = store.load_annotation(seeded, gold.set_id).entities[0].id
    assert gold("admin", f"/items/{entity}/label", label="ORG").status_code == 200
    before = _state(seeded, gold.set_id)
    response = gold("rita", "/undo")
    assert response.status_code == 409 and "cannot undo" in response.get_data(as_text=True)
    assert _state(seeded, gold.set_id) == before
