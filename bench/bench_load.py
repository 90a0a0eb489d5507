"""Load: annotators saving concurrently against gunicorn lose and duplicate nothing, and get no 5xx.

Runs bench/load.py (a fresh database under bench/out/load/, `annotator serve --production`, an
asyncio client per annotator, then the database checked against every acknowledged save):
50 annotators for 60 s with 4 workers, or 10 annotators for 10 s with --quick. MISSION sets no
latency limit; p50/p99 are reported in the notes.
"""

from __future__ import annotations

import json
import sys

from .common import Row
from .load import run_load

WORKERS = 4


def run(quick: bool) -> list[Row]:
    annotators, seconds = (10, 10) if quick else (50, 60)
    run_, s = run_load(annotators, seconds, WORKERS, quiet=True)
    v = s.verdict
    where = f"({annotators} annotators, gunicorn {WORKERS} workers)"
    speed = (
        f"p50 {s.p50:.0f} ms, p99 {s.p99:.0f} ms, {v.acknowledged} saves in {seconds} s "
        f"({s.throughput:.0f}/s), {v.refused} stale saves refused (409)"
    )
    checks = (
        f"integrity_check {v.integrity}; {v.inconsistent_sets} set(s) unlike their history, "
        f"{v.final_mismatch} unlike the client's last state; {len(s.errors)} other error(s)"
    )
    broken = (v.integrity != "ok") + v.inconsistent_sets + v.final_mismatch + v.version_gaps + len(s.errors) + v.unknown
    return [
        Row(
            f"load: lost or duplicated writes {where}",
            v.lost + v.duplicated,
            0,
            unit="",
            note=f"{v.lost} lost, {v.duplicated} duplicated; {speed}",
        ),
        Row("load: 5xx responses", s.n5xx, 0, unit="", note=f"p99 save latency {s.p99:.0f} ms"),
        Row("load: failed checks and errors", broken, 0, unit="", note=checks),
    ]


if __name__ == "__main__":
    print(json.dumps([row.__dict__ for row in run(quick="--quick" in sys.argv)], indent=1))
