"""The import's quick ways give what the general ones give: items spooled as rows, entities read in
one expression, labels checked once a label, one-span items checked without counting roles."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import db as database
from annotator import importing, store
from annotator.errors import Invalid
from annotator.formats import jsonl
from annotator.model import MODEL, ORIGINS, Annotation, Article, Item, Span, as_suggestions, check
from annotator.store import ItemRows

TEXT = "Iran's Supreme Leader Ayatollah Ali Khamenei told Iraqi President Abdel Latif Rashid."
SCHEMES = {"entity": {"PERSON", "GPE"}, "quote": {"DIRECT"}, "event": {"AID"}}

spans = st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda p: Span(p[0], p[0] + p[1]))
origins = st.sampled_from(ORIGINS)
attrs = st.lists(
    st.tuples(st.sampled_from(["mode", "type"]), st.text(max_size=3)), max_size=2, unique_by=lambda a: a[0]
)


@st.composite
def annotations(draw) -> Annotation:
    """Items of every layer: entities, quotes of several content spans with cue, source and speaker,
    events with actors and attributes, in any origin."""
    entities = [
        Item.entity(f"t{n}", s.start, s.end, draw(st.sampled_from(["PERSON", "GPE"])), draw(origins))
        for n, s in enumerate(draw(st.lists(spans, max_size=4)), start=1)
    ]
    targets = st.sampled_from([None, *(e.id for e in entities)])
    quotes = [
        Item.quote(
            f"q{n}",
            "DIRECT",
            draw(st.lists(spans, min_size=1, max_size=3, unique=True)),
            draw(st.none() | spans),
            draw(st.none() | spans),
            speaker=draw(targets),
            origin=draw(origins),
        )
        for n in range(1, draw(st.integers(0, 2)) + 1)
    ]
    events = [
        Item.event(f"v{n}", "AID", draw(spans), draw(targets), draw(targets), draw(attrs), draw(origins))
        for n in range(1, draw(st.integers(0, 2)) + 1)
    ]
    return Annotation.of(entities + quotes + events)


@given(annotations())
@settings(max_examples=200, deadline=None)
def test_rows_give_back_the_items_they_were_made_of(annotation):
    assert ItemRows.of(annotation.items()).annotation() == annotation
    assert ItemRows.of(annotation.items(), origin=MODEL).annotation() == as_suggestions(annotation)


@given(annotations())
@settings(max_examples=50, deadline=None)
def test_a_set_written_from_rows_reads_back_as_written_from_items(annotation):
    db = database.connect(":memory:")
    article_id = store.insert_article(db, Article("a1", TEXT))
    from_items = store.put_set(db, article_id, "gold", None, annotation)
    from_rows = store.put_set(db, article_id, "model", None, ItemRows.of(annotation.items()))
    assert store.load_annotation(db, from_rows) == store.load_annotation(db, from_items) == annotation


def _read(obj, text=TEXT):
    """What either way of reading an entity makes of it: the item, or the message it is refused with."""
    try:
        return jsonl._entities([obj], text)[0]
    except ValueError as exc:
        return str(exc)


def _read_slowly(obj, text=TEXT):
    try:
        return jsonl._entity(obj, text)
    except ValueError as exc:
        return str(exc)


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 90),
    st.floats(allow_nan=False),
    st.sampled_from(["", "t1", "PERSON", "Iran", "human", "model", "accepted", "robot"]),
    st.lists(st.integers(0, 3), max_size=1),
)
KEYS = ["id", "start", "end", "label", "text", "origin"]
VALID = {"id": "t1", "start": 0, "end": 4, "label": "GPE", "text": "Iran", "origin": "model"}
entity_objects = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), values),  # anything
    st.builds(lambda key, value: {**VALID, key: value}, st.sampled_from(KEYS), values),  # one field wrong
    st.builds(lambda key: {k: v for k, v in VALID.items() if k != key}, st.sampled_from(KEYS)),  # one missing
    st.builds(lambda s, e: {**VALID, "start": s, "end": e, "text": None}, st.integers(-1, 90), st.integers(-1, 90)),
    values,  # not an object
)


@given(entity_objects)
@settings(max_examples=500, deadline=None)
def test_entities_read_in_one_expression_as_one_by_one(obj):
    assert _read(obj) == _read_slowly(obj)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"id": "t1", "start": 0, "end": 4, "label": "GPE", "text": "Iran"}, Item.entity("t1", 0, 4, "GPE")),
        ({"id": "t1", "start": 0, "end": 4, "label": "GPE", "origin": "human"}, Item.entity("t1", 0, 4, "GPE")),
        ({"id": "t1", "start": 0, "end": 4, "label": "GPE", "origin": "model"}, Item.entity("t1", 0, 4, "GPE", MODEL)),
        ({"id": "t1", "start": True, "end": 4, "label": "GPE"}, "start and end must be integers"),
        ({"id": "t1", "start": 0, "end": 4, "label": "GPE", "text": "Iraq"}, "does not match"),
        ({"id": "t1", "start": 0, "end": 4, "label": "GPE", "origin": "robot"}, "unknown origin"),
        ({"id": "t1", "start": 0, "end": 4, "label": ""}, '"label" must be a non-empty string'),
        ({"id": "t1", "start": 4, "end": 4, "label": "GPE"}, "not a span of the text"),
    ],
)
def test_entities_read_as_written_or_refused_with_the_reason(obj, expected):
    found = _read(obj)
    assert found == expected if isinstance(expected, Item) else expected in found


def test_one_span_items_are_checked_as_all_items_are():
    with pytest.raises(Invalid, match="has no attributes"):
        check(
            Annotation.of([Item("t1", "entity", "GPE", (("entity", Span(0, 4)),), attrs=(("a", "b"),))]), TEXT, SCHEMES
        )
    with pytest.raises(Invalid, match="outside the text"):
        check(Annotation.of([Item.entity("t1", 80, 99, "GPE")]), TEXT, SCHEMES)
    with pytest.raises(Invalid, match="needs a entity span"):
        check(Annotation.of([Item("t1", "entity", "GPE", (("trigger", Span(0, 4)),))]), TEXT, SCHEMES)
    with pytest.raises(Invalid, match="needs at least one content span"):
        check(Annotation.of([Item("q1", "quote", "DIRECT", (("cue", Span(0, 4)),))]), TEXT, SCHEMES)
    check(Annotation.of([Item.quote("q1", "DIRECT", [Span(0, 4)])]), TEXT, SCHEMES)  # cue and source may be left out


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_predictions_on_an_article_stored_before_are_suggestions_on_its_own_text(db, project, tmp_path):
    """The spooled rows are made items again where an article was stored before: its spelling, its
    tokens, and a model's items as suggestions even when the file called them added."""
    stored = TEXT.replace("Ali ", "Ali  ")  # the same article up to whitespace, stored first
    importing.import_paths(db, project, [_write(tmp_path / "a.jsonl", [{"id": "a1", "text": stored}])], progress=False)
    entity = {"id": "t1", "start": 36, "end": 44, "label": "PERSON", "origin": "added"}
    path = _write(tmp_path / "b.jsonl", [{"id": "a1", "text": TEXT, "source": "model", "entities": [entity]}])
    report = importing.import_paths(db, project, [path], progress=False)
    assert report.articles_existing == 1
    found = store.find_set(db, store.find_article(db, "a1"), "model")
    (item,) = store.load_annotation(db, found.id).entities
    assert stored[item.start : item.end] == "Khamenei" and (item.start, item.end) == (37, 45)
    assert item.origin == MODEL


def test_labels_are_mapped_and_refused_as_before(db, project, tmp_path):
    entity = {"id": "t1", "start": 0, "end": 4, "label": "WEAPON"}
    path = _write(tmp_path / "a.jsonl", [{"id": "a1", "text": TEXT, "source": "gold", "entities": [entity]}])
    with pytest.raises(importing.ImportFailed, match="'WEAPON' is not in the project's scheme"):
        importing.import_paths(db, project, [path], progress=False)
    options = importing.Options(label_map={"WEAPON": "GPE"})
    importing.import_paths(db, project, [path], progress=False, options=options)
    found = store.find_set(db, store.find_article(db, "a1"), "gold")
    assert [e.label for e in store.load_annotation(db, found.id).entities] == ["GPE"]
