"""Benchmarks of MISSION.md's performance targets, printed as a table of ratios.

Each `bench/bench_*.py` module has `run(quick: bool) -> list[Row]`; `python -m bench`
runs them all (or those named) and prints one table. Generated data comes from
seeded generators here, written under bench/out/ (never committed).
"""
