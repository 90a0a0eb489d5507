"""Span-level agreement between two annotators: matching, precision/recall/F1, link agreement.

A layer's items become units: the spans of the layer's main role and the label
(an entity its span and label; a quote its content spans and type, so quotes
are matched by their content; an event its trigger and type). Exact match: same
spans and same label. Overlap match: any shared character and same label, paired
one to one, greedily by characters shared.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from annotator.model import LINK_TARGET, Annotation, Item, Span, layer_of


class Unit(NamedTuple):
    """One item of a layer as span agreement sees it: its (start, end) spans, label and the item."""

    spans: tuple[tuple[int, int], ...]
    label: str
    item: Item


def units(annotation: Annotation, layer: str) -> list[Unit]:
    """The units of one layer of an annotation: each item's spans of the layer's main role."""
    main = layer_of(layer).main
    found = ((tuple((s.start, s.end) for s in item.parts(main)), item) for item in annotation.layer(layer))
    return [Unit(spans, item.label, item) for spans, item in found if spans]


def overlaps(a: Sequence[Unit], b: Sequence[Unit]) -> dict[tuple[int, int], int]:
    """Characters shared by each overlapping pair (index in a, index in b), by one sweep over starts."""
    starts = sorted(
        (start, side, index, end)
        for side, us in enumerate((a, b))
        for index, u in enumerate(us)
        for start, end in u.spans
    )
    active: tuple[list, list] = ([], [])
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for start, side, index, end in starts:
        other = active[1 - side]
        if other:
            other[:] = [(i, s, e) for i, s, e in other if e > start]
            for other_index, other_start, other_end in other:
                chars = min(end, other_end) - max(start, other_start)
                shared[(index, other_index) if side == 0 else (other_index, index)] += chars
        active[side].append((index, start, end))
    return shared


def match(a: Sequence[Unit], b: Sequence[Unit], same_label: bool = True) -> list[tuple[int, int]]:
    """One-to-one overlap matches (index in a, index in b), the largest overlaps first."""
    candidates = sorted(
        (-chars, i, j)
        for (i, j), chars in overlaps(a, b).items()
        if chars > 0 and (not same_label or a[i].label == b[j].label)
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    matches = []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matches.append((i, j))
    return matches


@dataclass
class Tally:
    """Per-label counts for one comparison, a taken as reference: spans in a, in b, matched."""

    in_a: Counter = field(default_factory=Counter)
    in_b: Counter = field(default_factory=Counter)
    exact: Counter = field(default_factory=Counter)
    overlap: Counter = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        for name in ("in_a", "in_b", "exact", "overlap"):
            getattr(self, name).update(getattr(other, name))

    def scores(self, labels: Iterable[str] | None = None, exact: bool = False) -> tuple[float, float, float]:
        """Precision, recall and F1 (micro over `labels`, default all); NaN where undefined."""
        found = self.exact if exact else self.overlap
        keys = list(labels) if labels is not None else list(self.in_a | self.in_b)
        tp = sum(found[k] for k in keys)
        n_a = sum(self.in_a[k] for k in keys)
        n_b = sum(self.in_b[k] for k in keys)
        return ratio(tp, n_b), ratio(tp, n_a), ratio(2 * tp, n_a + n_b)


def ratio(num: float, den: float) -> float:
    """num / den, NaN when den is 0."""
    return num / den if den else float("nan")


def tally(a: Sequence[Unit], b: Sequence[Unit]) -> Tally:
    """Exact and overlap match counts per label between two annotators' units of one document."""
    result = Tally(Counter(u.label for u in a), Counter(u.label for u in b))
    keys_b = Counter((u.spans, u.label) for u in b)
    for key, count in Counter((u.spans, u.label) for u in a).items():
        if key in keys_b:
            result.exact[key[1]] += min(count, keys_b[key])
    for i, _ in match(a, b):
        result.overlap[a[i].label] += 1
    return result


def same_entity(a: Item | None, b: Item | None, text: str) -> bool:
    """Whether two annotators' links name the same entity: both absent, overlapping, or one name within the other."""
    if a is None or b is None:
        return a is None and b is None
    if a.main.overlaps(b.main):
        return True
    # Entity ids differ across annotators, and each may link another mention of the same entity:
    # "Khamenei" and "Ayatollah Ali Khamenei" agree when one's words are a run of the other's.
    names = (text[a.start : a.end].casefold().split(), text[b.start : b.end].casefold().split())
    short, long = sorted(names, key=len)
    return bool(short) and any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def same_span(a: Span | None, b: Span | None) -> bool:
    """Whether two optional spans agree: both absent, or overlapping."""
    if a is None or b is None:
        return a is None and b is None
    return a.overlaps(b)


def link_agreement(a: Annotation, b: Annotation, layer: str, text: str) -> Counter:
    """Of the items matched by overlap regardless of label: how many, and how many agree on their
    type, on each link (the same entity) and on each further span role (cue, source: overlapping)."""
    kind = layer_of(layer)
    ua, ub = units(a, layer), units(b, layer)
    targets_a = {e.id: e for e in a.layer(LINK_TARGET)}
    targets_b = {e.id: e for e in b.layer(LINK_TARGET)}
    counts: Counter = Counter()
    for i, j in match(ua, ub, same_label=False):
        x, y = ua[i].item, ub[j].item
        counts["matched"] += 1
        counts["type"] += x.label == y.label
        for role in kind.links:
            counts[role] += same_entity(targets_a.get(x.link(role) or ""), targets_b.get(y.link(role) or ""), text)
        for role in kind.roles[1:]:
            counts[role] += same_span(x.span(role), y.span(role))
    return counts
