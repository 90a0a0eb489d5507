"""The side-by-side workload (bench/peers_workload.py): seeded, well-formed, and the same for both systems."""

from __future__ import annotations

import json

import spacy

from annotator.formats.jsonl import from_json
from annotator.model import Span, Tokens
from annotator.nlp.pipeline import token_offsets
from bench import peers_workload as workload


def test_the_stream_is_seeded_and_a_prefix_does_not_depend_on_the_count():
    assert list(workload.tasks(3)) == list(workload.tasks(5))[:3]
    assert list(workload.tasks(2, seed=1)) != list(workload.tasks(2))


def test_tasks_have_700_words_and_40_separate_spans_of_one_to_three_words_on_spacy_tokens():
    tokenizer = spacy.blank("en")
    for task in workload.tasks(4):
        assert len(task.text.split()) == workload.WORDS
        assert len(task.spans) == workload.SPANS
        tokens = Tokens(token_offsets(tokenizer.make_doc(task.text)), task.text)
        for (start, end, label), following in zip(task.spans, task.spans[1:] + ((len(task.text) + 1, 0, ""),)):
            assert end < following[0] and label in workload.LABELS
            assert 1 <= len(task.text[start:end].split()) <= 3 and "." not in task.text[start:end]
            assert tokens.snap(start, end) == Span(start, end)  # nothing for our import to move


def test_every_pseudo_word_is_one_token():
    words = workload.vocabulary()
    assert len(set(words)) == workload.VOCABULARY
    text = " ".join(words + [w.capitalize() for w in words])
    assert len(spacy.blank("en").make_doc(text)) == 2 * len(words)


def test_both_sides_get_the_same_spans(tmp_path):
    prepared = workload.prepare(tmp_path / "w.jsonl", 3, keep=[1], size=2)
    records = [from_json(json.loads(line)) for line in prepared.native.read_text("utf-8").splitlines()]
    batches = [task for body in prepared.batches for task in json.loads(body)]
    assert len(records) == len(batches) == 3 and [len(json.loads(b)) for b in prepared.batches] == [2, 1]
    for record, ls_task in zip(records, batches):
        assert record.source == "model" and record.text == ls_task["data"]["text"]
        ours = [(e.start, e.end, e.label) for e in record.annotation.entities]
        theirs = [
            (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
            for r in ls_task["predictions"][0]["result"]
        ]
        assert ours == theirs
    assert prepared.kept[1].ext_id == records[1].ext_id
