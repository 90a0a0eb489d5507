"""Quotes being assembled: their content settled against quotation marks, cue, source and paragraphs,
and written out as span groups."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from ..adapter import encode_link
from .marks import _LINE_BREAK_CHAR, find_quotations


@dataclass
class _Candidate:
    """A quote being assembled: token ranges, end exclusive."""

    content: list[tuple[int, int]]
    cue: tuple[int, int] | None = None
    source: tuple[int, int] | None = None
    source_head: int | None = None
    region: tuple[int, int] | None = None  # the source with its modifiers, where rule 5 looks for names
    type: str = "INDIRECT"
    speaker: int | None = None  # number of the entity in _Speakers.ents
    speaker_entity: Span | None = None
    kind: str | None = None  # "person" or "group" when the source says so ("she", "the company")
    quotations: set[int] = field(default_factory=set)


# --- settling a quote's content and type ----------------------------------------------


class _Ranges:
    """Sorted, disjoint token ranges with a lookup of the one holding a token."""

    def __init__(self, ranges: Sequence[tuple[int, int]]):
        self.ranges = list(ranges)
        self.starts = [s for s, _ in self.ranges]

    def find(self, i: int) -> int:
        n = bisect.bisect_right(self.starts, i) - 1
        return n if n >= 0 and i < self.ranges[n][1] else -1

    def overlapping(self, start: int, end: int) -> range:
        first = bisect.bisect_right(self.starts, start) - 1
        if first < 0 or self.ranges[first][1] <= start:
            first += 1
        return range(first, bisect.bisect_left(self.starts, end))


def _token_quotations(doc: Doc, text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in find_quotations(text):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span) and (not out or span.start >= out[-1][1]):
            out.append((span.start, span.end))
    return out


def _settle(doc: Doc, text: _Text, candidate: _Candidate, inside: _Ranges) -> None:
    """Trim the content, take in the quotations it touches, keep it off cue and source, decide the type."""
    ranges = []
    for start, end in candidate.content:
        start, end = _trim(doc, start, end)
        if start >= end:
            continue
        for n in inside.overlapping(start, end):
            q_start, q_end = inside.ranges[n]
            start, end = min(start, q_start), max(end, q_end)
        ranges.append((start, end))
    ranges = _subtract(_merge(ranges), [r for r in (candidate.cue, candidate.source) if r is not None])
    ranges = [part for s, e in ranges for part in _paragraphs(doc, s, e)]
    if candidate.cue is not None:
        # Reported content stays in the cue's paragraph (the parser may run a headline or the next
        # paragraph into the cue's sentence); only a quotation runs on into other paragraphs.
        first, last = text.paragraph_of(doc[candidate.cue[0]].idx)
        ranges = [(s, e) for s, e in ranges if first <= doc[s].idx < last or len(inside.overlapping(s, e))]
    candidate.type, ranges, candidate.quotations = _typed(doc, ranges, inside)
    candidate.content = [part for s, e in ranges for part in _paragraphs(doc, s, e)]
    source = candidate.source
    if source is not None and any(s < source[1] and source[0] < e for s, e in candidate.content):
        candidate.source = candidate.source_head = candidate.region = None  # the parse took a quoted word


def _typed(doc: Doc, ranges: list[tuple[int, int]], inside: _Ranges) -> tuple[str, list[tuple[int, int]], set[int]]:
    """The quote type of content ranges, the ranges (a direct quote's are its quotations, marks included)
    and the quotations they touch: DIRECT when every word is inside quotation marks, MIXED when some are."""
    quotations = {n for start, end in ranges for n in inside.overlapping(start, end)}
    if not quotations:
        return "INDIRECT", ranges, quotations
    if all(inside.find(t.i) >= 0 for s, e in ranges for t in doc[s:e] if not (t.is_punct or t.is_space)):
        return "DIRECT", [inside.ranges[n] for n in sorted(quotations)], quotations
    return "MIXED", ranges, quotations


class _Text:
    """A Doc's text and its line breaks."""

    def __init__(self, text: str):
        self.text = text
        self.breaks = [m.start() for m in _LINE_BREAK_CHAR.finditer(text)]

    def paragraph_of(self, at: int) -> tuple[int, int]:
        """Start and end offsets of the paragraph holding offset `at`."""
        n = bisect.bisect_left(self.breaks, at)
        return (self.breaks[n - 1] + 1 if n else 0), (self.breaks[n] if n < len(self.breaks) else len(self.text))

    def breaks_between(self, start: int, end: int) -> int:
        return bisect.bisect_left(self.breaks, end) - bisect.bisect_left(self.breaks, start)


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    if start < end and doc[start].lower_ == "that" and (doc[start].dep_ == "mark" or doc[start].tag_ == "IN"):
        start += 1
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _subtract(ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    for h_start, h_end in holes:
        ranges = (
            [
                part
                for start, end in ranges
                for part in ((start, min(end, h_start)), (max(start, h_end), end))
                if part[0] < part[1]
            ]
            if any(s < h_end and h_start < e for s, e in ranges)
            else ranges
        )
    return ranges


def _paragraphs(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """A range cut at paragraph breaks, each piece without the whitespace around it."""
    parts, piece = [], start
    for token in doc[start:end]:
        if token.is_space and "\n" in token.text:
            parts.append((piece, token.i))
            piece = token.i + 1
    parts.append((piece, end))
    out = []
    for s, e in parts:
        while s < e and doc[s].is_space:
            s += 1
        while e > s and doc[e - 1].is_space:
            e -= 1
        if s < e and _words(doc, s, e):
            out.append((s, e))
    return out


def _words(doc: Doc, start: int, end: int) -> int:
    return sum(1 for t in doc[start:end] if not (t.is_punct or t.is_space))


# --- output -------------------------------------------------------------------------


def _write(doc: Doc, quotes: list[_Candidate]) -> None:
    content: list[Span] = []
    cues: list[Span] = []
    sources: list[Span] = []
    speakers: dict[str, list[int] | None] = {}
    for number, quote in enumerate(quotes, start=1):
        quote_id = f"q{number}"
        content.extend(Span(doc, s, e, label=quote.type, span_id=quote_id) for s, e in quote.content)
        if quote.cue is not None:
            cues.append(Span(doc, *quote.cue, label=quote.type, span_id=quote_id))
        if quote.source is not None:
            sources.append(Span(doc, *quote.source, label=quote.type, span_id=quote_id))
        speakers[quote_id] = encode_link(quote.speaker_entity)
    doc.spans["quote"] = content
    doc.spans["cue"] = cues
    doc.spans["source"] = sources
    doc.spans["quote"].attrs["speaker"] = speakers
