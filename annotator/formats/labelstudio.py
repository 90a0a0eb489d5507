"""Label Studio's JSON export: a list of tasks, each with its annotations and predictions.

    [{"id": 7, "data": {"text": "…"}, "meta": {},
      "annotations": [{"completed_by": 2, "created_username": "alice@example.com, 2", "was_cancelled": false,
                       "ground_truth": false,
                       "result": [{"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
                                   "value": {"start": 0, "end": 4, "text": "Iran", "labels": ["GPE"]}},
                                  {"type": "relation", "from_id": "r2", "to_id": "r1", "direction": "right",
                                   "labels": ["SPEAKER"]}]}],
      "predictions": [{"model_version": "…", "score": 0.8, "result": […]}]}]

Reading: the text is `data.text` (else the first text value of `data`); each annotation is its
annotator's set (named by `created_username`, else `completed_by`: an object's email, or the user
number as `user-N`), a cancelled one (`was_cancelled`) skipped, a `ground_truth` one the gold set;
the first prediction is the model set (further ones are reported). `labels` regions are spans,
`relation` results relations, and both carry every layer as `flat` describes; other result types
(choices, textarea, rating, …) and a region's second label are reported, not imported. Offsets
count UTF-16 code units as the browser does; they are turned into characters when the region's
text says so. Label Studio's task id is kept in meta (`label_studio_id`).

Writing gives one task per set (Label Studio shows an article's sets as separate tasks): annotator
sets as annotations with `created_username`, gold as a `ground_truth` annotation, model sets as
predictions, skipped sets cancelled. Not carried: item ids (renumbered), event and quote attrs,
and Label Studio's drafts, comments, lead times and review states.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model import Record
from . import flat
from .base import Format, FormatError, Reading, loads, read_text, reason
from .flat import Key


def sniff(path: Path) -> bool:
    """Label Studio's: a JSON file whose text starts a list (or an object) of tasks with "data"."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
    except OSError:
        return False
    return head[:1] in "[{" and '"data"' in head or head.startswith("[]")


# --- writing --------------------------------------------------------------------------


def _results(record: Record) -> list[dict]:
    assert record.annotation is not None
    keys, relations = flat.encode(record.annotation)
    ids = {key: f"r{n}" for n, key in enumerate(keys, start=1)}
    out: list[dict] = [
        {
            "id": ids[k],
            "type": "labels",
            "from_name": "label",
            "to_name": "text",
            "value": {"start": k[0], "end": k[1], "text": record.text[k[0] : k[1]], "labels": [k[2]]},
        }
        for k in keys
    ]
    out += [
        {"type": "relation", "from_id": ids[h], "to_id": ids[c], "direction": "right", "labels": [label]}
        for h, c, label in relations
    ]
    return out


def to_task(record: Record, number: int) -> dict[str, Any]:
    task: dict[str, Any] = {"id": number, "data": {"text": record.text, "id": record.ext_id}, "meta": record.meta}
    task["annotations"], task["predictions"] = [], []
    if record.annotation is None:
        return task
    if record.source == "model":
        task["predictions"].append({"model_version": "annotator", "result": _results(record)})
        return task
    annotation: dict[str, Any] = {"result": _results(record), "was_cancelled": record.status == "skipped"}
    if record.source == "gold":
        annotation["ground_truth"] = True
    else:
        annotation["created_username"] = record.annotator
        annotation["draft"] = record.status == "draft"
    task["annotations"].append(annotation)
    return task


def write(records: Iterable[Record], out: Path) -> int:
    """A JSON list of tasks, written as the records come; returns how many."""
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for record in records:
            handle.write(("," if count else "") + "\n" + json.dumps(to_task(record, count + 1), ensure_ascii=False))
            count += 1
        handle.write("\n]\n")
    return count


# --- reading --------------------------------------------------------------------------


def _tasks(path: Path) -> Iterator[tuple[str, Any]]:
    """(FILE:LINE, task) for each task of the file's list, each parsed where it starts."""
    text = read_text(path)
    decoder = json.JSONDecoder()
    at = len(text) - len(text.lstrip())
    if text[at : at + 1] == "{":
        yield f"{path}:{text.count(chr(10), 0, at) + 1}", _parsed(text, path, at)
        return
    if text[at : at + 1] != "[":
        raise FormatError(f"{path}:1: not a Label Studio export (a JSON list of tasks)")
    at += 1
    while True:
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        if at >= len(text):
            raise FormatError(f"{path}:{text.count(chr(10)) + 1}: the list of tasks is not closed")
        if text[at] == "]":
            return
        where = f"{path}:{text.count(chr(10), 0, at) + 1}"
        try:
            task, end = decoder.raw_decode(text, at)
        except RecursionError:
            raise FormatError(f"{where}: not valid JSON (nested too deeply)") from None
        except ValueError as exc:
            raise FormatError(f"{where}: not valid JSON ({exc})") from None
        try:
            loads(json.dumps(task))  # the same checks as every JSON reader (lone surrogates)
        except (ValueError, RecursionError) as exc:
            raise FormatError(f"{where}: {exc}") from None
        yield where, task
        at = end


def _parsed(text: str, path: Path, at: int) -> Any:
    try:
        return loads(text[at:])
    except ValueError as exc:
        raise FormatError(f"{path}:1: not valid JSON ({exc})") from None


def read(path: Path, reading: Reading) -> Iterator[tuple[str, Record]]:
    """Records of a Label Studio JSON export: each task's article and its sets."""
    for where, task in _tasks(path):
        try:
            yield from ((where, record) for record in _records(task, where, reading))
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"{where}: {reason(exc)}") from None


def _records(task: Any, where: str, reading: Reading) -> list[Record]:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise ValueError('a task must be an object with "data"')
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str):
        text = next((v for v in data.values() if isinstance(v, str) and v.strip()), None)
    if not isinstance(text, str) or not text.strip():
        raise ValueError('the task has no text in "data"')
    meta = dict(task.get("meta") or {}) if isinstance(task.get("meta") or {}, dict) else {}
    ext_id = str(data["id"]) if isinstance(data.get("id"), (str, int)) and data.get("id") != "" else ""
    if task.get("id") is not None and not ext_id:  # our own exports carry the article id instead
        meta["label_studio_id"] = task["id"]
    records = [Record(ext_id, text, meta)]
    for n, found in enumerate(_list(task, "annotations"), start=1):
        if not isinstance(found, dict):
            raise ValueError(f"annotation {n} must be an object")
        gold = bool(found.get("ground_truth"))
        status = "skipped" if found.get("was_cancelled") else ("draft" if found.get("draft") else "submitted")
        name = None if gold else _annotator(found) or reading.annotator
        record = Record(ext_id, text, dict(meta), "gold" if gold else "annotator", name, status)
        record.annotation = _annotation(found, text, where, reading, f"annotation {n}")
        records.append(record)
    for n, found in enumerate(_list(task, "predictions"), start=1):
        if n > 1:
            reading.notes.skip("further Label Studio prediction of a task (the first kept)", where)
            continue
        if not isinstance(found, dict):
            raise ValueError(f"prediction {n} must be an object")
        record = Record(ext_id, text, dict(meta), "model", None, "draft")
        record.annotation = _annotation(found, text, where, reading, f"prediction {n}")
        records.append(record)
    return records if len(records) == 1 else records[1:]


def _list(task: dict, key: str) -> list:
    value = task.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f'"{key}" must be a list')
    return value


def _annotator(annotation: dict) -> str | None:
    username = annotation.get("created_username")
    if isinstance(username, str) and username.strip():
        return username.split(",")[0].strip()
    by = annotation.get("completed_by")
    if isinstance(by, dict):
        by = by.get("email") or by.get("username") or by.get("id")
    if isinstance(by, str) and by.strip():
        return by.strip()
    if flat.is_int(by):
        return f"user-{by}"
    return None


def _annotation(found: dict, text: str, where: str, reading: Reading, what: str):
    results = found.get("result") or []
    if not isinstance(results, list):
        raise ValueError(f'{what}: "result" must be a list')
    regions: dict[Any, Key] = {}
    relations = []
    for n, result in enumerate(results, start=1):
        if not isinstance(result, dict):
            raise ValueError(f"{what} result {n} must be an object")
        kind = result.get("type")
        if kind == "labels":
            regions[result.get("id", n)] = _region(result, text, f"{what} result {n}", where, reading)
        elif kind != "relation":
            reading.notes.skip(f"Label Studio {kind} result (not imported)", where)
    for n, result in enumerate(results, start=1):
        if result.get("type") != "relation":
            continue
        labels = result.get("labels") or []
        if result.get("from_id") not in regions or result.get("to_id") not in regions:
            raise ValueError(f"{what} result {n}: from_id and to_id must be ids of its regions")
        if not labels:
            reading.notes.skip("Label Studio relation without a label (not imported)", where)
            continue
        head, child = regions[result["from_id"]], regions[result["to_id"]]
        relations.append((head, child, str(labels[0])))

    def other(label: str) -> None:
        reading.notes.skip(f"relation {label} (not one of our links)", where)

    return flat.decode(dict.fromkeys(regions.values()), relations, other)


def _region(result: dict, text: str, what: str, where: str, reading: Reading) -> Key:
    value = result.get("value")
    if not isinstance(value, dict) or not isinstance(value.get("labels"), list) or not value["labels"]:
        raise ValueError(f'{what}: a labels region needs "value" with start, end and labels')
    if len(value["labels"]) > 1:
        reading.notes.skip("second label of a Label Studio region (the first kept)", where)
    start, end, given = value.get("start"), value.get("end"), value.get("text")
    if isinstance(start, int) and isinstance(end, int) and given is not None and text[start:end] != given:
        start, end = _from_utf16(text, start), _from_utf16(text, end)
    return flat.span_key(start, end, value["labels"][0], text, what, given)


def _from_utf16(text: str, units: int) -> int:
    """The character offset of a UTF-16 code unit offset (astral characters count two units)."""
    count = 0
    for index, ch in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


FORMAT = Format(
    "labelstudio",
    "Label Studio JSON export (annotations, predictions, relations)",
    suffixes=(".json",),
    read=read,
    write=write,
    sniff=sniff,
    media_type="application/json",
    download_suffix=".labelstudio.json",
    tokens=False,
)
