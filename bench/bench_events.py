"""Event component overhead: nlp.pipe of en_core_web_sm with and without "annotator_events".

One pipeline object serves both sides (the component switched off by select_pipes for the bare
runs), so both parse the same texts with the same weights in the same process, in turns.
"""

from __future__ import annotations

from pathlib import Path

from .common import Row, alternating
from .eval_events import gold_records, load

SEED = Path(__file__).resolve().parent.parent / "seeds" / "khamenei-rashid-tehran.txt"
COMPONENT = "annotator_events"


def texts(count: int) -> list[str]:
    """The seed article and the gold texts, repeated to `count` documents."""
    pool = [SEED.read_text("utf-8")] + [record.text for record in gold_records()]
    return [pool[i % len(pool)] for i in range(count)]


def run(quick: bool) -> list[Row]:
    nlp = load("en_core_web_sm", events=True)
    docs = texts(60 if quick else 240)

    def bare(batch: list[str] = docs) -> None:
        with nlp.select_pipes(disable=COMPONENT):
            for _ in nlp.pipe(batch, batch_size=32):
                pass

    def with_events(batch: list[str] = docs) -> None:
        for _ in nlp.pipe(batch, batch_size=32):
            pass

    with_events(docs[:24])  # warm up both paths (lazy initialisation, caches)
    bare(docs[:24])
    t_bare, t_events = alternating(bare, with_events, rounds=3 if quick else 5)
    words = sum(len(text.split()) for text in docs)
    return [
        Row(
            target="event component overhead vs bare nlp.pipe",
            measured=t_events / t_bare,
            limit=1.05,
            note=f"{len(docs)} docs, {words} words; median bare {t_bare:.2f} s, with events {t_events:.2f} s",
        )
    ]
