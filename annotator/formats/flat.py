"""Every layer as flat labelled spans and relations, for formats that have only those
(Prodigy, Label Studio, doccano).

- an entity is a span with its label;
- a quote is a span per content part labelled QUOTE_<TYPE> (QUOTE_DIRECT, ...), a CUE span and
  a SOURCE span; relations CUE_OF (cue → first content part), SOURCE_OF (source → first content
  part), PART_OF (each further content part → the first) and SPEAKER (first content part → the
  speaker's entity span);
- an event is an EVENT_<TYPE> span on its trigger, with relations ACTOR (trigger → source actor's
  entity span) and TARGET (trigger → target actor's entity span).

A bare QUOTE label is a DIRECT quote. Reading refuses relations that link the wrong kinds of span
and CUE/SOURCE spans linked to no quote; relations of other labels are not ours, and the reader
is told how many (they are reported, not dropped silently).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..model import Annotation, Item, Span

QUOTE, CUE, SOURCE, EVENT = "QUOTE", "CUE", "SOURCE", "EVENT_"
CUE_OF, SOURCE_OF, PART_OF, SPEAKER, ACTOR, TARGET = "CUE_OF", "SOURCE_OF", "PART_OF", "SPEAKER", "ACTOR", "TARGET"

Key = tuple[int, int, str]  # a span as (start, end, label)
Relation = tuple[Key, Key, str]  # (head, child, label)

# What each relation links: (kind of head span, kind of child span).
LINKS = {
    CUE_OF: ("cue", "content"),
    SOURCE_OF: ("source", "content"),
    PART_OF: ("content", "content"),
    SPEAKER: ("content", "entity"),
    ACTOR: ("event", "entity"),
    TARGET: ("event", "entity"),
}


def kind(label: str) -> tuple[str, str]:
    """(what a span is, its type) from its label."""
    if label == QUOTE:
        return "content", "DIRECT"
    if label.startswith(QUOTE + "_"):
        return "content", label[len(QUOTE) + 1 :]
    if label == CUE:
        return "cue", ""
    if label == SOURCE:
        return "source", ""
    if label.startswith(EVENT) and len(label) > len(EVENT):
        return "event", label[len(EVENT) :]
    return "entity", label


def layer_label(label: str) -> tuple[str, str] | None:
    """The layer and label of an item a span of this label makes (None for cues and sources)."""
    what, value = kind(label)
    return {"entity": ("entity", value), "content": ("quote", value), "event": ("event", value)}.get(what)


# --- writing --------------------------------------------------------------------------


def encode(annotation: Annotation) -> tuple[list[Key], list[Relation]]:
    """The annotation's spans (each once, in text order) and relations."""
    found: dict[Key, None] = {}
    relations: list[Relation] = []

    def span(part: Span, label: str) -> Key:
        key = (part.start, part.end, label)
        found.setdefault(key)
        return key

    entities = {e.id: span(e.main, e.label) for e in annotation.entities}
    for q in annotation.quotes:
        first, *rest = [span(part, f"{QUOTE}_{q.label}") for part in q.parts("content")]
        relations.extend((further, first, PART_OF) for further in rest)
        for role, label, relation in (("cue", CUE, CUE_OF), ("source", SOURCE, SOURCE_OF)):
            part = q.span(role)
            if part is not None:
                relations.append((span(part, label), first, relation))
        relations.extend((first, entities[target], SPEAKER) for _, target in q.links)
    for v in annotation.events:
        trigger = span(v.main, f"{EVENT}{v.label}")
        relations.extend((trigger, entities[t], ACTOR if role == "source_actor" else TARGET) for role, t in v.links)
    return sorted(found), relations


# --- reading --------------------------------------------------------------------------


def decode(keys: Iterable[Key], relations: Iterable[Relation], other: Callable[[str], None]) -> Annotation:
    """The annotation of flat spans and relations; `other(label)` hears of each relation not ours.

    Raises ValueError when a relation links the wrong kinds of span or a cue or source is
    linked to no quote.
    """
    spans = set(keys)
    links: dict[str, list[tuple[Key, Key]]] = {label: [] for label in LINKS}
    for head, child, label in relations:
        if label not in LINKS:
            other(label)
            continue
        wanted = LINKS[label]
        if (kind(head[2])[0], kind(child[2])[0]) != wanted:
            raise ValueError(f"{label} must link {wanted[0]} → {wanted[1]}, not {head[2]} → {child[2]}")
        for end in (head, child):
            if end not in spans:
                raise ValueError(f"{label}: the span {end[0]}-{end[1]} {end[2]} is not among the spans")
        links[label].append((head, child))
    entity_keys = sorted(k for k in spans if kind(k[2])[0] == "entity")
    entity_ids = {key: f"t{i}" for i, key in enumerate(entity_keys, start=1)}
    items: list[Item] = [Item.entity(entity_ids[k], k[0], k[1], k[2]) for k in entity_keys]
    items += _quotes(spans, links, entity_ids)
    actors = _one(ACTOR, links[ACTOR], lambda head, child: (head, child))
    targets = _one(TARGET, links[TARGET], lambda head, child: (head, child))
    triggers = sorted(k for k in spans if kind(k[2])[0] == "event")
    items += [
        Item.event(
            f"v{i}",
            kind(k[2])[1],
            Span(k[0], k[1]),
            _entity_id(entity_ids, actors.get(k)),
            _entity_id(entity_ids, targets.get(k)),
        )
        for i, k in enumerate(triggers, start=1)
    ]
    return Annotation.of(items)


def _quotes(keys: set[Key], links: dict[str, list[tuple[Key, Key]]], entity_ids: dict[Key, str]) -> list[Item]:
    """A quote per content span that is not PART_OF another; its parts, cue, source and speaker hang off it."""
    part_of = dict(links[PART_OF])
    for head, child in part_of.items():
        if child in part_of:
            raise ValueError(f"PART_OF: {head[0]}-{head[1]} points at {child[0]}-{child[1]}, itself a part")
    firsts = sorted(k for k in keys if kind(k[2])[0] == "content" and k not in part_of)
    quote_of = {k: k for k in firsts} | part_of
    cues = _one(CUE_OF, links[CUE_OF], lambda head, child: (quote_of[child], head))
    sources = _one(SOURCE_OF, links[SOURCE_OF], lambda head, child: (quote_of[child], head))
    speakers = _one(SPEAKER, links[SPEAKER], lambda head, child: (quote_of[head], child))
    for role, used in ((CUE, cues), (SOURCE, sources)):
        for key in keys - set(used.values()):
            if key[2] == role:
                raise ValueError(f"{role} span {key[0]}-{key[1]} is linked to no quote (no {role}_OF relation)")

    def span(key: Key | None) -> Span | None:
        return None if key is None else Span(key[0], key[1])

    return [
        Item.quote(
            f"q{i}",
            kind(first[2])[1],
            tuple(Span(p[0], p[1]) for p in sorted([first] + [h for h, child in part_of.items() if child == first])),
            span(cues.get(first)),
            span(sources.get(first)),
            _entity_id(entity_ids, speakers.get(first)),
        )
        for i, first in enumerate(firsts, start=1)
    ]


def _one(label: str, pairs: Iterable[tuple[Key, Key]], owner_of) -> dict[Key, Key]:
    """What each owner (a quote's first part, an event's trigger) is linked to by `label`, refusing two."""
    found: dict[Key, Key] = {}
    for head, child in pairs:
        owner, value = owner_of(head, child)
        if owner in found and found[owner] != value:
            what = {"content": "quote", "event": "event"}.get(kind(owner[2])[0], owner[2])
            raise ValueError(f"the {what} at {owner[0]}-{owner[1]} has two {label} relations")
        found[owner] = value
    return found


def _entity_id(entity_ids: dict[Key, str], key: Key | None) -> str | None:
    return None if key is None else entity_ids.get(key)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def span_key(start: object, end: object, label: object, text: str, what: str, given: object = None) -> Key:
    """A span checked against the text: integer offsets inside it, a label, the text it says it covers."""
    if not (is_int(start) and is_int(end)):
        raise ValueError(f"{what}: start and end must be integers")
    assert isinstance(start, int) and isinstance(end, int)
    if not 0 <= start < end <= len(text):
        raise ValueError(f"{what}: offsets {start}-{end} are not a span of the text (length {len(text)})")
    if not isinstance(label, str) or not label:
        raise ValueError(f'{what}: "label" must be a non-empty string')
    if given is not None and given != text[start:end]:
        raise ValueError(f"{what}: text {given!r} does not match the article at {start}-{end} ({text[start:end]!r})")
    return start, end, label
