"""Prodigy-compatible JSONL: one task per article per annotation set, as Prodigy's
`spans.manual` / `rel.manual` interfaces write them.

{"text", "meta": {"id", "set", "status", ...article meta},
 "tokens": [{"text", "start", "end", "id", "ws"}],          (every stored token, whitespace ones too)
 "spans": [{"start", "end", "token_start", "token_end", "label"}],   (token_end inclusive)
 "relations": [{"head", "child", "head_span", "child_span", "label"}], (head/child: the span's last token)
 "answer", "_input_hash", "_task_hash", "_annotator_id"}

The layers are spans and relations as `flat` describes (QUOTE_<TYPE>, CUE, SOURCE, EVENT_<TYPE>;
CUE_OF, SOURCE_OF, PART_OF, SPEAKER, ACTOR, TARGET). `answer` is "accept", or "ignore" for a set
its annotator skipped; `_annotator_id` is the annotator's name (annotator sets only); `meta.set`
and `meta.status` keep the set's kind and status; `_input_hash` (of the text) and `_task_hash`
are signed 32-bit ints like Prodigy's.

Reading takes the same, and Prodigy datasets as `db-out` writes them, the way Prodigy's own
`data-to-spacy` reads them:
- tasks are merged per `_input_hash` (else text) and annotator: the spans and relations of every
  accepted task on one text make one set (an entity span overlapping one already taken is left
  out and reported);
- "reject" and "ignore" answers are not training data: a text an annotator only rejected or
  ignored becomes a *skipped* set holding the spans they were shown (so nothing in the file is
  dropped, and no training export carries them); rejected tasks on a text the same annotator also
  accepted are merged away and counted;
- the annotator is `_annotator_id`, else `_session_id` (Prodigy writes "dataset-session" in
  both), else --annotator;
- the `review` recipe's output is the reviewer's decision as the gold set, and each of its
  `versions` an annotator set for each session in its `sessions`;
- a task with blank text is skipped and reported; relations of labels that are not ours
  (rel.manual's own) are reported, not kept: our links are typed (speaker, actors).
A task without "spans" and "answer" is a plain article.

Not carried: item ids (renumbered t1…, q1…, v1… on import), event attrs, article meta keys named
"id", "set" or "status", two quotes whose first content parts are the same span (they become one),
and whether a skipped set was rejected or ignored (it exports as "ignore").
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import SET_KINDS, STATUSES, Record
from . import flat
from .base import (
    Format,
    FormatError,
    Reading,
    json_sample,
    json_values,
    reason,
    text_and_meta,
    tokens_of,
    trailing_space,
    write_json_lines,
)
from .flat import Key, Relation

# Keys only Prodigy tasks have; native records have their layers instead.
PRODIGY_KEYS = frozenset({"spans", "tokens", "answer", "_input_hash", "_task_hash", "_session_id", "versions"})
NATIVE_KEYS = frozenset({"entities", "quotes", "events", "source"})
ANSWERED = {"accept": "accepted", "reject": "rejected", "ignore": "ignored"}


def _hash(value: Any) -> int:
    """A stable signed 32-bit int of a JSON value (Prodigy's hashes are signed 32-bit too)."""
    digest = hashlib.sha1(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def sniff(path: Path) -> bool:
    """A file is Prodigy's when any of its first records has Prodigy's keys and none has native layers."""
    sample = [r for r in json_sample(path) if isinstance(r, dict)]
    return any(PRODIGY_KEYS & r.keys() for r in sample) and not any(NATIVE_KEYS & r.keys() for r in sample)


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
    keys, relations = flat.encode(record.annotation)
    spans = {key: _span(record, key, tokens) for key in keys}
    task["spans"] = list(spans.values())
    task["relations"] = [
        {
            "head": spans[head]["token_end"],
            "child": spans[child]["token_end"],
            "head_span": dict(spans[head]),
            "child_span": dict(spans[child]),
            "label": label,
        }
        for head, child, label in relations
    ]
    task["answer"] = "ignore" if record.status == "skipped" else "accept"
    task["_input_hash"] = input_hash
    task["_task_hash"] = _hash({"input": input_hash, "spans": task["spans"], "relations": task["relations"]})
    if record.source == "annotator" and record.annotator:
        task["_annotator_id"] = record.annotator
    return task


def _span(record: Record, key: Key, tokens: Sequence[Sequence[int]]) -> dict:
    first = next((i for i, (s, _) in enumerate(tokens) if s == key[0]), None)
    last = next((i for i, (_, e) in enumerate(tokens) if e == key[1]), None)
    if first is None or last is None:
        raise FormatError(f"{record.ext_id}: {key[2]} span {key[0]}-{key[1]} does not fall on tokens")
    return {"start": key[0], "end": key[1], "token_start": first, "token_end": last, "label": key[2]}


def write(records: Iterable[Record], out: Path) -> int:
    """Write one task per line as the records come; returns how many."""
    return write_json_lines(records, out, to_task)


# --- reading --------------------------------------------------------------------------


@dataclass
class _Task:
    """One task's set: whose it is, its answer, its spans and relations."""

    where: str
    record: Record  # the article, and the set's kind, annotator and status
    answer: str
    group: tuple
    spans: list[Key] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


def read(path: Path, reading: Reading) -> Iterator[tuple[str, Record]]:
    """Records of a Prodigy JSONL file, tasks merged per input and annotator; FormatError names FILE:LINE."""
    groups: dict[tuple, list[_Task]] = defaultdict(list)
    for where, data in json_values(path):
        try:
            tasks = _tasks(data, where, reading)
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"{where}: {reason(exc)}") from None
        for task in tasks:
            if isinstance(task, Record):
                yield where, task  # a plain article
            else:
                groups[task.group].append(task)
    for found in groups.values():
        try:
            yield found[0].where, _merge(found, reading)
        except ValueError as exc:
            raise FormatError(f"{found[0].where}: {exc}") from None


def from_task(data: Any) -> Record:
    """One task as a record (no merging); raises ValueError with the reason when it is malformed."""
    tasks = _tasks(data, "", Reading())
    if not tasks:
        raise ValueError("the task has blank text")
    first = tasks[0]
    return first if isinstance(first, Record) else _merge([first], Reading())


def _tasks(data: Any, where: str, reading: Reading) -> list[_Task | Record]:
    """The sets one line gives: one task's, or a review's decision (gold) and its versions."""
    if isinstance(data, dict) and isinstance(data.get("text"), str) and not data["text"].strip():
        reading.notes.skip("Prodigy task with blank text (skipped)", where)
        return []
    text, meta = text_and_meta(data, "task")
    ext_id, kind, status = meta.pop("id", None), meta.pop("set", None), meta.pop("status", None)
    article = Record(ext_id="" if ext_id is None else str(ext_id), text=text, meta=meta)
    if "spans" not in data and "answer" not in data:
        return [article]
    versions = data.get("versions")
    if versions is not None:
        if not isinstance(versions, list):
            raise ValueError('"versions" must be a list')
        decision = _task(data, where, article, "gold", None, reading)
        return [decision] + [t for n, v in enumerate(versions, 1) for t in _version(v, n, where, article, reading)]
    source = kind if kind in SET_KINDS else "annotator"
    annotator = (_name(data, "_annotator_id") or _name(data, "_session_id")) if source == "annotator" else None
    return [_task(data, where, article, source, annotator, reading, status)]


def _version(version: Any, n: int, where: str, article: Record, reading: Reading) -> list[_Task | Record]:
    if not isinstance(version, dict):
        raise ValueError(f"version {n} must be an object")
    sessions = version.get("sessions") or [version.get("_annotator_id") or version.get("_session_id")]
    if not isinstance(sessions, list) or not all(isinstance(s, str) and s for s in sessions):
        raise ValueError(f'version {n}: "sessions" must be a list of names')
    data = {**version, "text": article.text}
    return [_task(data, where, article, "annotator", session, reading) for session in sessions]


def _name(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise ValueError(f'"{key}" must be a non-empty string')
    return value


def _task(data, where, article: Record, source, annotator, reading: Reading, status=None) -> _Task:
    answer = data.get("answer", "accept")
    if answer not in ANSWERED:
        raise ValueError('"answer" must be accept, reject or ignore')
    if "options" in data or "label" in data and "spans" not in data:
        reading.notes.skip("Prodigy choice or classification answer (options, accept, label: not imported)", where)
    if status not in STATUSES:
        status = "skipped" if answer != "accept" else ("draft" if source == "model" else "submitted")
    record = Record(article.ext_id, article.text, dict(article.meta), source, annotator or reading.annotator, status)
    hashed = data.get("_input_hash")
    group = (hashed if flat.is_int(hashed) else article.text, source, record.annotator)
    spans, by_last_token = _spans(data, article.text)
    relations = _relations(data, article.text, set(spans), by_last_token)
    flat.decode(spans, relations, lambda label: None)  # each task checked alone, so errors name its line
    return _Task(where, record, answer, group, spans, relations)


def _merge(tasks: list[_Task], reading: Reading) -> Record:
    """One set from the tasks of one text and annotator, as data-to-spacy merges them."""
    accepted = [t for t in tasks if t.answer == "accept"]
    first = tasks[0]
    if accepted:
        for t in tasks:
            if t.answer != "accept":
                reading.notes.skip(f"Prodigy {ANSWERED[t.answer]} task on a text also accepted (merged away)", t.where)
        used, record = accepted, accepted[0].record
    else:
        used, record = [first], first.record
        for t in tasks[1:]:
            reading.notes.skip(f"further Prodigy {ANSWERED[t.answer]} task on the same text (the first kept)", t.where)
    spans: dict[Key, None] = {}
    taken: list[Key] = []  # entity spans kept, to refuse overlaps between tasks
    for task in used:
        for key in task.spans:
            if flat.kind(key[2])[0] == "entity" and key not in spans:
                if any(key[0] < k[1] and k[0] < key[1] for k in taken):
                    reading.notes.skip("overlapping entity span (the first kept)", task.where)
                    continue
                taken.append(key)
            spans.setdefault(key)
    relations = []
    for task in used:
        for head, child, label in task.relations:
            if head in spans and child in spans:
                relations.append((head, child, label))
            else:
                reading.notes.skip("relation to a span left out", task.where)

    def other(label: str) -> None:
        reading.notes.skip(f"relation {label} (not one of our links)", first.where)

    record.annotation = flat.decode(spans, dict.fromkeys(relations), other)
    return record


def _spans(data: dict, text: str) -> tuple[list[Key], dict[int, list[Key]]]:
    """The task's spans (duplicates merged), and which end at each token (for relations without spans)."""
    spans = data.get("spans") or []
    if not isinstance(spans, list):
        raise ValueError('"spans" must be a list')
    keys: dict[Key, None] = {}
    by_last_token: dict[int, list[Key]] = defaultdict(list)
    for n, obj in enumerate(spans, start=1):
        key = _span_key(obj, text, f"span {n}")
        if key not in keys:
            keys[key] = None
            if flat.is_int(obj.get("token_end")):
                by_last_token[obj["token_end"]].append(key)
    return list(keys), by_last_token


def _relations(data: dict, text: str, keys: set[Key], by_last_token) -> list[Relation]:
    """The task's relations as (head, child, label), head and child resolved to its spans."""

    def resolve(rel: dict, end: str, n: int) -> Key:
        obj = rel.get(f"{end}_span")
        if obj is not None:
            key = _span_key(obj, text, f"relation {n} {end}_span")
            if key not in keys:
                raise ValueError(f"relation {n}: its {end}_span {key[0]}-{key[1]} {key[2]} is not among the spans")
            return key
        candidates = by_last_token.get(rel.get(end), []) if flat.is_int(rel.get(end)) else []
        if len(candidates) != 1:
            raise ValueError(f"relation {n}: cannot tell which span token {rel.get(end)!r} is; give {end}_span")
        return candidates[0]

    relations = data.get("relations") or []
    if not isinstance(relations, list):
        raise ValueError('"relations" must be a list')
    found = []
    for n, rel in enumerate(relations, start=1):
        if not isinstance(rel, dict):
            raise ValueError(f"relation {n} must be an object")
        label = rel.get("label")
        if not isinstance(label, str) or not label:
            raise ValueError(f'relation {n}: "label" must be a non-empty string')
        found.append((resolve(rel, "head", n), resolve(rel, "child", n), label))
    return found


def _span_key(obj: Any, text: str, what: str) -> Key:
    if not isinstance(obj, dict):
        raise ValueError(f"{what} must be an object with start, end and label")
    return flat.span_key(obj.get("start"), obj.get("end"), obj.get("label"), text, what, obj.get("text"))


# Its suffixes are the other JSON-lines formats' too: guess() asks each format's sniff in turn.
FORMAT = Format(
    "prodigy",
    "Prodigy-compatible JSONL (spans and relations)",
    suffixes=(".jsonl", ".ndjson"),
    read=read,
    write=write,
    sniff=sniff,
    media_type="application/x-ndjson",
    download_suffix=".prodigy.jsonl",
)
