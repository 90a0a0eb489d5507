"""Forked worker processes, where the machine has a second core and the platform can fork.

A forked child starts at once with everything its parent has loaded (a pipeline, the imports),
shared copy-on-write. What it is to work on is left in a module's globals before the pool forks
(only its arguments and results cross the pipe), and it opens its own database connection: a
connection carried across a fork must not be used. The import tokenizes ahead in one
(`nlp.ahead`) and, without a model, stores in another (`alongside`, a process of its own with a
pipe, not a pool); the spaCy export writes its shards in several (`formats.docbin.write_parts`).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def cores() -> int:
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forked workers help here: a second core, and a platform that forks."""
    return cores() >= 2 and "fork" in multiprocessing.get_all_start_methods()


def forked_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of `workers` forked processes; None with one core, no `fork`, or no workers wanted."""
    if workers < 1 or not can_fork():
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
