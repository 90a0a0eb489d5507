"""How well the quote component finds the gold quotes: python -m bench.eval_quotes [GOLD.jsonl] [--model NAME].

A predicted quote matches a gold quote when their content spans overlap (one to one, largest overlap
first). On matched quotes, cue and source are scored by exact span and by overlap (both absent counts
as right), and the speaker by character overlap with the gold speaker entity (both None counts as right).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from annotator.formats import Reading, jsonl
from annotator.model import Record
from annotator.nlp import quotes as _quotes  # noqa: F401  (registers the "annotator_quotes" factory)
from annotator.nlp.pipeline import load_model

GOLD = Path(__file__).resolve().parent / "gold" / "quotes.jsonl"
Char = tuple[int, int]


@dataclass(frozen=True)
class Attribution:
    """One quote as character spans, gold or predicted alike."""

    type: str
    content: tuple[Char, ...]
    cue: Char | None
    source: Char | None
    speaker: Char | None


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # right answers on matched quotes, per check

    def add(self, other: Score) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched
        for key, value in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + value


CHECKS = ("type", "cue", "cue~", "source", "source~", "speaker")


def load_pipeline(name: str = "en_core_web_sm", *, quotes: bool = True, paragraph_breaks: bool = False) -> Language:
    """The named spaCy pipeline (either name of the default model), with the quote component added."""
    nlp = load_model(name)
    if nlp is None:
        raise SystemExit(f"spaCy pipeline {name!r} is not installed")
    if paragraph_breaks:
        nlp.add_pipe("annotator_paragraph_breaks", before="parser" if "parser" in nlp.pipe_names else None)
    if quotes:
        nlp.add_pipe("annotator_quotes")
    return nlp


def gold_records(path: Path = GOLD) -> list[Record]:
    return [record for _, record in jsonl.read(path, Reading())]


def from_record(record: Record) -> list[Attribution]:
    entities = {e.id: (e.start, e.end) for e in record.annotation.entities}

    def char(span) -> Char | None:
        return None if span is None else (span.start, span.end)

    return [
        Attribution(
            q.label,
            tuple(char(c) for c in q.parts("content")),
            char(q.span("cue")),
            char(q.span("source")),
            entities.get(q.link("speaker") or ""),
        )
        for q in record.annotation.quotes
    ]


def from_doc(doc: Doc) -> list[Attribution]:
    """The component's output, read back from the span groups by quote id."""
    parts: dict[str, dict] = {}
    for group in ("quote", "cue", "source"):
        for span in doc.spans[group]:
            entry = parts.setdefault(span.id_, {"type": span.label_, "content": []})
            if group == "quote":
                entry["content"].append((span.start_char, span.end_char))
            else:
                entry[group] = (span.start_char, span.end_char)
    speakers = doc.spans["quote"].attrs.get("speaker", {})
    return [
        Attribution(
            entry["type"],
            tuple(entry["content"]),
            entry.get("cue"),
            entry.get("source"),
            tuple(speakers[quote_id]) if speakers.get(quote_id) else None,
        )
        for quote_id, entry in parts.items()
    ]


def _overlap(a: Char | None, b: Char | None) -> int:
    if a is None or b is None:
        return 0
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _content_overlap(a: Attribution, b: Attribution) -> int:
    return sum(_overlap(x, y) for x in a.content for y in b.content)


def _same(a: Char | None, b: Char | None, loose: bool) -> bool:
    if a is None or b is None:
        return a is b
    return _overlap(a, b) > 0 if loose else a == b


def score(gold: list[Attribution], predicted: list[Attribution]) -> Score:
    """Match one to one by content overlap and count right cues, sources, speakers and types."""
    pairs = sorted(
        ((_content_overlap(g, p), i, j) for i, g in enumerate(gold) for j, p in enumerate(predicted)),
        reverse=True,
    )
    result = Score(gold=len(gold), predicted=len(predicted), counts=dict.fromkeys(CHECKS, 0))
    taken_gold, taken_predicted = set(), set()
    for overlap, i, j in pairs:
        if overlap <= 0 or i in taken_gold or j in taken_predicted:
            continue
        taken_gold.add(i)
        taken_predicted.add(j)
        g, p = gold[i], predicted[j]
        result.matched += 1
        checks = {
            "type": g.type == p.type,
            "cue": _same(g.cue, p.cue, False),
            "cue~": _same(g.cue, p.cue, True),
            "source": _same(g.source, p.source, False),
            "source~": _same(g.source, p.source, True),
            "speaker": _same(g.speaker, p.speaker, True),
        }
        for key, right in checks.items():
            result.counts[key] += right
    return result


def evaluate(nlp: Language, records: Iterable[Record]) -> list[tuple[str, Score]]:
    records = list(records)
    rows = []
    for record, doc in zip(records, nlp.pipe(r.text for r in records)):
        rows.append((record.ext_id, score(from_record(record), from_doc(doc))))
    return rows


def table(rows: list[tuple[str, Score]]) -> str:
    total = Score()
    for _, row in rows:
        total.add(row)
    lines = [
        "| text | gold | pred | matched | P | R | F1 | type | cue | cue~ | source | source~ | speaker |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in [*rows, ("overall", total)]:
        precision = row.matched / row.predicted if row.predicted else 0.0
        recall = row.matched / row.gold if row.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        shares = [f"{row.counts.get(k, 0) / row.matched:.2f}" if row.matched else "-" for k in CHECKS]
        label = f"**{name}**" if name == "overall" else name
        lines.append(
            f"| {label} | {row.gold} | {row.predicted} | {row.matched} | {precision:.2f} | {recall:.2f} | {f1:.2f} | "
            + " | ".join(shares)
            + " |"
        )
    lines.append("")
    lines.append(
        "P/R/F1: content overlap. type, cue, source: exact on matched quotes; ~: overlap. "
        "speaker: overlap with the gold speaker entity (both none counts as right)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_quotes", description=__doc__)
    parser.add_argument("gold", nargs="?", type=Path, default=GOLD)
    parser.add_argument("--model", default="en_core_web_sm")
    parser.add_argument(
        "--paragraph-breaks", action="store_true", help='add "annotator_paragraph_breaks" before the parser'
    )
    args = parser.parse_args(argv)
    nlp = load_pipeline(args.model, paragraph_breaks=args.paragraph_breaks)
    print(table(evaluate(nlp, gold_records(args.gold))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
