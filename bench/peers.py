"""python -m bench.peers: Label Studio and annotator side by side on Label Studio's own workload.

The same seeded tasks go into both (bench.peers_workload). Every measure is taken on both in
turns, who goes first swapped each time (LS, ours, ours, LS, ...), so drift in the machine's
speed hits both alike; a row is the ratio of the medians, Label Studio's ÷ ours (> 1: we are
faster). The run: import rounds (fresh data dirs each; database sizes after import), then
export rounds (each after a restart of both servers, which gives the cold starts; peak RSS of
the exporting process tree), then the page rows on the running servers. Both servers listen
on 127.0.0.1 only; everything started is stopped on any exit, --timeout's too.
`make bench-peers` installs Label Studio and runs this with --record (bench/PEERS.md).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import peers_ours
from .common import scratch
from .peers_ls import PAGE, LabelStudio, installed
from .peers_ours import Ours
from .peers_procs import ChildCpu, PeakRss, cpu_of, stop_all
from .peers_report import Row, header, record, table
from .peers_workload import SPANS, prepare

WARM = 3  # untimed requests of each kind first, on tasks of their own
Sample = Callable[[int], float]
Samples = tuple[list[float], list[float]]


def turns(ls: Sample, ours: Sample, n: int) -> tuple[list[float], list[float]]:
    """n samples of each (what each call returns), taking turns, who goes first swapped every time."""
    a: list[float] = []
    b: list[float] = []
    for i in range(n):
        for fn, samples in ((ls, a), (ours, b)) if i % 2 == 0 else ((ours, b), (ls, a)):
            samples.append(fn(i))
    return a, b


def timed(fn: Callable[[int], object]) -> Sample:
    """A call whose sample is its seconds."""

    def run(i: int) -> float:
        start = time.perf_counter()
        fn(i)
        return time.perf_counter() - start

    return run


def size_mb(db: Path) -> float:
    """The database file with its journal or write-ahead log, in MB."""
    parts = [db, *(db.with_name(db.name + s) for s in ("-wal", "-journal"))]
    return sum(p.stat().st_size for p in parts if p.exists()) / 1e6


class Run:
    """One side-by-side run; `go` returns its rows."""

    def __init__(self, tasks: int, rounds: int, samples: int, folder: Path):
        self.tasks, self.rounds, self.samples, self.folder = tasks, rounds, samples, folder
        self.logs = folder / "logs"
        self.rows: list[Row] = []
        # tasks of their own for each page row: first opens, one-span saves (LS), 40-span saves
        k = samples + WARM
        picks = random.Random(15).sample(range(tasks), 2 * k + samples // 2 + WARM)
        self.open_ix, self.save_ix, self.all_ix = picks[:k], picks[k : 2 * k], picks[2 * k :]
        self.workload = prepare(folder / f"workload-{tasks}.jsonl", tasks, self.save_ix + self.all_ix)
        gc.freeze()  # the workload's objects stay out of every later collection
        self.ls_ids: list[int] = []
        self.ours_ids: dict[str, int] = {}

    def add(self, measure: str, unit: str, samples: Samples, target: float, note: str = "", cpu=None) -> None:
        self.rows.append(Row(measure, unit, *samples, target, note, cpu))

    def go(self) -> list[Row]:
        self.ls, self.ours = self.imports()
        try:
            self.exports()
            self.pages()
        finally:
            self.ls.stop()
            self.ours.stop()
        return self.rows

    # --- import and database size -----------------------------------------------------------------

    def imports(self) -> tuple[LabelStudio, Ours]:
        """Rounds of import into fresh data dirs; the last round's stay for the rest of the run."""
        template = LabelStudio.template(self.folder, self.logs / "ls-template.log")
        ls_sides: list[LabelStudio] = []
        ours_sides: list[Ours] = []
        sizes: Samples = ([], [])
        cpu: Samples = ([], [])

        def ls(r: int) -> float:
            side = LabelStudio(self.folder / f"ls-{r}", self.logs / f"ls-{r}.log")
            shutil.rmtree(side.data_dir, ignore_errors=True)
            shutil.copytree(template, side.data_dir)
            side.start()
            side.create_project()
            start, used = time.perf_counter(), cpu_of(side.pid)
            self.ls_ids = side.import_batches(self.workload.batches)
            seconds = time.perf_counter() - start
            cpu[0].append(cpu_of(side.pid) - used)
            side.stop()
            sizes[0].append(size_mb(side.db))
            ls_sides.append(side)
            return seconds

        def ours(r: int) -> float:
            side = Ours(self.folder / f"ours-{r}", self.logs / f"ours-{r}.log")
            shutil.rmtree(side.folder, ignore_errors=True)
            side.init()
            start = time.perf_counter()
            with ChildCpu() as used:
                side.command("import", str(self.workload.native), name="annotator import").wait(3600)
            seconds = time.perf_counter() - start
            cpu[1].append(used.seconds)
            sizes[1].append(size_mb(side.db))
            ours_sides.append(side)
            return seconds

        times = turns(ls, ours, self.rounds)
        for old in ls_sides[:-1]:  # the last round's data stay; the others' go
            shutil.rmtree(old.data_dir)
        for mine in ours_sides[:-1]:
            shutil.rmtree(mine.folder)
        how = "LS: its import API, batches of 500; ours: `annotator import` of a native JSONL file"
        self.add(f"import {self.tasks:,} tasks with {SPANS} predicted spans each", "s", times, 3, how, cpu)
        self.add("database on disk after import", "MB", sizes, 1, "the SQLite file with its journal or WAL")
        self.ours_ids = ours_sides[-1].assign_all(
            [f"task-{i:06d}" for i in (*self.open_ix, *self.save_ix, *self.all_ix)]
        )
        return ls_sides[-1], ours_sides[-1]

    # --- cold start, export, peak RSS --------------------------------------------------------------

    def exports(self) -> None:
        """Rounds of: restart (seconds to the first 200), export with predictions, peak RSS of the exporter."""
        out = self.folder / "exports"
        out.mkdir(exist_ok=True)
        cold: Samples = ([], [])
        peaks: dict[str, list[float]] = {"ls": [], "jsonl": [], "spacy": []}
        cpu: dict[str, list[float]] = {"ls": [], "jsonl": [], "spacy": []}
        spacy: list[float] = []
        self.ours.start()
        for annotator in (self.ours.holder, self.ours.labeler):
            annotator.sign_in()  # once: the session cookie outlives restarts, as a browser's does

        def ls(r: int) -> float:
            self.ls.stop()
            cold[0].append(self.ls.start())
            with PeakRss(self.ls.pid) as sampled:
                start, used = time.perf_counter(), cpu_of(self.ls.pid)
                body = self.ls.export()
                seconds = time.perf_counter() - start
            cpu["ls"].append(cpu_of(self.ls.pid) - used)
            peaks["ls"].append(sampled.peak_mb)
            found = body.count(b'"model_version"')
            assert found == self.tasks, f"Label Studio exported {found} predictions of {self.tasks} tasks"
            return seconds

        def ours(r: int) -> float:
            self.ours.stop()
            cold[1].append(self.ours.start())
            jsonl = self.export_ours("jsonl", out / "ours.jsonl", peaks["jsonl"], cpu["jsonl"])
            with (out / "ours.jsonl").open("rb") as written:
                found = sum(1 for _ in written)
            assert found == self.tasks, f"we exported {found} records of {self.tasks}"
            spacy.append(self.export_ours("spacy", out / "ours-spacy", peaks["spacy"], cpu["spacy"]))
            return jsonl

        ls_times, jsonl = turns(ls, ours, self.rounds)
        how = "LS: create a snapshot, wait for it, download it; ours: `annotator export --from predictions`"
        measure = "export everything with predictions: LS JSON vs ours"
        self.add(f"{measure} JSONL", "s", (ls_times, jsonl), 3, how, (cpu["ls"], cpu["jsonl"]))
        how = "ours: `--format spacy`, a folder of DocBin shards"
        self.add(f"{measure} spaCy", "s", (ls_times, spacy), 3, how, (cpu["ls"], cpu["spacy"]))
        how = "sampled every 50 ms; LS: its server (restarted before); ours: the `annotator export` process"
        measure = "peak RSS of the exporting process tree: LS vs ours"
        self.add(f"{measure} JSONL", "MB", (peaks["ls"], peaks["jsonl"]), 3, how)
        self.add(f"{measure} spaCy", "MB", (peaks["ls"], peaks["spacy"]), 3)
        how = f"to the first authenticated 200: LS /api/projects/, ours /queue ({peers_ours.WORKERS} gunicorn workers)"
        self.add("cold start to the first 200", "s", cold, 3, how)

    def export_ours(self, fmt: str, target: Path, peaks: list[float], cpu: list[float]) -> float:
        shutil.rmtree(target, ignore_errors=True)
        target.unlink(missing_ok=True)
        start = time.perf_counter()
        proc = self.ours.export(fmt, target)
        with PeakRss(proc.pid) as sampled, ChildCpu() as used:
            proc.wait(3600)
        seconds = time.perf_counter() - start
        peaks.append(sampled.peak_mb)
        cpu.append(used.seconds)
        return seconds

    # --- the pages ----------------------------------------------------------------------------------

    def ls_id(self, i: int) -> int:
        return self.ls_ids[i]

    def ours_id(self, i: int) -> int:
        return self.ours_ids[f"task-{i:06d}"]

    def pages(self) -> None:
        """List, open, re-open, save, accept 40: the first WARM of each untimed, then the samples in turns."""
        ls, holder, n = self.ls, self.ours.holder, self.samples
        deep = self.tasks // 2 // PAGE  # a page in the middle (0-based)
        after = self.ours_id(deep * PAGE - 1)  # our keyset: the last article before that page
        for i in range(WARM):
            ls.list_page(2 + i)
            holder.queue(self.ours_id((1 + i) * PAGE - 1))
        first = turns(timed(lambda i: ls.list_page(1)), timed(lambda i: holder.queue(0)), n)
        how = f"LS: /api/tasks/ (the data manager's table), {PAGE} a page; ours: /queue of the annotator holding all"
        self.add("task list / queue, page 1", "ms", first, 10, how)
        middle = turns(timed(lambda i: ls.list_page(deep + 1)), timed(lambda i: holder.queue(after)), n)
        self.add(f"task list / queue, page {deep + 1} of {self.tasks // PAGE}", "ms", middle, 10, "/queue?after=")
        self.open_rows()
        self.save_rows()

    def open_rows(self) -> None:
        ls, labeler, holder, fresh = self.ls, self.ours.labeler, self.ours.holder, self.open_ix[WARM:]
        for ix in self.open_ix[:WARM]:
            ls.open_task(self.ls_id(ix))
            self.page = labeler.open(self.ours_id(ix))  # the one-save row edits this one
        ls_open = timed(lambda i: ls.open_task(self.ls_id(fresh[i])))
        ours_open = timed(lambda i: labeler.open(self.ours_id(fresh[i])))
        how = f"LS: /api/tasks/ID/; ours: /articles/ID, whose first opening copies the {SPANS} suggestions"
        self.add("open a task the first time", "ms", turns(ls_open, ours_open, self.samples), 10, how)
        self.add("open the same task again", "ms", turns(ls_open, ours_open, self.samples), 10)
        for ix in fresh:
            holder.open(self.ours_id(ix))  # untimed: its first opening
        holder_open = timed(lambda i: holder.open(self.ours_id(fresh[i])))
        how = f"ours: as the annotator holding all {self.tasks:,} (each page counts what they hold)"
        self.add(
            "open the same task again, holding every task", "ms", turns(ls_open, holder_open, self.samples), 10, how
        )

    def save_rows(self) -> None:
        ls, labeler, kept = self.ls, self.ours.labeler, self.workload.kept

        def ls_save(ix: int, spans: int) -> float:
            return timed(lambda _: ls.save(self.ls_id(ix), kept[ix], spans))(0)

        def ours_all(ix: int) -> float:
            page = labeler.open(self.ours_id(ix))  # untimed: the set must exist first
            return timed(lambda _: labeler.confirm(page, SPANS))(0)

        for ix in self.save_ix[:WARM]:
            ls_save(ix, 1)
            labeler.save(self.page)
        fresh = self.save_ix[WARM:]
        one = turns(lambda i: ls_save(fresh[i], 1), timed(lambda i: labeler.save(self.page)), self.samples)
        self.add("one save", "ms", one, 10, "LS: a new annotation of 1 span; ours: one edit (a relabel)")
        for ix in self.all_ix[:WARM]:
            ls_save(ix, SPANS)
            ours_all(ix)
        fresh = self.all_ix[WARM:]
        many = turns(lambda i: ls_save(fresh[i], SPANS), lambda i: ours_all(fresh[i]), len(fresh))
        how = f"one POST of {peers_ours.CONFIRM_ALL}" if peers_ours.CONFIRM_ALL else f"{SPANS} POSTs of .../confirm"
        how = f"LS: a new annotation of the {SPANS} predicted spans; ours: {how}"
        self.add(f"{SPANS} suggested spans accepted", "ms", many, 10, how)


# --- the command ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks in the workload (default 10,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of import, export and cold start (default 3)")
    parser.add_argument("--samples", type=int, default=30, help="samples of each page measure (default 30)")
    parser.add_argument("--timeout", type=int, default=5400, help="hard limit of the whole run, seconds (default 5400)")
    parser.add_argument("--confirm-all", metavar="PATH", help="our accept-all POST under /sets/ID (e.g. /confirm-all)")
    parser.add_argument("--record", action="store_true", help="write the table into bench/PEERS.md")
    args = parser.parse_args(argv)
    least = max(4 * PAGE, 4 * (args.samples + WARM))
    if args.tasks < least:
        parser.error(f"--tasks must be at least {least} for {args.samples} samples")
    version = installed()
    peers_ours.CONFIRM_ALL = args.confirm_all or peers_ours.CONFIRM_ALL
    args.confirm_all = peers_ours.CONFIRM_ALL

    def stop(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    def too_long(_signum, _frame):
        raise TimeoutError(f"the run took longer than --timeout {args.timeout} s")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)
    started = time.perf_counter()
    try:
        rows = Run(args.tasks, args.rounds, args.samples, scratch("peers")).go()
    finally:
        signal.alarm(0)
        stop_all()
    samples = [{"measure": r.measure, "unit": r.unit, "ls": r.ls, "ours": r.ours} for r in rows]
    (scratch("peers") / "samples.json").write_text(json.dumps(samples, indent=1), "utf-8")
    minutes = (time.perf_counter() - started) / 60
    confirm = f"one POST of `{args.confirm_all}`" if args.confirm_all else f"{SPANS} confirms"
    text = f"{header(version, peers_ours.WORKERS, args, confirm, minutes)}\n\n{table(rows)}"
    print(text)
    if args.record:
        record(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
