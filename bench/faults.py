"""Faults: the production server killed while annotators save (MISSION: Reliability — kill and backup).

    python -m bench.faults [--annotators 20] [--seconds 40] [--kills 3] [--workers 4]

The same database, server and clients as bench/load.py (under bench/out/faults/), but at random
moments (one in each of `kills` equal slices of the run) the whole gunicorn process group is
killed with SIGKILL and started again on the same port. The clients treat a lost connection as
"unknown outcome" (not acknowledged): they reload the page once the server answers again, and
send the edit again only if the reload shows it was not saved. A connection refused outright
(nothing was sent) is counted apart. Midway, `annotator backup` copies the database while the
server is under load; the copy must pass its integrity check and hold every save acknowledged
before the backup began.

At the end: every save that got a 2xx is in the database (lost = 0), none twice, every set's
items equal its history replayed, and `PRAGMA integrity_check` is ok. Exit status 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .common import scratch
from .load import (
    BIN,
    SEED,
    Server,
    Stats,
    build,
    check,
    details,
    drive,
    summarise,
    table,
)


@dataclass
class Kill:
    at: float  # seconds into the run
    in_flight: int  # requests the clients had open at that moment
    down: float = 0.0  # seconds until the new server answered


@dataclass
class Backup:
    at: float = 0.0
    started: float = 0.0
    seconds: float = 0.0
    in_flight: int = 0
    returncode: int | None = None
    output: str = ""
    path: Path | None = None


@dataclass
class FaultRun:
    kills: list[Kill] = field(default_factory=list)
    backup: Backup = field(default_factory=Backup)


def kill_times(rng: random.Random, seconds: float, kills: int) -> list[float]:
    """One random moment in each of `kills` equal slices of 10 %..85 % of the run."""
    low, high = 0.1 * seconds, 0.85 * seconds
    width = (high - low) / max(kills, 1)
    return [low + i * width + rng.uniform(0.1, 0.9) * width for i in range(kills)]


def run_faults(
    annotators: int = 20,
    seconds: float = 40,
    kills: int = 3,
    workers: int = 4,
    *,
    seed: int = SEED,
    stale_rate: float = 0.05,
    folder: Path | None = None,
):
    say = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    setup = build(folder or scratch("faults"), annotators, seed)
    server = Server(setup, workers)
    faults = FaultRun()
    times = kill_times(random.Random(seed + 7), seconds, kills)
    up = asyncio.Event()
    stats = Stats()

    async def killer(begun: float) -> None:
        up.set()
        for at in times:
            await asyncio.sleep(max(0.0, begun + at - time.monotonic()))
            kill = Kill(time.monotonic() - begun, stats.in_flight)
            up.clear()
            moment = time.monotonic()
            await asyncio.to_thread(server.kill)
            await asyncio.to_thread(server.start)
            kill.down = time.monotonic() - moment
            up.set()
            faults.kills.append(kill)
            say(
                f"  killed at {kill.at:.1f} s with {kill.in_flight} request(s) in flight; "
                f"answering again after {kill.down:.1f} s"
            )

    async def backup(begun: float) -> None:
        record = faults.backup
        await asyncio.sleep(max(0.0, begun + 0.5 * seconds - time.monotonic()))
        await asyncio.wait_for(up.wait(), 120)
        target = setup.folder / "backup.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        record.path, record.in_flight = target, stats.in_flight
        record.started = time.monotonic()
        record.at = record.started - begun
        proc = await asyncio.create_subprocess_exec(
            str(BIN),
            "--db",
            str(setup.db),
            "--config",
            str(setup.config),
            "backup",
            str(target),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=setup.folder,
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 120)
        except TimeoutError:
            proc.kill()
            out = b"(timed out after 120 s)"
            await proc.wait()
        record.seconds = time.monotonic() - record.started
        record.returncode = proc.returncode
        record.output = out.decode(errors="replace").strip().rstrip(".")
        say(f"  backup at {record.at:.1f} s with {record.in_flight} request(s) in flight: {record.output}")

    try:
        say(
            f"server up on 127.0.0.1:{server.port} in {server.start():.1f} s; {annotators} annotators save for "
            f"{seconds:g} s; kills planned at {', '.join(f'{t:.1f}' for t in times)} s"
        )
        run = asyncio.run(
            drive(setup, server, seconds, seed=seed, stale_rate=stale_rate, background=(killer, backup), stats=stats)
        )
    finally:
        server.stop()
    verdict = check(setup.db, run.clients)
    summary = summarise(run, verdict)
    copy = None
    if faults.backup.path is not None and faults.backup.returncode == 0:
        copy = check(faults.backup.path, run.clients, acked_before=faults.backup.started, final_state=False)
    return run, summary, faults, copy, server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotators", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--stale-rate", type=float, default=0.05)
    args = parser.parse_args(argv)
    run, summary, faults, copy, server = run_faults(
        args.annotators, args.seconds, args.kills, args.workers, seed=args.seed, stale_rate=args.stale_rate
    )
    v = summary.verdict
    backup_ok = (
        copy is not None
        and faults.backup.returncode == 0
        and "integrity ok" in faults.backup.output
        and copy.integrity == "ok"
        and copy.lost == 0
        and copy.inconsistent_sets == 0
    )
    print(
        table(
            [
                "annotators",
                "workers",
                "seconds",
                "kills",
                "saves acknowledged",
                "unknown outcome",
                "of which applied",
                "not sent (refused conn.)",
                "refused (409)",
                "lost",
                "duplicated",
                "5xx",
                "integrity_check",
            ],
            [
                summary.annotators,
                summary.workers,
                f"{summary.seconds:g}",
                len(faults.kills),
                v.acknowledged,
                v.unknown,
                v.unknown_applied,
                v.not_sent,
                v.refused,
                v.lost,
                v.duplicated,
                summary.n5xx,
                v.integrity,
            ],
        )
    )
    for kill in faults.kills:
        print(
            f"kill at {kill.at:5.1f} s: SIGKILL to the process group with {kill.in_flight} request(s) in flight; "
            f"serving again after {kill.down:.1f} s"
        )
    b = faults.backup
    if copy is not None:
        acked_then = sum(a.outcome == "ack" and a.t_done < b.started for c in run.clients for a in c.attempts)
        print(
            f"backup at {b.at:.1f} s under load ({b.in_flight} request(s) in flight), {b.seconds:.2f} s: {b.output}; "
            f"copy integrity_check: {copy.integrity}; saves acknowledged before it: {acked_then}, "
            f"missing from the copy: {copy.lost}; sets inconsistent in the copy: {copy.inconsistent_sets}"
        )
    else:
        print(f"backup FAILED: return code {b.returncode}: {b.output}")
    print(
        f"server starts: {server.starts}; p50 {summary.p50:.1f} ms, p99 {summary.p99:.1f} ms over acknowledged saves; "
        f"{summary.throughput:.1f} saves/s"
    )
    print(details(run, summary))
    ok = summary.ok and backup_ok and len(faults.kills) == args.kills
    print("result: " + ("pass" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
