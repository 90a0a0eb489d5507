"""DocBins from elsewhere (issue 13.7, 13.8), long texts (13.6), and pre-annotation outside the write lock (14.13)."""

import sqlite3

import pytest
import spacy
from spacy.tokens import DocBin, Span

from annotator import importing, store
from annotator.nlp import pipeline as nlp_pipeline

TEXT = "Apple hired Tim Cook in Cupertino."


def _docbin(path, build):
    nlp = spacy.blank("en")
    doc = nlp(TEXT)
    build(doc)
    DocBin(docs=[doc]).to_disk(path)
    return path


def _labels(db, kind, user=None):
    found = store.find_set(db, next(store.iter_article_ids(db)), kind, user)
    return [(TEXT[e.start : e.end], e.label) for e in store.load_annotation(db, found.id).entities]


def test_spancat_spans_in_sc_become_entities(db, project, tmp_path):
    def build(doc):
        doc.spans["sc"] = [Span(doc, 0, 1, "ORG"), Span(doc, 2, 4, "PERSON")]

    path = _docbin(tmp_path / "sc.spacy", build)
    importing.import_paths(db, project, [path], options=importing.Options(kind="gold"), progress=False)
    assert _labels(db, "gold") == [("Apple", "ORG"), ("Tim Cook", "PERSON")]


def test_spans_beside_entities_are_reported_never_dropped_silently(db, project, tmp_path):
    def build(doc):
        doc.ents = [Span(doc, 0, 1, "ORG")]
        doc.spans["sc"] = [Span(doc, 0, 1, "ORG"), Span(doc, 2, 4, "PERSON")]

    path = _docbin(tmp_path / "both.spacy", build)
    report = importing.import_paths(db, project, [path], options=importing.Options(kind="gold"), progress=False)
    assert _labels(db, "gold") == [("Apple", "ORG")]
    assert report.skipped == [f"span in group 'sc' overlapping an entity (not imported): 2 (first at {path}:1)"]


@pytest.mark.parametrize("kind", ["gold", "model"])
def test_a_plain_docbin_imports_as_gold_or_model(db, project, tmp_path, kind):
    path = _docbin(tmp_path / "ents.spacy", lambda doc: setattr(doc, "ents", [Span(doc, 2, 4, "PERSON")]))
    importing.import_paths(db, project, [path], options=importing.Options(kind=kind), progress=False)
    assert _labels(db, kind) == [("Tim Cook", "PERSON")]


LONG = ("Iran and Iraq met in Baghdad on Monday. " * 30 + "\n\n") * 950  # 1.1 million characters


def test_a_text_over_a_million_characters_imports_whole(db, project, tmp_path):
    assert len(LONG) > 1_000_000
    (tmp_path / "long.txt").write_text(LONG, "utf-8")
    importing.import_paths(db, project, [tmp_path / "long.txt"], progress=False)
    article = store.get_article(db, next(store.iter_article_ids(db)))
    assert article.text == LONG
    assert [article.text[s:e] for s, e in article.tokens[-3:]] == ["Monday", ".", "\n\n"]


def test_a_text_over_a_million_characters_is_preannotated_in_pieces(db, project, tmp_path):
    # A blank pipeline (no such model) still goes through spaCy's max_length check.
    (tmp_path / "long.txt").write_text(LONG, "utf-8")
    options = importing.Options(preannotate=True, model="no-such-model")
    report = importing.import_paths(db, project, [tmp_path / "long.txt"], options=options, progress=False)
    assert report.predicted == 1 and "not installed" in report.warnings[0]


def test_pieces_keep_offsets_exact_and_cut_at_paragraphs(project, monkeypatch):
    monkeypatch.setattr(nlp_pipeline, "PIECE", 300)
    text = "Ayatollah Ali Khamenei met Iraqi President Abdel Latif Rashid in Tehran on Saturday.\n\n" * 12
    assert all(text[end - 2 : end] == "\n\n" for _, end in nlp_pipeline.pieces(text)[:-1])
    pipe = nlp_pipeline.load(project.model, project)
    ((tokens, annotation),) = nlp_pipeline.predict(pipe, project, [text])
    whole = pipe.nlp(text)
    assert tokens.tolist() == [[t.idx, t.idx + len(t)] for t in whole]
    found = [(text[e.start : e.end], e.label) for e in annotation.entities]
    assert found.count(("Tehran", "GPE")) == 12 and len({e.id for e in annotation.entities}) == len(found)


def test_preannotation_runs_without_holding_the_write_lock(db_path, project, tmp_path, monkeypatch):
    """A save from the web (another connection) goes through while spaCy runs for an import."""
    from annotator import db as database

    (tmp_path / "a.txt").write_text(TEXT, "utf-8")
    writes = []
    predict = nlp_pipeline.predict

    def predict_and_save_meanwhile(*args, **kwargs):
        other = sqlite3.connect(db_path, timeout=0)  # no waiting: a held lock fails at once
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO settings (key, value) VALUES ('probe', 'saved')")
        other.commit()
        other.close()
        writes.append("saved")
        yield from predict(*args, **kwargs)

    monkeypatch.setattr(nlp_pipeline, "predict", predict_and_save_meanwhile)
    db = database.connect(db_path)
    importing.import_paths(db, project, [tmp_path / "a.txt"], preannotate=True, progress=False)
    assert writes == ["saved"] and store.get_setting(db, "probe", "") == "saved"
    assert store.find_set(db, next(store.iter_article_ids(db)), "model") is not None
    db.close()
