"""The quote model learned from PolNeAR against the rules, its training time and pre-annotation speed.

The whole of `python -m bench.learning` (PolNeAR train imported as gold, `annotator train --layer
quote` with a 30-minute budget, dev pre-annotated by the rules and by the version): about three
quarters of an hour on two cores. `--quick` (120 training articles, 30 dev articles, 6 minutes) is
a smoke run whose figures are lower than the targets expect. Plus the event rules on the PLOVER-style
dev set (bench.eval_plover), a few seconds.
"""

from __future__ import annotations

import sys

from . import eval_plover, learning
from .common import Row, scratch


def events() -> Row:
    """The event rules on the PLOVER-style dev set, with the never-tuned fresh set in the note."""
    dev = eval_plover.evaluate()
    fresh = eval_plover.evaluate(path=eval_plover.GOLD.with_name("plover_events_fresh.jsonl"))
    return Row(
        "events: the gold type among the predicted types, PLOVER-style dev set (rules)",
        eval_plover.share(dev),
        0.75,
        "",
        f"{sum(r.found for r in dev)} of {len(dev)} sentences (the lexicon was improved on them); "
        f"on {len(fresh)} sentences written afterwards and never tuned on: {eval_plover.share(fresh):.2f}",
        at_least=True,
    )


def run(quick: bool) -> list[Row]:
    folder = scratch("learning")
    found = [events()]
    try:
        outcome = learning.measure(folder, learning.polnear(folder, quick), 6 if quick else 30)
    except SystemExit as exc:  # PolNeAR not mirrored, or not importable by this version's brat reader
        print(f"  learning: quote rows not run: {exc}", file=sys.stderr)
        return found
    return [*learning.rows(outcome, " (quick run)" if quick else ""), *found]
