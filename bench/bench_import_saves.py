"""Saves while an import with pre-annotation runs: the import holds no lock while spaCy works.

An import of 2,000 articles with --preannotate runs in another process on the same database
(as `annotator import` beside a running server); meanwhile this process saves an edit again and
again through the app (Flask's test client, as bench_web does) and times each save. The row is
the p99 of those saves against the p99 of the same saves with nothing else running (measured
before and after the import, pooled, as the machine's load drifts). What is left of the ratio is
the CPU the import takes on the machine; the lock is held only for the final write (the
longest save, in the note).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from annotator import db as database
from annotator import store

from .bench_web import Editor, _client
from .common import Row, scratch
from .generate import build

HERE = Path(__file__).resolve().parent


def _articles(n: int) -> list[dict]:
    """n distinct news paragraphs (about 100 words each), from the seed article."""
    seed = (HERE.parent / "seeds" / "khamenei-rashid-tehran.txt").read_text("utf-8")
    paragraphs = [p for p in seed.split("\n") if len(p.split()) > 20]
    return [{"id": f"imp-{i}", "text": f"{paragraphs[i % len(paragraphs)]} (copy {i})"} for i in range(n)]


def _p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98] if len(times) >= 2 else times[0]


def run(quick: bool) -> list[Row]:
    folder = scratch("import_saves")
    path = folder / "saves.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    article = build(path, articles=20, words=100, annotators=2, entities=5, big=(1000, 100))["big"]
    db = database.connect(path)
    store.assign_if_open(db, article, store.get_user_by_name(db, "annotator00").id)
    db.close()
    client, token = _client(path)
    editor = Editor(client, token, article)

    def timed_save() -> float:
        start = time.perf_counter()
        editor.save()
        return time.perf_counter() - start

    rounds = 100 if quick else 300
    idle = [timed_save() for _ in range(rounds)]  # and as many after: the machine's load drifts
    n = 200 if quick else 2000
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in _articles(n)), "utf-8")
    command = [sys.executable, "-c", "from annotator.cli import cli; cli()", "--db", str(path), "import", str(source)]
    command.append("--preannotate")
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    busy = []
    while process.poll() is None:
        busy.append(timed_save())
        time.sleep(0.01)  # an annotator's pace is far slower; this keeps the sampling dense
    took = time.perf_counter() - started
    idle += [timed_save() for _ in range(rounds)]
    output = process.communicate()[0].strip()
    if process.returncode != 0:
        raise RuntimeError(f"the import failed: {output}")
    idle_p99, busy_p99 = _p99(idle) * 1000, _p99(busy) * 1000
    note = (
        f"{n:,} articles imported with pre-annotation in {took:.0f} s; {len(busy)} saves meanwhile: "
        f"p99 {busy_p99:.1f} ms (max {max(busy) * 1000:.0f} ms) vs idle p99 {idle_p99:.1f} ms"
    )
    target = f"save latency while a {n:,}-article import with pre-annotation runs (p99)"
    return [Row(target, busy_p99 / idle_p99, 2.0, note=note)]
