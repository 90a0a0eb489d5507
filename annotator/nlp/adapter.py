"""The one adapter between spaCy Docs and annotations, and the one way links are written in a Doc.

In a Doc, entities are `doc.ents` (an entity's id as its `Span.id`, when it has
one). Every other layer's items are spans in one span group per role (GROUPS):
a quote's content in "quote", its cue in "cue", its source in "source"; an
event's trigger in "event". All spans of one item share its id as `Span.id`
and its label. Links are kept in the `attrs` of the group of the item's main
role: `attrs[role] = {item id: [start_char, end_char] of the linked entity, or
None}` (so they need no ids, which the NER's entities do not have, and no
`user_data`), and an item's free attributes in `attrs["attrs"] = {item id:
{name: value}}`.

Our pipeline components write exactly this (through `encode_link`); pre-
annotation and the DocBin format read and write it here.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..model import HUMAN, LAYERS, LINK_TARGET, Annotation, Item, Span

# spaCy is imported where a Doc is read or written, not with the layout: the spaCy export fills
# its DocBin from `doc_layout` without spaCy (formats.docbin_shard).
if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.tokens import Span as DocSpan

# The span group each role's spans go to (the link target layer's main role is doc.ents).
GROUPS = {"content": "quote", "cue": "cue", "source": "source", "trigger": "event"}
ATTRS = "attrs"


def encode_link(entity: DocSpan | None) -> list[int] | None:
    """A link as written in a Doc: the linked entity's character offsets."""
    return None if entity is None else [entity.start_char, entity.end_char]


def annotation_from_doc(
    doc: Doc, *, labels: Mapping[str, Container[str]] | None = None, origin: str = HUMAN
) -> Annotation:
    """The annotation a Doc carries; with `labels`, only items whose label a layer allows.

    Raises ValueError when the Doc breaks the layout above (a part of no item, two
    spans for a role that takes one, a link to offsets no entity has).
    """
    dropped: set[tuple[int, int]] = set()
    entities: list[Item] = []
    for ent in doc.ents:
        if labels is not None and ent.label_ not in labels[LINK_TARGET]:
            dropped.add((ent.start_char, ent.end_char))
            continue
        entities.append(
            Item.entity(ent.id_ or f"t{len(entities) + 1}", ent.start_char, ent.end_char, ent.label_, origin)
        )
    by_offsets = {(e.start, e.end): e.id for e in entities}
    items = list(entities)
    for layer in LAYERS.values():
        if layer.name != LINK_TARGET:
            allowed = None if labels is None else labels[layer.name]
            items.extend(_layer_items(doc, layer.name, allowed, by_offsets, dropped, origin))
    return Annotation.of(items)


def _layer_items(doc, layer_name, allowed, by_offsets, dropped, origin) -> Iterable[Item]:
    from spacy.tokens import SpanGroup

    layer = LAYERS[layer_name]
    main = GROUPS[layer.main]
    group = doc.spans[main] if main in doc.spans else SpanGroup(doc, name=main)
    parts: dict[str, dict[str, list[Span]]] = {}
    label_of: dict[str, str] = {}
    for n, span in enumerate(group, start=1):
        item_id = span.id_ or f"{layer.prefix}{n}"
        if allowed is not None and span.label_ not in allowed:
            continue
        label_of.setdefault(item_id, span.label_)
        parts.setdefault(item_id, {}).setdefault(layer.main, []).append(Span(span.start_char, span.end_char))
    skipped = {span.id_ for span in group if span.id_ and span.id_ not in parts}
    for role in layer.roles[1:]:
        for span in doc.spans.get(GROUPS[role], ()):
            if span.id_ in skipped:
                continue
            if span.id_ not in parts:
                raise ValueError(f"the {role} span {span.text!r} belongs to no {layer.name} (Span.id {span.id_!r})")
            found = parts[span.id_].setdefault(role, [])
            if found and role not in layer.repeated:
                raise ValueError(f"{layer.name} {span.id_} has two {role} spans")
            found.append(Span(span.start_char, span.end_char))
    links = {role: _mapping(group.attrs.get(role), f"{main} attrs[{role!r}]") for role in layer.links}
    attrs = _mapping(group.attrs.get(ATTRS), f"{main} attrs['attrs']") if layer.has_attrs else {}
    for item_id, spans in parts.items():
        linked = {
            role: _target(found.get(item_id), by_offsets, dropped, f"{layer.name} {item_id} {role}")
            for role, found in links.items()
        }
        yield Item.make(layer.name, item_id, label_of[item_id], spans, linked, _attrs(attrs.get(item_id)), origin)


def _mapping(value: Any, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a dict by item id")
    return value


def _target(value: Any, by_offsets: dict[tuple[int, int], str], dropped: set, what: str) -> str | None:
    """The entity id a link names, from its offsets (or, as DocBins of 0.1 wrote them, its id)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in by_offsets.values():
            raise ValueError(f"{what}: {value!r} is not an entity of the document")
        return value
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        key = (value[0], value[1])
        if key in by_offsets:
            return by_offsets[key]
        if key in dropped:
            return None  # an entity whose label the project does not use: the link goes with it
        raise ValueError(f"{what}: no entity at {value[0]}-{value[1]}")
    raise ValueError(f"{what} must be [start_char, end_char] of an entity, not {value!r}")


def _attrs(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValueError(f"an item's attrs must be a dict of names to values, not {value!r}")
    return tuple((str(k), str(v)) for k, v in value.items())


class Placed(NamedTuple):
    """One span as a Doc holds it: characters, label, the item's id (`Span.id`), what to call it in errors."""

    start: int
    end: int
    label: str
    item_id: str
    what: str


def doc_layout(annotation: Annotation) -> tuple[list[Placed], list[tuple[str, list[Placed], dict]]]:
    """Where every item of `annotation` goes in a Doc (the layout above): the spans of `doc.ents`,
    and each span group in order as (name, spans, attrs). `annotation_to_doc` writes it into a Doc,
    the spaCy export (`formats.docbin_shard`) straight into a DocBin's arrays."""
    ents = [Placed(m.start, m.end, e.label, e.id, f"entity {e.id}") for e in annotation.entities for m in [e.main]]
    offsets: dict[str, list[int]] = {}  # encode_link of each entity, made when an item of a linking layer needs it
    groups: list[tuple[str, list[Placed], dict]] = []
    for layer in LAYERS.values():
        if layer.name == LINK_TARGET:
            continue
        found = annotation.layer(layer.name)
        if found and layer.links and not offsets:
            offsets = {e.id: [e.main.start, e.main.end] for e in annotation.entities}
        attrs: dict[str, dict] = {
            role: {item.id: offsets.get(item.link(role) or "") for item in found} for role in layer.links
        }
        if layer.has_attrs:
            attrs[ATTRS] = {item.id: dict(item.attrs) for item in found if item.attrs}
        for role in layer.roles:
            spans = [
                Placed(part.start, part.end, item.label, item.id, f"{layer.name} {item.id} {role}")
                for item in found
                for part in item.parts(role)
            ]
            groups.append((GROUPS[role], spans, attrs if role == layer.main else {}))
    return ents, groups


def annotation_to_doc(annotation: Annotation, doc: Doc, *, where: str = "") -> Doc:
    """Write every layer of `annotation` into `doc` (whose tokens must fit every span)."""

    def span(part: Placed) -> DocSpan:
        found = doc.char_span(part.start, part.end, label=part.label, span_id=part.item_id, alignment_mode="strict")
        if found is None:
            raise ValueError(f"{where}{part.what} {part.start}-{part.end} does not fall on token boundaries")
        return found

    ents, groups = doc_layout(annotation)
    doc.ents = [span(part) for part in ents]
    for name, spans, attrs in groups:
        doc.spans[name] = [span(part) for part in spans]
        doc.spans[name].attrs.update(attrs)
    return doc
