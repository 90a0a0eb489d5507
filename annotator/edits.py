"""Edits a person makes on the annotation page, each turned into a `Change`.

The functions never write anything: they look at the current annotation and
return the change that the store then applies atomically. They work on items
of any layer; where a layer has its own rule (entities may not overlap, a
deleted entity's links are cut) the rule lives here, once.
"""

from __future__ import annotations

from dataclasses import replace

from .model import (
    HUMAN,
    ITEM_TYPES,
    Annotation,
    Change,
    Checked,
    Entity,
    Event,
    InvalidAnnotation,
    Item,
    Quote,
    Span,
    Tokens,
    check_change,
)

QUOTE_MARKS = "\"“”„«»‘’'"
# Which span roles and links each layer's items have.
SPAN_ROLES = {"entity": ("entity",), "quote": ("content", "cue", "source"), "event": ("trigger",)}
LINK_ROLES = {"entity": (), "quote": ("speaker",), "event": ("source_actor", "target_actor")}


def _item(annotation: Annotation, item_id: str) -> Item:
    item = annotation.get(item_id)
    if item is None:
        raise InvalidAnnotation(f"there is no item {item_id!r} (it may have been deleted)")
    return item


def add_item(
    annotation: Annotation, tokens: Tokens, text: str, layer: str, start: int, end: int, label: str | None
) -> tuple[Change, str]:
    """A new entity, quote (content = the selection) or event (trigger = the selection)."""
    span = tokens.snap(start, end)
    cls = ITEM_TYPES.get(layer)
    if cls is None:
        raise InvalidAnnotation(f"unknown layer {layer!r}")
    new_id = annotation.next_id(cls.prefix)
    if layer == "entity":
        replaced = tuple(e for e in annotation.entities if e.span.overlaps(span))
        new = Entity(new_id, span.start, span.end, label, HUMAN)
        relinked = relink(annotation, {e.id for e in replaced}, new.id)
        return Change(before=replaced + relinked.before, after=(new,) + relinked.after), new.id
    if layer == "quote":
        return Change(after=(Quote(new_id, label or guess_quote_type(text, span), (span,)),)), new_id
    if any(v.trigger == span for v in annotation.events):
        raise InvalidAnnotation("an event with that trigger exists already")
    return Change(after=(Event(new_id, label, span),)), new_id


def guess_quote_type(text: str, span: Span) -> str:
    """DIRECT when the selection is enclosed in quotation marks, else INDIRECT."""
    before = text[max(0, span.start - 1) : span.start]
    inside = text[span.start : span.end]
    after = text[span.end : span.end + 2]
    opened = inside[:1] in QUOTE_MARKS or before in QUOTE_MARKS
    closed = inside[-1:] in QUOTE_MARKS or any(ch in QUOTE_MARKS for ch in after)
    return "DIRECT" if opened and closed else "INDIRECT"


def relabel(annotation: Annotation, item_id: str, label: str) -> Change:
    """Give an item another label (entity label, quote type, event type); confirms it too."""
    old = _item(annotation, item_id)
    field = "label" if isinstance(old, Entity) else "type"
    return Change(before=(old,), after=(replace(old, **{field: label}, origin=HUMAN),))


def confirm(annotation: Annotation, item_id: str) -> Change:
    """Accept a model suggestion as it is."""
    old = _item(annotation, item_id)
    return Change(before=(old,), after=(replace(old, origin=HUMAN),))


def delete(annotation: Annotation, item_id: str) -> Change:
    """Remove an item; quotes and events that pointed at a removed entity lose that link."""
    old = _item(annotation, item_id)
    if not isinstance(old, Entity):
        return Change(before=(old,))
    unlinked = relink(annotation, {item_id}, None)
    return Change(before=(old,) + unlinked.before, after=unlinked.after)


def move_boundary(
    annotation: Annotation, tokens: Tokens, item_id: str, side: str, delta: int, role: str | None = None
) -> Change:
    """Move a start or end by whole tokens: an entity, a trigger, or a quote's cue or source."""
    old = _item(annotation, item_id)
    role = role or SPAN_ROLES[old.layer][0]
    current = _span_of(old, role)
    moved = tokens.move(current, side, delta)
    if isinstance(old, Entity):
        for other in annotation.entities:
            if other.id != item_id and other.span.overlaps(moved):
                raise InvalidAnnotation(f"that would overlap {other.label} “{other.id}”; delete it first")
    return Change(before=(old,), after=(_with_span(old, role, moved),))


def set_span(annotation: Annotation, tokens: Tokens, item_id: str, role: str, start: int, end: int) -> Change:
    """Set a quote's cue or source, add a content span, or move an event's trigger, from a selection."""
    old = _item(annotation, item_id)
    if role not in SPAN_ROLES[old.layer] or role == "entity":
        raise InvalidAnnotation(f"this {old.layer} has no {role} part to set")
    span = tokens.snap(start, end)
    if role == "content":
        if any(part.overlaps(span) for part in old.content):
            raise InvalidAnnotation("that text is already part of the quote's content")
        return Change(before=(old,), after=(replace(old, content=tuple(sorted(old.content + (span,))), origin=HUMAN),))
    return Change(before=(old,), after=(_with_span(old, role, span),))


def clear_part(annotation: Annotation, item_id: str, role: str, index: int = 0) -> Change:
    """Remove a quote's cue, source or one of several content spans, or an item's link."""
    old = _item(annotation, item_id)
    if role in LINK_ROLES[old.layer]:
        return Change(before=(old,), after=(replace(old, **{role: None}, origin=HUMAN),))
    if old.layer != "quote" or role not in SPAN_ROLES["quote"]:
        raise InvalidAnnotation(f"the {role} of this {old.layer} cannot be removed; delete the {old.layer} instead")
    if role == "content":
        if len(old.content) < 2 or not 0 <= index < len(old.content):
            raise InvalidAnnotation("a quote keeps at least one content span")
        content = old.content[:index] + old.content[index + 1 :]
        return Change(before=(old,), after=(replace(old, content=content, origin=HUMAN),))
    return Change(before=(old,), after=(replace(old, **{role: None}, origin=HUMAN),))


def set_link(annotation: Annotation, item_id: str, role: str, target: str | None) -> Change:
    """Point a quote's speaker or an event's actor at an entity (None clears it)."""
    old = _item(annotation, item_id)
    if role not in LINK_ROLES[old.layer]:
        raise InvalidAnnotation(f"this {old.layer} has no {role} link")
    if target is not None:
        annotation.entity(target)
    return Change(before=(old,), after=(replace(old, **{role: target}, origin=HUMAN),))


def validated(change: Change, annotation: Annotation, text: str, schemes) -> Checked:
    """The change with the annotation it leads to, once that keeps every layer's rules."""
    return Checked(change, check_change(annotation, change, text, schemes))


def _span_of(item: Item, role: str) -> Span:
    if isinstance(item, Entity):
        return item.span
    span = getattr(item, role, None) if role in ("cue", "source", "trigger") else None
    if span is None:
        raise InvalidAnnotation(f"this {item.layer} has no {role} to move")
    return span


def _with_span(item: Item, role: str, span: Span) -> Item:
    if isinstance(item, Entity):
        return replace(item, start=span.start, end=span.end, origin=HUMAN)
    return replace(item, **{role: span}, origin=HUMAN)


def relink(annotation: Annotation, old_ids: set[str], new_id: str | None) -> Change:
    """Point every link aimed at one of `old_ids` to `new_id` instead."""
    before: list[Item] = []
    after: list[Item] = []
    for item in annotation.items():
        updates = {role: new_id for role, target in item.links() if target in old_ids}
        if updates:
            before.append(item)
            after.append(replace(item, **updates))
    return Change(tuple(before), tuple(after))
