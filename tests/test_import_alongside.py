"""Storing alongside: an import without a model stores its batches in a second process while it reads
on, in one transaction committed only at the end. Whatever fails, and wherever, nothing is written
and the write lock is free again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from annotator import config, importing
from annotator import db as database
from annotator.alongside import Alongside
from annotator.processes import can_fork

from .test_import_ahead import RECORDS, _off_the_words, _record, _write

pytestmark = pytest.mark.skipif(not can_fork(), reason="one core or no fork: imports store at the end here")

LATE = importing.BATCH * 3 + 2  # a record of the last batch


def _count(db, table: str = "articles") -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _lock_is_free(path) -> bool:
    other = sqlite3.connect(path, timeout=0)  # no waiting: a held lock fails at once
    try:
        other.execute("BEGIN IMMEDIATE")
        other.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def _stored_before(db, project, tmp_path, *records: dict) -> None:
    first = tmp_path / "first.jsonl"
    _write(first, list(records))
    importing.import_paths(db, project, [first], progress=False)


def test_a_store_error_in_the_second_process_is_told_and_nothing_is_written(tmp_path, project):
    db = database.connect(tmp_path / "a.db")
    _stored_before(db, project, tmp_path, {"id": "r100", "text": "Another text altogether, not this one."})
    source = tmp_path / "clash.jsonl"
    _write(source, [_record(n) for n in range(RECORDS)])  # r100, in the second batch, clashes
    with pytest.raises(importing.ImportFailed) as failed:
        importing.import_paths(db, project, [source], progress=False)
    assert str(failed.value) == f"{source}:101: article 'r100' exists already with a different text"
    assert (_count(db), _count(db, "annotation_sets")) == (1, 0)
    assert _lock_is_free(tmp_path / "a.db")


def test_an_error_met_reading_is_told_before_a_store_error_earlier_in_the_file(tmp_path, project):
    """As when everything was stored at the end: the file is read and checked whole first."""
    db = database.connect(tmp_path / "a.db")
    _stored_before(db, project, tmp_path, {"id": "r100", "text": "Another text altogether, not this one."})
    records = [_record(n) for n in range(RECORDS)]
    _off_the_words(records[LATE])
    source = tmp_path / "both.jsonl"
    _write(source, records)
    with pytest.raises(importing.ImportFailed, match=f"^{source}:{LATE + 1}: "):
        importing.import_paths(db, project, [source], progress=False)
    assert _count(db) == 1
    assert _lock_is_free(tmp_path / "a.db")


def _prodigy_task(n: int, text: str | None = None) -> dict:
    record = _record(n)
    text = record["text"] if text is None else text
    spans = [{k: e[k] for k in ("start", "end", "label")} for e in record["entities"]] if text.strip() else []
    return {"text": text, "_input_hash": n, "_task_hash": n, "spans": spans, "answer": "accept", "_session_id": "x-al"}


def test_strict_refuses_after_everything_was_stored_and_nothing_stays(tmp_path, project):
    tasks = [_prodigy_task(n) for n in range(RECORDS)]
    tasks[LATE] = _prodigy_task(LATE, text=" ")  # skipped with a note: an error under --strict
    source = tmp_path / "strict.jsonl"
    _write(source, tasks)
    db = database.connect(tmp_path / "a.db")
    options = importing.Options(strict=True)
    with pytest.raises(
        importing.ImportFailed, match=f"left out under --strict: Prodigy task with blank text .*:{LATE + 1}"
    ):
        importing.import_paths(db, project, [source], progress=False, options=options)
    assert (_count(db), _count(db, "users")) == (0, 0)
    assert _lock_is_free(tmp_path / "a.db")


def test_labels_added_while_reading_reach_the_process_that_stores(tmp_path):
    """--labels extend adds a label in the last batch, on an article stored before: the second process
    checks that set against the labels the reading process had added by then."""
    project_file = tmp_path / "annotator.toml"
    config.write_new(project_file)
    project = config.load(project_file)
    db = database.connect(tmp_path / "a.db")
    _stored_before(db, project, tmp_path, {"id": f"r{LATE}", "text": _record(LATE)["text"]})
    records = [_record(n) for n in range(RECORDS)]
    records[LATE]["entities"][0]["label"] = "MINISTER"
    source = tmp_path / "extend.jsonl"
    _write(source, records)
    report = importing.import_paths(db, project, [source], progress=False, options=importing.Options(labels="extend"))
    assert (report.articles_new, report.articles_existing, report.sets) == (RECORDS - 1, 1, RECORDS)
    assert report.labels_added == {"entity": ["MINISTER"]}
    assert "MINISTER" in config.load(project_file).schemes["entity"].names
    assert db.execute("SELECT count(*) FROM items WHERE label = 'MINISTER'").fetchone()[0] == 1


def _die_storing(self, db, payload):
    os._exit(3)  # the storing process killed mid-import (out of memory, a signal)


def test_the_import_refuses_cleanly_when_the_storing_process_dies(tmp_path, project, monkeypatch):
    monkeypatch.setattr(importing._Storing, "batch", _die_storing)
    source = tmp_path / "many.jsonl"
    _write(source, [_record(n) for n in range(RECORDS)])
    db = database.connect(tmp_path / "a.db")
    with pytest.raises(importing.ImportFailed, match="writing the import stopped before it committed"):
        importing.import_paths(db, project, [source], progress=False)
    assert _count(db) == 0
    assert _lock_is_free(tmp_path / "a.db")


ORPHAN = """
import os, signal, sys
from annotator import db as database
from annotator.alongside import Alongside

def store(db, batch):
    db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", batch)

database.connect(sys.argv[1]).close()
writer = Alongside(sys.argv[1], store, lambda: None)
writer.put(("left", "behind"))
print(writer._process.pid, flush=True)
sys.stdin.readline()
os.kill(os.getpid(), signal.SIGKILL)  # gone without a word: no abort, no commit
"""


def test_a_storing_process_whose_parent_is_killed_rolls_back_and_frees_the_lock(tmp_path):
    path = tmp_path / "a.db"
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(ORPHAN), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(parent.stdout.readline())
    _until(lambda: not _lock_is_free(path), "the storing process takes the lock")
    parent.stdin.write("\n")
    parent.stdin.flush()
    assert parent.wait(timeout=60) == -signal.SIGKILL
    _until(lambda: not _alive(child), "the orphaned storing process leaves")
    assert _lock_is_free(path)
    assert sqlite3.connect(path).execute("SELECT count(*) FROM settings WHERE key = 'left'").fetchone()[0] == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _until(condition, what: str) -> None:
    """Wait (a minute at most) for something another process does."""
    for _ in range(600):
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"a minute on, still waiting: {what}")


def test_a_batch_the_storing_process_cannot_store_is_told_when_everything_is_sent(tmp_path):
    path = tmp_path / "a.db"
    database.connect(path).close()

    def store(db, batch):
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", batch)

    with Alongside(path, store, lambda: "counted") as writer:
        writer.put(("one", "1"))
        writer.put(("one", "2"))  # the same key again: refused, and kept until the end
        writer.put(("two", "3"))
        with pytest.raises(sqlite3.IntegrityError):
            writer.stored()
    assert _lock_is_free(path)
    assert sqlite3.connect(path).execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    with Alongside(path, store, lambda: "counted") as writer:
        writer.put(("one", "1"))
        assert writer.stored() == "counted"
        writer.commit()
    assert sqlite3.connect(path).execute("SELECT value FROM settings WHERE key = 'one'").fetchone() == ("1",)
