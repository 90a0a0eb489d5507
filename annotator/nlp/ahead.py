"""Tokenizing ahead: a second process loads the pipeline and tokenizes an import's batches while this
one reads and checks the next.

Without a model, spaCy's tokenizer is most of an import, and loading spaCy and the pipeline is a
second of its start. Both happen in a forked child: it loads the pipeline (`load`, left in this
module before the fork) on its first call, while this process reads on from the first line, and
sends back each text's token offsets, an (n, 2) array of 32-bit integers (half the bytes through
the pipe; no text is that long). The child does nothing else: it has the longer way to go.
This process reads up to `START` batches in front of the child's answers (what waits is the
caller's batches, which should hold rows rather than objects), and takes an answer as soon as
it is there once `AHEAD` are out. An import of one batch never starts a process (it loads the
pipeline here); without `fork` (or a second core) everything stays here. spaCy itself is
imported only where the pipeline is loaded.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from ..errors import AnnotatorError
from ..processes import forked_pool

if TYPE_CHECKING:
    from .pipeline import Pipeline, Tokens

T = TypeVar("T")
AHEAD = 2  # batches out before an answer is taken as soon as it is there
# Batches out before this process waits for an answer: the child's start (spaCy and the pipeline,
# about a second) is spent reading and checking the first few thousand records.
START = 64

_LOAD: Callable[[], Pipeline] | None = None  # how the child gets its pipeline: left here before the fork
_PIPELINE: Pipeline | None = None  # the child's pipeline, loaded by its first call


class TokenizerStopped(AnnotatorError):
    """The tokenizing process ended before it answered (killed, or out of memory)."""


def _pipeline() -> Pipeline:
    """In the child: its pipeline, loaded by the first call (an error loading it is that call's answer)."""
    global _PIPELINE
    if _PIPELINE is None:
        assert _LOAD is not None  # set before the fork
        _PIPELINE = _LOAD()
    return _PIPELINE


def _loaded() -> tuple[str, str | None]:
    """In the child: the pipeline loaded; its name, and why it is not the one asked for (if it is not)."""
    pipeline = _pipeline()
    return pipeline.name, pipeline.warning


def _tokenize_batch(texts: list[str], given: list[Tokens | None]) -> list[np.ndarray]:
    """In the child: each text's token offsets."""
    return _tokenize_batch_with(_pipeline(), texts, given)


def _second_process() -> ProcessPoolExecutor | None:
    """One forked worker, if the machine has a second core and can fork."""
    return forked_pool(1)


def _told(name: str, warning: str | None) -> None:
    """What `loaded` is when the caller does not want to know."""


def tokenized(
    batches: Iterable[tuple[T, list[str], list[Tokens | None]]],
    load: Callable[[], Pipeline],
    *,
    parallel: bool = True,
    loaded: Callable[[str, str | None], None] = _told,
) -> Iterator[tuple[T, list[np.ndarray]]]:
    """Each (batch, texts, given tokens) as (batch, each text's (n, 2) token offsets), in order; with
    `parallel` and more than one batch, in a second process that loads the pipeline by `load` (a
    module's function, or a partial of one) while this one reads on. `loaded(name, warning)` is told
    of the pipeline before the first answer; an error loading it is raised as it was raised there."""
    global _LOAD
    work = iter(batches)
    first = list(islice(work, 2))  # a second batch, or no process
    pool = _second_process() if parallel and len(first) == 2 else None
    if pool is None:
        pipeline = load()
        loaded(pipeline.name, pipeline.warning)
        for batch, texts, given in chain(first, work):
            yield batch, _tokenize_batch_with(pipeline, texts, given)
        return
    _LOAD = load
    try:
        hello: Future | None = _submit(pool, _loaded)
        waiting: deque[tuple[T, Future[list[np.ndarray]]]] = deque()
        for batch, texts, given in chain(first, work):
            waiting.append((batch, _submit(pool, _tokenize_batch, texts, given)))
            while len(waiting) > START or (len(waiting) > AHEAD and waiting[0][1].done()):
                if hello is not None:
                    loaded(*_result(hello))
                    hello = None
                yield _answer(*waiting.popleft())
        if hello is not None:
            loaded(*_result(hello))
        while waiting:
            yield _answer(*waiting.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _LOAD = None


def _tokenize_batch_with(pipeline: Pipeline, texts: list[str], given: list[Tokens | None]) -> list[np.ndarray]:
    from .pipeline import tokenize

    return [tokenize(pipeline, text, tokens).astype(np.int32) for text, tokens in zip(texts, given)]


def _submit(pool: ProcessPoolExecutor, call: Callable, *args) -> Future:
    """The call handed to the child; the pool may already know that the child died (on an earlier batch)."""
    try:
        return pool.submit(call, *args)
    except BrokenProcessPool:
        raise _stopped() from None


def _answer(batch: T, future: Future[list[np.ndarray]]) -> tuple[T, list[np.ndarray]]:
    return batch, _result(future)


def _result(future: Future):
    try:
        return future.result()
    except BrokenProcessPool:
        raise _stopped() from None


def _stopped() -> TokenizerStopped:
    return TokenizerStopped("the process tokenizing the import stopped before it answered; nothing was imported")
