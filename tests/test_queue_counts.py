"""The queue's counts that every page shows are kept by triggers; they must always equal a full count."""

import random

from annotator import db as database
from annotator import store
from annotator.model import Annotation, Article, Item, Span

from .conftest import login


def _snapshot(db):
    return sorted(tuple(r) for r in db.execute("SELECT user_id, done, unfinished, open_held FROM queue_counts"))


def _recounted(db):
    with database.write(db):
        store.recount_queue_counts(db)
    return _snapshot(db)


def _articles(db, n):
    with database.write(db):
        return [store.ensure_article(db, Article(f"c{i}", f"Story {i} here.", {}, [(0, 5)]))[0] for i in range(n)]


def _step(db, rng, users, articles):
    """One thing people do: take the next article, open it, submit, skip and give back, reopen,
    import a finished set, or an admin changing k."""
    user, article = rng.choice(users), rng.choice(articles)
    what = rng.choice(["next", "next", "open", "submit", "skip", "reopen", "import", "k"])
    if what == "next":
        store.next_article(db, user)
    elif what == "open" and store.holds(db, article, user):
        store.open_set(db, article, user)
    elif what in ("submit", "skip", "reopen"):
        found = store.find_set(db, article, "annotator", user)
        if found is None:
            return
        status = {"submit": "submitted", "skip": "skipped", "reopen": "draft"}[what]
        store.set_status(db, found.id, found.version, status, user)
        if what == "skip":
            store.release(db, article, user)
    elif what == "import":
        annotation = Annotation.of([Item("t1", "entity", "PERSON", (("entity", Span(0, 5)),))])
        with database.write(db):
            store.put_set(db, article, "annotator", user, annotation, status=rng.choice(["draft", "submitted"]))
    elif what == "k":
        store.set_annotators_per_article(db, rng.choice([1, 2, 3]))


def test_queue_counts_kept_by_triggers_equal_a_full_count_after_anything_people_do(seeded):
    rng = random.Random(15)
    users = [store.get_user_by_name(seeded, n).id for n in ("alice", "bob", "rita")]
    users.append(store.add_user(seeded, "newcomer", "annotator", None).id)  # a user added later has a row too
    articles = _articles(seeded, 6)
    store.set_annotators_per_article(seeded, 2)
    for n in range(400):
        _step(seeded, rng, users, articles)
        kept = _snapshot(seeded)
        assert kept == _recounted(seeded), f"step {n}"
    done = seeded.execute("SELECT sum(done), sum(unfinished) FROM queue_counts").fetchone()
    assert done[0] > 0 and done[1] > 0  # the walk reached both finished and unfinished articles


def test_queue_page_shows_the_count_and_the_articles_still_open_to_the_user(client, seeded):
    """What the person sees: "done of total" and the open articles, after others took some."""
    store.set_annotators_per_article(seeded, 1)
    _articles(seeded, 3)
    bob = store.get_user_by_name(seeded, "bob").id
    taken = store.next_article(seeded, bob)
    login(client, "alice")
    page = client.get("/queue").get_data(as_text=True)
    # the seed article and three more, less the one bob holds: alice has 3 still to do
    assert "0 of 3" in page
    assert f"/articles/{taken}" not in page
