"""The table of bench/PEERS.md: one row per measure, medians of both sides and their ratio."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from argparse import Namespace
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .peers_workload import SPANS, WORDS

PEERS_MD = Path(__file__).resolve().parent / "PEERS.md"
BEGIN, END = "<!-- peers:begin (written by python -m bench.peers --record) -->", "<!-- peers:end -->"


@dataclass
class Row:
    """One measure on both sides: the samples, and the ratio of their medians Label Studio ÷ ours."""

    measure: str
    unit: str  # "s" and "ms" (samples in seconds) or "MB"
    ls: list[float]
    ours: list[float]
    target: float
    note: str = ""
    cpu: tuple[list[float], list[float]] | None = None  # CPU seconds of the working processes, when measured

    @property
    def ratio(self) -> float:
        return statistics.median(self.ls) / statistics.median(self.ours)


def _value(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value * 1000:.1f} ms"
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:.0f} MB"


def _cpu(row: Row) -> str:
    if row.cpu is None:
        return ""
    ls, ours = (statistics.median(samples) for samples in row.cpu)
    return f"CPU LS {ls:.1f} s, ours {ours:.1f} s"


def table(rows: list[Row]) -> str:
    lines = [
        "| measure | Label Studio | ours | LS ÷ ours | target | result | samples; how |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ls, ours = statistics.median(row.ls), statistics.median(row.ours)
        verdict = "meets" if row.ratio >= row.target else "**short**"
        how = "; ".join(part for part in (str(len(row.ls)), _cpu(row), row.note) if part)
        lines.append(
            f"| {row.measure} | {_value(ls, row.unit)} | {_value(ours, row.unit)} | {row.ratio:.2f} "
            f"| ≥ {row.target:g} | {verdict} | {how} |"
        )
    return "\n".join(lines)


def header(version: str, workers: int, args: Namespace, confirm: str, minutes: float) -> str:
    """What was run where: the line above the table."""
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return (
        f"{date.today().isoformat()} on {machine}. Label Studio {version} (`label-studio start`: its Django server, "
        f"SQLite) against annotator {commit or '?'} (`serve --production`, {workers} workers). "
        f"{args.tasks:,} tasks of {WORDS} words, {SPANS} predicted spans each; medians of {args.rounds} round(s) "
        f"(import, export, cold start) and of {args.samples} samples (pages), taken in turns; ours accepts "
        f"{SPANS} spans by {confirm}. The run took {minutes:.0f} min. Made by `make bench-peers`."
    )


def record(text: str, path: Path = PEERS_MD) -> None:
    """Replace the generated part of bench/PEERS.md, keeping what is written around it."""
    old = path.read_text("utf-8") if path.exists() else f"# Side by side with Label Studio\n\n{BEGIN}\n{END}\n"
    head, rest = old.split(BEGIN, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{rest.split(END, 1)[1]}", "utf-8")
