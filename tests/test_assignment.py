"""k annotators per article: the queue hands out open slots, never one article twice."""

import threading

from annotator import db as database
from annotator import store

from .conftest import csrf_of, login, seed_article_id, start


def _user(db, name):
    return store.get_user_by_name(db, name).id


def _add_articles(db, n):
    from annotator.model import Article

    with database.write(db):
        return [store.ensure_article(db, Article(f"a{i}", f"Article number {i}.", {}, [(0, 7)]))[0] for i in range(n)]


def test_assignment_each_article_goes_to_k_annotators(seeded):
    store.set_annotators_per_article(seeded, 2)
    article = seed_article_id(seeded)
    alice, bob, rita = (_user(seeded, n) for n in ("alice", "bob", "rita"))
    assert store.next_article(seeded, alice) == article
    assert store.next_article(seeded, bob) == article
    assert store.next_article(seeded, rita) is None  # both slots taken
    assert store.next_article(seeded, alice) == article  # alice keeps hers until she finishes
    assert store.progress(seeded, rita) == (0, 0)


def test_assignment_skip_gives_the_slot_to_someone_else_not_back(seeded):
    article = seed_article_id(seeded)
    alice, bob = _user(seeded, "alice"), _user(seeded, "bob")
    assert store.next_article(seeded, alice) == article
    assert store.next_article(seeded, bob) is None
    mine = store.open_set(seeded, article, alice)
    store.set_status(seeded, mine.id, mine.version, "skipped", alice)
    store.release(seeded, article, alice)
    assert store.next_article(seeded, alice) is None
    assert store.next_article(seeded, bob) == article


def test_assignment_no_two_annotators_get_the_last_slot(seeded_path, seeded):
    _add_articles(seeded, 0)
    users = [store.add_user(seeded, f"racer{i}", "annotator", None).id for i in range(8)]
    got = []

    def claim(user_id):
        db = database.connect(seeded_path)
        got.append(store.next_article(db, user_id))
        db.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got, key=str) == [seed_article_id(seeded)] + [None] * 7
    assert seeded.execute("SELECT assignees FROM articles").fetchone()[0] == 1


def test_assignment_queue_lists_the_users_articles_and_open_ones_never_others(client, seeded):
    ids = _add_articles(seeded, 3)
    alice = _user(seeded, "alice")
    assert store.next_article(seeded, alice) == seed_article_id(seeded)
    assert [row.article_id for row in store.queue_page(seeded, alice)] == [seed_article_id(seeded), *ids]
    assert store.progress(seeded, alice) == (0, 4)
    assert store.next_article(seeded, _user(seeded, "bob")) == ids[0]
    # bob holds ids[0] now, the only slot (k = 1): alice's queue no longer offers it
    assert [row.article_id for row in store.queue_page(seeded, alice)] == [seed_article_id(seeded), *ids[1:]]
    assert [row.article_id for row in store.queue_page(seeded, alice, after=ids[1], limit=1)] == [ids[2]]


def test_assignment_full_article_is_refused_on_the_page(client, seeded):
    store.next_article(seeded, _user(seeded, "bob"))  # bob takes the only slot (k = 1)
    login(client, "alice")
    assert start(client).endswith("/done")  # Start finds nothing left for alice
    response = client.get(f"/articles/{seed_article_id(seeded)}")
    assert response.status_code == 403 and b"not in your queue" in response.data
    assert store.find_set(seeded, seed_article_id(seeded), "annotator", _user(seeded, "alice")) is None


def test_assignment_admin_sets_k(client, seeded):
    login(client, "admin")
    token = csrf_of(client)
    assert client.post("/admin/assignment", data={"per_article": "3", "csrf_token": token}).status_code == 302
    assert store.annotators_per_article(seeded) == 3
    response = client.post("/admin/assignment", data={"per_article": "zero", "csrf_token": token})
    assert response.status_code == 422 and store.annotators_per_article(seeded) == 3


def test_assignment_open_article_count_stays_true(seeded):
    """The running count of articles needing annotators equals a full count after every kind of change."""

    def full_count():
        k = store.annotators_per_article(seeded)
        return seeded.execute("SELECT count(*) FROM articles WHERE assignees < ?", [k]).fetchone()[0]

    ids = _add_articles(seeded, 4)
    alice, bob = _user(seeded, "alice"), _user(seeded, "bob")
    assert store.open_articles(seeded) == full_count() == 5
    first = store.next_article(seeded, alice)
    store.next_article(seeded, bob)
    assert store.open_articles(seeded) == full_count() == 3
    store.set_annotators_per_article(seeded, 2)
    assert store.open_articles(seeded) == full_count() == 5
    store.assign_if_open(seeded, first, bob)
    assert store.open_articles(seeded) == full_count() == 4
    store.release(seeded, first, alice)
    assert store.open_articles(seeded) == full_count() == 5
    assert ids
