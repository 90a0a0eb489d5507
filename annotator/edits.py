"""Edits a person makes on the annotation page, each turned into a `Change`.

The functions never write anything: they look at the current annotation and
return the change that the store then applies atomically.
"""

from __future__ import annotations

from dataclasses import replace

from .model import HUMAN, Annotation, Change, Entity, InvalidAnnotation, Item, Span, Tokens


def add_entity(annotation: Annotation, tokens: Tokens, start: int, end: int, label: str) -> tuple[Change, str]:
    """Label a selection; entities it overlaps give way to it. Returns the change and the new id."""
    span = tokens.snap(start, end)
    replaced = tuple(e for e in annotation.entities if e.span.overlaps(span))
    new = Entity(annotation.next_id(Entity.prefix), span.start, span.end, label, HUMAN)
    relinked = _relink(annotation, {e.id for e in replaced}, new.id)
    return Change(before=replaced + relinked.before, after=(new,) + relinked.after), new.id


def relabel_entity(annotation: Annotation, entity_id: str, label: str) -> Change:
    """Give an entity another label (or confirm a suggestion by giving it its own)."""
    old = annotation.entity(entity_id)
    return Change(before=(old,), after=(replace(old, label=label, origin=HUMAN),))


def confirm_entity(annotation: Annotation, entity_id: str) -> Change:
    """Accept a model suggestion as it is."""
    old = annotation.entity(entity_id)
    return Change(before=(old,), after=(replace(old, origin=HUMAN),))


def delete_entity(annotation: Annotation, entity_id: str) -> Change:
    """Remove an entity; quotes and events that pointed at it lose that link."""
    old = annotation.entity(entity_id)
    unlinked = _relink(annotation, {entity_id}, None)
    return Change(before=(old,) + unlinked.before, after=unlinked.after)


def move_boundary(annotation: Annotation, tokens: Tokens, entity_id: str, side: str, delta: int) -> Change:
    """Move an entity's start or end by whole tokens, never into a neighbour."""
    old = annotation.entity(entity_id)
    span = tokens.move(old.span, side, delta)
    for other in annotation.entities:
        if other.id != entity_id and other.span.overlaps(span):
            raise InvalidAnnotation(f"that would overlap {other.label} “{other.id}”; delete it first")
    return Change(before=(old,), after=(replace(old, start=span.start, end=span.end, origin=HUMAN),))


def _relink(annotation: Annotation, old_ids: set[str], new_id: str | None) -> Change:
    """Point every link aimed at one of `old_ids` to `new_id` instead."""
    before: list[Item] = []
    after: list[Item] = []
    for item in annotation.items():
        updates = {role: new_id for role, target in item.links() if target in old_ids}
        if updates:
            before.append(item)
            after.append(replace(item, **updates))
    return Change(tuple(before), tuple(after))




def validated(change: Change, annotation: Annotation, text: str, schemes) -> Change:
    """The change itself, once the annotation it leads to keeps every layer's rules."""
    from .model import check

    check(annotation.apply(change), text, schemes)
    return change
