"""Articles are claimed only by a POST from the queue, in queue order; a URL opens only what the user holds."""

import re

import pytest

from annotator import store
from annotator.model import Article

from .conftest import csrf_of, login, seed_article_id


def _add_articles(db, n):
    ids = []
    with db.conn:
        for i in range(n):
            ids.append(store.ensure_article(db, Article(f"extra-{i}", f"Article number {i}.", {}, [(0, 7)]))[0])
    return ids


def _claims(db, name):
    user = store.get_user_by_name(db, name).id
    return [r[0] for r in db.execute("SELECT article_id FROM assignments WHERE user_id = ? ORDER BY 1", [user])]


def test_claims_opening_articles_by_url_claims_nothing(client, seeded):
    ids = _add_articles(seeded, 6)
    login(client, "alice")
    for article in [seed_article_id(seeded), *ids]:
        response = client.get(f"/articles/{article}")
        assert response.status_code == 403 and "press Start" in response.get_data(as_text=True)
        assert client.get(f"/raw/{article}").status_code == 403
    assert _claims(seeded, "alice") == []
    assert seeded.execute("SELECT count(*) FROM annotation_sets WHERE kind = 'annotator'").fetchone()[0] == 0
    assert client.get("/articles/999999").status_code == 404


def test_claims_get_next_goes_to_a_held_article_but_claims_none(client, seeded):
    login(client, "alice")
    response = client.get("/next")
    assert response.status_code == 302 and response.headers["Location"].endswith("/queue")
    assert _claims(seeded, "alice") == []


def test_claims_start_button_posts_and_claims_in_queue_order(client, seeded):
    ids = _add_articles(seeded, 2)
    login(client, "alice")
    queue = client.get("/queue").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/next"[^>]*>\s*<input type="hidden" name="csrf_token"', queue)
    assert form and "Start annotating" in queue
    response = client.post("/next", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 303 and response.headers["Location"] == f"/articles/{seed_article_id(seeded)}"
    assert _claims(seeded, "alice") == [seed_article_id(seeded)]
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get(f"/raw/{seed_article_id(seeded)}").status_code == 200
    # pressing it again goes back to the unfinished one instead of taking another
    assert (
        client.post("/next", data={"csrf_token": csrf_of(client)})
        .headers["Location"]
        .endswith(f"/articles/{seed_article_id(seeded)}")
    )
    assert client.get("/next").headers["Location"].endswith(f"/articles/{seed_article_id(seeded)}")
    assert _claims(seeded, "alice") == [seed_article_id(seeded)]
    assert ids


def test_claims_post_without_csrf_claims_nothing(client, seeded):
    login(client, "alice")
    assert client.post("/next").status_code == 400
    assert _claims(seeded, "alice") == []


def test_claims_submit_moves_on_to_the_next_article_in_order(client, seeded):
    ids = _add_articles(seeded, 2)
    login(client, "alice")
    first = client.post("/next", data={"csrf_token": csrf_of(client)}).headers["Location"]
    html = client.get(first).get_data(as_text=True)
    set_id = int(re.search(r'data-base="/sets/(\d+)"', html).group(1))
    version = int(re.search(r'data-version="(\d+)"', html).group(1))
    untouched = sum(1 for item in store.load_annotation(seeded, set_id).items() if item.origin == "model")
    response = client.post(
        f"/sets/{set_id}/submit",
        data={"version": version, "accept_untouched": str(untouched)},  # as the page's "submit anyway"
        headers={"X-CSRF-Token": csrf_of(client), "HX-Request": "true"},
    )
    assert response.status_code == 200 and response.headers["HX-Redirect"] == f"/articles/{ids[0]}"
    assert _claims(seeded, "alice") == [seed_article_id(seeded), ids[0]]


@pytest.mark.parametrize("name, status", [("alice", 403), ("bob", 200), ("rita", 200), ("admin", 200)])
def test_claims_raw_text_follows_the_article_rule(client, seeded, name, status):
    article = seed_article_id(seeded)
    store.assign_if_open(seeded, article, store.get_user_by_name(seeded, "bob").id)
    login(client, name)
    response = client.get(f"/raw/{article}")
    assert response.status_code == status
    if status == 200:
        assert response.get_data(as_text=True) == store.get_article(seeded, article).text
