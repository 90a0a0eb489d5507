import pytest

from annotator import edits
from annotator.model import Annotation, Change, Entity, InvalidAnnotation, Quote, Span, Tokens, check

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
    with pytest.raises(InvalidAnnotation, match="no word"):
        tokens.snap(27, 29)


def test_model_move_boundary_by_token(tokens):
    span = Span(18, 24)
    assert tokens.move(span, "end", 1) == Span(18, 27)
    assert tokens.move(span, "start", -1) == Span(14, 24)
    with pytest.raises(InvalidAnnotation, match="at least one token"):
        tokens.move(span, "end", -1)
    with pytest.raises(InvalidAnnotation, match="past the text"):
        tokens.move(Span(0, 4), "start", -1)


def test_model_check_refuses_overlap_unknown_label_and_dangling_link():
    a, b = Entity("t1", 0, 4, "GPE"), Entity("t2", 2, 6, "GPE")
    with pytest.raises(InvalidAnnotation, match="overlap"):
        check(Annotation.of([a, b]), TEXT, SCHEMES)
    with pytest.raises(InvalidAnnotation, match="unknown label"):
        check(Annotation.of([Entity("t1", 0, 4, "ORG")]), TEXT, SCHEMES)
    quote = Quote("q1", "DIRECT", (Span(0, 4),), speaker="t9")
    with pytest.raises(InvalidAnnotation, match="not an entity"):
        check(Annotation.of([a, quote]), TEXT, SCHEMES)
    with pytest.raises(InvalidAnnotation, match="outside the text"):
        check(Annotation.of([Entity("t1", 30, 99, "GPE")]), TEXT, SCHEMES)


def test_model_apply_refuses_a_change_made_on_other_content():
    current = Annotation.of([Entity("t1", 0, 4, "GPE")])
    stale = Change(before=(Entity("t1", 0, 4, "PERSON"),), after=())
    with pytest.raises(InvalidAnnotation, match="changed since"):
        current.apply(stale)


def test_edits_new_entity_replaces_overlapped_and_keeps_links(tokens):
    old = Entity("t1", 18, 24, "GPE")
    quote = Quote("q1", "DIRECT", (Span(0, 13),), speaker="t1")
    annotation = Annotation.of([old, quote])
    change, new_id = edits.add_item(annotation, tokens, TEXT, "entity", 19, 22, "PERSON")
    after = annotation.apply(change)
    assert [(e.id, e.start, e.end, e.label) for e in after.entities] == [(new_id, 18, 24, "PERSON")]
    assert after.quotes[0].speaker == new_id


def test_edits_delete_unlinks_speaker():
    annotation = Annotation.of([Entity("t1", 18, 24, "PERSON"), Quote("q1", "DIRECT", (Span(0, 13),), speaker="t1")])
    after = annotation.apply(edits.delete(annotation, "t1"))
    assert after.entities == () and after.quotes[0].speaker is None


def test_edits_move_refuses_to_overlap_neighbour(tokens):
    annotation = Annotation.of([Entity("t1", 14, 17, "PERSON"), Entity("t2", 18, 24, "PERSON")])
    with pytest.raises(InvalidAnnotation, match="overlap"):
        edits.move_boundary(annotation, tokens, "t1", "end", 1)
