"""Articles, what import and export move, and the tokens spans snap to."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import Invalid
from .annotation import Annotation
from .items import Span

# Token offsets: (start, end) pairs, or an (n, 2) array of them as the import and the store make them.
Offsets = Sequence[Sequence[int]] | np.ndarray

# The kinds of annotation set, and the states of an annotator's set.
SET_KINDS = ("model", "annotator", "gold")
STATUSES = ("draft", "submitted", "skipped")
TRAINING_SOURCES = ("gold", "submitted")  # the sets a model version may learn from


@dataclass
class Article:
    """An article's text, metadata and the tokens of the project's tokenizer."""

    ext_id: str
    text: str
    meta: dict = field(default_factory=dict)
    tokens: list[tuple[int, int]] = field(default_factory=list)
    id: int | None = None

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.ext_id)


@dataclass
class Record:
    """What import and export move: an article, and optionally one annotation set of it."""

    ext_id: str
    text: str
    meta: dict = field(default_factory=dict)
    source: str | None = None  # model | annotator | gold; None for a plain article
    annotator: str | None = None
    status: str | None = None
    annotation: Annotation | None = None
    # On import, a file's own tokens (CoNLL's), kept as the article's when they rebuild its text.
    tokens: list[tuple[int, int]] | None = None
    # On export, for formats that need them, the article's stored tokens as an (n, 2) array (made
    # pairs of Python ints, 30 % of the spaCy export went to that); formats.base.tokens_of reads either.
    stored_tokens: np.ndarray | None = None
    # Where each item came from (item id -> FILE:LINE), for readers that know (brat): errors name it.
    lines: dict[str, str] = field(default_factory=dict)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph; a paragraph ends after its newline."""
    bounds, start = [], 0
    while True:
        cut = text.find("\n", start)
        if cut < 0:
            bounds.append((start, len(text)))
            return bounds
        bounds.append((start, cut + 1))
        start = cut + 1
        if start == len(text):
            return bounds


# Whether each code point up to U+3000 is one str.isspace() calls whitespace (none lies above), a
# table looked up in one step per text (np.isin against the list took a pass per whitespace character).
# The last entry (U+3001, no space) stands for every code point above.
_IS_SPACE = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)


class Tokens:
    """Word-token boundaries of one text, for snapping spans to whole tokens."""

    def __init__(self, offsets: Offsets, text: str):
        # Made for every article imported and opened: numpy over the text's code points, not a
        # Python step per token or character. A token all of whitespace is no word.
        pairs = np.clip(np.asarray(offsets, dtype=np.int64).reshape(-1, 2), 0, len(text))
        starts, ends = pairs[:, 0], pairs[:, 1]
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        # A token is a word when its first character is no whitespace (looked up for every token at
        # once); one that begins with whitespace (spaCy's whitespace tokens) is looked at whole.
        is_word = ends <= starts
        filled = np.flatnonzero(~is_word)
        is_word[filled] = ~_IS_SPACE[np.minimum(points[starts[filled]], len(_IS_SPACE) - 1)]
        for at in np.flatnonzero(~is_word).tolist():
            is_word[at] = not text[starts[at] : ends[at]].isspace()
        self.length = len(text)
        self._starts, self._ends = starts[is_word], ends[is_word]
        self._text = text  # the article's own string: kept, not copied

    # As lists only when asked: bisect on them is what a person's edit wants, and an import, which
    # asks keeps() of a whole file's spans at once, never makes them.
    @functools.cached_property
    def starts(self) -> list[int]:
        return self._starts.tolist()

    @functools.cached_property
    def ends(self) -> list[int]:
        return self._ends.tolist()

    @functools.cached_property
    def breaks(self) -> list[int]:
        found, at = [], self._text.find("\n")
        while at >= 0:
            found.append(at)
            at = self._text.find("\n", at + 1)
        return found

    def within_paragraph(self, span: Span) -> Span:
        """The span, if no paragraph break falls inside it: what a person marks stays in one paragraph."""
        at = bisect.bisect_left(self.breaks, span.start)
        if at < len(self.breaks) and self.breaks[at] < span.end:
            raise Invalid(
                "a span stays within one paragraph: select text inside it (a quote that goes on in the "
                "next paragraph takes another content span with u)"
            )
        return span

    def selection(self, start: int, end: int) -> Span:
        """A person's selection snapped to whole tokens, refused when it crosses a paragraph break."""
        return self.within_paragraph(self.snap(start, end))

    def snap(self, start: int, end: int) -> Span:
        """The smallest run of whole tokens covering every word the range touches; refuses a range outside the text."""
        if not 0 <= start <= end <= self.length:
            # never clamped: an end past the text would otherwise stretch a span over the whole article
            raise Invalid(f"the span {start}-{end} is outside the text (0-{self.length})")
        if start >= end:
            raise Invalid("the selection is empty")
        first = bisect.bisect_right(self.ends, start)  # first token ending after start
        last = bisect.bisect_left(self.starts, end) - 1  # last token starting before end
        if first > last:
            raise Invalid("the selection holds no word")
        return Span(self.starts[first], self.ends[last])

    def keeps(self, starts: np.ndarray, ends: np.ndarray) -> bool:
        """Whether snap() keeps every range (starts[i], ends[i]) as it is, asked of all at once (a
        file's spans mostly lie on tokens: one numpy pass instead of a snap() each): `on_words`
        asked of its words."""
        return on_words(np.column_stack((self._starts, self._ends)), self._text, starts, ends)

    def move(self, span: Span, side: str, delta: int) -> Span:
        """Move one boundary of a snapped span by `delta` tokens."""
        first = bisect.bisect_left(self.starts, span.start)
        last = bisect.bisect_left(self.ends, span.end)
        if side == "start":
            first += delta
        elif side == "end":
            last += delta
        else:
            raise Invalid(f"unknown boundary {side!r}; use start or end")
        if first < 0 or last >= len(self.ends):
            raise Invalid("the span cannot grow past the text")
        if first > last:
            raise Invalid("a span keeps at least one token")
        return self.within_paragraph(Span(self.starts[first], self.ends[last]))


def on_words(offsets: np.ndarray, text: str, starts: np.ndarray, ends: np.ndarray) -> bool:
    """What `Tokens(offsets, text).keeps(starts, ends)` says, without making the Tokens: whether each
    range starts where a word token starts and ends where one ends (and holds at least one). The import
    asks it of every record, where a Tokens of each text cost a tenth of tokenizing it."""
    if not len(starts):
        return True
    token_starts, token_ends = offsets[:, 0], offsets[:, 1]
    first = np.searchsorted(token_starts, starts)  # the token starting where the range does, if one does
    last = np.searchsorted(token_ends, ends)  # the token ending where it ends
    if (first >= len(offsets)).any() or (last >= len(offsets)).any() or (first > last).any():
        return False
    if not ((token_starts[first] == starts).all() and (token_ends[last] == ends).all()):
        return False
    # Both are words, not whitespace (spaCy's whitespace tokens): else snap() would move the range.
    return not any(text[start:end].isspace() for start, end in offsets[np.union1d(first, last)].tolist())
