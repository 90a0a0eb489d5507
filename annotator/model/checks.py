"""The rules every annotation keeps, checked whole (on import) or by what a change touches (on save)."""

from __future__ import annotations

import bisect
from collections.abc import Container, Iterable, Mapping
from operator import attrgetter

from ..errors import Invalid
from .annotation import Annotation, Change
from .items import LAYERS, LINK_TARGET, Item

# The labels each layer allows (a Scheme, or any container of names).
Schemes = Mapping[str, Container[str]]


def check(annotation: Annotation, text: str, schemes: Schemes) -> None:
    """Raise Invalid unless every rule of every layer holds."""
    _check_items(annotation.items(), text, schemes)
    _check_links(annotation.items(), {item.id for item in annotation.layer(LINK_TARGET)})
    for layer in LAYERS.values():
        if layer.exclusive:
            found = annotation.layer(layer.name)
            mains = [item.main for item in found]  # in text order: each needs only its next to be apart
            for at in range(len(mains) - 1):
                if mains[at].end > mains[at + 1].start:
                    _check_apart(found[at], found[at + 1])


def check_change(before: Annotation, change: Change, text: str, schemes: Schemes) -> Annotation:
    """The annotation `change` leads to, checked by looking only at what it touches.

    Equivalent to `check(before.apply(change), ...)` when `before` was valid, in time
    proportional to the change rather than the article: a save re-checks one item,
    not five hundred.
    """
    after = before.apply(change)  # refuses stale items and duplicate ids
    _check_items(change.after, text, schemes)
    kept = {i.id for i in change.after if i.layer == LINK_TARGET}
    removed = {i.id for i in change.before if i.layer == LINK_TARGET} - kept
    linking = [item for item in change.after if item.links]
    if linking or removed:  # the set's entities, gathered only when a link is to be checked
        targets = {item.id for item in after.layer(LINK_TARGET)}
        _check_links(linking, targets)
        if removed:
            _check_links(after.items(), targets)  # a removed target: is anything still pointing at it?
    for new in change.after:
        if new.kind.exclusive:
            neighbours = after.layer(new.layer)  # in text order: its neighbours by bisection
            at = bisect.bisect_left(neighbours, new.start, key=attrgetter("start"))
            for neighbour in neighbours[max(0, at - 1) : at + 2]:
                if neighbour.id != new.id:
                    _check_apart(*sorted((neighbour, new), key=lambda i: (i.start, i.end)))
    return after


def _check_items(items: Iterable[Item], text: str, schemes: Schemes) -> None:
    seen: set[str] = set()
    for item in items:
        if not item.id:
            raise Invalid(f"a {item.layer} has no id")
        if item.id in seen:
            raise Invalid(f"id {item.id!r} is used twice")
        seen.add(item.id)
        if item.label not in schemes[item.layer]:
            raise Invalid(f"{item.layer} {item.id}: unknown label {item.label!r}")
        _check_parts(item, len(text))


def _check_parts(item: Item, length: int) -> None:
    kind = item.kind
    spans = item.spans
    # One span of the main role, where every other role is optional (every entity and most events),
    # needs no count of its roles: an import checks every item it reads.
    if not (len(spans) == 1 and spans[0][0] == kind.main and kind.only_main_needed):
        _check_roles(item)
    for role, span in spans:
        if not 0 <= span.start < span.end <= length:
            raise Invalid(
                f"{item.layer} {item.id}: {role} offsets {span.start}-{span.end} are outside the text "
                f"(0-{length}) or empty"
            )
    if item.attrs and not kind.has_attrs:
        raise Invalid(f"{item.layer} {item.id}: a {item.layer} has no attributes")


def _check_roles(item: Item) -> None:
    """Each role as often as the layer allows, and no role it lacks."""
    kind = item.kind
    roles = [role for role, _ in item.spans]
    for role in kind.roles:
        count = roles.count(role)
        if count == 0 and role not in kind.optional:
            article = "at least one" if role in kind.repeated else "a"
            raise Invalid(f"a {item.layer} needs {article} {role} span")
        if count > 1 and role not in kind.repeated:
            raise Invalid(f"{item.layer} {item.id} has {count} {role} spans; it takes one")
    for role in roles:
        if role not in kind.roles:
            raise Invalid(f"{item.layer} {item.id}: a {item.layer} has no {role} span")


def _check_links(items: Iterable[Item], targets: set[str]) -> None:
    for item in items:
        for role, target in item.links:
            if role not in item.kind.links:
                raise Invalid(f"{item.layer} {item.id}: a {item.layer} has no {role} link")
            if target not in targets:
                raise Invalid(f"{item.layer} {item.id}: {role} {target!r} is not an {LINK_TARGET} of this set")


def _check_apart(a: Item, b: Item) -> None:
    """Items a and b of an exclusive layer (a first) must not overlap."""
    if a.end > b.start:
        raise Invalid(f"{a.layer} {a.id} ({a.start}-{a.end}) and {b.id} ({b.start}-{b.end}) overlap")
