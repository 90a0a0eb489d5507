"""Native JSONL: one record per article per annotation set, every layer, lossless.

{"id", "text", "meta", "source", "annotator", "status",
 "entities": [{"id", "start", "end", "label", "text", "origin"?}],
 "quotes": [{"id", "type", "content": [span], "cue": span|null, "source": span|null, "speaker": id|null, "origin"?}],
 "events": [{"id", "type", "trigger": span, "source_actor": id|null, "target_actor": id|null, "attrs"?, "origin"?}]}
where span = {"start", "end", "text"}. A record with only id/text/meta is a plain article.
Each item's optional "origin" says what a person did with it: "model" (a suggestion nobody
looked at; in a submitted set, accepted by submitting), "accepted", "changed" or "added"
(the default, and what the older "human" reads as).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import Invalid
from ..model import ORIGINS, SET_KINDS, STATUSES, Annotation, Item, Record, Span, origin_of
from .base import Format, Reading, json_lines, text_and_meta, write_json_lines

_LAYER_KEYS = ("entities", "quotes", "events")


# --- writing --------------------------------------------------------------------------


def to_json(record: Record) -> dict[str, Any]:
    """A record as the native JSON object, keys in schema order."""
    out: dict[str, Any] = {"id": record.ext_id, "text": record.text, "meta": record.meta}
    if record.annotation is None:
        return out
    text = record.text

    def span(s: Span | None) -> dict | None:
        return None if s is None else {"start": s.start, "end": s.end, "text": text[s.start : s.end]}

    out.update(source=record.source, annotator=record.annotator, status=record.status)
    out["entities"] = [
        {
            "id": e.id,
            "start": e.start,
            "end": e.end,
            "label": e.label,
            "text": text[e.start : e.end],
            "origin": e.origin,
        }
        for e in record.annotation.entities
    ]
    out["quotes"] = [
        {
            "id": q.id,
            "type": q.label,
            "content": [span(c) for c in q.parts("content")],
            "cue": span(q.span("cue")),
            "source": span(q.span("source")),
            "speaker": q.link("speaker"),
            **({"attrs": dict(q.attrs)} if q.attrs else {}),
            "origin": q.origin,
        }
        for q in record.annotation.quotes
    ]
    events = []
    for v in record.annotation.events:
        event = {
            "id": v.id,
            "type": v.label,
            "trigger": span(v.span("trigger")),
            "source_actor": v.link("source_actor"),
            "target_actor": v.link("target_actor"),
        }
        if v.attrs:
            event["attrs"] = dict(v.attrs)
        event["origin"] = v.origin
        events.append(event)
    out["events"] = events
    return out


def dumps(record: Record) -> str:
    return json.dumps(to_json(record), ensure_ascii=False)


def write(records: Iterable[Record], out: Path | IO[str]) -> int:
    """Write records one line each, as they come; returns how many."""
    return write_json_lines(records, out, to_json)


# --- reading --------------------------------------------------------------------------


def read(path: Path, reading: Reading) -> Iterator[tuple[str, Record]]:
    """Records of a native JSONL file; FormatError names FILE:LINE of the first bad one."""
    return json_lines(path, from_json)


def from_json(data: Any) -> Record:
    """A native record; raises ValueError with the reason when it is malformed."""
    text, meta = text_and_meta(data, "record")
    ext_id = data.get("id")
    if ext_id is not None and (not isinstance(ext_id, (str, int)) or str(ext_id) == ""):
        raise ValueError('"id" must be a non-empty string')
    record = Record(ext_id=str(ext_id) if ext_id is not None else "", text=text, meta=meta)
    if not any(key in data for key in _LAYER_KEYS) and data.get("source") is None:
        return record
    source = data.get("source")
    if source not in SET_KINDS:
        raise ValueError(f'"source" must be one of {", ".join(SET_KINDS)} for a record with annotations')
    status = data.get("status") or ("submitted" if source != "model" else "draft")
    if status not in STATUSES:
        raise ValueError(f'"status" must be one of {", ".join(STATUSES)}')
    annotator = data.get("annotator")
    if annotator is not None and not isinstance(annotator, str):
        raise ValueError('"annotator" must be a string')
    record.source, record.annotator, record.status = source, annotator, status
    record.annotation = Annotation.of(
        _entities(_list(data, "entities"), text)
        + [_quote(q, text) for q in _list(data, "quotes")]
        + [_event(v, text) for v in _list(data, "events")]
    )
    return record


def _list(data: dict, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f'"{key}" must be a list')
    return value


def _offsets(obj: Any, text: str, what: str) -> Span:
    if not isinstance(obj, dict):
        raise ValueError(f"{what} must be an object with start and end")
    start, end = obj.get("start"), obj.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise ValueError(f"{what}: start and end must be integers")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"{what}: offsets {start}-{end} are not a span of the text (length {len(text)})")
    given = obj.get("text")
    if given is not None and given != text[start:end]:
        raise ValueError(f"{what}: text {given!r} does not match the article at {start}-{end} ({text[start:end]!r})")
    return Span(start, end)


def _maybe_span(obj: Any, text: str, what: str) -> Span | None:
    return None if obj is None else _offsets(obj, text, what)


def _id(obj: dict, what: str) -> str:
    value = obj.get("id")
    if not isinstance(value, str) or not value:
        raise ValueError(f'{what}: "id" must be a non-empty string')
    return value


def _label(obj: dict, key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f'{what}: "{key}" must be a non-empty string')
    return value


def _ref(obj: dict, key: str, what: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f'{what}: "{key}" must be an entity id or null')
    return value


def _origin(obj: dict, what: str) -> str:
    value = obj.get("origin")
    if value is not None and not isinstance(value, str):
        raise ValueError(f'{what}: "origin" must be one of {", ".join(ORIGINS)}')
    try:
        return origin_of(value)
    except Invalid as exc:
        raise ValueError(f"{what}: {exc}") from None


# An item's "origin" as written (absent, the older "human" or one of ORIGINS), and what it reads as.
_ORIGINS: dict[str | None, str] = {None: origin_of(None), "human": origin_of("human"), **{o: o for o in ORIGINS}}


def _entities(values: list, text: str) -> list[Item]:
    """The entities of a record: those of the usual shape checked in one expression (a file holds
    hundreds of thousands), any other read by _entity, which says what is wrong with it."""
    length, items = len(text), []
    for obj in values:
        if type(obj) is dict:
            item_id, start, end, label = obj.get("id"), obj.get("start"), obj.get("end"), obj.get("label")
            given, origin = obj.get("text"), obj.get("origin")
            if (
                type(item_id) is str
                and item_id
                and type(start) is int
                and type(end) is int
                and 0 <= start < end <= length
                and type(label) is str
                and label
                and (given is None or given == text[start:end])
                and (origin is None or type(origin) is str)
                and origin in _ORIGINS
            ):
                items.append(Item.entity(item_id, start, end, label, _ORIGINS[origin]))
                continue
        items.append(_entity(obj, text))
    return items


def _entity(obj: Any, text: str) -> Item:
    if not isinstance(obj, dict):
        raise ValueError("an entity must be an object")
    item_id = _id(obj, "entity")
    what = f"entity {item_id}"
    span = _offsets(obj, text, what)
    return Item.entity(item_id, span.start, span.end, _label(obj, "label", what), _origin(obj, what))


def _quote(obj: Any, text: str) -> Item:
    if not isinstance(obj, dict):
        raise ValueError("a quote must be an object")
    item_id = _id(obj, "quote")
    what = f"quote {item_id}"
    content = obj.get("content")
    if not isinstance(content, list) or not content:
        raise ValueError(f"{what}: content must be a non-empty list of spans")
    spans = {
        "content": tuple(_offsets(c, text, f"{what} content") for c in content),
        "cue": _maybe_span(obj.get("cue"), text, f"{what} cue"),
        "source": _maybe_span(obj.get("source"), text, f"{what} source"),
    }
    links = {"speaker": _ref(obj, "speaker", what)}
    return Item.make("quote", item_id, _label(obj, "type", what), spans, links, _attrs(obj, what), _origin(obj, what))


def _attrs(obj: dict, what: str) -> tuple[tuple[str, str], ...]:
    attrs = obj.get("attrs") or {}
    if not isinstance(attrs, dict) or not all(isinstance(v, str) for v in attrs.values()):
        raise ValueError(f"{what}: attrs must be an object of strings")
    return tuple(sorted(attrs.items()))


def _event(obj: Any, text: str) -> Item:
    if not isinstance(obj, dict):
        raise ValueError("an event must be an object")
    item_id = _id(obj, "event")
    what = f"event {item_id}"
    return Item.event(
        item_id,
        _label(obj, "type", what),
        _offsets(obj.get("trigger"), text, f"{what} trigger"),
        _ref(obj, "source_actor", what),
        _ref(obj, "target_actor", what),
        _attrs(obj, what),
        _origin(obj, what),
    )


FORMAT = Format(
    "jsonl",
    "native JSONL: every layer, lossless",
    suffixes=(".jsonl", ".ndjson"),
    read=read,
    write=write,
    media_type="application/x-ndjson",
    download_suffix=".jsonl",
    tokens=False,
)
