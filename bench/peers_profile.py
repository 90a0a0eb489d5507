"""python -m bench.peers_profile [--tasks N] [--cprofile] [--what-if] [--parallel]: where our import and exports go.

In this process, on the workload of bench.peers: the import and both exports (JSONL, spaCy)
with their CPU time split by section (bench.peers_sections: plain runs, a few functions
wrapped with counters); the issue's suspects timed on their own, with the cheaper ways
measured beside them; the database's bytes by table (dbstat) and by column, Label Studio's
too when a run left one; both exports again as `annotator export` commands, with their peak
memory. With --cprofile each run is repeated under cProfile (which charges every Python call,
so Python-heavy parts read high) for the functions that dominate; with --what-if the exports
run again with one suspect taken away at a time (the garbage collector off); with --parallel
tokenizing alone runs in one process, in spaCy's nlp.pipe(n_process=2) and in a pool of two
holding the tokenizer.
CPU seconds, not wall: the machine is shared. Reports: bench/out/peers/profile/.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pickle
import pstats
import shutil
import sqlite3
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .common import scratch
from .peers_sections import export_sections, import_sections
from .peers_workload import write_native

TOP = 18


def fresh_project(folder: Path):
    """A new database and project file, as `annotator init` makes them."""
    from annotator import config
    from annotator import db as database

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    config.write_new(folder / "annotator.toml")
    return database.connect(folder / "annotator.db"), config.load(folder / "annotator.toml")


def profiled(name: str, fn: Callable[[], object], out: Path) -> str:
    """Run fn under cProfile; the top functions by own and by cumulative time, also in out/NAME.txt and .prof."""
    profile = cProfile.Profile()
    start = time.process_time()
    profile.runcall(fn)
    seconds = time.process_time() - start
    profile.dump_stats(out / f"{name}.prof")
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text).strip_dirs()
    text.write(f"== {name}: {seconds:.1f} s CPU under cProfile\n")
    stats.sort_stats("tottime").print_stats(TOP)
    stats.sort_stats("cumulative").print_stats(TOP)
    (out / f"{name}.txt").write_text(text.getvalue(), "utf-8")
    return text.getvalue()


def cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


# --- the suspects, timed alone, and cheaper ways beside them ----------------------------------------


def compact_json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def token_objects(doc) -> list[tuple[int, int]]:
    """Offsets as the import made them before: a Token object a token."""
    return [(t.idx, t.idx + len(t.text)) for t in doc]


def tokenising(source: Path) -> str:
    """Import's suspects: spaCy's tokenizer, tokens into offsets (Token objects, numpy), offsets stored (JSON, BLOB)."""
    from annotator import config
    from annotator.formats import Reading, jsonl
    from annotator.nlp import pipeline
    from annotator.store.articles import encode_tokens

    nlp = pipeline.load(config.load(None).model, config.load(None)).nlp
    seconds = dict.fromkeys(("tokenize", "objects", "vectorised", "dumps", "encode"), 0.0)
    tokens = json_bytes = blob_bytes = articles = 0

    def timed(step: str, fn: Callable, *args):
        start = time.process_time()
        found = fn(*args)
        seconds[step] += time.process_time() - start
        return found

    for _, record in jsonl.read(source, Reading()):  # one article at a time: the docs of all would take a gigabyte
        doc = timed("tokenize", nlp.make_doc, record.text)
        offsets = timed("objects", token_objects, doc)
        array = timed("vectorised", pipeline.token_offsets, doc)
        json_bytes += len(timed("dumps", compact_json, offsets))
        blob_bytes += len(timed("encode", encode_tokens, array))
        tokens, articles = tokens + len(offsets), articles + 1
    tokenize, objects, vectorised, dumps, encode = seconds.values()
    return (
        f"== import's suspects, CPU seconds for {articles:,} articles ({tokens:,} tokens):\n"
        f"  spaCy's tokenizer (make_doc)                       {tokenize:6.1f} s\n"
        f"  tokens to offsets, a Token object each (before)     {objects:6.1f} s\n"
        f"    the same with doc.to_array([IDX, LENGTH]) (now)   {vectorised:6.1f} s\n"
        f"  offsets to JSON (before)                            {dumps:6.1f} s\n"
        f"    offsets to the stored BLOB (now)                  {encode:6.1f} s\n"
        f"  stored tokens: {blob_bytes / 1e6:.1f} MB as the BLOB against {json_bytes / 1e6:.1f} MB of JSON"
    )


_TOKENIZER = None


def _take_tokenizer(blob: bytes) -> None:
    global _TOKENIZER
    _TOKENIZER = pickle.loads(blob)


def _offsets_of(texts: list[str]) -> list:
    from annotator.nlp import pipeline

    assert _TOKENIZER is not None
    return [pipeline.token_offsets(_TOKENIZER(text)) for text in texts]


def parallel_tokenising(source: Path, batch: int = 64) -> str:
    """Tokenizing only, wall seconds: in this process; spaCy's nlp.pipe(n_process=2) with every
    component off; a pool of 2 processes holding the pickled tokenizer and sending offsets back."""
    from concurrent.futures import ProcessPoolExecutor

    from annotator import config
    from annotator.formats import jsonl
    from annotator.formats.base import Reading
    from annotator.nlp import pipeline

    nlp = pipeline.load(config.load(None).model, config.load(None)).nlp
    texts = [record.text for _, record in jsonl.read(source, Reading())]
    batches = [texts[i : i + batch] for i in range(0, len(texts), batch)]

    def one() -> list:
        return [pipeline.token_offsets(nlp.make_doc(text)) for text in texts]

    def spacy_pipe() -> list:
        with nlp.select_pipes(disable=nlp.pipe_names):
            return [pipeline.token_offsets(doc) for doc in nlp.pipe(texts, n_process=2, batch_size=batch)]

    def pool() -> list:
        with ProcessPoolExecutor(2, initializer=_take_tokenizer, initargs=(pickle.dumps(nlp.tokenizer),)) as workers:
            return [offsets for done in workers.map(_offsets_of, batches) for offsets in done]

    lines = [f"== tokenizing {len(texts):,} texts, wall seconds (the load average was {os.getloadavg()[0]:.1f}):"]
    for name, fn in (("one process", one), ("nlp.pipe(n_process=2)", spacy_pipe), ("a pool of 2", pool)):
        start = time.perf_counter()
        fn()
        lines.append(f"  {name:<40} {time.perf_counter() - start:6.1f} s")
    return "\n".join(lines)


def decoding(db_path: Path) -> str:
    """Export's suspect: json.loads of the stored tokens, alone (each result dropped at once)."""
    conn = sqlite3.connect(db_path)
    raw: list = []
    from annotator.store.articles import decode_tokens

    read = cpu(lambda: raw.extend(row[0] for row in conn.execute("SELECT tokens FROM articles")))
    decode = cpu(lambda: [len(decode_tokens(found).tolist()) for found in raw])
    conn.close()
    return f"== export's suspect: reading the tokens column {read:.1f} s CPU, decoding it to pairs {decode:.1f} s CPU"


def what_ifs(db_path: Path, out: Path, rounds: int = 3) -> str:
    """The exports again, each with one suspect taken away, in rounds (medians: CPU time is noisy here too).

    Each run is a child process of its own, so that its patch stays there.
    """
    import statistics
    import subprocess
    import sys

    seconds: dict[str, list[float]] = {name: [] for name, _, _ in WHAT_IFS}
    for _ in range(rounds):
        for name, fmt, patch in WHAT_IFS:
            target = out / f"what-if.{fmt}"
            code = WHAT_IF_CHILD.format(patch=patch, db=str(db_path), fmt=fmt, out=str(target))
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            seconds[name].append(float(done.stdout))
            shutil.rmtree(target, ignore_errors=True)
            target.unlink(missing_ok=True)
    lines = [f"== the exports with one cause taken away, CPU seconds, median (and least) of {rounds}:"]
    for name, found in seconds.items():
        lines.append(f"  {name:<70} {statistics.median(found):6.1f} s  ({min(found):.1f})")
    return "\n".join(lines)


# The suspects of the first profile (tokens decoded for JSONL, srsly's registry read on every
# msgpack call) are gone from the exports; the garbage collector is the one left to try.
WHAT_IFS = (
    ("JSONL, as it is", "jsonl", ""),
    ("JSONL, the garbage collector off", "jsonl", "GC_OFF"),
    ("spaCy, as it is", "spacy", ""),
    ("spaCy, the garbage collector off", "spacy", "GC_OFF"),
)
WHAT_IF_CHILD = """
import gc, time
from pathlib import Path
from annotator import db, exporting
if "{patch}" == "GC_OFF":
    gc.disable()
start = time.process_time()
exporting.export(db.connect("{db}"), "{fmt}", "predictions", Path("{out}"))
print(time.process_time() - start)
"""


# --- bytes ------------------------------------------------------------------------------------------


def sizes(db_path: Path) -> str:
    """Bytes by table and index (dbstat), and by column of articles and history."""
    conn = sqlite3.connect(db_path)
    lines = [f"== {db_path} ({db_path.stat().st_size / 1e6:.1f} MB), by table and index:"]
    for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8"):
        lines.append(f"  {name:<40} {size / 1e6:8.1f} MB")
    if conn.execute("SELECT 1 FROM sqlite_schema WHERE name = 'articles'").fetchone():
        text, tokens, meta = conn.execute(
            "SELECT sum(length(CAST(text AS BLOB))), sum(length(tokens)), sum(length(meta)) FROM articles"
        ).fetchone()
        history = conn.execute("SELECT count(*), sum(length(change)) FROM history").fetchone()
        lines += [
            f"  articles: text {text / 1e6:.1f} MB, tokens {tokens / 1e6:.1f} MB, meta {meta / 1e6:.2f} MB",
            f"  history: {history[0]:,} entries, their changes as JSON {history[1] / 1e6:.1f} MB",
        ]
    conn.close()
    return "\n".join(lines)


def exports(out: Path, with_cprofile: bool) -> list[str]:
    """Both exports by section (and under cProfile); the database is the one the import left."""
    from annotator import db as database
    from annotator import exporting

    db_path = out / "db" / "annotator.db"
    report = []
    for fmt, target in (("jsonl", out / "export.jsonl"), ("spacy", out / "export-spacy")):
        shutil.rmtree(target, ignore_errors=True)
        target.unlink(missing_ok=True)
        report.append(export_sections(db_path, fmt, target))
        if with_cprofile:
            shutil.rmtree(target, ignore_errors=True)
            target.unlink(missing_ok=True)
            db = database.connect(db_path)
            report.append(profiled(f"export-{fmt}", partial(exporting.export, db, fmt, "predictions", target), out))
            db.close()
    return report


# Started from a small process of its own: a child forked from this one (hundreds of MB by now)
# would count this process's pages in its peak (Linux keeps the larger high-water mark at exec).
LAUNCHER = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(code, time.perf_counter() - start, used.ru_utime + used.ru_stime, used.ru_maxrss)
"""


def commands(db_path: Path, out: Path) -> str:
    """Both exports as `annotator export` commands, as bench.peers runs them: each one's wall and CPU
    seconds and its peak resident memory (the kernel's own maximum, not sampled)."""
    import subprocess
    import sys

    binary = Path(sys.executable).parent / "annotator"
    lines = ["== `annotator export --from predictions` as a command (spaCy's import and the start included):"]
    for fmt, target in (("jsonl", out / "command.jsonl"), ("spacy", out / "command-spacy")):
        shutil.rmtree(target, ignore_errors=True)
        target.unlink(missing_ok=True)
        args = [str(binary), "--db", str(db_path), "export", "--from", "predictions", "--format", fmt, "--out"]
        done = subprocess.run([sys.executable, "-c", LAUNCHER, *args, str(target)], capture_output=True, text=True)
        code, wall, cpu_seconds, peak_kb = done.stdout.split()
        if done.returncode or code != "0":
            raise SystemExit(f"annotator export --format {fmt} failed ({code}): {done.stderr}")
        lines.append(
            f"  {fmt:<6} {float(wall):6.1f} s wall, {float(cpu_seconds):6.1f} s CPU, "
            f"peak RSS {int(peak_kb) / 1024:6.0f} MB"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks in the workload (default 10,000)")
    parser.add_argument("--cprofile", action="store_true", help="repeat each run under cProfile too (slow)")
    parser.add_argument("--what-if", action="store_true", help="the exports again without each suspect (slow)")
    parser.add_argument("--parallel", action="store_true", help="tokenizing in one process against two")
    args = parser.parse_args(argv)
    from annotator import importing

    out = scratch("peers") / "profile"
    out.mkdir(exist_ok=True)
    source = write_native(scratch("peers") / f"workload-{args.tasks}.jsonl", args.tasks)
    report = []
    if args.cprofile:
        db, project = fresh_project(out / "db")
        report.append(profiled("import", lambda: importing.import_paths(db, project, [source], progress=False), out))
        db.close()
    report.append(import_sections(source, out / "db", fresh_project))  # its database stays for the rest
    db_path = out / "db" / "annotator.db"
    report += [tokenising(source), decoding(db_path), sizes(db_path), *exports(out, args.cprofile)]
    report.append(commands(db_path, out))
    if args.parallel:
        report.append(parallel_tokenising(source))
    if args.what_if:
        report.append(what_ifs(db_path, out))
    report += [sizes(ls_db) for ls_db in sorted(scratch("peers").glob("ls-[0-9]*/label_studio.sqlite3"))]
    text = "\n\n".join(report)
    (out / "report.txt").write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
