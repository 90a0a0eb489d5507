"""python -m bench.peers_profile [--tasks N]: where our import and exports of the side-by-side workload go.

In this process, on the workload of bench.peers: the import and both exports (JSONL, spaCy) once
plainly (wall seconds) and once under cProfile (the functions that dominate), the parts the issue
suspects timed on their own, and the database's bytes by table (dbstat) and by column. cProfile
charges a constant cost to every Python call, so Python-heavy parts read high under it; the plain
wall times are beside. Reports: bench/out/peers/profile/*.txt (and .prof for snakeviz & co).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from .common import scratch
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
    """Run fn under cProfile; the top functions by own time and by cumulative time, also written to out/NAME.txt."""
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.runcall(fn)
    seconds = time.perf_counter() - start
    profile.dump_stats(out / f"{name}.prof")
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text).strip_dirs()
    text.write(f"== {name}: {seconds:.1f} s under cProfile\n")
    stats.sort_stats("tottime").print_stats(TOP)
    stats.sort_stats("cumulative").print_stats(TOP)
    (out / f"{name}.txt").write_text(text.getvalue(), "utf-8")
    return text.getvalue()


def wall(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- the suspects, timed alone ---------------------------------------------------------------------


def tokenising(source: Path) -> str:
    """Import's suspect: reading the records, spaCy's tokenizer, and tokens into offsets, each alone."""
    from annotator import config
    from annotator.formats import jsonl
    from annotator.nlp import pipeline

    nlp = pipeline.load(config.load(None).model, config.load(None)).nlp
    start = time.perf_counter()
    texts = [record.text for _, record in jsonl.read(source)]
    read = time.perf_counter() - start
    start = time.perf_counter()
    docs = [nlp.make_doc(text) for text in texts]
    tokenize = time.perf_counter() - start
    start = time.perf_counter()
    offsets = [pipeline.token_offsets(doc) for doc in docs]
    to_offsets = time.perf_counter() - start
    start = time.perf_counter()
    for found in offsets:
        json.dumps(found, separators=(",", ":"))
    dumps = time.perf_counter() - start
    tokens = sum(len(found) for found in offsets)
    return (
        f"reading and checking {len(texts):,} native records: {read:.1f} s; spaCy make_doc: {tokenize:.1f} s; "
        f"tokens to offsets (Python tuples): {to_offsets:.1f} s; offsets to JSON: {dumps:.1f} s "
        f"({tokens:,} tokens, {tokens / len(texts):.0f} an article)"
    )


def decoding(db_path: Path) -> str:
    """Export's suspect: json.loads of the stored tokens, alone."""
    conn = sqlite3.connect(db_path)
    start = time.perf_counter()
    raw = [row[0] for row in conn.execute("SELECT tokens FROM articles")]
    read = time.perf_counter() - start
    start = time.perf_counter()
    for found in raw:
        json.loads(found)
    decode = time.perf_counter() - start
    conn.close()
    return f"reading the tokens column: {read:.1f} s; json.loads of it: {decode:.1f} s ({len(raw):,} articles)"


# --- bytes ------------------------------------------------------------------------------------------


def sizes(db_path: Path) -> str:
    """Bytes by table and index (dbstat), and by column of articles and history, with compact alternatives."""
    conn = sqlite3.connect(db_path)
    lines = [f"{db_path} ({db_path.stat().st_size / 1e6:.1f} MB):"]
    for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12"):
        lines.append(f"  {name:<32} {size / 1e6:8.1f} MB")
    if conn.execute("SELECT 1 FROM sqlite_schema WHERE name = 'articles'").fetchone():
        lines += _article_columns(conn)
    conn.close()
    return "\n".join(lines)


def _article_columns(conn: sqlite3.Connection) -> list[str]:
    text, tokens, meta = conn.execute(
        "SELECT sum(length(CAST(text AS BLOB))), sum(length(tokens)), sum(length(meta)) FROM articles"
    ).fetchone()
    count = sum(len(json.loads(t)) for (t,) in conn.execute("SELECT tokens FROM articles"))
    history = conn.execute("SELECT count(*), sum(length(change)) FROM history").fetchone()
    return [
        f"  articles: text {text / 1e6:.1f} MB, tokens as JSON {tokens / 1e6:.1f} MB ({count:,} tokens, "
        f"{tokens / count:.1f} bytes each), meta {meta / 1e6:.2f} MB",
        f"    tokens as int32 (start, end) pairs: {count * 8 / 1e6:.1f} MB; as one byte of length and one bit of "
        f"trailing space each (Doc(words, spaces) rebuilds them): about {count * 1.125 / 1e6:.1f} MB",
        f"  history: {history[0]:,} entries, changes as JSON {history[1] / 1e6:.1f} MB",
    ]


def import_step(source: Path, out: Path, profile: bool) -> str:
    """`annotator import` of the workload into a fresh database (the last one stays for the exports)."""
    from annotator import importing

    db, project = fresh_project(out / "db")
    try:

        def run() -> None:
            importing.import_paths(db, project, [source], progress=False)

        return profiled("import", run, out) if profile else f"== import, plain: {wall(run):.1f} s"
    finally:
        db.close()


def export_step(fmt: str, out: Path, profile: bool) -> str:
    """`annotator export --from predictions` of everything, in one format."""
    from annotator import db as database
    from annotator import exporting

    target = out / ("export.jsonl" if fmt == "jsonl" else "export-spacy")
    shutil.rmtree(target, ignore_errors=True)
    target.unlink(missing_ok=True)
    db = database.connect(out / "db" / "annotator.db")
    try:

        def run() -> None:
            exporting.export(db, fmt, "predictions", target)

        return profiled(f"export-{fmt}", run, out) if profile else f"== export {fmt}, plain: {wall(run):.1f} s"
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks in the workload (default 10,000)")
    args = parser.parse_args(argv)
    out = scratch("peers") / "profile"
    out.mkdir(exist_ok=True)
    source = write_native(scratch("peers") / f"workload-{args.tasks}.jsonl", args.tasks)
    report = [import_step(source, out, profile) for profile in (False, True)]
    db_path = out / "db" / "annotator.db"
    report += [tokenising(source), decoding(db_path), sizes(db_path)]
    report += [export_step(fmt, out, profile) for fmt in ("jsonl", "spacy") for profile in (False, True)]
    report += [sizes(ls_db) for ls_db in sorted(scratch("peers").glob("ls-[0-9]*/label_studio.sqlite3"))]
    text = "\n\n".join(report)
    (out / "report.txt").write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
