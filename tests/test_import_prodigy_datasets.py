"""Prodigy datasets as `db-out` writes them import as Prodigy's data-to-spacy reads them (issue 13.1, 13.2)."""

import json

import pytest
import spacy
from spacy.tokens import DocBin

from annotator import exporting, importing, store
from annotator.formats import guess

TEXT = "Apple hired Tim Cook in Cupertino"


def _write(path, tasks):
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), "utf-8")
    return path


def _task(spans, answer="accept", session="shop-alice", text=TEXT, **extra):
    """A task as ner.manual / ner.teach save it: spans by offsets, the session as the annotator."""
    found = [{"start": TEXT.index(w), "end": TEXT.index(w) + len(w), "label": label} for w, label in spans]
    task = {"text": text, "_input_hash": 17, "_task_hash": hash(str(spans)) % 1000, "spans": found, "answer": answer}
    return {**task, "_session_id": session, "_view_id": "ner_manual", **extra}


def _entities(db, name="shop-alice"):
    user = store.get_user_by_name(db, name)
    found = store.find_set(db, store.locate_article(db, "-", TEXT).id, "annotator", user.id)
    return found.status, sorted((TEXT[e.start : e.end], e.label) for e in store.load_annotation(db, found.id).entities)


def test_a_prodigy_file_whose_first_task_has_no_spans_is_read_as_prodigy(db, project, tmp_path):
    # drugs_training.jsonl starts like this: tasks without "spans" before the first with some
    plain = {"text": "Nothing here.", "_input_hash": 1, "_task_hash": 2, "tokens": [], "answer": "accept"}
    plain["_session_id"] = "shop-alice"
    path = _write(tmp_path / "drugs.jsonl", [plain, _task([("Tim Cook", "PERSON")])])
    assert guess(path).name == "prodigy"
    importing.import_paths(db, project, [path], progress=False)
    assert _entities(db) == ("submitted", [("Tim Cook", "PERSON")])


def test_rejected_and_ignored_tasks_are_kept_skipped_and_never_exported_as_training_data(db, project, tmp_path):
    rejected = _task([("Apple", "PERSON")], answer="reject", session="shop-bob")
    ignored = _task([("Apple", "ORG")], answer="ignore", session="shop-carol")
    accepted = _task([("Apple", "ORG"), ("Tim Cook", "PERSON")])
    importing.import_paths(db, project, [_write(tmp_path / "d.jsonl", [rejected, ignored, accepted])], progress=False)
    assert _entities(db, "shop-bob") == ("skipped", [("Apple", "PERSON")])  # kept as such
    assert _entities(db, "shop-carol") == ("skipped", [("Apple", "ORG")])
    spacy_out, conll_out = tmp_path / "train.spacy", tmp_path / "train.conll"
    assert exporting.export(db, "spacy", "annotations", spacy_out) == 1
    docs = list(DocBin().from_disk(spacy_out).get_docs(spacy.blank("en").vocab))
    assert [(e.text, e.label_) for d in docs for e in d.ents] == [("Apple", "ORG"), ("Tim Cook", "PERSON")]
    exporting.export(db, "conll", "annotations", conll_out)
    assert "Apple\tB-PERSON" not in conll_out.read_text("utf-8")


def test_tasks_on_one_text_by_one_annotator_are_merged_not_replaced(db, project, tmp_path):
    # ner.teach asks one span per task: two accepted tasks on one text make one set of both
    first, second = _task([("Apple", "ORG")]), _task([("Tim Cook", "PERSON")])
    rejected = _task([("Cupertino", "ORG")], answer="reject")
    report = importing.import_paths(
        db, project, [_write(tmp_path / "t.jsonl", [first, rejected, second])], progress=False
    )
    assert _entities(db) == ("submitted", [("Apple", "ORG"), ("Tim Cook", "PERSON")])
    assert any(
        line.startswith("Prodigy rejected task on a text also accepted (merged away): 1") for line in report.skipped
    )


def test_overlapping_spans_of_a_rejected_teach_task_do_not_stop_the_import(db, project, tmp_path):
    task = _task([("Tim Cook", "PERSON"), ("Cook", "ORG")], answer="reject")
    report = importing.import_paths(db, project, [_write(tmp_path / "t.jsonl", [task])], progress=False)
    assert _entities(db) == ("skipped", [("Tim Cook", "PERSON")])
    assert report.skipped == [f"overlapping entity span (the first kept): 1 (first at {tmp_path / 't.jsonl'}:1)"]


def test_session_id_names_the_annotator_when_there_is_no_annotator_id(db, project, tmp_path):
    importing.import_paths(db, project, [_write(tmp_path / "s.jsonl", [_task([("Apple", "ORG")])])], progress=False)
    assert store.get_user_by_name(db, "shop-alice") is not None


def test_blank_text_is_skipped_with_a_note_not_fatal(db, project, tmp_path):
    path = _write(tmp_path / "b.jsonl", [_task([], text=" "), _task([("Apple", "ORG")])])
    report = importing.import_paths(db, project, [path], progress=False)
    assert report.articles_new == 1
    assert report.skipped == [f"Prodigy task with blank text (skipped): 1 (first at {path}:1)"]


def test_blank_text_fails_under_strict_and_writes_nothing(db, project, tmp_path):
    path = _write(tmp_path / "b.jsonl", [_task([("Apple", "ORG")]), _task([], text=" ")])
    with pytest.raises(importing.ImportFailed, match=rf"--strict: Prodigy task with blank text .*{path}:2"):
        importing.import_paths(db, project, [path], options=importing.Options(strict=True), progress=False)
    assert store.count_articles(db) == 0


def test_relations_of_rel_manual_are_reported_by_label(db, project, tmp_path):
    task = _task([("Apple", "ORG"), ("Tim Cook", "PERSON")])
    task["relations"] = [
        {"head": 0, "child": 2, "head_span": task["spans"][0], "child_span": task["spans"][1], "label": "EMPLOYS"}
    ]
    path = _write(tmp_path / "r.jsonl", [task])
    report = importing.import_paths(db, project, [path], progress=False)
    assert report.skipped == [f"relation EMPLOYS (not one of our links): 1 (first at {path}:1)"]
    with pytest.raises(importing.ImportFailed, match="relation EMPLOYS"):
        importing.import_paths(db, project, [path], options=importing.Options(strict=True), progress=False)


def test_review_output_is_gold_and_its_versions_are_the_annotators_sets(db, project, tmp_path):
    alice = {"text": TEXT, "spans": _task([("Apple", "ORG")])["spans"], "answer": "accept", "sessions": ["shop-alice"]}
    bob = {"text": TEXT, "spans": _task([("Apple", "PERSON")])["spans"], "answer": "accept", "sessions": ["shop-bob"]}
    review = {**_task([("Apple", "ORG")], session="shop-rita"), "versions": [alice, bob], "view_id": "ner_manual"}
    importing.import_paths(db, project, [_write(tmp_path / "review.jsonl", [review])], progress=False)
    article_id = next(store.iter_article_ids(db))
    gold = store.load_annotation(db, store.find_set(db, article_id, "gold").id)
    assert [(TEXT[e.start : e.end], e.label) for e in gold.entities] == [("Apple", "ORG")]
    assert _entities(db, "shop-alice") == ("submitted", [("Apple", "ORG")])
    assert _entities(db, "shop-bob") == ("submitted", [("Apple", "PERSON")])
