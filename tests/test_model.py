from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import edits
from annotator.errors import Invalid
from annotator.model import Annotation, Change, Item, Span, Tokens, check

TEXT = "Iran's leader met Rashid in  Tehran."
# spaCy-like tokens, with the double space's extra whitespace token
OFFSETS = [(0, 4), (4, 6), (7, 13), (14, 17), (18, 24), (25, 27), (28, 29), (29, 35), (35, 36)]
SCHEMES = {"entity": {"PERSON", "GPE"}, "quote": {"DIRECT"}, "event": set()}


@pytest.fixture
def tokens():
    return Tokens(OFFSETS, TEXT)


def test_model_snap_expands_to_whole_tokens(tokens):
    assert tokens.snap(1, 3) == Span(0, 4)
    assert tokens.snap(19, 30) == Span(18, 35)


def test_model_snap_refuses_whitespace_only(tokens):
    with pytest.raises(Invalid, match="no word"):
        tokens.snap(27, 29)


def test_model_move_boundary_by_token(tokens):
    span = Span(18, 24)
    assert tokens.move(span, "end", 1) == Span(18, 27)
    assert tokens.move(span, "start", -1) == Span(14, 24)
    with pytest.raises(Invalid, match="at least one token"):
        tokens.move(span, "end", -1)
    with pytest.raises(Invalid, match="past the text"):
        tokens.move(Span(0, 4), "start", -1)


def test_model_check_refuses_overlap_unknown_label_and_dangling_link():
    a, b = Item.entity("t1", 0, 4, "GPE"), Item.entity("t2", 2, 6, "GPE")
    with pytest.raises(Invalid, match="overlap"):
        check(Annotation.of([a, b]), TEXT, SCHEMES)
    with pytest.raises(Invalid, match="unknown label"):
        check(Annotation.of([Item.entity("t1", 0, 4, "ORG")]), TEXT, SCHEMES)
    quote = Item.quote("q1", "DIRECT", (Span(0, 4),), speaker="t9")
    with pytest.raises(Invalid, match="not an entity"):
        check(Annotation.of([a, quote]), TEXT, SCHEMES)
    with pytest.raises(Invalid, match="outside the text"):
        check(Annotation.of([Item.entity("t1", 30, 99, "GPE")]), TEXT, SCHEMES)


def test_model_apply_refuses_a_change_made_on_other_content():
    current = Annotation.of([Item.entity("t1", 0, 4, "GPE")])
    stale = Change(before=(Item.entity("t1", 0, 4, "PERSON"),), after=())
    with pytest.raises(Invalid, match="changed since"):
        current.apply(stale)


def _items_at(draw_positions):
    """Items of all three layers at the given (start, end) positions, several sharing a place."""
    items = []
    for n, (start, end, layer) in enumerate(draw_positions, start=1):
        if layer == "entity":
            items.append(Item.entity(f"t{n}", start, end, "GPE"))
        elif layer == "quote":
            items.append(Item.quote(f"q{n}", "DIRECT", (Span(start, end),)))
        else:
            items.append(Item.event(f"v{n}", "AID", Span(start, end)))
    return items


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(6, 8), st.sampled_from(["entity", "quote", "event"])), max_size=12
    ),
    st.data(),
)
def test_model_apply_is_the_annotation_of_what_is_left_and_added(positions, data):
    """apply edits the touched layers by bisection: the result must be Annotation.of over the items
    left (in their order) and the items added (after them), ties in place included."""
    items = _items_at(positions)
    annotation = Annotation.of(items)
    removed = data.draw(st.lists(st.sampled_from(items), unique_by=lambda i: i.id) if items else st.just([]))
    replaced = [Item.entity(i.id, i.start, i.end, "PERSON") if i.layer == "entity" else i for i in removed]
    added = replaced + _items_at(
        [
            (s, e, layer)
            for s, e, layer in data.draw(
                st.lists(
                    st.tuples(st.integers(0, 5), st.integers(6, 8), st.sampled_from(["entity", "quote", "event"])),
                    max_size=4,
                )
            )
        ]
    )
    added = [replace(item, id=f"new{n}") if n >= len(replaced) else item for n, item in enumerate(added)]
    change = Change(before=tuple(removed), after=tuple(added))
    left = [item for item in annotation.items() if item not in removed]
    applied = annotation.apply(change)
    assert applied == Annotation.of([*left, *added])
    assert applied.item_ids == {item.id for item in applied.items()}  # the ids it carries for the next save
    if removed:
        with pytest.raises(Invalid, match="changed since"):
            annotation.apply(Change(before=(replace(removed[0], label="ORG"),), after=()))
    if left:
        with pytest.raises(Invalid, match="exists already"):
            annotation.apply(Change(before=(), after=(left[0],)))


def test_edits_new_entity_replaces_overlapped_and_keeps_links(tokens):
    old = Item.entity("t1", 18, 24, "GPE")
    quote = Item.quote("q1", "DIRECT", (Span(0, 13),), speaker="t1")
    annotation = Annotation.of([old, quote])
    change, new_id = edits.add_item(annotation, tokens, TEXT, "entity", 19, 22, "PERSON")
    after = annotation.apply(change)
    assert [(e.id, e.start, e.end, e.label) for e in after.entities] == [(new_id, 18, 24, "PERSON")]
    assert after.quotes[0].link("speaker") == new_id


def test_edits_delete_unlinks_speaker():
    annotation = Annotation.of(
        [Item.entity("t1", 18, 24, "PERSON"), Item.quote("q1", "DIRECT", (Span(0, 13),), speaker="t1")]
    )
    after = annotation.apply(edits.delete(annotation, "t1"))
    assert after.entities == () and after.quotes[0].link("speaker") is None


def test_edits_move_refuses_to_overlap_neighbour(tokens):
    annotation = Annotation.of([Item.entity("t1", 14, 17, "PERSON"), Item.entity("t2", 18, 24, "PERSON")])
    with pytest.raises(Invalid, match="overlap"):
        edits.move_boundary(annotation, tokens, "t1", "end", 1)


def test_model_check_change_agrees_with_the_full_check():
    """On random valid annotations and random changes, the incremental check refuses exactly what the full one does."""
    import random

    from annotator.model import check_change

    text = "x" * 200
    schemes = {"entity": {"PERSON", "GPE"}, "quote": {"DIRECT"}, "event": {"CONSULT"}}
    rng = random.Random(3)

    def entity(i):
        start = rng.randrange(0, 190)
        return Item.entity(f"t{i}", start, start + rng.randrange(1, 10), rng.choice(["PERSON", "GPE", "ORG"]))

    tried = refused = 0
    for _ in range(400):
        entities, pos = [], 0
        for i in range(rng.randrange(0, 8)):
            start = pos + rng.randrange(0, 15)
            if start + 3 > 200:
                break
            entities.append(Item.entity(f"t{i}", start, start + rng.randrange(1, 4), "PERSON"))
            pos = entities[-1].end
        ids = [e.id for e in entities]
        links = [
            Item.quote("q1", "DIRECT", (Span(0, 5),), speaker=rng.choice(ids + [None])),
            Item.event("v1", "CONSULT", Span(5, 9), target_actor=rng.choice(ids + [None])),
        ]
        base = Annotation.of(entities + links)
        check(base, text, schemes)
        before = tuple(rng.sample(entities, rng.randrange(0, len(entities) + 1)))
        after = tuple(entity(100 + i) for i in range(rng.randrange(0, 3)))
        if rng.random() < 0.3:
            after += (Item.quote("q1", "DIRECT", (Span(0, 5),), speaker=rng.choice(ids + ["t99", None])),)
            before += (links[0],)
        change = Change(before=before, after=after)
        try:
            check(base.apply(change), text, schemes)
            full = None
        except Invalid as exc:
            full = exc
        try:
            check_change(base, change, text, schemes)
            fast = None
        except Invalid as exc:
            fast = exc
        assert (full is None) == (fast is None), (change, full, fast)
        tried += 1
        refused += full is not None
    assert tried == 400 and 50 < refused < 350  # both outcomes well exercised


def test_items_made_in_one_step_are_the_dataclasses_they_claim_to_be():
    """Item's own __init__ and Item.entity set the fields in one step: the item still compares, hashes,
    pickles, copies with replace() and refuses changes as the frozen dataclass does."""
    import dataclasses
    import pickle

    made = Item.entity("t1", 3, 7, "PERSON", "model")
    built = Item("t1", "entity", "PERSON", (("entity", Span(3, 7)),), origin="model")
    assert made == built and hash(made) == hash(built) and pickle.loads(pickle.dumps(made)) == made
    assert dataclasses.asdict(made)["spans"] == (("entity", {"start": 3, "end": 7}),)
    assert Item("t2", "entity", "ORG", ()).origin == "added" and Item("t2", "entity", "ORG", ()).links == ()
    relabelled = dataclasses.replace(made, label="ORG")
    assert (relabelled.label, relabelled.spans, relabelled.origin) == ("ORG", made.spans, "model")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.label = "ORG"  # type: ignore[misc]
