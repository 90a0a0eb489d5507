"""The table of bench/PEERS.md: one row per measure, medians of both sides and their ratio."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

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

    @property
    def ratio(self) -> float:
        return statistics.median(self.ls) / statistics.median(self.ours)


def _value(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value * 1000:.1f} ms"
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:.0f} MB"


def table(rows: list[Row]) -> str:
    lines = [
        "| measure | Label Studio | ours | LS ÷ ours | target | result | samples; how |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ls, ours = statistics.median(row.ls), statistics.median(row.ours)
        verdict = "meets" if row.ratio >= row.target else "**short**"
        how = f"{len(row.ls)}; {row.note}" if row.note else str(len(row.ls))
        lines.append(
            f"| {row.measure} | {_value(ls, row.unit)} | {_value(ours, row.unit)} | {row.ratio:.2f} "
            f"| ≥ {row.target:g} | {verdict} | {how} |"
        )
    return "\n".join(lines)


def record(text: str, path: Path = PEERS_MD) -> None:
    """Replace the generated part of bench/PEERS.md, keeping what is written around it."""
    old = path.read_text("utf-8") if path.exists() else f"# Side by side with Label Studio\n\n{BEGIN}\n{END}\n"
    head, rest = old.split(BEGIN, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{rest.split(END, 1)[1]}", "utf-8")
