"""The items of annotation sets, stored alike for every layer.

An item is a row of `items` holding its first span (of its layer's main role, which every item
has: an entity's span, a quote's first content part, an event's trigger), its other spans in
`spans` (role, order within the role, offsets) and its links in `links` (role, target entity);
the layer's definition says which roles there are. An entity is one row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from ..model import LAYERS, Annotation, Item, Span
from ._sql import iter_rows, marks


def load_annotation(db: Database, set_id: int) -> Annotation:
    return load_annotations(db, [set_id])[set_id]


def load_annotations(db: Database, set_ids: list[int]) -> dict[int, Annotation]:
    """The annotations of several sets, in two queries: links, then items joined with their spans."""
    where = f"set_id IN ({marks(set_ids)})"
    links: dict[tuple[int, str], dict[str, str]] = defaultdict(dict)
    for r in iter_rows(db, f"SELECT set_id, item, role, target FROM links WHERE {where}", set_ids):
        links[r["set_id"], r["item"]][r["role"]] = r["target"]
    items: dict[int, list[Item]] = {set_id: [] for set_id in set_ids}
    # One row an item and each of its other spans, an item's rows together (both primary keys give
    # this order without a sort); exports read every item of every set, so an item is built once,
    # from its rows, by Item.stored. Plain tuples, read by position: a sqlite3.Row a span, read by
    # name, cost the exports a fifth.
    cursor = db.conn.cursor()
    cursor.row_factory = None
    joined = cursor.execute(
        "SELECT i.set_id, i.key, i.layer, i.label, i.origin, i.attrs, i.start_char, i.end_char, "
        "s.role, s.start_char, s.end_char "
        f"FROM items i LEFT JOIN spans s ON s.set_id = i.set_id AND s.item = i.key WHERE i.{where} "
        "ORDER BY i.set_id, i.key, s.role, s.ord",
        set_ids,
    )
    first = next(joined, None)
    while first is not None:
        set_id, key, layer, label, origin, attrs_json, main_start, main_end, role, start, end = first
        parts = _main_part(layer, main_start, main_end)
        if role is not None:
            parts.append((role, Span(start, end)))
        found = next(joined, None)
        while found is not None and found[1] == key and found[0] == set_id:
            parts.append((found[8], Span(found[9], found[10])))
            found = next(joined, None)
        attrs = _attrs(attrs_json)
        items[set_id].append(Item.stored(layer, key, label, parts, links.get((set_id, key), {}), attrs, origin))
        first = found
    return {set_id: Annotation.of(found) for set_id, found in items.items()}


@dataclass(frozen=True)
class ItemRows:
    """A set's items as the rows of `items`, `spans` and `links`, without the set's id.

    What an import spools between reading and writing: plain tuples pickle and load in C, where an
    Item cost a Python call each way (a third of an import's second phase), and they go straight into
    `insert_rows`. `annotation()` gives the items back for the rarer paths that edit them.
    """

    items: list[tuple[str, str, str, str, str, int | None, int | None]]  # key, layer, label, origin,
    # attrs (JSON), the first span's start and end (of the main role; None when the item has none)
    spans: list[tuple[str, str, int, int, int]]  # item, role, ord, start, end: the other spans, in role order
    links: list[tuple[str, str, str]]  # item, role, target

    @classmethod
    def of(cls, items: Iterable[Item], origin: str | None = None) -> ItemRows:
        """The rows of these items; with `origin`, every item's origin is that one (a model's set
        holds suggestions: as_suggestions, without a copy of each item)."""
        item_rows: list[tuple[str, str, str, str, str, int | None, int | None]] = []
        span_rows: list[tuple[str, str, int, int, int]] = []
        link_rows: list[tuple[str, str, str]] = []
        for item in items:
            key, spans = item.id, item.spans
            attrs = json.dumps(dict(item.attrs)) if item.attrs else "{}"
            # The item's first span goes in its row when it is of the main role (as in every checked item).
            main = spans[0][1] if spans and spans[0][0] == LAYERS[item.layer].main else None
            start, end = (None, None) if main is None else (main.start, main.end)
            item_rows.append((key, item.layer, item.label, origin or item.origin, attrs, start, end))
            if item.links:
                link_rows.extend((key, role, target) for role, target in item.links)
            if len(spans) == 1 and main is not None:
                continue  # every entity: no other span to write
            # An item's spans come in role order, so a span's number within its role counts from the
            # role's first (a dict of counts an item cost an import more than the rows it numbered).
            role_before, number = None, 0
            for at, (role, span) in enumerate(spans):
                number = number + 1 if role == role_before else 0
                role_before = role
                if at or main is None:
                    span_rows.append((key, role, number, span.start, span.end))
        return cls(item_rows, span_rows, link_rows)

    def __len__(self) -> int:
        return len(self.items)

    def annotation(self) -> Annotation:
        """The items these rows hold."""
        others: dict[str, list[tuple[str, Span]]] = defaultdict(list)
        for key, role, _, start, end in self.spans:
            others[key].append((role, Span(start, end)))
        links: dict[str, dict[str, str]] = defaultdict(dict)
        for key, role, target in self.links:
            links[key][role] = target
        return Annotation.of(
            Item.stored(
                layer,
                key,
                label,
                _main_part(layer, start, end) + others.get(key, []),
                links.get(key, {}),
                _attrs(attrs),
                origin,
            )
            for key, layer, label, origin, attrs, start, end in self.items
        )


def _main_part(layer: str, start: int | None, end: int | None) -> list[tuple[str, Span]]:
    """The first span an item's row holds, as the first of its parts (none when the row has none)."""
    return [] if start is None or end is None else [(LAYERS[layer].main, Span(start, end))]


def _attrs(stored: str) -> tuple[tuple[str, str], ...]:
    """An item's attributes from their JSON (most items have none: no parse for them)."""
    return () if stored == "{}" else tuple(sorted((str(k), str(v)) for k, v in json.loads(stored).items()))


def insert_items(db: Database, set_id: int, items: Iterable[Item]) -> None:
    insert_rows(db, set_id, ItemRows.of(items))


def insert_rows(db: Database, set_id: int, rows: ItemRows) -> None:
    """Write a set's rows (ItemRows.of its items)."""
    head = (set_id,)
    db.conn.executemany(
        "INSERT INTO items (set_id, key, layer, label, origin, attrs, start_char, end_char) VALUES (?,?,?,?,?,?,?,?)",
        [head + row for row in rows.items],
    )
    if rows.spans:
        db.conn.executemany(
            "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (?,?,?,?,?,?)",
            [head + row for row in rows.spans],
        )
    if rows.links:
        db.conn.executemany(
            "INSERT INTO links (set_id, item, role, target) VALUES (?,?,?,?)", [head + row for row in rows.links]
        )


def delete_items(db: Database, set_id: int, keys: Iterable[str]) -> None:
    db.conn.executemany("DELETE FROM items WHERE set_id = ? AND key = ?", [(set_id, key) for key in keys])


def copy_items(db: Database, source: int, target: int, origin: str) -> int:
    """Copy every item of one set into another (empty) set with the given origin, row for row; how many.

    An annotator's first opening copies the model's suggestions this way: in SQL, with no
    item made in Python and written back, since it is the page people wait on most."""
    copied = db.execute(
        "INSERT INTO items (set_id, key, layer, label, origin, attrs, start_char, end_char) "
        "SELECT ?, key, layer, label, ?, attrs, start_char, end_char FROM items WHERE set_id = ?",
        [target, origin, source],
    ).rowcount
    db.execute(
        "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) "
        "SELECT ?, item, role, ord, start_char, end_char FROM spans WHERE set_id = ?",
        [target, source],
    )
    db.execute(
        "INSERT INTO links (set_id, item, role, target) SELECT ?, item, role, target FROM links WHERE set_id = ?",
        [target, source],
    )
    return int(copied)
