"""spaCy DocBin (.spacy), ready for `python -m spacy train`.

Entities go to `doc.ents` (entity id as `Span.id`). Quotes go to the span
groups `quote` (content), `cue` and `source`, events to `event` (trigger); all
spans of one quote or event share its id as `Span.id`, and the links (speaker,
actors) are kept in the groups' `attrs`, so nothing depends on user data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from ..model import Record
from .base import FormatError

NAME = "spacy"
SUFFIXES = (".spacy",)


def to_doc(record: Record, vocab: Vocab) -> Doc:
    """A Doc with exactly the stored tokens, carrying every layer of the record."""
    text, tokens = record.text, record.tokens or []
    words = [text[s:e] for s, e in tokens]
    spaces = [
        (tokens[i + 1][0] if i + 1 < len(tokens) else len(text)) > e for i, (_, e) in enumerate(tokens)
    ]
    doc = Doc(vocab, words=words, spaces=spaces)
    if doc.text != text:
        raise FormatError(f"{record.ext_id}: stored tokens do not rebuild the text")
    annotation = record.annotation
    if annotation is None:
        return doc

    def span(start: int, end: int, label: str, span_id: str, what: str) -> Span:
        found = doc.char_span(start, end, label=label, span_id=span_id, alignment_mode="strict")
        if found is None:
            raise FormatError(f"{record.ext_id}: {what} {start}-{end} does not fall on token boundaries")
        return found

    doc.ents = [span(e.start, e.end, e.label, e.id, f"entity {e.id}") for e in annotation.entities]
    groups: dict[str, list[Span]] = {"quote": [], "cue": [], "source": [], "event": []}
    for q in annotation.quotes:
        for role, part in q.spans():
            group = "quote" if role == "content" else role
            groups[group].append(span(part.start, part.end, q.type, q.id, f"quote {q.id} {role}"))
    for v in annotation.events:
        groups["event"].append(span(v.trigger.start, v.trigger.end, v.type, v.id, f"event {v.id} trigger"))
    for name, spans in groups.items():
        doc.spans[name] = spans
    doc.spans["quote"].attrs["speaker"] = {q.id: q.speaker for q in annotation.quotes}
    doc.spans["event"].attrs["source_actor"] = {v.id: v.source_actor for v in annotation.events}
    doc.spans["event"].attrs["target_actor"] = {v.id: v.target_actor for v in annotation.events}
    doc.spans["event"].attrs["attrs"] = {v.id: dict(v.attrs) for v in annotation.events if v.attrs}
    return doc


def write(records: Iterable[Record], out: Path) -> int:
    """Write records (with their tokens) to one .spacy file; returns how many."""
    vocab = Vocab()
    docs = DocBin(store_user_data=False)
    count = 0
    for record in records:
        docs.add(to_doc(record, vocab))
        count += 1
    docs.to_disk(out)
    return count
