"""One shape for the items of every layer, and each layer's definition.

An item is a label, its spans by role and its links by role: an entity is one
`entity` span; a quote `content` spans, an optional `cue` and `source` and a
`speaker` link; an event a `trigger` span, `source_actor` and `target_actor`
links and free attributes. What differs between layers is data (a `Layer`),
so code that handles items asks the layer, never the item's type.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from ..errors import Invalid

# Where an item came from and what a person did with it. A suggestion nobody looked at
# stays MODEL: in a submitted set that records "accepted by submitting, never looked at".
MODEL = "model"  # suggested by the model, untouched
ACCEPTED = "accepted"  # suggested, and accepted by a person as it was
CHANGED = "changed"  # suggested, and changed by a person
ADDED = "added"  # made by a person
ORIGINS = (MODEL, ACCEPTED, CHANGED, ADDED)
HUMAN = ADDED  # what readers of other tools' files give their items: made by a person
QUOTE_MARKS = "\"“”„«»‘’'"


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def __reduce__(self) -> tuple:
        # The import spools every span it reads: pickled as its two numbers, not a dict of fields.
        return (Span, (self.start, self.end))


def guess_quote_type(text: str, span: Span) -> str:
    """DIRECT when the selection is enclosed in quotation marks, else INDIRECT."""
    before = text[max(0, span.start - 1) : span.start]
    inside = text[span.start : span.end]
    after = text[span.end : span.end + 2]
    opened = inside[:1] in QUOTE_MARKS or before in QUOTE_MARKS
    closed = inside[-1:] in QUOTE_MARKS or any(ch in QUOTE_MARKS for ch in after)
    return "DIRECT" if opened and closed else "INDIRECT"


@dataclass(frozen=True)
class Layer:
    """What the items of one layer are made of, and the rules they keep."""

    name: str
    prefix: str  # of item ids: t1, q1, v1
    roles: tuple[str, ...]  # span roles; the first is the main one, made from a selection
    optional: frozenset[str] = frozenset()  # roles an item may leave without a span
    repeated: frozenset[str] = frozenset()  # roles that may hold several spans
    links: tuple[str, ...] = ()  # roles that point at an entity of the same set
    exclusive: bool = False  # no two items overlap; a new item replaces those it covers
    one_per_span: bool = False  # no two items share their main span
    has_attrs: bool = False  # items carry free attributes (an event's modality, a quote's brat type)
    # What agreement gives each token an item covers: the item's label, or (when set) the
    # role of the span covering it, these roles in painting order, the last winning.
    painted_roles: tuple[str, ...] = ()
    # The label of a new item when the person gave none (None: a label is required).
    default_label: Callable[[str, Span], str] | None = field(default=None, compare=False)
    # The entity labels its links usually point at, offered first when a person picks one.
    link_labels: tuple[str, ...] = ()

    @property
    def main(self) -> str:
        return self.roles[0]

    @functools.cached_property
    def only_main_needed(self) -> bool:
        """Whether an item needs no span but its main one."""
        return set(self.roles[1:]) <= self.optional

    @functools.cached_property
    def rank(self) -> dict[str, int]:
        """Each role's place in `roles`."""
        return {role: n for n, role in enumerate(self.roles)}


LINK_TARGET = "entity"  # links point at items of this layer
# Who speaks or acts: people, organisations, groups and the governments of places (not dates or numbers).
SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer("entity", "t", ("entity",), exclusive=True),
        Layer(
            "quote",
            "q",
            ("content", "cue", "source"),
            optional=frozenset({"cue", "source"}),
            repeated=frozenset({"content"}),
            links=("speaker",),
            painted_roles=("content", "source", "cue"),
            has_attrs=True,  # what a corpus says of a quote beyond its type (brat's attribution type)
            default_label=guess_quote_type,
            link_labels=SPEAKER_LABELS,
        ),
        Layer(
            "event",
            "v",
            ("trigger",),
            links=("source_actor", "target_actor"),
            one_per_span=True,
            has_attrs=True,
            link_labels=SPEAKER_LABELS,
        ),
    )
}
LAYER_NAMES = tuple(LAYERS)
SPAN_ROLES = tuple(dict.fromkeys(role for layer in LAYERS.values() for role in layer.roles))
LINK_ROLES = tuple(dict.fromkeys(role for layer in LAYERS.values() for role in layer.links))


# Frozen instances made in one step (their fields as their __dict__), not a field at a time.
_new, _setattr = object.__new__, object.__setattr__


def layer_of(name: str) -> Layer:
    found = LAYERS.get(name)
    if found is None:
        raise Invalid(f"unknown layer {name!r}; use {', '.join(LAYER_NAMES)}")
    return found


@dataclass(frozen=True, init=False)
class Item:
    """An entity, quote or event: its label, its spans by role, its links by role."""

    id: str
    layer: str
    label: str
    spans: tuple[tuple[str, Span], ...]  # in the layer's role order, a repeated role's spans by position
    links: tuple[tuple[str, str], ...] = ()  # only the links that are set, in the layer's order
    attrs: tuple[tuple[str, str], ...] = ()
    origin: str = HUMAN

    def __init__(
        self,
        id: str,
        layer: str,
        label: str,
        spans: tuple[tuple[str, Span], ...],
        links: tuple[tuple[str, str], ...] = (),
        attrs: tuple[tuple[str, str], ...] = (),
        origin: str = HUMAN,
    ):
        # The fields set in one step: a frozen dataclass's own __init__ sets them one by one through
        # object.__setattr__, half of what an import spends making the 400,000 items of 10,000 records.
        _setattr(
            self,
            "__dict__",
            {
                "id": id,
                "layer": layer,
                "label": label,
                "spans": spans,
                "links": links,
                "attrs": attrs,
                "origin": origin,
            },
        )

    def __reduce__(self) -> tuple:
        # The import spools every item it reads: pickled as its fields in order (half the time of the
        # dict of them that a dataclass pickles by default).
        return (Item, (self.id, self.layer, self.label, self.spans, self.links, self.attrs, self.origin))

    @classmethod
    def make(
        cls,
        layer: str,
        item_id: str,
        label: str,
        spans: Mapping[str, Span | Iterable[Span] | None],
        links: Mapping[str, str | None] | None = None,
        attrs: Iterable[tuple[str, str]] = (),
        origin: str = HUMAN,
    ) -> Item:
        """An item with its parts put in the layer's order; unknown roles are refused."""
        kind = layer_of(layer)
        links = links or {}
        unknown = (set(spans) - set(kind.roles)) | (set(links) - set(kind.links))
        if unknown:
            raise Invalid(f"a {layer} has no {', '.join(sorted(unknown))}")
        ordered: list[tuple[str, Span]] = []
        for role in kind.roles:
            given = spans.get(role)
            parts = () if given is None else (given,) if isinstance(given, Span) else sorted(given)
            ordered.extend((role, part) for part in parts)
        linked = tuple((role, links[role]) for role in kind.links if links.get(role) is not None)
        return cls(item_id, layer, label, tuple(ordered), linked, tuple(sorted(attrs)), origin)  # type: ignore[arg-type]

    @classmethod
    def stored(
        cls,
        layer: str,
        item_id: str,
        label: str,
        parts: list[tuple[str, Span]],
        links: Mapping[str, str],
        attrs: tuple[tuple[str, str], ...],
        origin: str,
    ) -> Item:
        """An item from parts as the store keeps them (each role's spans in order, attrs sorted): `make`'s
        result without its dictionaries and sorting, since exports read hundreds of thousands of items."""
        kind = layer_of(layer)
        # An item of one span of a known role (every entity) needs no set of roles and no sort.
        if len(parts) != 1 or parts[0][0] not in kind.rank:
            roles = {role for role, _ in parts}
            if not roles <= kind.rank.keys():
                raise Invalid(f"a {layer} has no {', '.join(sorted(roles - set(kind.roles)))}")
            if len(kind.roles) > 1:
                parts = sorted(parts, key=lambda part: kind.rank[part[0]])  # stable: a role's spans keep their order
        linked = tuple((role, links[role]) for role in kind.links if role in links) if links else ()
        return cls(item_id, layer, label, tuple(parts), linked, attrs, origin)

    @classmethod
    def entity(cls, item_id: str, start: int, end: int, label: str, origin: str = HUMAN) -> Item:
        # Made without __init__'s call: readers make one for every entity of a file.
        item, span = _new(cls), _new(Span)
        _setattr(span, "__dict__", {"start": start, "end": end})
        _setattr(
            item,
            "__dict__",
            {
                "id": item_id,
                "layer": "entity",
                "label": label,
                "spans": (("entity", span),),
                "links": (),
                "attrs": (),
                "origin": origin,
            },
        )
        return item

    @classmethod
    def quote(
        cls,
        item_id: str,
        label: str,
        content: Iterable[Span],
        cue: Span | None = None,
        source: Span | None = None,
        speaker: str | None = None,
        origin: str = HUMAN,
    ) -> Item:
        spans = {"content": content, "cue": cue, "source": source}
        return cls.make("quote", item_id, label, spans, {"speaker": speaker}, origin=origin)

    @classmethod
    def event(
        cls,
        item_id: str,
        label: str,
        trigger: Span,
        source_actor: str | None = None,
        target_actor: str | None = None,
        attrs: Iterable[tuple[str, str]] = (),
        origin: str = HUMAN,
    ) -> Item:
        links = {"source_actor": source_actor, "target_actor": target_actor}
        return cls.make("event", item_id, label, {"trigger": trigger}, links, attrs, origin)

    @property
    def kind(self) -> Layer:
        return LAYERS[self.layer]

    @property
    def main(self) -> Span:
        """The item's first span of its main role (an entity's span, a quote's first content part, a trigger)."""
        return self.spans[0][1] if self.spans else Span(0, 0)

    @property
    def start(self) -> int:
        return self.main.start

    @property
    def end(self) -> int:
        return self.main.end

    @functools.cached_property
    def reach(self) -> tuple[int, int]:
        """Where its first span starts and its last ends, of every role: what a page asks of each quote
        and event to find those a paragraph holds (kept with the item, which the next version shares)."""
        if not self.spans:
            return 0, 0
        return min(span.start for _, span in self.spans), max(span.end for _, span in self.spans)

    def parts(self, role: str) -> tuple[Span, ...]:
        """The item's spans of one role."""
        return tuple(span for r, span in self.spans if r == role)

    def span(self, role: str) -> Span | None:
        """The item's (first) span of one role, or None."""
        return next((span for r, span in self.spans if r == role), None)

    def link(self, role: str) -> str | None:
        """The entity id a link role points at, or None."""
        return next((target for r, target in self.links if r == role), None)

    @property
    def touched(self) -> str:
        """The origin the item gets when a person changes it: a suggestion becomes CHANGED."""
        return ADDED if self.origin == ADDED else CHANGED

    def with_parts(self, role: str, parts: Iterable[Span]) -> Item:
        """The item with other spans for one role, as a person's work (unchanged spans change nothing)."""
        spans: dict[str, list[Span]] = {r: list(self.parts(r)) for r in self.kind.roles}
        given = sorted(parts)
        if given == spans[role]:
            return self
        spans[role] = given
        return Item.make(self.layer, self.id, self.label, spans, dict(self.links), self.attrs, self.touched)

    def with_link(self, role: str, target: str | None, origin: str | None = None) -> Item:
        """The item pointing `role` at another entity (None clears it); the same target changes nothing."""
        if self.link(role) == target:
            return self
        links: dict[str, str | None] = {**dict(self.links), role: target}
        spans = {r: self.parts(r) for r in self.kind.roles}
        return Item.make(self.layer, self.id, self.label, spans, links, self.attrs, origin or self.touched)

    def relabelled(self, label: str) -> Item:
        """The item with another label; its own label again accepts it as it is."""
        return self.confirmed() if label == self.label else replace(self, label=label, origin=self.touched)

    def confirmed(self) -> Item:
        """A suggestion accepted as it is; anything else stays what it is."""
        return replace(self, origin=ACCEPTED) if self.origin == MODEL else self

    def suggested(self) -> Item:
        """The item as a suggestion nobody has looked at (what a model set holds)."""
        # Made directly, not by replace(): an import marks every item of every model set it reads.
        if self.origin == MODEL:
            return self
        return Item(self.id, self.layer, self.label, self.spans, self.links, self.attrs, MODEL)


def item_to_dict(item: Item) -> dict:
    """An item as plain JSON-ready data (offsets only, no text), as history keeps it."""
    data: dict = {"layer": item.layer, "id": item.id, "label": item.label, "origin": item.origin}
    kind = item.kind
    for role in kind.roles:
        parts = item.parts(role)
        if role in kind.repeated:
            data[role] = [[s.start, s.end] for s in parts]
        elif parts:
            data[role] = [parts[0].start, parts[0].end]
    for role in kind.links:
        data[role] = item.link(role)
    if item.attrs:
        data["attrs"] = dict(item.attrs)
    return data


def item_from_dict(data: Mapping) -> Item:
    """The inverse of item_to_dict."""
    kind = layer_of(data["layer"])
    spans: dict[str, list[Span]] = {}
    for role in kind.roles:
        value = data.get(role)
        if value is None:
            continue
        pairs = value if role in kind.repeated else [value]
        spans[role] = [Span(int(s), int(e)) for s, e in pairs]
    links = {role: data.get(role) for role in kind.links}
    attrs = tuple((str(k), str(v)) for k, v in (data.get("attrs") or {}).items())
    return Item.make(kind.name, data["id"], data["label"], spans, links, attrs, origin_of(data.get("origin")))


def origin_of(value: str | None, default: str = ADDED) -> str:
    """An origin as stored or written; "human" (before origins told accepted, changed and added
    apart) reads as ADDED."""
    if value is None or value == "human":
        return default
    if value not in ORIGINS:
        raise Invalid(f"unknown origin {value!r}; use {', '.join(ORIGINS)}")
    return value
