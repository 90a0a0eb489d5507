"""Edits a person makes on the annotation page, each turned into a `Change`.

The functions never write anything: they look at the current annotation and
return the change that the store then applies atomically. They work on items of
any layer; where a layer has a rule of its own (entities may not overlap, a
deleted entity's links are cut, two events never share a trigger) the layer's
definition says so and the rule is applied here, once.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass

from .errors import Invalid
from .model import (
    ADDED,
    LINK_TARGET,
    MODEL,
    Annotation,
    Change,
    Checked,
    Item,
    Span,
    Tokens,
    check_change,
    layer_of,
)


def _item(annotation: Annotation, item_id: str) -> Item:
    item = annotation.get(item_id)
    if item is None:
        raise Invalid(f"there is no item {item_id!r} (it may have been deleted)")
    return item


def add_item(
    annotation: Annotation, tokens: Tokens, text: str, layer: str, start: int, end: int, label: str | None
) -> tuple[Change, str]:
    """A new item of `layer` whose main span (entity, quote content, trigger) is the selection."""
    kind = layer_of(layer)
    span = tokens.selection(start, end)
    if label is None:
        if kind.default_label is None:
            raise Invalid(f"pick a label for the new {layer}")
        label = kind.default_label(text, span)
    if kind.one_per_span and any(i.main == span for i in annotation.layer(layer)):
        raise Invalid(f"a {layer} with that {kind.main} exists already")
    new = Item.make(layer, annotation.next_id(kind.prefix), label, {kind.main: span}, origin=ADDED)
    if not kind.exclusive:
        return Change(after=(new,)), new.id
    # an item of an exclusive layer pushes aside those it overlaps, taking over their links
    replaced = tuple(i for i in annotation.layer(layer) if i.main.overlaps(span))
    relinked = relink(annotation, {i.id for i in replaced}, new.id)
    return Change(before=replaced + relinked.before, after=(new,) + relinked.after), new.id


def relabel(annotation: Annotation, item_id: str, label: str) -> Change:
    """Give an item another label (entity label, quote type, event type); its own label accepts it."""
    old = _item(annotation, item_id)
    return Change(before=(old,), after=(old.relabelled(label),))


def confirm(annotation: Annotation, item_id: str) -> Change:
    """Accept a model suggestion as it is (an item a person made or accepted stays as it is)."""
    old = _item(annotation, item_id)
    return Change(before=(old,), after=(old.confirmed(),))


def confirm_all(annotation: Annotation, within: tuple[int, int] | None = None) -> Change:
    """Accept every suggestion nobody looked at; with `within` (a paragraph's bounds), those starting there."""
    found = tuple(
        item
        for item in annotation.items()
        if item.origin == MODEL and (within is None or within[0] <= item.start < within[1])
    )
    return Change(before=found, after=tuple(item.confirmed() for item in found))


def delete(annotation: Annotation, item_id: str) -> Change:
    """Remove an item; items that linked to it lose that link."""
    old = _item(annotation, item_id)
    if old.layer != LINK_TARGET:
        return Change(before=(old,))
    unlinked = relink(annotation, {item_id}, None)
    return Change(before=(old,) + unlinked.before, after=unlinked.after)


def move_boundary(
    annotation: Annotation, tokens: Tokens, item_id: str, side: str, delta: int, role: str | None = None
) -> Change:
    """Move a start or end of one of an item's spans by whole tokens (its main span by default)."""
    old = _item(annotation, item_id)
    role = role or old.kind.main
    parts = old.parts(role)
    if len(parts) != 1:
        raise Invalid(f"this {old.layer} has no single {role} to move")
    moved = tokens.move(parts[0], side, delta)
    _refuse_overlap(annotation, old, role, moved)
    return Change(before=(old,), after=(old.with_parts(role, (moved,)),))


def set_span(annotation: Annotation, tokens: Tokens, item_id: str, role: str, start: int, end: int) -> Change:
    """Set one of an item's spans from a selection; a repeated role (quote content) gets one more."""
    old = _item(annotation, item_id)
    if role not in old.kind.roles:
        raise Invalid(f"this {old.layer} has no {role} part to set")
    span = tokens.selection(start, end)
    if role in old.kind.repeated:
        if any(part.overlaps(span) for part in old.parts(role)):
            raise Invalid(f"that text is already part of the {old.layer}'s {role}")
        return Change(before=(old,), after=(old.with_parts(role, old.parts(role) + (span,)),))
    _refuse_overlap(annotation, old, role, span)
    return Change(before=(old,), after=(old.with_parts(role, (span,)),))


def clear_part(annotation: Annotation, item_id: str, role: str, index: int = 0) -> Change:
    """Remove an item's link, an optional span, or one of several spans of a repeated role."""
    old = _item(annotation, item_id)
    kind = old.kind
    if role in kind.links:
        return Change(before=(old,), after=(old.with_link(role, None),))
    parts = old.parts(role)
    if role in kind.repeated and role not in kind.optional:
        if len(parts) < 2 or not 0 <= index < len(parts):
            raise Invalid(f"a {old.layer} keeps at least one {role} span")
        return Change(before=(old,), after=(old.with_parts(role, parts[:index] + parts[index + 1 :]),))
    if role not in kind.optional:
        raise Invalid(f"the {role} of this {old.layer} cannot be removed; delete the {old.layer} instead")
    return Change(before=(old,), after=(old.with_parts(role, ()),))


def set_link(annotation: Annotation, item_id: str, role: str, target: str | None) -> Change:
    """Point one of an item's links (speaker, actor) at an entity; None clears it."""
    old = _item(annotation, item_id)
    if role not in old.kind.links:
        raise Invalid(f"this {old.layer} has no {role} link")
    if target is not None:
        found = annotation.get(target)
        if found is None or found.layer != LINK_TARGET:
            raise Invalid(f"there is no {LINK_TARGET} {target!r}")
    return Change(before=(old,), after=(old.with_link(role, target),))


@dataclass(frozen=True)
class LinkChoice:
    """One entry of a link picker: an entity (None: no link), whether it is the current target and
    whether its label is one the layer's links usually point at."""

    entity: Item | None
    current: bool = False
    preferred: bool = False


def link_choices(annotation: Annotation, text: str, item_id: str, role: str) -> list[LinkChoice]:
    """What a link can point at, best first: the current target; then one mention per name and
    label, nearest the item first (a mention before it wins a tie), the labels the layer's links
    usually point at (speakers, actors) before "no link", the others after it."""
    item = _item(annotation, item_id)
    if role not in item.kind.links:
        raise Invalid(f"this {item.layer} has no {role} link")
    current = annotation.get(item.link(role) or "")
    nearest: dict[tuple[str, str], Item] = {}
    for entity in annotation.layer(LINK_TARGET):
        key = (entity.label, text[entity.start : entity.end])
        known = nearest.get(key)
        if known is None or _distance(entity, item) < _distance(known, item):
            nearest[key] = entity
    others = sorted((e for e in nearest.values() if e != current), key=lambda e: _distance(e, item))
    preferred = set(item.kind.link_labels)
    choices = [LinkChoice(current, current=True, preferred=current.label in preferred)] if current else []
    choices += [LinkChoice(e, preferred=True) for e in others if e.label in preferred]
    choices.append(LinkChoice(None, current=current is None))
    choices += [LinkChoice(e) for e in others if e.label not in preferred]
    return choices


def _distance(entity: Item, item: Item) -> tuple[int, bool]:
    return abs(entity.start - item.start), entity.start > item.start


def validated(change: Change, annotation: Annotation, text: str, schemes: Mapping[str, Container[str]]) -> Checked:
    """The change with the annotation it leads to, once that keeps every layer's rules."""
    return Checked(change, check_change(annotation, change, text, schemes))


def _refuse_overlap(annotation: Annotation, old: Item, role: str, span: Span) -> None:
    """An exclusive layer's main span may not be moved over another item of the layer."""
    if not old.kind.exclusive or role != old.kind.main:
        return
    for other in annotation.layer(old.layer):
        if other.id != old.id and other.main.overlaps(span):
            raise Invalid(f"that would overlap {other.label} “{other.id}”; delete it first")


def relink(annotation: Annotation, old_ids: set[str], new_id: str | None) -> Change:
    """Point every link aimed at one of `old_ids` to `new_id` instead (None cuts them)."""
    before: list[Item] = []
    after: list[Item] = []
    for item in annotation.items():
        moved = [role for role, target in item.links if target in old_ids]
        if moved:
            changed = item
            for role in moved:
                changed = changed.with_link(role, new_id, origin=item.origin)
            before.append(item)
            after.append(changed)
    return Change(tuple(before), tuple(after))
