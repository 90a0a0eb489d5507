"""The quote component's cost: nlp.pipe with "annotator_quotes" against the same pipeline without it."""

from __future__ import annotations

import statistics

from .common import Row, alternating, best_of
from .eval_quotes import gold_records, load_pipeline

MODEL = "en_core_web_sm"


def texts(repeat: int) -> list[str]:
    """The seed article and the gold texts (the seed is among them), repeated."""
    return [record.text for record in gold_records()] * repeat


def run(quick: bool) -> list[Row]:
    batch = texts(4 if quick else 14)
    with_quotes, bare = load_pipeline(MODEL), load_pipeline(MODEL, quotes=False)
    assert "annotator_quotes" not in bare.pipe_names and bare.pipe_names == with_quotes.pipe_names[:-1]

    def parse_bare() -> None:
        for _ in bare.pipe(batch):
            pass

    def parse_with_quotes() -> None:
        for _ in with_quotes.pipe(batch):
            pass

    parse_bare(), parse_with_quotes()  # warm up both before timing
    # Pairs of runs back to back, and the median of their ratios: a burst of load from the rest of the
    # machine then spoils one pair, not the figure.
    pairs = [alternating(parse_bare, parse_with_quotes, rounds=1) for _ in range(3 if quick else 7)]
    ratios = sorted(b / a for a, b in pairs)
    bare_seconds = statistics.median(a for a, _ in pairs)
    # The component alone over parsed docs: the same cost, measured without the parser's noise.
    docs = list(bare.pipe(batch))
    component = with_quotes.get_pipe("annotator_quotes")
    alone = best_of(lambda: [component(doc) for doc in docs], repeat=3)
    return [
        Row(
            target="quote component overhead vs bare nlp.pipe",
            measured=statistics.median(ratios),
            limit=1.10,
            note=(
                f"{len(batch)} docs; median of {len(pairs)} paired runs (ratios {ratios[0]:.2f}–{ratios[-1]:.2f}, "
                f"bare {bare_seconds:.2f} s); the component alone {alone / len(batch) * 1000:.2f} ms/doc = "
                f"{alone / bare_seconds:.1%} of bare; noisy on a shared machine"
            ),
        )
    ]
