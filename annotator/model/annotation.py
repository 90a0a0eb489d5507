"""An annotation set's content, and the changes made to it.

Items are immutable; an edit is a `Change` (the items before, the items after),
which is what the store writes, the history records and undo inverts.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import Invalid
from .items import LAYER_NAMES, MODEL, Item


@dataclass(frozen=True)
class Change:
    """One edit: the items it removes and the items it puts in their place."""

    before: tuple[Item, ...] = ()
    after: tuple[Item, ...] = ()

    def inverse(self) -> Change:
        return Change(before=self.after, after=self.before)

    @property
    def empty(self) -> bool:
        return set(self.before) == set(self.after)


@dataclass(frozen=True)
class Annotation:
    """The items of one annotation set, each layer's in text order."""

    layers: tuple[tuple[Item, ...], ...] = tuple(() for _ in LAYER_NAMES)

    @classmethod
    def of(cls, items: Iterable[Item]) -> Annotation:
        by_layer: dict[str, list[Item]] = {name: [] for name in LAYER_NAMES}
        for item in items:
            by_layer[item.layer].append(item)
        return cls(tuple(tuple(sorted(found, key=_position)) for found in by_layer.values()))

    def layer(self, name: str) -> tuple[Item, ...]:
        return self.layers[LAYER_NAMES.index(name)]

    @property
    def entities(self) -> tuple[Item, ...]:
        return self.layer("entity")

    @property
    def quotes(self) -> tuple[Item, ...]:
        return self.layer("quote")

    @property
    def events(self) -> tuple[Item, ...]:
        return self.layer("event")

    def items(self) -> Iterator[Item]:
        for found in self.layers:
            yield from found

    def get(self, item_id: str) -> Item | None:
        return next((item for item in self.items() if item.id == item_id), None)

    def next_id(self, prefix: str) -> str:
        used = {item.id for item in self.items()}
        n = 1 + sum(1 for item_id in used if item_id.startswith(prefix))
        while f"{prefix}{n}" in used:
            n += 1
        return f"{prefix}{n}"

    def without_untouched(self, layer: str) -> Annotation:
        """The annotation without one layer's suggestions nobody looked at (origin MODEL)."""
        return Annotation.of(i for i in self.items() if not (i.layer == layer and i.origin == MODEL))

    def apply(self, change: Change) -> Annotation:
        """The annotation with `change` made; refuses a change made against other content.

        The same as `Annotation.of` over the items left and added (an added item after those in
        the same place), found by bisection in the layers the change touches: a save of one item
        in an article of 500 looks at a handful, not all of them sorted again."""
        # only the layers the change makes or removes items in are copied
        touched = {name: list(self.layer(name)) for name in {i.layer for i in (*change.before, *change.after)}}
        removed: set[str] = set()
        for item in change.before:
            found = touched[item.layer]
            at = bisect.bisect_left(found, _position(item), key=_position)
            while at < len(found) and found[at] != item and _position(found[at]) == _position(item):
                at += 1
            if at == len(found) or found[at] != item:
                raise Invalid(f"{item.layer} {item.id} has changed since; reload to see it")
            del found[at]
            removed.add(item.id)
        added: set[str] = set()
        for item in change.after:
            if item.id in added or (item.id in self.item_ids and item.id not in removed):
                raise Invalid(f"{item.layer} {item.id} exists already")
            bisect.insort_right(touched[item.layer], item, key=_position)
            added.add(item.id)
        result = Annotation(
            tuple(tuple(touched[name]) if name in touched else kept for name, kept in zip(LAYER_NAMES, self.layers))
        )
        # known already, so the next save starts from it; most edits (a relabel, a confirm, a boundary
        # moved) keep the ids they touch, and then the article's set of ids is not copied at all
        ids = self.item_ids if added == removed else (self.item_ids - removed) | added
        result.__dict__["item_ids"] = ids
        return result

    @functools.cached_property
    def item_ids(self) -> frozenset[str]:
        """The ids of every item, of every layer."""
        return frozenset(item.id for item in self.items())


def _position(item: Item) -> tuple[int, int]:
    main = item.main
    return (main.start, main.end)


@dataclass(frozen=True)
class Checked:
    """A change together with the annotation it leads to, once checked (so nobody applies it twice)."""

    change: Change
    result: Annotation


def as_suggestions(annotation: Annotation) -> Annotation:
    """The same items marked as unconfirmed model suggestions."""
    # Only origins change, so each layer keeps its order (no sort again), and an item that is
    # a suggestion already is kept as it is.
    return Annotation(tuple(tuple(item.suggested() for item in found) for found in annotation.layers))
