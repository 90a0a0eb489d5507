"""The items of annotation sets, stored alike for every layer.

An item is a row of `items` with its spans in `spans` (role, order, offsets)
and its links in `links` (role, target entity); the layer's definition says
which roles there are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from ..model import Annotation, Item, Span
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
    # One row a span, an item's rows together (both primary keys give this order without a sort);
    # exports read every item of every set, so an item is built once, from its rows, by Item.stored.
    # Plain tuples, read by position: a sqlite3.Row a span, read by name, cost the exports a fifth.
    cursor = db.conn.cursor()
    cursor.row_factory = None
    joined = cursor.execute(
        "SELECT i.set_id, i.key, i.layer, i.label, i.origin, i.attrs, s.role, s.start_char, s.end_char "
        f"FROM items i LEFT JOIN spans s ON s.set_id = i.set_id AND s.item = i.key WHERE i.{where} "
        "ORDER BY i.set_id, i.key, s.role, s.ord",
        set_ids,
    )
    first = next(joined, None)
    while first is not None:
        set_id, key, layer, label, origin, attrs_json, role, start, end = first
        parts: list[tuple[str, Span]] = [] if role is None else [(role, Span(start, end))]
        found = next(joined, None)
        while found is not None and found[1] == key and found[0] == set_id:
            parts.append((found[6], Span(found[7], found[8])))
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

    items: list[tuple[str, str, str, str, str]]  # key, layer, label, origin, attrs (JSON)
    spans: list[tuple[str, str, int, int, int]]  # item, role, ord, start, end; an item's in role order
    links: list[tuple[str, str, str]]  # item, role, target

    @classmethod
    def of(cls, items: Iterable[Item], origin: str | None = None) -> ItemRows:
        """The rows of these items; with `origin`, every item's origin is that one (a model's set
        holds suggestions: as_suggestions, without a copy of each item)."""
        item_rows: list[tuple[str, str, str, str, str]] = []
        span_rows: list[tuple[str, str, int, int, int]] = []
        link_rows: list[tuple[str, str, str]] = []
        for item in items:
            key = item.id
            attrs = json.dumps(dict(item.attrs)) if item.attrs else "{}"
            item_rows.append((key, item.layer, item.label, origin or item.origin, attrs))
            # An item's spans come in role order, so a span's number within its role counts from the
            # role's first (a dict of counts an item cost an import more than the rows it numbered).
            role_before, number = None, 0
            for role, span in item.spans:
                number = number + 1 if role == role_before else 0
                span_rows.append((key, role, number, span.start, span.end))
                role_before = role
            if item.links:
                link_rows.extend((key, role, target) for role, target in item.links)
        return cls(item_rows, span_rows, link_rows)

    def __len__(self) -> int:
        return len(self.items)

    def annotation(self) -> Annotation:
        """The items these rows hold."""
        parts: dict[str, list[tuple[str, Span]]] = defaultdict(list)
        for key, role, _, start, end in self.spans:
            parts[key].append((role, Span(start, end)))
        links: dict[str, dict[str, str]] = defaultdict(dict)
        for key, role, target in self.links:
            links[key][role] = target
        return Annotation.of(
            Item.stored(layer, key, label, parts.get(key, []), links.get(key, {}), _attrs(attrs), origin)
            for key, layer, label, origin, attrs in self.items
        )


def _attrs(stored: str) -> tuple[tuple[str, str], ...]:
    """An item's attributes from their JSON (most items have none: no parse for them)."""
    return () if stored == "{}" else tuple(sorted((str(k), str(v)) for k, v in json.loads(stored).items()))


def insert_items(db: Database, set_id: int, items: Iterable[Item]) -> None:
    insert_rows(db, set_id, ItemRows.of(items))


def insert_rows(db: Database, set_id: int, rows: ItemRows) -> None:
    """Write a set's rows (ItemRows.of its items)."""
    head = (set_id,)
    db.conn.executemany(
        "INSERT INTO items (set_id, key, layer, label, origin, attrs) VALUES (?,?,?,?,?,?)",
        [head + row for row in rows.items],
    )
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
        "INSERT INTO items (set_id, key, layer, label, origin, attrs) "
        "SELECT ?, key, layer, label, ?, attrs FROM items WHERE set_id = ?",
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
