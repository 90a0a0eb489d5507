"""doccano JSONL: sequence labelling and relation projects, as doccano exports them.

    {"id": 3, "text": "…", "label": [[0, 4, "GPE"], …]}                       (sequence labelling)
    {"id": 3, "text": "…", "entities": [{"id": 1, "label": "GPE", "start_offset": 0, "end_offset": 4}],
     "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "SPEAKER"}]}     (relation projects)
    {"id": 3, "text": "…", "annotations": [{"label": "GPE", "start_offset": 0, "end_offset": 4,
                                           "user": 2}]}                         (doccano 1.0, every user)

Spans and relations carry every layer as `flat` describes. The annotator is the record's `user`
(each annotation's, in the 1.0 shape: one set per user), else --annotator, else the file's name
(doccano exports one file per user, named after them). doccano's own id is kept in meta
(`doccano_id`); the article id is the text's unless meta says otherwise. Text labels of
classification projects (`label: ["positive"]`) are reported, not imported.

Writing gives the relation shape, with `user` for annotator sets and our id, set kind and status
in `meta` (doccano keeps unknown keys as metadata). Not carried: item ids (renumbered), event
attrs, quote attrs, and doccano's comments and classification labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model import SET_KINDS, STATUSES, Record
from . import flat
from .base import Format, FormatError, Reading, json_sample, json_values, reason, text_and_meta, write_json_lines
from .flat import Key


def _is_span_list(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, list) and len(v) == 3 for v in value)


def _has_offsets(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict) and "start_offset" in v for v in value)


def sniff(path: Path) -> bool:
    """doccano's: any of the first records has span triples or start_offset/end_offset objects."""
    return any(
        isinstance(r, dict)
        and (
            _is_span_list(r.get("label"))
            or _is_span_list(r.get("labels"))
            or _has_offsets(r.get("entities"))
            or _has_offsets(r.get("annotations"))
        )
        for r in json_sample(path)
    )


# --- writing --------------------------------------------------------------------------


def to_json(record: Record) -> dict[str, Any]:
    out: dict[str, Any] = {"text": record.text, "meta": {**record.meta, "id": record.ext_id}}
    if record.annotation is None:
        return out
    out["meta"].update(set=record.source, status=record.status)
    keys, relations = flat.encode(record.annotation)
    number = {key: n for n, key in enumerate(keys, start=1)}
    out["entities"] = [{"id": number[k], "label": k[2], "start_offset": k[0], "end_offset": k[1]} for k in keys]
    out["relations"] = [
        {"id": n, "from_id": number[head], "to_id": number[child], "type": label}
        for n, (head, child, label) in enumerate(relations, start=1)
    ]
    if record.source == "annotator" and record.annotator:
        out["user"] = record.annotator
    return out


def write(records: Iterable[Record], out: Path) -> int:
    return write_json_lines(records, out, to_json)


# --- reading --------------------------------------------------------------------------


def read(path: Path, reading: Reading) -> Iterator[tuple[str, Record]]:
    """Records of a doccano JSONL file (one per user and text in the 1.0 shape)."""
    for where, data in json_values(path):
        try:
            yield from ((where, record) for record in _records(data, path, where, reading))
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"{where}: {reason(exc)}") from None


def _records(data: Any, path: Path, where: str, reading: Reading) -> list[Record]:
    text, meta = text_and_meta(data, "record")
    ext_id, kind, status = meta.pop("id", None), meta.pop("set", None), meta.pop("status", None)
    if data.get("id") is not None:
        meta.setdefault("doccano_id", data["id"])
    article = Record("" if ext_id is None else str(ext_id), text, meta)
    source = kind if kind in SET_KINDS else "annotator"
    status = status if status in STATUSES else ("draft" if source == "model" else "submitted")
    default = _user(data.get("user")) or reading.annotator or path.stem
    by_user: dict[str, tuple[list[Key], list]] = defaultdict(lambda: ([], []))
    found = False
    for key in ("label", "labels"):
        value = data.get(key)
        if isinstance(value, list) and value:
            found = True
            spans = by_user[default][0]
            for n, triple in enumerate(value, start=1):
                if isinstance(triple, str):
                    reading.notes.skip("doccano text label (classification, not imported)", where)
                    continue
                if not isinstance(triple, list) or len(triple) != 3:
                    raise ValueError(f'"{key}" {n} must be [start, end, label]')
                spans.append(flat.span_key(triple[0], triple[1], triple[2], text, f"{key} {n}"))
    if isinstance(data.get("entities"), list):
        found = True
        _entities(data, text, by_user[default])
    if isinstance(data.get("annotations"), list):
        found = True
        for n, obj in enumerate(data["annotations"], start=1):
            what = f"annotation {n}"
            if not isinstance(obj, dict):
                raise ValueError(f"{what} must be an object")
            user = _user(obj.get("user")) or default
            by_user[user][0].append(_offsets(obj, text, what))
    if not found:
        return [article]
    records = []
    for user, (spans, relations) in by_user.items():

        def other(label: str) -> None:
            reading.notes.skip(f"relation {label} (not one of our links)", where)

        annotator = user if source == "annotator" else None
        record = Record(article.ext_id, text, dict(meta), source, annotator, status)
        record.annotation = flat.decode(dict.fromkeys(spans), relations, other)
        records.append(record)
    return records


def _user(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError('"user" must be a name or a number')
    return str(value)


def _offsets(obj: dict, text: str, what: str) -> Key:
    return flat.span_key(obj.get("start_offset"), obj.get("end_offset"), obj.get("label"), text, what)


def _entities(data: dict, text: str, into: tuple[list[Key], list]) -> None:
    spans, relations = into
    by_id: dict[Any, Key] = {}
    for n, obj in enumerate(data["entities"], start=1):
        if not isinstance(obj, dict):
            raise ValueError(f"entity {n} must be an object")
        key = _offsets(obj, text, f"entity {n}")
        by_id[obj.get("id", n)] = key
        spans.append(key)
    found = data.get("relations") or []
    if not isinstance(found, list):
        raise ValueError('"relations" must be a list')
    for n, rel in enumerate(found, start=1):
        if not isinstance(rel, dict) or not isinstance(rel.get("type"), str):
            raise ValueError(f'relation {n} must be an object with "from_id", "to_id" and "type"')
        if rel.get("from_id") not in by_id or rel.get("to_id") not in by_id:
            raise ValueError(f"relation {n}: from_id and to_id must be ids of the record's entities")
        relations.append((by_id[rel["from_id"]], by_id[rel["to_id"]], rel["type"]))


FORMAT = Format(
    "doccano",
    "doccano JSONL (sequence labelling and relations, annotators as users)",
    suffixes=(".jsonl", ".ndjson"),
    read=read,
    write=write,
    sniff=sniff,
    media_type="application/x-ndjson",
    download_suffix=".doccano.jsonl",
    tokens=False,
)
