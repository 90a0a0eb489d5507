"""The quote model learned from PolNeAR against the rules, its training time and pre-annotation speed.

The whole of `python -m bench.learning` (PolNeAR train imported as gold, `annotator train --layer
quote` with a 30-minute budget, dev pre-annotated by the rules and by the version): about three
quarters of an hour on two cores. `--quick` (120 training articles, 30 dev articles, 6 minutes) is
a smoke run whose figures are lower than the targets expect.
"""

from __future__ import annotations

import sys

from . import learning
from .common import Row, scratch


def run(quick: bool) -> list[Row]:
    folder = scratch("learning")
    try:
        outcome = learning.measure(folder, learning.polnear(folder, quick), 6 if quick else 30)
    except SystemExit as exc:  # PolNeAR not mirrored, or not importable by this version's brat reader
        print(f"  learning: not run: {exc}", file=sys.stderr)
        return []
    return learning.rows(outcome, " (quick run)" if quick else "")
