"""Article tokens are stored compactly and come back exactly as they went in."""

import numpy as np
import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from annotator import store
from annotator.model import Article, Tokens
from annotator.model.text import on_words
from annotator.store.articles import decode_tokens, encode_tokens


@st.composite
def texts_with_tokens(draw):
    """A text and tokens of it as a tokenizer makes them: in order, not overlapping, gaps allowed,
    some long (a run of spaces or a URL) and the text's length anywhere up to a large article."""
    pieces = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 300)), max_size=200))
    start_at = draw(st.sampled_from([0, 70_000, 5_000_000]))  # widths 1, 2 and 4 bytes
    offsets, at = [], start_at
    for gap, length in pieces:
        offsets.append([at + gap, at + gap + length])
        at += gap + length
    return offsets


@given(texts_with_tokens())
def test_tokens_encode_and_decode_equal(offsets):
    assert decode_tokens(encode_tokens(offsets)).tolist() == offsets


@given(st.lists(st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1)).map(list), max_size=50))
def test_any_pairs_decode_equal_even_out_of_order(offsets):
    assert decode_tokens(encode_tokens(offsets)).tolist() == offsets


def test_prose_tokens_take_two_bytes_each(db):
    text = "Rashid visited Tehran on Monday.\n\nHe left."
    tokens = [[0, 6], [7, 14], [15, 21], [22, 24], [25, 31], [31, 32], [32, 34], [34, 36], [37, 41], [41, 42]]
    article_id, _ = store.ensure_article(db, Article("a1", text, {}, tokens))
    stored = db.execute("SELECT tokens FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    assert len(stored) == 1 + 2 * len(tokens)
    assert store.get_article(db, article_id).tokens == tokens


_BLANK = spacy.blank("en").tokenizer


@given(st.text(alphabet=st.sampled_from(list("ab.,'\" \n\t\u00a0\u2003\u3000é\U0001f600")), max_size=60))
def test_snapping_sees_the_words_a_person_sees(text):
    """Tokens (numpy over the text) finds the same words and line breaks as a token-by-token reading."""
    offsets = [[t.idx, t.idx + len(t.text)] for t in _BLANK(text)]
    found = Tokens(np.array(offsets, dtype=np.int64).reshape(-1, 2), text)
    words = [(s, e) for s, e in offsets if not text[s:e].isspace()]
    assert list(zip(found.starts, found.ends)) == words
    assert found.breaks == [i for i, ch in enumerate(text) if ch == "\n"]


@given(
    st.text(alphabet=st.sampled_from(list("ab. \n\t\u00a0\u3000\U0001f600")), max_size=30),
    st.lists(st.tuples(st.integers(-2, 34), st.integers(-2, 34)), max_size=12),
)
def test_any_tokens_are_words_when_a_character_of_them_is_no_whitespace(text, pairs):
    """A file's own tokens may begin with whitespace, be empty or reach past the text: a token is a
    word exactly when one of its characters (within the text) is no whitespace, or it is empty."""
    found = Tokens(np.array(pairs, dtype=np.int64).reshape(-1, 2), text)
    clipped = [(min(max(s, 0), len(text)), min(max(e, 0), len(text))) for s, e in pairs]
    words = [(s, e) for s, e in clipped if e <= s or not text[s:e].isspace()]
    assert list(zip(found.starts, found.ends)) == words


@given(st.text(alphabet=st.sampled_from(list("ab.,' \n\u00a0")), max_size=40), st.data())
def test_snapping_all_at_once_agrees_with_snapping_each(text, data):
    """Tokens.keeps (the import's one pass over a record's spans) says yes exactly when snap() keeps
    every range as it is, and no when snap() moves or refuses one."""
    from annotator.errors import Invalid
    from annotator.model import Span

    offsets = [[t.idx, t.idx + len(t.text)] for t in _BLANK(text)]
    found = Tokens(np.array(offsets, dtype=np.int64).reshape(-1, 2), text)
    # ends of ranges mostly on token boundaries (where snapping keeps them), some anywhere
    edge = st.one_of(st.sampled_from(sorted({b for pair in offsets for b in pair} or {0})), st.integers(-2, 42))
    ranges = data.draw(st.lists(st.tuples(edge, edge), max_size=6))
    kept = True
    for start, end in ranges:
        try:
            kept = kept and found.snap(start, end) == Span(start, end)
        except Invalid:
            kept = False
    starts, ends = (np.array([r[i] for r in ranges], dtype=np.int64) for i in (0, 1))
    assert found.keeps(starts, ends) == kept
    assert on_words(np.array(offsets, dtype=np.int64).reshape(-1, 2), text, starts, ends) == kept


@pytest.mark.parametrize(
    "ranges, kept",
    [
        ([(2, 3)], True),  # the comma, right after "ab": a token that starts where another ends
        ([(0, 3), (4, 6)], True),
        ([(0, 2)], True),  # "ab", ending where the comma starts
        ([(1, 3)], False),  # moves to 0
        ([(2, 4)], False),  # the space after the comma: moves back to 3
        ([(2, 2)], False),  # empty
        ([(3, 4)], False),  # only a space
        ([(4, 7)], False),  # past the text
        ([(0, 2), (1, 3)], False),  # one of several moves
    ],
)
def test_snapping_all_at_once_on_adjacent_tokens(ranges, kept):
    text = "ab, ab"
    found = Tokens(np.array([[0, 2], [2, 3], [4, 6]], dtype=np.int64), text)
    starts, ends = (np.array([r[i] for r in ranges], dtype=np.int64) for i in (0, 1))
    assert found.keeps(starts, ends) is kept
    assert on_words(np.array([[0, 2], [2, 3], [4, 6]], dtype=np.int64), text, starts, ends) is kept
