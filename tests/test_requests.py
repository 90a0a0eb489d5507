"""Malformed numbers and offsets outside the text: a 4xx with a message, never a 500, and nothing changed."""

import pytest

from annotator import store

from .conftest import csrf_of, hold, login, seed_article_id

HUGE = "9" * 5000
ID20 = "9" * 20


@pytest.fixture
def world(seeded):
    article = seed_article_id(seeded)
    hold(seeded, article, "alice")
    mine = store.open_set(seeded, article, store.get_user_by_name(seeded, "alice").id)
    store.open_gold(seeded, article, store.get_user_by_name(seeded, "rita").id)
    entity = store.load_annotation(seeded, mine.id).entities[0].id
    return {"A": article, "S": mine.id, "T": entity, "text": store.get_article(seeded, article).text}


def _tables(db):
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ("items", "spans", "history")}


EDITS = [
    # (path, form, status, message)
    ("/items", {"start": "²", "end": "4"}, 422, "start offset is missing or not a number"),
    ("/items", {"start": "0", "end": HUGE}, 422, "end offset is missing or not a number"),
    ("/items", {"start": "-5", "end": "4"}, 422, "before the start of the text"),
    ("/items", {"start": "0", "end": "100000"}, 422, "outside the text"),
    ("/items", {"start": "99999", "end": "100000"}, 422, "outside the text"),
    ("/items", {"start": "0", "end": "4", "version": "100000000000000000000"}, 400, "which version"),
    ("/items", {"start": "0", "end": "4", "version": "-1"}, 400, "which version"),
    ("/items", {"start": "0", "end": "4", "version": "１"}, 400, "which version"),
    ("/items/{T}/span", {"role": "entity", "start": "0", "end": "100000"}, 422, "outside the text"),
    ("/items/{T}/boundary", {"side": "end", "delta": "²"}, 422, "delta must be one of"),
    ("/items/{T}/clear", {"role": "entity", "index": HUGE}, 422, "index must be a whole number"),
]


@pytest.mark.parametrize("path, form, status, message", EDITS, ids=[f"{p} {f}"[:60] for p, f, _, _ in EDITS])
def test_requests_malformed_edits_are_refused_and_change_nothing(client, seeded, world, path, form, status, message):
    login(client, "alice")
    before = _tables(seeded)
    data = {"version": store.get_set(seeded, world["S"]).version, "layer": "entity", "label": "ORG", **form}
    response = client.post(
        f"/sets/{world['S']}" + path.format(**world),
        data=data,
        headers={"X-CSRF-Token": csrf_of(client), "HX-Request": "true"},
    )
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert _tables(seeded) == before


@pytest.mark.parametrize(
    "who, path, status",
    [
        ("alice", f"/sets/{ID20}.json", 404),
        ("alice", f"/articles/{ID20}", 404),
        ("alice", f"/raw/{ID20}", 404),
        ("rita", f"/review/{ID20}", 404),
        ("alice", "/articles/0", 404),
        ("alice", "/articles/²", 404),
        ("alice", f"/queue?after={ID20}", 400),
        ("alice", "/queue?after=²", 400),
        ("alice", "/queue?after=-1", 400),
        ("alice", f"/next?after={HUGE}", 400),
    ],
)
def test_requests_malformed_ids_in_paths_and_queries(client, world, who, path, status):
    login(client, who)
    response = client.get(path)
    assert response.status_code == status and b"Something went wrong" not in response.data


@pytest.mark.parametrize(
    "who, path, form, status",
    [
        ("alice", f"/sets/{ID20}/items", {"start": "0", "end": "4"}, 404),
        ("alice", f"/next?after={ID20}", {}, 400),
        ("admin", "/admin/assignment", {"per_article": "²"}, 422),
        ("admin", "/admin/assignment", {"per_article": HUGE}, 422),
        ("rita", "/review/{A}/accept", {"set": "²"}, 422),
        ("rita", "/review/{A}/take", {"set": ID20, "item": "t1"}, 422),
        ("rita", f"/review/{ID20}/merge", {}, 404),
    ],
)
def test_requests_malformed_numbers_in_other_forms(client, seeded, world, who, path, form, status):
    login(client, who)
    before = _tables(seeded), store.annotators_per_article(seeded)
    response = client.post(
        path.format(**world),
        data={"version": "1", **form},
        headers={"X-CSRF-Token": csrf_of(client), "HX-Request": "true"},
    )
    assert response.status_code == status
    assert (_tables(seeded), store.annotators_per_article(seeded)) == before
