"""Prodigy-compatible JSONL: the task shape, plain Prodigy files, answers, and FILE:LINE errors."""

import json

import pytest

from annotator import exporting, importing, store
from annotator.formats import prodigy

from .test_export import QUOTED


def _write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _tokens(text):
    """Prodigy-style tokens of a text split on single spaces."""
    out, start = [], 0
    for i, word in enumerate(text.split(" ")):
        out.append({"text": word, "start": start, "end": start + len(word), "id": i, "ws": True})
        start += len(word) + 1
    out[-1]["ws"] = False
    return out


NER_TEXT = "Rashid flew to Tehran on Monday"
NER_MANUAL = {  # what Prodigy's ner.manual saves
    "text": NER_TEXT,
    "tokens": _tokens(NER_TEXT),
    "_input_hash": -12345,
    "_task_hash": 678,
    "_view_id": "ner_manual",
    "spans": [
        {"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "PERSON"},
        {"start": 15, "end": 21, "token_start": 3, "token_end": 3, "label": "GPE"},
    ],
    "answer": "accept",
    "_annotator_id": "news-alice",
    "_session_id": "news-alice",
}


@pytest.fixture
def quoted_db(db, project, tmp_path):
    importing.import_paths(db, project, [_write(tmp_path / "q.jsonl", [QUOTED])], progress=False)
    return db


def test_prodigy_export_task_shape(quoted_db, tmp_path):
    out = tmp_path / "p.jsonl"
    assert exporting.export(quoted_db, "prodigy", "gold", out) == 1
    task = json.loads(out.read_text("utf-8"))
    assert task["text"] == QUOTED["text"] and task["answer"] == "accept"
    assert task["meta"] == {"title": "Q", "id": "q-art", "set": "gold", "status": "submitted"}
    assert "_annotator_id" not in task  # a gold set has no annotator
    for key in ("_input_hash", "_task_hash"):
        assert isinstance(task[key], int) and -(2**31) <= task[key] < 2**31
    assert task["tokens"][:2] == [
        {"text": "“", "start": 0, "end": 1, "id": 0, "ws": False},
        {"text": "We", "start": 1, "end": 3, "id": 1, "ws": True},
    ]
    spans = {(s["label"], task["text"][s["start"] : s["end"]]) for s in task["spans"]}
    assert spans == {
        ("PERSON", "Austin"),
        ("GPE", "Iran"),
        ("QUOTE_DIRECT", "We will stay"),
        ("CUE", "said"),
        ("SOURCE", "Austin"),
        ("EVENT_ASSAULT", "attacked"),
    }
    content = next(s for s in task["spans"] if s["label"] == "QUOTE_DIRECT")
    assert (content["token_start"], content["token_end"]) == (1, 3)  # token_end inclusive, as Prodigy
    relations = {(r["label"], r["head_span"]["label"], r["child_span"]["label"]) for r in task["relations"]}
    assert relations == {
        ("CUE_OF", "CUE", "QUOTE_DIRECT"),
        ("SOURCE_OF", "SOURCE", "QUOTE_DIRECT"),
        ("SPEAKER", "QUOTE_DIRECT", "PERSON"),
        ("ACTOR", "EVENT_ASSAULT", "GPE"),
    }
    speaker = next(r for r in task["relations"] if r["label"] == "SPEAKER")
    assert (speaker["head"], speaker["child"]) == (3, 6)  # the last token of each span, as rel.manual


def test_prodigy_hashes_are_stable_and_differ_by_answer_content(quoted_db, tmp_path):
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    exporting.export(quoted_db, "prodigy", "gold", first)
    exporting.export(quoted_db, "prodigy", "gold", second)
    assert first.read_bytes() == second.read_bytes()
    task = json.loads(first.read_text("utf-8"))
    other = prodigy.to_task(prodigy.from_task({**task, "spans": task["spans"][:1], "relations": []}))
    assert other["_input_hash"] == task["_input_hash"] and other["_task_hash"] != task["_task_hash"]


def test_prodigy_plain_ner_manual_task_imports_as_that_annotators_entities(db, project, tmp_path):
    path = _write(tmp_path / "ner.jsonl", [NER_MANUAL, {**NER_MANUAL, "_annotator_id": None, "_session_id": None}])
    importing.import_paths(db, project, [path], annotator="fallback", progress=False)  # guessed: prodigy
    article_id = next(store.iter_article_ids(db))
    for name in ("news-alice", "fallback"):
        found = store.find_set(db, article_id, "annotator", store.get_user_by_name(db, name).id)
        assert found.status == "submitted"
        assert [(e.start, e.end, e.label) for e in store.load_annotation(db, found.id).entities] == [
            (0, 6, "PERSON"),
            (15, 21, "GPE"),
        ]


def test_prodigy_plain_task_without_annotator_needs_the_option(db, project, tmp_path):
    unnamed = {k: v for k, v in NER_MANUAL.items() if k not in ("_annotator_id", "_session_id")}
    path = _write(tmp_path / "ner.jsonl", [unnamed])
    with pytest.raises(importing.ImportFailed, match=rf"^{path}:1: .*needs \"annotator\""):
        importing.import_paths(db, project, [path], progress=False)


@pytest.mark.parametrize("answer", ["reject", "ignore"])
def test_prodigy_rejected_or_ignored_task_is_kept_as_a_skipped_set(db, project, tmp_path, answer):
    path = _write(tmp_path / "ner.jsonl", [{**NER_MANUAL, "answer": answer}])
    importing.import_paths(db, project, [path], progress=False)
    found = store.find_set(
        db, next(store.iter_article_ids(db)), "annotator", store.get_user_by_name(db, "news-alice").id
    )
    assert found.status == "skipped"
    assert len(store.load_annotation(db, found.id).entities) == 2


def test_prodigy_skipped_set_exports_as_ignore_and_comes_back_skipped(db, project, tmp_path):
    record = {**QUOTED, "source": "annotator", "annotator": "alice", "status": "skipped"}
    importing.import_paths(db, project, [_write(tmp_path / "q.jsonl", [record])], progress=False)
    out = tmp_path / "p.jsonl"
    exporting.export(db, "prodigy", "annotations", out)
    task = json.loads(out.read_text("utf-8"))
    assert (task["answer"], task["_annotator_id"]) == ("ignore", "alice")
    del task["meta"]["status"]  # even without our meta, "ignore" means skipped
    back = prodigy.from_task(task)
    assert (back.source, back.annotator, back.status) == ("annotator", "alice", "skipped")


def test_prodigy_input_task_without_spans_is_a_plain_article(db, project, tmp_path):
    path = _write(tmp_path / "in.jsonl", [{"text": "Just text.", "meta": {"id": "in-1", "source": "wire"}}])
    report = importing.import_paths(db, project, [path], fmt="prodigy", progress=False)
    assert (report.articles_new, report.sets) == (1, 0)
    assert store.get_article(db, store.find_article(db, "in-1")).meta == {"source": "wire"}


def test_prodigy_bare_quote_label_and_multi_part_content(db, project, tmp_path):
    text = "“A,” she said, “B.”"
    a, b, said = {"start": 1, "end": 2}, {"start": 16, "end": 17}, {"start": 10, "end": 14}
    task = {
        "text": text,
        "answer": "accept",
        "_annotator_id": "ann",
        "spans": [{**a, "label": "QUOTE"}, {**b, "label": "QUOTE"}, {**said, "label": "CUE"}],
        "relations": [
            {"head_span": {**b, "label": "QUOTE"}, "child_span": {**a, "label": "QUOTE"}, "label": "PART_OF"},
            {"head_span": {**said, "label": "CUE"}, "child_span": {**b, "label": "QUOTE"}, "label": "CUE_OF"},
            {"head_span": {**a, "label": "QUOTE"}, "child_span": {**b, "label": "QUOTE"}, "label": "COREF"},
        ],
    }  # a relation of another scheme: ignored
    record = prodigy.from_task(task)
    (quote,) = record.annotation.quotes
    assert quote.label == "DIRECT"  # what a bare QUOTE label means
    assert [(c.start, c.end) for c in quote.parts("content")] == [(1, 2), (16, 17)] and quote.span("cue").start == 10


@pytest.mark.parametrize(
    "change, message",
    [
        ({"spans": [{"start": 0, "end": 99, "label": "GPE"}]}, "not a span of the text"),
        ({"spans": [{"start": 0, "end": 6, "label": ""}]}, "label"),
        ({"spans": [{"start": 0, "end": 6, "label": "PERSON", "text": "Bashid"}]}, "does not match"),
        ({"spans": [{"start": 0, "end": 6, "label": "CUE"}]}, "linked to no quote"),
        (
            {
                "spans": [{"start": 0, "end": 6, "label": "QUOTE"}],
                "relations": [
                    {
                        "head_span": {"start": 0, "end": 6, "label": "QUOTE"},
                        "child_span": {"start": 15, "end": 21, "label": "GPE"},
                        "label": "SPEAKER",
                    }
                ],
            },
            "not among the spans",
        ),
        (
            {
                "spans": [{"start": 0, "end": 6, "label": "PERSON"}, {"start": 15, "end": 21, "label": "GPE"}],
                "relations": [
                    {
                        "head_span": {"start": 0, "end": 6, "label": "PERSON"},
                        "child_span": {"start": 15, "end": 21, "label": "GPE"},
                        "label": "SPEAKER",
                    }
                ],
            },
            "SPEAKER must link content → entity",
        ),
        ({"answer": "maybe"}, "answer"),
        ({"text": 7}, "non-empty string"),
    ],
)
def test_prodigy_bad_task_names_file_line_and_reason(db, project, tmp_path, change, message):
    path = _write(tmp_path / "bad.jsonl", [NER_MANUAL, {**NER_MANUAL, **change}])
    with pytest.raises(importing.ImportFailed, match=rf"^{path}:2: .*{message}"):
        importing.import_paths(db, project, [path], fmt="prodigy", progress=False)
    assert store.count_articles(db) == 0


def test_prodigy_relation_without_spans_is_found_by_its_last_token(tmp_path):
    task = {
        **NER_MANUAL,
        "spans": NER_MANUAL["spans"]
        + [{"start": 7, "end": 11, "token_start": 1, "token_end": 1, "label": "EVENT_CONSULT"}],
        "relations": [{"head": 1, "child": 0, "label": "ACTOR"}, {"head": 1, "child": 3, "label": "TARGET"}],
    }
    annotation = prodigy.from_task(task).annotation
    (event,) = annotation.events
    assert (
        event.label,
        annotation.get(event.link("source_actor")).label,
        annotation.get(event.link("target_actor")).label,
    ) == ("CONSULT", "PERSON", "GPE")
