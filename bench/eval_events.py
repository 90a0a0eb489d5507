"""python -m bench.eval_events [--details]: the event component against the gold set, as a table.

Gold: bench/gold/events.jsonl (native JSONL, source "gold"). A predicted trigger matches a gold one
when their characters overlap (one to one, largest overlap first). On matched triggers: type
accuracy, and actor accuracy: the same entity when the predicted entity's characters overlap the
gold actor's, or both are absent. The "by name" columns also count two mentions of one name as the
same entity ("Rashid" and "Abdel Latif Rashid"), since gold links the nearest mention and the
component may link another.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from annotator.formats import Reading, jsonl
from annotator.model import Record, Span
from annotator.nlp import events as _events  # noqa: F401  (registers the factory)
from annotator.nlp.pipeline import load_model

GOLD = Path(__file__).resolve().parent / "gold" / "events.jsonl"


def load(name: str = "en_core_web_sm", events: bool = True) -> Language:
    """The named pipeline (either package name of en_core_web_sm), with the event component if asked."""
    nlp = load_model(name)
    if nlp is None:
        raise SystemExit(f"spaCy pipeline {name!r} is not installed")
    if events:
        nlp.add_pipe("annotator_events", after="ner" if "ner" in nlp.pipe_names else None)
    return nlp


def gold_records(path: Path = GOLD) -> list[Record]:
    return [record for _, record in jsonl.read(path, Reading())]


@dataclass
class Event:
    trigger: Span
    type: str
    source: Span | None
    target: Span | None


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    same_type: int = 0
    source: int = 0
    target: int = 0
    source_name: int = 0
    target_name: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("gold", "predicted", "matched", "same_type", "source", "target", "source_name", "target_name"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self, name: str) -> str:
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        on = (lambda n: f"{n / self.matched:.2f}") if self.matched else (lambda n: "–")
        return (
            f"| {name} | {self.gold} | {self.predicted} | {self.matched} | {p:.2f} | {r:.2f} | {f1:.2f} "
            f"| {on(self.same_type)} | {on(self.source)} | {on(self.target)} "
            f"| {on(self.source_name)} | {on(self.target_name)} |"
        )


HEADER = (
    "| text | gold | predicted | matched | P | R | F1 | type acc | source acc | target acc "
    "| source acc (by name) | target acc (by name) |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def gold_events(record: Record) -> list[Event]:
    ents = {e.id: e.main for e in record.annotation.entities}
    return [
        Event(v.main, v.label, ents.get(v.link("source_actor") or ""), ents.get(v.link("target_actor") or ""))
        for v in record.annotation.events
    ]


def predicted_events(doc) -> list[Event]:
    group = doc.spans["event"]
    out = []
    for span in group:
        source = group.attrs["source_actor"][span.id_]
        target = group.attrs["target_actor"][span.id_]
        out.append(
            Event(
                Span(span.start_char, span.end_char),
                span.label_,
                Span(*source) if source else None,
                Span(*target) if target else None,
            )
        )
    return out


def _name(text: str, span: Span) -> str:
    words = text[span.start : span.end].replace("’s", "").replace("'s", "").split()
    return words[-1].lower() if words else ""


def same_entity(text: str, gold: Span | None, predicted: Span | None, by_name: bool = False) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return gold.overlaps(predicted) or (by_name and _name(text, gold) == _name(text, predicted))


def score(text: str, gold: list[Event], predicted: list[Event]) -> Score:
    result = Score(gold=len(gold), predicted=len(predicted))
    pairs = sorted(
        (
            (min(g.trigger.end, p.trigger.end) - max(g.trigger.start, p.trigger.start), i, j)
            for i, g in enumerate(gold)
            for j, p in enumerate(predicted)
            if g.trigger.overlaps(p.trigger)
        ),
        reverse=True,
    )
    used_gold, used_predicted = set(), set()
    for _, i, j in pairs:
        if i in used_gold or j in used_predicted:
            continue
        used_gold.add(i)
        used_predicted.add(j)
        g, p = gold[i], predicted[j]
        result.matched += 1
        result.same_type += g.type == p.type
        result.source += same_entity(text, g.source, p.source)
        result.target += same_entity(text, g.target, p.target)
        result.source_name += same_entity(text, g.source, p.source, by_name=True)
        result.target_name += same_entity(text, g.target, p.target, by_name=True)
        show = lambda s: repr(text[s.start : s.end]) if s else "-"  # noqa: E731
        for role, gs, ps in (("source", g.source, p.source), ("target", g.target, p.target)):
            if not same_entity(text, gs, ps, by_name=True):
                result.misses.append(f"  {role:6} of {show(g.trigger)}: gold {show(gs)}, predicted {show(ps)}")
        if g.type != p.type:
            result.misses.append(f"  type   of {show(g.trigger)}: gold {g.type}, predicted {p.type}")
    for i, g in enumerate(gold):
        if i not in used_gold:
            result.misses.append(f"  missed {text[g.trigger.start : g.trigger.end]!r} ({g.type})")
    for j, p in enumerate(predicted):
        if j not in used_predicted:
            result.misses.append(f"  extra  {text[p.trigger.start : p.trigger.end]!r} ({p.type})")
    return result


def evaluate(nlp: Language, records: list[Record]) -> list[tuple[str, Score]]:
    rows = []
    for record, doc in zip(records, nlp.pipe(r.text for r in records)):
        rows.append((record.ext_id, score(record.text, gold_events(record), predicted_events(doc))))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_events", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="en_core_web_sm")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--details", action="store_true", help="list every miss under the table")
    args = parser.parse_args(argv)
    rows = evaluate(load(args.model), gold_records(args.gold))
    total = Score()
    for _, row in rows:
        total.add(row)
    print(HEADER)
    for name, row in rows:
        print(row.row(name))
    print(total.row("**all**"))
    if args.details:
        for name, row in rows:
            print(f"\n{name}")
            print("\n".join(row.misses) or "  (no misses)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
