"""The items of annotation sets, stored alike for every layer.

An item is a row of `items` with its spans in `spans` (role, order, offsets)
and its links in `links` (role, target entity); the layer's definition says
which roles there are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from sqlite_utils import Database

from ..model import Annotation, Item, Span
from ._sql import iter_rows, marks


def load_annotation(db: Database, set_id: int) -> Annotation:
    return load_annotations(db, [set_id])[set_id]


def load_annotations(db: Database, set_ids: list[int]) -> dict[int, Annotation]:
    """The annotations of several sets, in three queries."""
    where = f"set_id IN ({marks(set_ids)})"
    spans: dict[tuple[int, str], dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for r in iter_rows(
        db,
        f"SELECT set_id, item, role, start_char, end_char FROM spans WHERE {where} ORDER BY set_id, item, role, ord",
        set_ids,
    ):
        spans[r["set_id"], r["item"]][r["role"]].append(Span(r["start_char"], r["end_char"]))
    links: dict[tuple[int, str], dict[str, str | None]] = defaultdict(dict)
    for r in iter_rows(db, f"SELECT set_id, item, role, target FROM links WHERE {where}", set_ids):
        links[r["set_id"], r["item"]][r["role"]] = r["target"]
    items: dict[int, list[Item]] = {set_id: [] for set_id in set_ids}
    for r in iter_rows(db, f"SELECT set_id, key, layer, label, origin, attrs FROM items WHERE {where}", set_ids):
        key = (r["set_id"], r["key"])
        # most items have no attributes: no JSON parse for them (exports read every item)
        attrs = () if r["attrs"] == "{}" else tuple((str(k), str(v)) for k, v in json.loads(r["attrs"]).items())
        items[r["set_id"]].append(
            Item.make(r["layer"], r["key"], r["label"], spans[key], links[key], attrs, r["origin"])
        )
    return {set_id: Annotation.of(found) for set_id, found in items.items()}


def insert_items(db: Database, set_id: int, items: Iterable[Item]) -> None:
    item_rows: list[tuple] = []
    span_rows: list[tuple] = []
    link_rows: list[tuple] = []
    for item in items:
        attrs = json.dumps(dict(item.attrs)) if item.attrs else "{}"
        item_rows.append((set_id, item.id, item.layer, item.label, item.origin, attrs))
        # An item's spans come in role order, so a span's number within its role counts from the
        # role's first (a dict of counts an item cost an import more than the rows it numbered).
        role_before, number = None, 0
        for role, span in item.spans:
            number = number + 1 if role == role_before else 0
            span_rows.append((set_id, item.id, role, number, span.start, span.end))
            role_before = role
        if item.links:
            link_rows.extend((set_id, item.id, role, target) for role, target in item.links)
    db.conn.executemany("INSERT INTO items (set_id, key, layer, label, origin, attrs) VALUES (?,?,?,?,?,?)", item_rows)
    db.conn.executemany(
        "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (?,?,?,?,?,?)", span_rows
    )
    db.conn.executemany("INSERT INTO links (set_id, item, role, target) VALUES (?,?,?,?)", link_rows)


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
