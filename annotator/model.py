"""The domain: articles, annotation sets and the items of the three layers.

Every span is a pair of character offsets into the article text. Items are
immutable; an edit is a `Change` (the items before, the items after), which is
what the store writes, the history records and undo inverts.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar, Union

# Where an item came from: a model suggestion not yet confirmed, or a person.
MODEL, HUMAN = "model", "human"
# The kinds of annotation set, and the states of an annotator's set.
SET_KINDS = ("model", "annotator", "gold")
STATUSES = ("draft", "submitted", "skipped")


class InvalidAnnotation(ValueError):
    """An annotation breaks a rule of its layer; the message says which."""


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Entity:
    layer: ClassVar[str] = "entity"
    prefix: ClassVar[str] = "t"
    id: str
    start: int
    end: int
    label: str
    origin: str = HUMAN

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    def spans(self) -> Iterator[tuple[str, Span]]:
        yield "entity", self.span

    def links(self) -> Iterator[tuple[str, str | None]]:
        return iter(())


@dataclass(frozen=True)
class Quote:
    layer: ClassVar[str] = "quote"
    prefix: ClassVar[str] = "q"
    id: str
    type: str
    content: tuple[Span, ...]
    cue: Span | None = None
    source: Span | None = None
    speaker: str | None = None
    origin: str = HUMAN

    @property
    def label(self) -> str:
        return self.type

    def spans(self) -> Iterator[tuple[str, Span]]:
        for part in self.content:
            yield "content", part
        if self.cue is not None:
            yield "cue", self.cue
        if self.source is not None:
            yield "source", self.source

    def links(self) -> Iterator[tuple[str, str | None]]:
        yield "speaker", self.speaker


@dataclass(frozen=True)
class Event:
    layer: ClassVar[str] = "event"
    prefix: ClassVar[str] = "v"
    id: str
    type: str
    trigger: Span
    source_actor: str | None = None
    target_actor: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    origin: str = HUMAN

    @property
    def label(self) -> str:
        return self.type

    def spans(self) -> Iterator[tuple[str, Span]]:
        yield "trigger", self.trigger

    def links(self) -> Iterator[tuple[str, str | None]]:
        yield "source_actor", self.source_actor
        yield "target_actor", self.target_actor


Item = Union[Entity, Quote, Event]
ITEM_TYPES: dict[str, type] = {"entity": Entity, "quote": Quote, "event": Event}
LINK_ROLES = ("speaker", "source_actor", "target_actor")


@dataclass(frozen=True)
class Change:
    """One edit: the items it removes and the items it puts in their place."""

    before: tuple[Item, ...] = ()
    after: tuple[Item, ...] = ()

    def inverse(self) -> "Change":
        return Change(before=self.after, after=self.before)

    @property
    def empty(self) -> bool:
        return set(self.before) == set(self.after)


@dataclass(frozen=True)
class Annotation:
    """The three layers of one annotation set."""

    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()

    @classmethod
    def of(cls, items: Iterable[Item]) -> "Annotation":
        by_layer: dict[str, list] = {"entity": [], "quote": [], "event": []}
        for item in items:
            by_layer[item.layer].append(item)
        return cls(
            entities=tuple(sorted(by_layer["entity"], key=lambda e: (e.start, e.end))),
            quotes=tuple(sorted(by_layer["quote"], key=_first_start)),
            events=tuple(sorted(by_layer["event"], key=lambda v: (v.trigger.start, v.trigger.end))),
        )

    def items(self) -> Iterator[Item]:
        yield from self.entities
        yield from self.quotes
        yield from self.events

    def get(self, item_id: str) -> Item | None:
        return next((item for item in self.items() if item.id == item_id), None)

    def entity(self, item_id: str) -> Entity:
        item = self.get(item_id)
        if not isinstance(item, Entity):
            raise InvalidAnnotation(f"there is no entity {item_id!r}")
        return item

    def next_id(self, prefix: str) -> str:
        used = {item.id for item in self.items()}
        n = 1 + sum(1 for item_id in used if item_id.startswith(prefix))
        while f"{prefix}{n}" in used:
            n += 1
        return f"{prefix}{n}"

    def apply(self, change: Change) -> "Annotation":
        """The annotation with `change` made; refuses a change made against other content."""
        current = {item.id: item for item in self.items()}
        for item in change.before:
            if current.get(item.id) != item:
                raise InvalidAnnotation(f"{item.layer} {item.id} has changed since; reload to see it")
            del current[item.id]
        for item in change.after:
            if item.id in current:
                raise InvalidAnnotation(f"{item.layer} {item.id} exists already")
            current[item.id] = item
        return Annotation.of(current.values())


def _first_start(quote: Quote) -> tuple[int, int]:
    first = min(quote.content) if quote.content else Span(0, 0)
    return (first.start, first.end)


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
    tokens: list[tuple[int, int]] | None = None  # filled on export, for formats that need them


class Tokens:
    """Word-token boundaries of one text, for snapping spans to whole tokens."""

    def __init__(self, offsets: Sequence[tuple[int, int]], text: str):
        words = [(s, e) for s, e in offsets if not text[s:e].isspace()]
        self.starts = [s for s, _ in words]
        self.ends = [e for _, e in words]

    def snap(self, start: int, end: int) -> Span:
        """The smallest run of whole tokens covering every word the range touches."""
        if start >= end:
            raise InvalidAnnotation("the selection is empty")
        first = bisect.bisect_right(self.ends, start)  # first token ending after start
        last = bisect.bisect_left(self.starts, end) - 1  # last token starting before end
        if first > last:
            raise InvalidAnnotation("the selection holds no word")
        return Span(self.starts[first], self.ends[last])

    def is_snapped(self, span: Span) -> bool:
        i = bisect.bisect_left(self.starts, span.start)
        j = bisect.bisect_left(self.ends, span.end)
        return (
            i < len(self.starts) and self.starts[i] == span.start and j < len(self.ends) and self.ends[j] == span.end
        )

    def move(self, span: Span, side: str, delta: int) -> Span:
        """Move one boundary of a snapped span by `delta` tokens."""
        first = bisect.bisect_left(self.starts, span.start)
        last = bisect.bisect_left(self.ends, span.end)
        if side == "start":
            first += delta
        elif side == "end":
            last += delta
        else:
            raise InvalidAnnotation(f"unknown boundary {side!r}; use start or end")
        if first < 0 or last >= len(self.ends):
            raise InvalidAnnotation("the span cannot grow past the text")
        if first > last:
            raise InvalidAnnotation("a span keeps at least one token")
        return Span(self.starts[first], self.ends[last])


def check(annotation: Annotation, text: str, schemes: Mapping[str, Iterable[str]]) -> None:
    """Raise InvalidAnnotation unless every rule of every layer holds."""
    _check_items(annotation.items(), text, schemes)
    entities = {entity.id for entity in annotation.entities}
    _check_links(annotation.items(), entities)
    for a, b in zip(annotation.entities, annotation.entities[1:]):
        _check_apart(a, b)


@dataclass(frozen=True)
class Checked:
    """A change together with the annotation it leads to, once checked (so nobody applies it twice)."""

    change: Change
    result: Annotation


def check_change(before: Annotation, change: Change, text: str, schemes: Mapping[str, Iterable[str]]) -> Annotation:
    """The annotation `change` leads to, checked by looking only at what it touches.

    Equivalent to `check(before.apply(change), ...)` when `before` was valid, in time
    proportional to the change rather than the article: a save re-checks one item,
    not five hundred.
    """
    after = before.apply(change)  # refuses stale items and duplicate ids
    _check_items(change.after, text, schemes)
    entities = {entity.id for entity in after.entities}
    _check_links(change.after, entities)
    gone = {i.id for i in change.before if i.layer == "entity"} - entities
    if gone:
        _check_links((*after.quotes, *after.events), entities)
    starts = [e.start for e in after.entities]
    for new in (i for i in change.after if isinstance(i, Entity)):
        at = bisect.bisect_left(starts, new.start)
        for neighbour in after.entities[max(0, at - 1) : at + 2]:
            if neighbour.id != new.id:
                _check_apart(*sorted((neighbour, new), key=lambda e: (e.start, e.end)))
    return after


def _check_items(items: Iterable[Item], text: str, schemes: Mapping[str, Iterable[str]]) -> None:
    seen: set[str] = set()
    for item in items:
        if not item.id:
            raise InvalidAnnotation(f"a {item.layer} has no id")
        if item.id in seen:
            raise InvalidAnnotation(f"id {item.id!r} is used twice")
        seen.add(item.id)
        if item.label not in schemes[item.layer]:
            raise InvalidAnnotation(f"{item.layer} {item.id}: unknown label {item.label!r}")
        if isinstance(item, Quote) and not item.content:
            raise InvalidAnnotation("a quote needs at least one content span")
        for role, span in item.spans():
            if not 0 <= span.start < span.end <= len(text):
                raise InvalidAnnotation(
                    f"{item.layer} {item.id}: {role} offsets {span.start}-{span.end} are outside the text "
                    f"(0-{len(text)}) or empty"
                )


def _check_links(items: Iterable[Item], entities: set[str]) -> None:
    for item in items:
        for role, target in item.links():
            if target is not None and target not in entities:
                raise InvalidAnnotation(f"{item.layer} {item.id}: {role} {target!r} is not an entity of this set")


def _check_apart(a: Entity, b: Entity) -> None:
    """Entities a and b (a first) must not overlap."""
    if a.end > b.start:
        raise InvalidAnnotation(f"entities {a.id} ({a.start}-{a.end}) and {b.id} ({b.start}-{b.end}) overlap")


def as_suggestions(annotation: Annotation) -> Annotation:
    """The same items marked as unconfirmed model suggestions."""
    return Annotation.of(replace(item, origin=MODEL) for item in annotation.items())


def item_to_dict(item: Item) -> dict:
    """An item as plain JSON-ready data (offsets only, no text), as history keeps it."""
    data: dict = {"layer": item.layer, "id": item.id, "label": item.label, "origin": item.origin}
    for role, span in item.spans():
        if role == "content":
            data.setdefault("content", []).append([span.start, span.end])
        else:
            data[role] = [span.start, span.end]
    for role, target in item.links():
        data[role] = target
    if isinstance(item, Event) and item.attrs:
        data["attrs"] = dict(item.attrs)
    return data


def item_from_dict(data: Mapping) -> Item:
    """The inverse of item_to_dict."""

    def span(value) -> Span | None:
        return None if value is None else Span(int(value[0]), int(value[1]))

    layer, origin = data["layer"], data.get("origin", HUMAN)
    if layer == "entity":
        s = span(data["entity"])
        return Entity(data["id"], s.start, s.end, data["label"], origin)
    if layer == "quote":
        return Quote(
            data["id"], data["label"], tuple(span(c) for c in data.get("content", [])),
            span(data.get("cue")), span(data.get("source")), data.get("speaker"), origin,
        )
    if layer == "event":
        return Event(
            data["id"], data["label"], span(data["trigger"]), data.get("source_actor"),
            data.get("target_actor"), tuple(sorted(data.get("attrs", {}).items())), origin,
        )
    raise InvalidAnnotation(f"unknown layer {layer!r}")
