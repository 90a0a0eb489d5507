"""Tokenizing ahead in a second process: the same import as in one process, errors in the file's order,
and a clean refusal when that process dies."""

from __future__ import annotations

import json
import os

import pytest

from annotator import db as database
from annotator import importing
from annotator.nlp import ahead

# every column but the times things were written
TABLES = {
    "articles": "id, ext_id, text_hash, norm_hash, meta, text, tokens",
    "annotation_sets": "id, article_id, kind, user_id, status, version, model",
    "items": "*",
    "spans": "*",
    "links": "*",
}
RECORDS = importing.BATCH * 3 + 5  # four batches: three of them tokenized by the second process


def _text(n: int) -> str:
    return f"Report {n}: Khamenei met Rashid in Tehran on Monday.\nThe talks, officials said, went on."


def _record(n: int) -> dict:
    text = _text(n)
    start = text.index("Khamenei")
    return {
        "id": f"r{n}",
        "text": text,
        "source": "model",
        "entities": [{"id": "t1", "start": start, "end": start + len("Khamenei"), "label": "PERSON"}],
    }


def _off_the_words(record: dict) -> dict:
    """The record with its entity on the space before "on": the reader takes it, the check refuses it."""
    space = record["text"].index(" on Monday")
    record["entities"][0].update(start=space, end=space + 1)
    return record


def _write(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" if isinstance(r, dict) else r for r in records), "utf-8")


def _rows(db) -> dict:
    return {t: db.execute(f"SELECT {columns} FROM {t} ORDER BY 1, 2").fetchall() for t, columns in TABLES.items()}


@pytest.fixture
def forks():
    if ahead._second_process() is None:
        pytest.skip("this machine has one core or cannot fork: tokenizing never runs ahead here")


def test_import_ahead_stores_exactly_what_one_process_stores(tmp_path, project, monkeypatch, forks):
    source = tmp_path / "many.jsonl"
    _write(source, [_record(n) for n in range(RECORDS)])
    stored = {}
    for parallel in (False, True):
        monkeypatch.setattr(importing, "PARALLEL", parallel)
        db = database.connect(tmp_path / f"{parallel}.db")
        report = importing.import_paths(db, project, [source], progress=False)
        assert report.articles_new == RECORDS
        stored[parallel] = _rows(db)
        db.close()
    assert stored[True] == stored[False]
    assert len(stored[True]["items"]) == RECORDS


def test_import_ahead_tells_the_first_error_of_the_file_though_later_batches_were_read(tmp_path, project, forks):
    """A span on no word in the second batch is told, not the malformed line two batches on (read
    while the second was being tokenized)."""
    records: list = [_record(n) for n in range(RECORDS)]
    _off_the_words(records[importing.BATCH + 10])
    records[importing.BATCH * 3 + 2] = "{not json\n"
    source = tmp_path / "bad.jsonl"
    assert _refused(tmp_path, project, source, records).startswith(f"{source}:{importing.BATCH + 11}:")


def _refused(tmp_path, project, source, records) -> str:
    """The message an import of `records` (written to `source`) is refused with; it wrote nothing."""
    _write(source, records)
    db = database.connect(tmp_path / "a.db")
    with pytest.raises(importing.ImportFailed) as failed:
        importing.import_paths(db, project, [source], progress=False)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    return str(failed.value)


def test_import_ahead_tells_a_label_error_in_a_later_batch_after_the_checks_before_it(tmp_path, project, forks):
    records: list = [_record(n) for n in range(RECORDS)]
    _off_the_words(records[importing.BATCH + 10])
    records[importing.BATCH * 2 + 3]["entities"][0]["label"] = "NOT_A_LABEL"
    source = tmp_path / "labels.jsonl"
    assert _refused(tmp_path, project, source, records).startswith(f"{source}:{importing.BATCH + 11}:")
    # without the span error, the label error is told with its own line
    records[importing.BATCH + 10] = _record(importing.BATCH + 10)
    message = _refused(tmp_path, project, source, records)
    assert f":{importing.BATCH * 2 + 4}:" in message and "NOT_A_LABEL" in message


def _die(texts, given):
    os._exit(3)  # the tokenizing process killed mid-import (out of memory, a signal)


def test_import_ahead_refuses_cleanly_when_the_tokenizing_process_dies(tmp_path, project, monkeypatch, forks):
    monkeypatch.setattr(ahead, "_tokenize_batch", _die)
    source = tmp_path / "many.jsonl"
    _write(source, [_record(n) for n in range(RECORDS)])
    db = database.connect(tmp_path / "a.db")
    with pytest.raises(importing.ImportFailed, match="tokenizing the import stopped"):
        importing.import_paths(db, project, [source], progress=False)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_an_import_without_a_model_loads_the_tokenizer_alone_which_tokenizes_as_the_pipeline_does(project):
    from annotator.nlp import pipeline as nlp_pipeline

    whole, alone = nlp_pipeline.load(project.model, project), nlp_pipeline.load_tokenizer(project.model)
    assert alone.nlp.pipe_names == [] and "parser" in whole.nlp.pipe_names
    assert alone.name == whole.name and alone.warning is None
    text = "Mr. O'Neil's U.S. trip cost $5,000.00 -- e.g. \"quoted\" (yes)!\n\nNew  paragraph:\tdone… 3-4pm."
    assert nlp_pipeline.tokenize(alone, text).tolist() == nlp_pipeline.tokenize(whole, text).tolist()


def test_a_batch_handed_to_a_tokenizing_process_known_dead_is_refused_cleanly(forks):
    """The pool may learn that its process died before the next batch is handed over (a race the
    import test above meets now and then): that batch is refused as cleanly as an answer never given."""
    pool = ahead._second_process()
    try:
        with pytest.raises(ahead.BrokenProcessPool):
            pool.submit(os._exit, 3).result()
        with pytest.raises(ahead.TokenizerStopped, match="tokenizing the import stopped"):
            ahead._submit(pool, ahead._tokenize_batch, ["a text"], [None])
    finally:
        pool.shutdown(wait=True)


@pytest.mark.parametrize("records", [3, RECORDS], ids=["one batch, loaded here", "loaded by the second process"])
def test_the_tokenizer_the_import_loads_tells_what_it_is_and_refuses_a_version_gone(tmp_path, project, records):
    """The pipeline an import tokenizes with is loaded where it tokenizes (perhaps in the second process,
    while this one reads): its warning still reaches the report, and a registered version whose folder
    is gone still refuses the import, nothing written."""
    from annotator import store

    source = tmp_path / "some.jsonl"
    _write(source, [_record(n) for n in range(records)])
    db = database.connect(tmp_path / "a.db")
    options = importing.Options(model="no_such_pipeline")
    report = importing.import_paths(db, project, [source], progress=False, options=options)
    assert report.articles_new == records and any("'no_such_pipeline' is not installed" in w for w in report.warnings)
    gone = store.ModelVersion("v9", "models/v9/pipeline", "en_core_web_sm", ("quote",), "gold", 1, 1, "by hash")
    store.add_model_version(db, gone, {})
    fresh = tmp_path / "fresh.jsonl"
    _write(fresh, [{**_record(n), "id": f"f{n}", "text": _text(n) + " Fresh."} for n in range(records)])
    with pytest.raises(importing.ImportFailed, match="model version 'v9' has no pipeline at"):
        importing.import_paths(db, project, [fresh], progress=False, options=importing.Options(model="v9"))
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == records


def test_a_set_refused_before_snapping_is_taken_when_snapping_mends_it(tmp_path, project, monkeypatch):
    """A set is checked before its text is tokenized; one that fails (two entities sharing a space) is
    checked again once snapped to the tokens, which may mend it, as a check after snapping always did."""
    text = "Khamenei met Rashid in Tehran."
    entities = [
        {"id": "t1", "start": 0, "end": 9, "label": "PERSON"},  # "Khamenei " with the space after
        {"id": "t2", "start": 8, "end": 12, "label": "PERSON"},  # " met", the same space before
    ]
    records = [{"id": f"r{n}", "text": f"{text} ({n})", "source": "gold", "entities": entities} for n in range(RECORDS)]
    source = tmp_path / "mended.jsonl"
    _write(source, records)
    for parallel in (False, True):
        monkeypatch.setattr(importing, "PARALLEL", parallel)
        db = database.connect(tmp_path / f"{parallel}.db")
        report = importing.import_paths(db, project, [source], progress=False)
        assert report.sets == RECORDS and report.snapped == 2 * RECORDS
        spans = db.execute("SELECT start_char, end_char FROM items WHERE set_id = 1 ORDER BY start_char").fetchall()
        assert spans == [(0, 8), (9, 12)]
