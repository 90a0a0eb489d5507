"""Property-based fuzzing of the edit endpoints (Hypothesis): any input gives a clean answer or a valid state.

Never a 500, never a half-write: a refused request leaves the set exactly as it was
(items, spans, links, history, version); an accepted one moves the version by one
and records one history entry, unless it changes nothing (then it writes nothing);
after every request the set keeps every layer's rules and SQLite's foreign keys hold.
Bounded example counts keep `make test` fast.
"""

import shutil
import string
import urllib.parse

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from annotator import create_app, store
from annotator import db as database
from annotator.model import LAYERS, LINK_ROLES, SPAN_ROLES, check

from .conftest import SECRET_KEY, csrf_of, hold, login, seed_article_id

CLEAN = {200, 400, 403, 404, 409, 413, 422}
# Derandomized: the same examples on every run, so CI never fails by chance (a new finding is a new test).
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a form field may hold: numbers of every size and sign, digits from other scripts, junk.
numberish = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.integers(0, 3000).map(str),
    st.text(alphabet=string.digits + "-+ .e²³١٢٣߁໒１", max_size=12),
    st.sampled_from(["", "9" * 5000, "0x10", "1_000", "\x00", "NaN"]),
)
wordish = st.one_of(st.text(max_size=12), st.sampled_from(["", "\x00", "t1", "q1", "v1", "'; DROP TABLE items; --"]))


def _choice(valid):
    """Mostly a value the endpoint knows (so that edits get through and change the set), sometimes junk."""
    known = st.sampled_from(list(valid))
    return st.one_of(known, known, known, wordish)


# A selection: mostly a real stretch of the article (which snaps to tokens), sometimes anything at all.
real_span = st.tuples(st.integers(0, 2330), st.integers(1, 60)).map(lambda p: (str(p[0]), str(p[0] + p[1])))
selection = st.one_of(real_span, real_span, st.tuples(numberish, numberish))
version_of = st.one_of(st.none(), st.none(), st.none(), numberish)  # None: the set's current version


def _state(db, set_id):
    """Everything a request could change about the set."""
    rows = {
        table: db.execute(f"SELECT * FROM {table} WHERE set_id = ? ORDER BY 1, 2, 3", [set_id]).fetchall()
        for table in ("items", "spans", "links", "history")
    }
    return rows, store.get_set(db, set_id).version


def _valid(db, set_id, text, schemes):
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    check(store.load_annotation(db, set_id), text, schemes)  # raises Invalid if any rule is broken


@pytest.fixture
def alices_set(client, seeded):
    article = seed_article_id(seeded)
    hold(seeded, article, "alice")
    login(client, "alice")
    found = store.open_set(seeded, article, store.get_user_by_name(seeded, "alice").id)
    return found.id, store.get_article(seeded, article).text


def _post_and_check(client, db, set_id, text, schemes, path, form, version):
    before = _state(db, set_id)
    current = before[1]
    form = {**form, "version": str(current) if version is None else version}
    response = client.post(path, data=form, headers={"X-CSRF-Token": csrf_of(client), "HX-Request": "true"})
    assert response.status_code in CLEAN, (path, form, response.get_data(as_text=True)[:300])
    event(f"answered {response.status_code}")  # shown by --hypothesis-show-statistics
    after = _state(db, set_id)
    if response.status_code == 200 and "Nothing changed" in response.get_data(as_text=True):
        assert after == before, (path, form)  # an edit that changes nothing writes nothing
    elif response.status_code == 200:
        assert after[1] == current + 1 and len(after[0]["history"]) == len(before[0]["history"]) + 1
    else:
        assert after == before, (path, form, response.status_code)
    _valid(db, set_id, text, schemes)
    return response


# A layer with a label of its own (None: the layer's default, where it has one), or any mix.
kinds = st.one_of(
    st.sampled_from([("entity", "ORG"), ("entity", "PERSON"), ("quote", None), ("quote", "MIXED"), ("event", "AID")]),
    st.tuples(_choice(LAYERS), st.one_of(st.none(), _choice(["ORG", "DIRECT", "CONSULT"]))),
)


@FUZZ
@given(kind=kinds, span=selection, version=version_of)
def test_fuzz_adding_items(client, seeded, app, alices_set, kind, span, version):
    set_id, text = alices_set
    layer, label = kind
    form = {"layer": layer, "start": span[0], "end": span[1]}
    if label is not None:
        form["label"] = label
    schemes = app.config["PROJECT"].schemes
    _post_and_check(client, seeded, set_id, text, schemes, f"/sets/{set_id}/items", form, version)


@FUZZ
@given(
    item=_choice(["t1", "t2", "t5", "t9", "t20", "q1", "v1"]),
    action=_choice(["label", "confirm", "delete", "boundary", "span", "clear", "link", "undo"]),
    fields=st.fixed_dictionaries(
        {
            "label": _choice(["ORG", "PERSON", "MIXED", "CRIME"]),
            "side": _choice(["start", "end"]),
            "delta": _choice(["1", "-1"]),
            "role": _choice(["entity", "entity", *SPAN_ROLES, *LINK_ROLES]),
            "index": st.one_of(st.sampled_from(["0", "1"]), numberish),
            "target": _choice(["t1", "t3", "q1", "v1"]),
        },
        optional={"span": selection},
    ),
    version=version_of,
)
def test_fuzz_item_actions_and_undo(client, seeded, app, alices_set, item, action, fields, version):
    set_id, text = alices_set
    if "span" in fields:
        fields["start"], fields["end"] = fields.pop("span")
    # path segments as a browser would send them; empty or dot segments are the router's business, not fuzzed
    segment = urllib.parse.quote(item, safe="") if item.strip("./") else "t1"
    verb = urllib.parse.quote(action, safe="") if action.strip("./") else "confirm"
    path = f"/sets/{set_id}/undo" if action == "undo" else f"/sets/{set_id}/items/{segment}/{verb}"
    schemes = app.config["PROJECT"].schemes
    _post_and_check(client, seeded, set_id, text, schemes, path, fields, version)


@FUZZ
@given(
    action=st.sampled_from(["accept", "take", "merge"]),
    chosen=st.one_of(st.just("ALICE"), st.just("ALICE"), numberish),
    item=st.one_of(st.sampled_from(["t1", "q1", "v1"]), wordish),
)
def test_fuzz_adjudication_into_gold(app, seeded, action, chosen, item):
    article = seed_article_id(seeded)
    alice = store.get_user_by_name(seeded, "alice").id
    hold(seeded, article, "alice")
    mine = store.open_set(seeded, article, alice)
    if mine.status == "draft":
        store.set_status(seeded, mine.id, mine.version, "submitted", alice)
    gold = store.open_gold(seeded, article, store.get_user_by_name(seeded, "rita").id)
    client = app.test_client()
    login(client, "rita")
    form = {"set": str(mine.id) if chosen == "ALICE" else chosen, "item": item}
    text = store.get_article(seeded, article).text
    schemes = app.config["PROJECT"].schemes
    _post_and_check(client, seeded, gold.id, text, schemes, f"/review/{article}/{action}", form, None)


@pytest.mark.parametrize("steps", [15])
def test_fuzz_two_reviewers_editing_gold_keep_it_valid(seeded_template, tmp_path, steps):
    """Two reviewers add, link, relabel, delete and undo in one gold set, interleaved any way."""

    class TwoReviewers(RuleBasedStateMachine):
        @initialize()
        def open(self):
            path = tmp_path / f"gold-{id(self)}.db"
            shutil.copy(seeded_template, path)
            self.app = create_app({"DATABASE": path, "SECRET_KEY": SECRET_KEY, "TESTING": True})
            self.db = database.connect(path)
            article = seed_article_id(self.db)
            self.text = store.get_article(self.db, article).text
            self.gold = store.open_gold(self.db, article, store.get_user_by_name(self.db, "rita").id).id
            self.schemes = self.app.config["PROJECT"].schemes
            self.clients = {}
            for name in ("rita", "admin"):
                self.clients[name] = self.app.test_client()
                login(self.clients[name], name)
            # admin starts gold with a quote and an event, whose links the rules then point at entities
            quote = self.text.index("Even the presence of one American in Iraq is too much")
            self._post("admin", "/items", layer="quote", label="DIRECT", start=quote, end=quote + 53)
            trigger = self.text.index("infiltration")
            self._post("admin", "/items", layer="event", label="CRIME", start=trigger, end=trigger + 12)

        def teardown(self):
            if hasattr(self, "db"):
                self.db.close()

        def _post(self, who, path, **form):
            return _post_and_check(
                self.clients[who], self.db, self.gold, self.text, self.schemes, f"/sets/{self.gold}{path}", form, None
            )

        def _items(self, *layers):
            annotation = store.load_annotation(self.db, self.gold)
            return [item for layer in layers for item in annotation.layer(layer)]

        @rule(who=st.sampled_from(["rita", "admin"]), at=st.integers(0, 2300), width=st.integers(1, 40))
        def add_entity(self, who, at, width):
            self._post(who, "/items", layer="entity", label="PERSON", start=at, end=min(at + width, len(self.text)))

        @rule(
            who=st.sampled_from(["rita", "admin"]),
            layer=st.sampled_from(["quote", "event"]),
            at=st.integers(0, 2300),
            width=st.integers(1, 80),
        )
        def add_other(self, who, layer, at, width):
            label = {"quote": "DIRECT", "event": "CONSULT"}[layer]
            self._post(who, "/items", layer=layer, label=label, start=at, end=min(at + width, len(self.text)))

        @rule(who=st.sampled_from(["rita", "admin"]), pick=st.integers(0, 50), aim=st.integers(0, 50))
        def link(self, who, pick, aim):
            linking, entities = self._items("quote", "event"), self._items("entity")
            if linking and entities:
                item = linking[pick % len(linking)]
                role = item.kind.links[aim % len(item.kind.links)]
                newest = max(entities, key=lambda e: int(e.id[1:]) if e.id[1:].isdigit() else 0)
                target = newest if aim % 2 else entities[aim % len(entities)]  # often what was just added
                self._post(who, f"/items/{item.id}/link", role=role, target=target.id)

        @rule(who=st.sampled_from(["rita", "admin"]), at=st.integers(0, 2300), pick=st.integers(0, 50))
        def build_on_each_other(self, who, at, pick):
            """One reviewer marks an entity, the other points a quote's speaker or an event's actor at it."""
            other = "admin" if who == "rita" else "rita"
            linking = self._items("quote", "event")
            added = self._post(who, "/items", layer="entity", label="PERSON", start=at, end=at + 1)
            if linking and added.status_code == 200:
                newest = max(self._items("entity"), key=lambda e: int(e.id[1:]) if e.id[1:].isdigit() else 0)
                item = linking[pick % len(linking)]
                role = item.kind.links[pick % len(item.kind.links)]
                self._post(other, f"/items/{item.id}/link", role=role, target=newest.id)

        @rule(
            who=st.sampled_from(["rita", "admin"]),
            pick=st.integers(0, 50),
            action=st.sampled_from(["delete", "delete", "confirm"]),
        )
        def change(self, who, pick, action):
            items = self._items("entity", "quote", "event")
            if items:
                self._post(who, f"/items/{items[pick % len(items)].id}/{action}")

        @rule()
        def rita_undoes(self):
            self._post("rita", "/undo")

        @rule()
        def admin_undoes(self):
            self._post("admin", "/undo")

        @invariant()
        def valid(self):
            if hasattr(self, "db"):
                _valid(self.db, self.gold, self.text, self.schemes)

    run_state_machine_as_test(
        TwoReviewers,
        settings=settings(
            max_examples=20,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            derandomize=True,
            # every example copies a database: shrinking a failure would take minutes; the steps are printed
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
