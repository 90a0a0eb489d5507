"""Tokenizing ahead: a second process tokenizes an import's next batches while this one checks the last.

spaCy's tokenizer is about a quarter of an import of predictions, and the rest (reading, checking,
spooling) is this process's own Python. On a machine with a second core, a forked child (which
shares the loaded pipeline with its parent, copy-on-write) tokenizes up to `AHEAD` batches in front:
texts go to it (each with what its caller wants looked at beside the tokens), and what the caller's
`then` makes of each text's (n, 2) array of token offsets comes back. The first batch is always tokenized here,
so a small import never starts a process; without `fork` (or a second core) everything stays here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import numpy as np

from ..errors import AnnotatorError
from ..processes import forked_pool
from .pipeline import Pipeline, Tokens, tokenize

T = TypeVar("T")
E = TypeVar("E")  # what goes with a text to `then`
R = TypeVar("R")
AHEAD = 2  # batches in front: enough that the child never waits on a steady import

_PIPELINE: Pipeline | None = None  # the child's pipeline: its parent's, inherited by fork


class TokenizerStopped(AnnotatorError):
    """The tokenizing process ended before it answered (killed, or out of memory)."""


def _tokenize_batch(
    texts: list[str], given: list[Tokens | None], extras: list[E], then: Callable[[str, np.ndarray, E], R]
) -> list[R]:
    """In the child: what `then` makes of each text, its offsets and its extra, by its inherited pipeline."""
    assert _PIPELINE is not None  # set before the fork
    return _tokenize_batch_with(_PIPELINE, texts, given, extras, then)


def _second_process() -> ProcessPoolExecutor | None:
    """One forked worker, if the machine has a second core and can fork."""
    return forked_pool(1)


def offsets_only(text: str, offsets: np.ndarray, extra: object) -> np.ndarray:
    return offsets


def tokenized(
    batches: Iterable[tuple[T, list[str], list[Tokens | None], list[E]]],
    pipeline: Pipeline,
    *,
    parallel: bool = True,
    then: Callable[[str, np.ndarray, E], R] = offsets_only,  # type: ignore[assignment]
) -> Iterator[tuple[T, list[R]]]:
    """Each (batch, texts, given tokens, extras) as (batch, what `then` made of each text), in order;
    after the first batch, with `parallel`, in a second process working ahead of the caller.
    `then(text, offsets, extra)`, a module's function, says what to make there of each text's token
    offsets and the extra that came with it (by default, the offsets)."""
    global _PIPELINE
    work = iter(batches)
    for first, texts, given, extras in work:  # the first batch here: a small import never forks
        yield first, _tokenize_batch_with(pipeline, texts, given, extras, then)
        break
    pool = _second_process() if parallel else None
    if pool is None:
        for batch, texts, given, extras in work:
            yield batch, _tokenize_batch_with(pipeline, texts, given, extras, then)
        return
    _PIPELINE = pipeline
    waiting: deque[tuple[T, Future[list[R]]]] = deque()
    try:
        for batch, texts, given, extras in work:
            waiting.append((batch, _submit(pool, texts, given, extras, then)))
            if len(waiting) > AHEAD:
                yield _answer(*waiting.popleft())
        while waiting:
            yield _answer(*waiting.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _PIPELINE = None


def _tokenize_batch_with(
    pipeline: Pipeline,
    texts: list[str],
    given: list[Tokens | None],
    extras: list[E],
    then: Callable[[str, np.ndarray, E], R],
) -> list[R]:
    return [then(text, tokenize(pipeline, text, tokens), extra) for text, tokens, extra in zip(texts, given, extras)]


def _submit(pool: ProcessPoolExecutor, *args) -> Future[list[R]]:
    """The batch handed to the child; the pool may already know that the child died (on an earlier batch)."""
    try:
        return pool.submit(_tokenize_batch, *args)
    except BrokenProcessPool:
        raise _stopped() from None


def _answer(batch: T, future: Future[list[R]]) -> tuple[T, list[R]]:
    try:
        return batch, future.result()
    except BrokenProcessPool:
        raise _stopped() from None


def _stopped() -> TokenizerStopped:
    return TokenizerStopped("the process tokenizing the import stopped before it answered; nothing was imported")
