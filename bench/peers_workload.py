"""The side-by-side workload: seeded tasks of pseudo-words, each with one prediction of 40 labelled spans.

Both systems get the same tasks: ours as a native JSONL file of `source: "model"` records (the
article and its model set), Label Studio as import batches of tasks with one prediction each.
Pseudo-words are lower-case consonant-vowel syllables, so spaCy's tokenizer keeps every word
a token of its own and no span has to be snapped (tests/test_bench_peers.py checks this).
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SEED = 15
VOCABULARY = 5_000
WORDS = 700
SPANS = 40
BATCH = 500  # Label Studio import batch, tasks per POST
LABELS = ("PERSON", "ORG", "GPE", "LOC", "DATE", "NORP", "EVENT", "PRODUCT")
MODEL_VERSION = "bench"
ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "pl", "st", "tr")
VOWELS = ("a", "e", "i", "o", "u")
CODAS = ("", "", "", "n", "r", "s", "l")


@dataclass(frozen=True)
class Task:
    """One article: its id, text, and the predicted spans (start, end, label), in order, never overlapping."""

    ext_id: str
    text: str
    spans: tuple[tuple[int, int, str], ...]


def vocabulary(seed: int = SEED, size: int = VOCABULARY) -> list[str]:
    """`size` distinct pseudo-words of one to four syllables, the same for a seed on every machine."""
    rng = random.Random(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))
        if len(word) >= 3:
            words[word] = None
    return list(words)


def _zipf(size: int) -> list[float]:
    """Cumulative weights of ranks 1..size under Zipf's law (s = 1), as word frequencies go."""
    return list(itertools.accumulate(1.0 / rank for rank in range(1, size + 1)))


def _sentences(rng: random.Random, words: int) -> list[int]:
    """Indices of the words that end a sentence (8 to 24 words long)."""
    ends, at = [], 0
    while at < words:
        at = min(words, at + rng.randint(8, 24))
        ends.append(at - 1)
    return ends


def _text(rng: random.Random, words: list[str]) -> tuple[str, list[tuple[int, int]], list[int]]:
    """The text (sentences, a paragraph every four), each word's offsets, and each word's sentence."""
    ends = _sentences(rng, len(words))
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    sentence_of: list[int] = []
    pos, sentence = 0, 0
    for i, word in enumerate(words):
        if i == 0 or i - 1 == ends[sentence - 1]:
            word = word.capitalize()  # a sentence's first word
        offsets.append((pos, pos + len(word)))
        sentence_of.append(sentence)
        parts.append(word)
        pos += len(word)
        if i == ends[sentence]:
            sentence += 1
            gap = "" if i == len(words) - 1 else ("\n" if sentence % 4 == 0 else " ")
            parts.append("." + gap)
            pos += 1 + len(gap)
        else:
            parts.append(" ")
            pos += 1
    return "".join(parts), offsets, sentence_of


def _spans(rng: random.Random, offsets, sentence_of, count: int) -> list[tuple[int, int, str]]:
    """`count` spans of 1-3 words, one in each of `count` equal stretches of the text, none across a sentence end."""
    n, spans = len(offsets), []
    for k in range(count):
        first, last = k * n // count, (k + 1) * n // count  # this span's stretch of words
        length = rng.randint(1, 3)
        start = rng.randrange(first, last - length + 1)
        while sentence_of[start + length - 1] != sentence_of[start]:
            length -= 1
        spans.append((offsets[start][0], offsets[start + length - 1][1], rng.choice(LABELS)))
    return spans


def tasks(count: int, seed: int = SEED) -> Iterator[Task]:
    """The first `count` tasks of the seeded stream (the first n are the same whatever the count)."""
    vocab = vocabulary(seed)
    weights = _zipf(len(vocab))
    rng = random.Random(seed + 1)
    for n in range(count):
        text, offsets, sentence_of = _text(rng, rng.choices(vocab, cum_weights=weights, k=WORDS))
        yield Task(f"task-{n:06d}", text, tuple(_spans(rng, offsets, sentence_of, SPANS)))


# --- ours: a native JSONL file -------------------------------------------------------------------


def native(task: Task) -> dict:
    """Our native record: the article and its model set (unconfirmed suggestions)."""
    return {
        "id": task.ext_id,
        "text": task.text,
        "meta": {},
        "source": "model",
        "entities": [
            {"id": f"t{k}", "start": s, "end": e, "label": label, "text": task.text[s:e]}
            for k, (s, e, label) in enumerate(task.spans, 1)
        ],
    }


def write_native(path: Path, count: int, seed: int = SEED) -> Path:
    """Our JSONL file of the workload alone (bench.peers_profile's input), unless it is there already."""
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8") as out:
            for task in tasks(count, seed):
                out.write(json.dumps(native(task), ensure_ascii=False) + "\n")
        partial.rename(path)
    return path


# --- Label Studio: tasks with one prediction, in import batches ---------------------------------


def label_config() -> str:
    """The Label Studio project: named-entity labels over the text."""
    labels = "".join(f'<Label value="{label}"/>' for label in LABELS)
    return f'<View><Labels name="label" toName="text">{labels}</Labels><Text name="text" value="$text"/></View>'


def ls_result(task: Task, spans=None) -> list[dict]:
    """Label Studio's regions of `spans` (default: all of the task's), as a prediction or annotation carries them."""
    return [
        {
            "id": f"t{k}",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": s, "end": e, "text": task.text[s:e], "labels": [label]},
        }
        for k, (s, e, label) in enumerate(task.spans if spans is None else spans, 1)
    ]


def ls_task(task: Task) -> dict:
    return {
        "data": {"text": task.text, "ext_id": task.ext_id},
        "predictions": [{"model_version": MODEL_VERSION, "score": 0.5, "result": ls_result(task)}],
    }


# --- both at once ----------------------------------------------------------------------------------


@dataclass
class Workload:
    count: int
    native: Path  # ours: the JSONL file
    batches: list[bytes]  # Label Studio: the import request bodies, serialised before anything is timed
    kept: dict[int, Task]  # the tasks the page rows save annotations of, by index


def prepare(path: Path, count: int, keep: Iterable[int] = (), seed: int = SEED, size: int = BATCH) -> Workload:
    """One pass over the seeded tasks: our JSONL file at `path`, Label Studio's batches, the tasks to keep."""
    wanted, kept, batches, batch = set(keep), {}, [], []
    with path.open("w", encoding="utf-8") as out:
        for n, task in enumerate(tasks(count, seed)):
            out.write(json.dumps(native(task), ensure_ascii=False) + "\n")
            batch.append(ls_task(task))
            if len(batch) == size or n == count - 1:
                batches.append(json.dumps(batch, ensure_ascii=False).encode("utf-8"))
                batch = []
            if n in wanted:
                kept[n] = task
    return Workload(count, path, batches, kept)
