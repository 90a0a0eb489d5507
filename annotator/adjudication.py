"""Building gold from annotators' versions: accept one, take items one by one, merge what all agree on.

Each function returns the `Change` to the gold annotation; the store applies it
with the same version check, history and undo as any other edit. Items keep
their layer's rules: a taken entity pushes aside the gold entities it
overlaps, and a taken quote or event brings the entities it links to (or
reuses the gold entity with the same span and label).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .edits import relink
from .model import (
    HUMAN,
    Annotation,
    Change,
    Entity,
    Event,
    InvalidAnnotation,
    Item,
    Quote,
)


def signature(item: Item, annotation: Annotation) -> tuple:
    """What two annotators must both have for their items to count as the same, ids aside."""
    if isinstance(item, Entity):
        return ("entity", item.start, item.end, item.label)
    links = tuple(
        (role, _entity_key(annotation, target)) for role, target in item.links() if target is not None
    )
    spans = tuple((role, span.start, span.end) for role, span in item.spans())
    return (item.layer, item.label, spans, links)


def _entity_key(annotation: Annotation, entity_id: str) -> tuple | None:
    entity = annotation.get(entity_id)
    return None if entity is None else (entity.start, entity.end, entity.label)


def agreement_counts(versions: Sequence[Annotation]) -> list[dict[str, int]]:
    """For each version, how many versions (itself included) have each of its items."""
    signatures = [{signature(item, v): item.id for item in v.items()} for v in versions]
    counts = []
    for version, own in zip(versions, signatures):
        counts.append({item_id: sum(sig in other for other in signatures) for sig, item_id in own.items()})
    return counts


def accept_version(gold: Annotation, version: Annotation) -> Change:
    """Make gold exactly one annotator's version (as confirmed items)."""
    return Change(before=tuple(gold.items()), after=tuple(replace(i, origin=HUMAN) for i in version.items()))


def take_items(gold: Annotation, version: Annotation, item_ids: Sequence[str]) -> Change:
    """Copy items of a version into gold, with the entities they link to, under fresh gold ids."""
    working = gold
    before: dict[str, Item] = {}
    after: dict[str, Item] = {}

    def apply(change: Change) -> None:
        nonlocal working
        working = working.apply(change)
        for item in change.before:
            if item.id in after:
                del after[item.id]
            else:
                before.setdefault(item.id, item)
        for item in change.after:
            after[item.id] = item

    def gold_entity_for(entity_id: str) -> str:
        entity = version.entity(entity_id)
        same = next((e for e in working.entities if (e.start, e.end, e.label) == (entity.start, entity.end, entity.label)), None)
        return same.id if same else take_entity(entity)

    def take_entity(entity: Entity) -> str:
        pushed = tuple(e for e in working.entities if e.span.overlaps(entity.span))
        new = replace(entity, id=working.next_id(Entity.prefix), origin=HUMAN)
        relinked = relink(working, {p.id for p in pushed}, new.id)
        apply(Change(before=pushed + relinked.before, after=(new,) + relinked.after))
        return new.id

    for item_id in item_ids:
        item = version.get(item_id)
        if item is None:
            raise InvalidAnnotation(f"that version has no item {item_id!r}")
        if isinstance(item, Entity):
            if not any((e.start, e.end, e.label) == (item.start, item.end, item.label) for e in working.entities):
                take_entity(item)
            continue
        links = {role: gold_entity_for(target) for role, target in item.links() if target is not None}
        new = replace(item, id=working.next_id(type(item).prefix), origin=HUMAN, **links)
        if any(signature(new, working) == signature(other, working) for other in working.items() if other.layer == new.layer):
            continue  # gold has it already
        apply(Change(after=(new,)))
    # items both removed and added by this change cancel out; the rest is the change
    return Change(before=tuple(before.values()), after=tuple(after.values()))


def agreed_ids(versions: Sequence[Annotation], index: int) -> list[str]:
    """Ids of the items of versions[index] that every version has."""
    counts = agreement_counts(versions)[index]
    return [item_id for item_id, n in counts.items() if n == len(versions)]


def merge_agreed(gold: Annotation, versions: Sequence[Annotation]) -> Change:
    """Take into gold every item all versions agree on."""
    if len(versions) < 2:
        raise InvalidAnnotation("merging what annotators agree on needs two or more submitted versions")
    first = versions[0]
    ids = agreed_ids(versions, 0)
    # entities first, so the quotes and events that link to them find them in gold
    ordered = [i for i in ids if isinstance(first.get(i), Entity)] + [
        i for i in ids if isinstance(first.get(i), (Quote, Event))
    ]
    return take_items(gold, first, ordered)
