"""python -m bench [NAME ...] [--quick] [--record]: run benchmarks, print the table."""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

from .common import Row

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def table(rows: list[tuple[str, Row]]) -> str:
    lines = [
        "| benchmark | target | measured | limit | result | note |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in rows:
        sign = "≥" if row.at_least else "≤"
        verdict = "pass" if row.ok else "falls short"
        lines.append(
            f"| {name} | {row.target} | {row.measured:.3f}{row.unit} | {sign} {row.limit:g}{row.unit} "
            f"| {verdict} | {row.note} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {', '.join(available())})")
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    parser.add_argument("--record", action="store_true", help="write the table to bench/RESULTS.md")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a row falls short of its target")
    args = parser.parse_args(argv)
    names = args.names or available()
    unknown = set(names) - set(available())
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    rows: list[tuple[str, Row]] = []
    for name in names:
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        rows.extend((name, row) for row in module.run(quick=args.quick))
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    output = table(rows)
    print(output)
    if args.record:
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        (HERE / "RESULTS.md").write_text(
            f"# Benchmark results\n\n{date.today().isoformat()} on {machine}"
            f"{' (quick run)' if args.quick else ''}. Made by `make bench`.\n\n{output}\n",
            "utf-8",
        )
    short = [f"{name}: {row.target}" for name, row in rows if not row.ok]
    if short:
        print("\nFalls short:\n  " + "\n  ".join(short))
    return 1 if short and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
