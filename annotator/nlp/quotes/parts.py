"""Quotes from learned parts: the content, cue and source spans a trained tagger wrote, put together.

A trained `annotator_span_tagger` marks parts, not quotes. Each cue starts a quote; each content
span joins the cue it belongs to, and each source the cue it names the speaker of:
1. a cue linked to the part in the parse (the part lies under the cue: "said [that X]",
   "[sources] said"; or the cue hangs on the part: "[X], he said") wins;
2. else the cue in the same sentence, the nearest first;
3. content only: else the nearest cue of the next or previous sentence in the same paragraph
   (a quote of several sentences attributed once); else the quote of the content just before it,
   when nothing but spaces and punctuation lies between them (a quote running over paragraphs).
A source with no cue in its sentence names the speaker of a quote there that has none. What the tagger
missed, the parse gives as the rules read it: a quote with no cue takes the verb its content is the
complement of ("sources said [X]") or a reporting clause hung on it ("[X], a source said"); a quote
with a cue and no source takes the cue's subject (cues._subject).
Never across a paragraph break, except from a cue that ends its paragraph ("He said:") to the next.
A cue that gathers no content is dropped; content that finds no cue is a quote of its own when it
has `min_words` words. The type then follows the quotation marks as for the rules' quotes
(candidates._typed), and speakers are resolved by the same rules (speakers._Speakers).
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span

from .candidates import _Candidate, _merge, _paragraphs, _Ranges, _Text, _typed, _words
from .cues import _cue_end, _noun_phrase, _subject

Range = tuple[int, int]
# How far up the parse a part's root may be from the cue (or the cue from the part) to count as linked.
_LINK_DEPTH = 3


def assemble(doc: Doc, text: _Text, parts: Iterable[Span], inside: _Ranges, min_words: int) -> list[_Candidate]:
    """The quotes the parts make, in no particular order (see the module docstring)."""
    by_role: dict[str, list[Range]] = {"content": [], "cue": [], "source": []}
    for span in parts:
        if span.label_ in by_role:
            by_role[span.label_].append((span.start, span.end))
    where = _Places(doc, text)
    quotes = {cue: _Candidate([], cue=cue) for cue in by_role["cue"]}
    alone: list[_Candidate] = []
    previous: tuple[_Candidate, int] | None = None  # the quote the last content span went to, and its end
    for content in sorted(by_role["content"]):
        cue = where.best_cue(content, by_role["cue"], sentences_apart=1)
        if cue is not None:
            target = quotes[cue]
        elif previous is not None and where.adjacent(previous[1], content[0]):
            target = previous[0]  # the same quote, carried on past a paragraph break
        elif _words(doc, *content) >= min_words:
            target = _Candidate([])
            alone.append(target)
        else:
            previous = None
            continue
        target.content.append(content)
        previous = (target, content[1])
    # A source names the speaker of the cue it belongs to, or of a quote with no cue in its sentence.
    anchors = {cue: quote for cue, quote in quotes.items() if quote.content} | {q.content[0]: q for q in alone}
    for source in by_role["source"]:
        anchor = where.best_cue(source, list(anchors), sentences_apart=0)
        if anchor is not None and _closer(source, anchors[anchor].source, anchor):
            quote = anchors[anchor]
            quote.source, quote.source_head, quote.region = source, doc[source[0] : source[1]].root.i, source
    found = [quote for quote in quotes.values() if quote.content] + alone
    if where.parsed:
        for quote in found:
            if quote.cue is None:
                quote.cue = _cue_from_parse(doc, quote.content)
            if quote.cue is not None and quote.source is None:
                _source_from_parse(doc, quote)
    for quote in found:
        ranges = _merge(quote.content)
        quote.type, ranges, quote.quotations = _typed(doc, ranges, inside)
        quote.content = [part for s, e in ranges for part in _paragraphs(doc, s, e)]
    return [quote for quote in found if quote.content]


_REPORTING_ARCS = ("ccomp", "parataxis", "xcomp")


def _cue_from_parse(doc: Doc, content: list[Range]) -> Range | None:
    """A cue the tagger missed, from the parse: the verb the content is the complement of ("sources
    [said] X"), or a reporting clause hung on it ("X, a source [said]"), outside the content."""
    start, end = content[0]
    root = doc[start:end].root
    inside = {i for s, e in content for i in range(s, e)}
    found = []
    head = root.head
    if root.dep_ in _REPORTING_ARCS and head.pos_ == "VERB" and head.i not in inside:
        found.append(head)
    for child in root.children:
        subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children)
        if child.dep_ in _REPORTING_ARCS and child.pos_ == "VERB" and child.i not in inside and subject:
            found.append(child)
    if not found:
        return None
    verb = min(found, key=lambda t: _gap((t.i, t.i + 1), (start, end)))
    return verb.i, _cue_end(verb)


def _source_from_parse(doc: Doc, quote: _Candidate) -> None:
    """A cue whose source the tagger missed takes the rules' source: its subject's noun phrase, or the
    passive agent ("[sources] said", "was told by [aides]"), when that lies outside the content."""
    assert quote.cue is not None
    subject = _subject(doc[quote.cue[0] : quote.cue[1]].root)
    if subject is None or subject.pos_ not in ("PROPN", "NOUN", "PRON"):
        return
    source = _noun_phrase(subject)
    if any(s < source[1] and source[0] < e for s, e in quote.content):
        return
    quote.source, quote.source_head, quote.region = source, subject.i, source


def _closer(source: Range, other: Range | None, cue: Range) -> bool:
    return other is None or _gap(source, cue) < _gap(other, cue)


def _gap(a: Range, b: Range) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


class _Places:
    """Which sentence and paragraph each token is in, and whether two spans are linked in the parse."""

    def __init__(self, doc: Doc, text: _Text):
        self.doc = doc
        self.parsed = doc.has_annotation("DEP")
        self.paragraph = [text.breaks_between(0, t.idx) for t in doc]
        if doc.has_annotation("SENT_START"):
            self.sentence = [0] * len(doc)
            for n, sent in enumerate(doc.sents):
                self.sentence[sent.start : sent.end] = [n] * len(sent)
        else:
            self.sentence = self.paragraph

    def best_cue(self, part: Range, cues: list[Range], sentences_apart: int) -> Range | None:
        """The cue a part belongs to, or None (see the module docstring)."""
        first, last = self.sentence[part[0]], self.sentence[part[1] - 1]
        paragraphs = {self.paragraph[part[0]], self.paragraph[part[1] - 1]}
        ranked = []
        for cue in cues:
            if paragraphs.isdisjoint(self._reach(cue)):
                continue
            sentence = self.sentence[cue[0]]
            apart = max(0, first - sentence, sentence - last)
            if apart > sentences_apart:
                continue
            ranked.append((not self._linked(part, cue), apart, _gap(cue, part), cue))
        return min(ranked)[3] if ranked else None

    def adjacent(self, end: int, start: int) -> bool:
        """Whether only spaces, line breaks and punctuation lie between two parts."""
        return all(t.is_space or t.is_punct for t in self.doc[end:start])

    def _reach(self, cue: Range) -> set[int]:
        """The paragraphs a cue may take parts from: its own, and the next when it ends its own ("… said:")."""
        own = self.paragraph[cue[0]]
        for token in self.doc[cue[1] :]:
            if token.is_space and "\n" in token.text:
                return {own, own + 1}
            if not token.is_punct:
                break
        return {own}

    def _linked(self, part: Range, cue: Range) -> bool:
        if not self.parsed:
            return False
        root = self.doc[part[0] : part[1]].root
        cue_root = self.doc[cue[0] : cue[1]].root
        return _under(root, cue_root) or _under(cue_root, root)


def _under(token, ancestor) -> bool:
    """Whether `ancestor` is within _LINK_DEPTH heads above `token`."""
    for _ in range(_LINK_DEPTH):
        if token.head is token:
            return False
        token = token.head
        if token.i == ancestor.i:
            return True
    return False
