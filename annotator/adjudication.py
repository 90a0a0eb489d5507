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
from .errors import Invalid
from .model import ACCEPTED, LINK_TARGET, Annotation, Change, Item


def signature(item: Item, annotation: Annotation) -> tuple:
    """What two annotators must both have for their items to count as the same, ids aside."""
    links = tuple((role, _entity_key(annotation, target)) for role, target in item.links)
    return (item.layer, item.label, item.spans, links)


def _entity_key(annotation: Annotation, entity_id: str) -> tuple | None:
    entity = annotation.get(entity_id)
    return None if entity is None else (entity.start, entity.end, entity.label)


def agreement_counts(versions: Sequence[Annotation]) -> list[dict[str, int]]:
    """For each version, how many versions (itself included) have each of its items."""
    signatures = [{signature(item, v): item.id for item in v.items()} for v in versions]
    return [{item_id: sum(sig in other for other in signatures) for sig, item_id in own.items()} for own in signatures]


def accept_version(gold: Annotation, version: Annotation) -> Change:
    """Make gold exactly one annotator's version, its items as accepted by the reviewer."""
    return Change(before=tuple(gold.items()), after=tuple(replace(i, origin=ACCEPTED) for i in version.items()))


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

    def same_in_gold(item: Item) -> Item | None:
        return next((i for i in working.layer(item.layer) if signature(i, working) == signature(item, version)), None)

    def gold_target_for(target_id: str) -> str:
        target = version.get(target_id)
        if target is None:
            raise Invalid(f"that version has no {LINK_TARGET} {target_id!r}")
        same = same_in_gold(target)
        return same.id if same else take_exclusive(target)

    def take_exclusive(item: Item) -> str:
        """An item of an exclusive layer pushes aside what it overlaps, taking over its links."""
        pushed = tuple(i for i in working.layer(item.layer) if i.main.overlaps(item.main))
        new = replace(item, id=working.next_id(item.kind.prefix), origin=ACCEPTED)
        relinked = relink(working, {p.id for p in pushed}, new.id)
        apply(Change(before=pushed + relinked.before, after=(new,) + relinked.after))
        return new.id

    for item_id in item_ids:
        item = version.get(item_id)
        if item is None:
            raise Invalid(f"that version has no item {item_id!r}")
        if item.kind.exclusive:
            if same_in_gold(item) is None:
                take_exclusive(item)
            continue
        links = tuple((role, gold_target_for(target)) for role, target in item.links)
        new = replace(item, id=working.next_id(item.kind.prefix), origin=ACCEPTED, links=links)
        if any(signature(new, working) == signature(other, working) for other in working.layer(new.layer)):
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
        raise Invalid("merging what annotators agree on needs two or more submitted versions")
    ids = set(agreed_ids(versions, 0))
    # link targets first, so the items that link to them find them in gold
    ordered = sorted((i for i in versions[0].items() if i.id in ids), key=lambda i: i.layer != LINK_TARGET)
    return take_items(gold, versions[0], [i.id for i in ordered])
