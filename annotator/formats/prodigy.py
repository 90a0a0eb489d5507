"""Prodigy-compatible JSONL: one task per article per annotation set, as Prodigy's
`spans.manual` / `rel.manual` interfaces write them.

{"text", "meta": {"id", "set", "status", ...article meta},
 "tokens": [{"text", "start", "end", "id", "ws"}],          (every stored token, whitespace ones too)
 "spans": [{"start", "end", "token_start", "token_end", "label"}],   (token_end inclusive)
 "relations": [{"head", "child", "head_span", "child_span", "label"}], (head/child: the span's last token)
 "answer", "_input_hash", "_task_hash", "_annotator_id"}

The layers as spans and relations:
- an entity is a span with its label;
- a quote is a span per content part labelled QUOTE_<TYPE> (QUOTE_DIRECT, ...), a CUE span and
  a SOURCE span; relations CUE_OF (cue → first content part), SOURCE_OF (source → first content
  part), PART_OF (each further content part → the first) and SPEAKER (first content part → the
  speaker's entity span);
- an event is an EVENT_<TYPE> span on its trigger, with relations ACTOR (trigger → source actor's
  entity span) and TARGET (trigger → target actor's entity span).

`answer` is "accept", or "ignore" for a set its annotator skipped; `_annotator_id` is the
annotator's name (annotator sets only); `meta.set` and `meta.status` keep the set's kind and status;
`_input_hash` (of the text) and `_task_hash` (of the text, spans and relations) are signed 32-bit
ints like Prodigy's.

Reading takes the same, and plain Prodigy tasks too: without `meta.set` a task is an annotator's
set, named by `_annotator_id` (Prodigy writes "dataset-session" there) or else by --annotator.
A task answered "reject" or "ignore" is kept, with its spans, as a *skipped* set (Prodigy's ignore
is our skip; a rejected manual task has no better home), so nothing in the file is dropped.
A task without "spans" and "answer" is a plain article. A bare QUOTE label is a DIRECT quote.
Relations of other labels are ignored; CUE/SOURCE spans linked to no quote are refused.

Not carried: item ids (entities, quotes and events are renumbered t1…, q1…, v1… on import), event
attrs, article meta keys named "id", "set" or "status", and two quotes whose first content parts
are the same span (they become one).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..model import SET_KINDS, STATUSES, Annotation, Item, Record, Span
from .base import Format, FormatError, json_lines, text_and_meta, tokens_of, trailing_space, write_json_lines

QUOTE, CUE, SOURCE, EVENT = "QUOTE", "CUE", "SOURCE", "EVENT_"
CUE_OF, SOURCE_OF, PART_OF, SPEAKER, ACTOR, TARGET = "CUE_OF", "SOURCE_OF", "PART_OF", "SPEAKER", "ACTOR", "TARGET"


def _hash(value: Any) -> int:
    """A stable signed 32-bit int of a JSON value (Prodigy's hashes are signed 32-bit too)."""
    digest = hashlib.sha1(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


# --- writing --------------------------------------------------------------------------


def to_task(record: Record) -> dict[str, Any]:
    """A record as a Prodigy task."""
    text = record.text
    tokens = tokens_of(record)
    meta = {**record.meta, "id": record.ext_id}
    task: dict[str, Any] = {"text": text, "meta": meta}
    task["tokens"] = [
        {"text": text[s:e], "start": s, "end": e, "id": i, "ws": ws}
        for i, ((s, e), ws) in enumerate(zip(tokens, trailing_space(tokens, text)))
    ]
    input_hash = _hash({"text": text})
    if record.annotation is None:
        task.update(_input_hash=input_hash, _task_hash=_hash({"input": input_hash}))
        return task
    meta.update(set=record.source, status=record.status)
    spans, relations = _spans_and_relations(record, tokens)
    task["spans"] = spans
    task["relations"] = relations
    task["answer"] = "ignore" if record.status == "skipped" else "accept"
    task["_input_hash"] = input_hash
    task["_task_hash"] = _hash({"input": input_hash, "spans": spans, "relations": relations})
    if record.source == "annotator" and record.annotator:
        task["_annotator_id"] = record.annotator
    return task


def _spans_and_relations(record: Record, tokens: Sequence[Sequence[int]]) -> tuple[list[dict], list[dict]]:
    first_token = {s: i for i, (s, _) in enumerate(tokens)}
    last_token = {e: i for i, (_, e) in enumerate(tokens)}
    found: dict[tuple[int, int, str], dict] = {}
    relations: list[dict] = []

    def span(part: Span, label: str) -> dict:
        key = (part.start, part.end, label)
        if key not in found:
            if part.start not in first_token or part.end not in last_token:
                raise FormatError(f"{record.ext_id}: {label} span {part.start}-{part.end} does not fall on tokens")
            found[key] = {
                "start": part.start,
                "end": part.end,
                "token_start": first_token[part.start],
                "token_end": last_token[part.end],
                "label": label,
            }
        return found[key]

    def relate(head: dict, child: dict, label: str) -> None:
        relations.append(
            {
                "head": head["token_end"],
                "child": child["token_end"],
                "head_span": dict(head),
                "child_span": dict(child),
                "label": label,
            }
        )

    annotation = record.annotation or Annotation()
    entities = {e.id: span(e.main, e.label) for e in annotation.entities}
    for q in annotation.quotes:
        first, *rest = [span(part, f"{QUOTE}_{q.label}") for part in q.parts("content")]
        for further in rest:
            relate(further, first, PART_OF)
        for role, label, relation in (("cue", CUE, CUE_OF), ("source", SOURCE, SOURCE_OF)):
            found_part = q.span(role)
            if found_part is not None:
                relate(span(found_part, label), first, relation)
        for _, target in q.links:
            relate(first, entities[target], SPEAKER)
    for v in annotation.events:
        trigger = span(v.main, f"{EVENT}{v.label}")
        for role, target in v.links:
            relate(trigger, entities[target], ACTOR if role == "source_actor" else TARGET)
    spans = sorted(found.values(), key=lambda s: (s["start"], s["end"], s["label"]))
    return spans, relations


def write(records: Iterable[Record], out: Path) -> int:
    """Write one task per line as the records come; returns how many."""
    return write_json_lines(records, out, to_task)


# --- reading --------------------------------------------------------------------------


def read(path: Path) -> Iterator[tuple[str, Record]]:
    """Records of a Prodigy JSONL file; FormatError names FILE:LINE of the first bad task."""
    return json_lines(path, from_task)


def from_task(data: Any) -> Record:
    """A record from a Prodigy task; raises ValueError with the reason when it is malformed."""
    text, meta = text_and_meta(data, "task")
    ext_id, kind, status = meta.pop("id", None), meta.pop("set", None), meta.pop("status", None)
    record = Record(ext_id="" if ext_id is None else str(ext_id), text=text, meta=meta)
    if "spans" not in data and "answer" not in data:
        return record
    answer = data.get("answer", "accept")
    if answer not in ("accept", "reject", "ignore"):
        raise ValueError('"answer" must be accept, reject or ignore')
    record.source = kind if kind in SET_KINDS else "annotator"
    if status not in STATUSES:
        status = "skipped" if answer != "accept" else ("draft" if record.source == "model" else "submitted")
    record.status = status
    if record.source == "annotator":
        annotator = data.get("_annotator_id")
        if annotator is not None and (not isinstance(annotator, str) or not annotator):
            raise ValueError('"_annotator_id" must be a non-empty string')
        record.annotator = annotator
    record.annotation = _annotation(data, text)
    return record


# What each relation links: (kind of head span, kind of child span).
_LINKS = {
    CUE_OF: ("cue", "content"),
    SOURCE_OF: ("source", "content"),
    PART_OF: ("content", "content"),
    SPEAKER: ("content", "entity"),
    ACTOR: ("event", "entity"),
    TARGET: ("event", "entity"),
}

Key = tuple[int, int, str]  # a span as (start, end, label)


def _annotation(data: dict, text: str) -> Annotation:
    keys, by_last_token = _spans(data, text)
    links = _relations(data, text, keys, by_last_token)
    entity_keys = sorted(k for k in keys if _kind(k[2])[0] == "entity")
    entity_ids = {key: f"t{i}" for i, key in enumerate(entity_keys, start=1)}
    items: list[Item] = [Item.entity(entity_ids[k], k[0], k[1], k[2]) for k in entity_keys]
    items += _quotes(keys, links, entity_ids)
    actors = _one(ACTOR, links[ACTOR], lambda head, child: (head, child))
    targets = _one(TARGET, links[TARGET], lambda head, child: (head, child))
    triggers = sorted(k for k in keys if _kind(k[2])[0] == "event")
    items += [
        Item.event(
            f"v{i}",
            _kind(k[2])[1],
            Span(k[0], k[1]),
            _entity_id(entity_ids, actors.get(k)),
            _entity_id(entity_ids, targets.get(k)),
        )
        for i, k in enumerate(triggers, start=1)
    ]
    return Annotation.of(items)


def _spans(data: dict, text: str) -> tuple[set[Key], dict[int, list[Key]]]:
    """The task's spans (duplicates merged), and which end at each token (for relations without spans)."""
    spans = data.get("spans") or []
    if not isinstance(spans, list):
        raise ValueError('"spans" must be a list')
    keys: set[Key] = set()
    by_last_token: dict[int, list[Key]] = defaultdict(list)
    for n, obj in enumerate(spans, start=1):
        key = _span_key(obj, text, f"span {n}")
        if key not in keys:
            keys.add(key)
            if isinstance(obj.get("token_end"), int):
                by_last_token[obj["token_end"]].append(key)
    return keys, by_last_token


def _relations(data: dict, text: str, keys: set[Key], by_last_token) -> dict[str, list[tuple[Key, Key]]]:
    """Our relations as (head, child) span pairs by label, each checked to link the right kinds of span."""

    def resolve(rel: dict, end: str, n: int) -> Key:
        obj = rel.get(f"{end}_span")
        if obj is not None:
            key = _span_key(obj, text, f"relation {n} {end}_span")
            if key not in keys:
                raise ValueError(f"relation {n}: its {end}_span {key[0]}-{key[1]} {key[2]} is not among the spans")
            return key
        candidates = by_last_token.get(rel.get(end), [])
        if len(candidates) != 1:
            raise ValueError(f"relation {n}: cannot tell which span token {rel.get(end)!r} is; give {end}_span")
        return candidates[0]

    relations = data.get("relations") or []
    if not isinstance(relations, list):
        raise ValueError('"relations" must be a list')
    links: dict[str, list[tuple[Key, Key]]] = defaultdict(list)
    for n, rel in enumerate(relations, start=1):
        if not isinstance(rel, dict):
            raise ValueError(f"relation {n} must be an object")
        label = rel.get("label")
        if label not in _LINKS:
            continue  # a relation of some other scheme: not ours to import
        head, child = resolve(rel, "head", n), resolve(rel, "child", n)
        wanted = _LINKS[label]
        if (_kind(head[2])[0], _kind(child[2])[0]) != wanted:
            raise ValueError(f"relation {n}: {label} must link {wanted[0]} → {wanted[1]}, not {head[2]} → {child[2]}")
        links[label].append((head, child))
    return links


def _quotes(keys: set[Key], links, entity_ids: dict[Key, str]) -> list[Item]:
    """A quote per content span that is not PART_OF another; its parts, cue, source and speaker hang off it."""
    part_of = dict(links[PART_OF])
    for head, child in part_of.items():
        if child in part_of:
            raise ValueError(f"PART_OF: {head[0]}-{head[1]} points at {child[0]}-{child[1]}, itself a part")
    firsts = sorted(k for k in keys if _kind(k[2])[0] == "content" and k not in part_of)
    quote_of = {k: k for k in firsts} | part_of
    cues = _one(CUE_OF, links[CUE_OF], lambda head, child: (quote_of[child], head))
    sources = _one(SOURCE_OF, links[SOURCE_OF], lambda head, child: (quote_of[child], head))
    speakers = _one(SPEAKER, links[SPEAKER], lambda head, child: (quote_of[head], child))
    for role, used in ((CUE, cues), (SOURCE, sources)):
        for key in keys - set(used.values()):
            if key[2] == role:
                raise ValueError(f"{role} span {key[0]}-{key[1]} is linked to no quote (no {role}_OF relation)")

    def span(key: Key | None) -> Span | None:
        return None if key is None else Span(key[0], key[1])

    return [
        Item.quote(
            f"q{i}",
            _kind(first[2])[1],
            tuple(Span(p[0], p[1]) for p in sorted([first] + [h for h, child in part_of.items() if child == first])),
            span(cues.get(first)),
            span(sources.get(first)),
            _entity_id(entity_ids, speakers.get(first)),
        )
        for i, first in enumerate(firsts, start=1)
    ]


def _one(label: str, pairs: Iterable[tuple[Key, Key]], owner_of) -> dict[Key, Key]:
    """What each owner (a quote's first part, an event's trigger) is linked to by `label`, refusing two."""
    found: dict[Key, Key] = {}
    for head, child in pairs:
        owner, value = owner_of(head, child)
        if owner in found and found[owner] != value:
            raise ValueError(f"the {_what(owner)} at {owner[0]}-{owner[1]} has two {label} relations")
        found[owner] = value
    return found


def _kind(label: str) -> tuple[str, str]:
    """(what a span is, its type) from its label."""
    if label == QUOTE:
        return "content", "DIRECT"
    if label.startswith(QUOTE + "_"):
        return "content", label[len(QUOTE) + 1 :]
    if label == CUE:
        return "cue", ""
    if label == SOURCE:
        return "source", ""
    if label.startswith(EVENT) and len(label) > len(EVENT):
        return "event", label[len(EVENT) :]
    return "entity", label


def _entity_id(entity_ids: dict[Key, str], key: Key | None) -> str | None:
    return None if key is None else entity_ids.get(key)


def _what(key: tuple) -> str:
    return {"content": "quote", "event": "event"}.get(_kind(key[2])[0], key[2])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _span_key(obj: Any, text: str, what: str) -> tuple[int, int, str]:
    if not isinstance(obj, dict):
        raise ValueError(f"{what} must be an object with start, end and label")
    start, end, label = obj.get("start"), obj.get("end"), obj.get("label")
    if not (_is_int(start) and _is_int(end)):
        raise ValueError(f"{what}: start and end must be integers")
    assert isinstance(start, int) and isinstance(end, int)
    if not 0 <= start < end <= len(text):
        raise ValueError(f"{what}: offsets {start}-{end} are not a span of the text (length {len(text)})")
    if not isinstance(label, str) or not label:
        raise ValueError(f'{what}: "label" must be a non-empty string')
    given = obj.get("text")
    if given is not None and given != text[start:end]:
        raise ValueError(f"{what}: text {given!r} does not match the article at {start}-{end} ({text[start:end]!r})")
    return start, end, label


# Its suffixes are native JSONL's too: guess() asks jsonl first, whose sniff() passes Prodigy-shaped files on.
FORMAT = Format(
    "prodigy",
    "Prodigy-compatible JSONL (spans and relations)",
    suffixes=(".jsonl", ".ndjson"),
    read=read,
    write=write,
    media_type="application/x-ndjson",
    download_suffix=".prodigy.jsonl",
)
