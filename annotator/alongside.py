"""Writing alongside: a forked process stores what this one prepares, in one transaction that it
commits only when told.

An import without a model spends its time reading, checking and tokenizing on both cores, then
wrote everything at the end on one core while the other waited (a quarter of its time). Here a
second process, forked with everything its parent has loaded, opens its own connection, takes the
write lock when the first batch comes (BEGIN IMMEDIATE) and stores each batch as it comes through
a pipe, so writing overlaps reading. It commits only when its parent says so, after the last
batch; on an error, its own or its parent's, and when its parent goes away, it rolls back and
the database is as it was. A store error is kept until the parent has sent everything (the parent
may still meet an error of its own, earlier in the file, and that one is told first).

The price is the lock: it is held while the rest is read, so a save in the web app waits for the
import (not for a model: an import that pre-annotates stores at the end, `importing`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlite_utils import Database

from . import db as database
from .errors import AnnotatorError

P = TypeVar("P")  # what one batch brings
R = TypeVar("R")  # what storing gives back when everything is stored

# The parent's words; a batch is a pickle, which never starts with these bytes.
_END, _COMMIT, _ABORT = b"end", b"commit", b"abort"
_PATIENCE = 1.0  # seconds between the child's looks at whether its parent is still there
# The child's niceness: it takes what the reading processes leave of the cores, and catches up when its
# pipe is full and the reader waits (reading is what the end waits on; an import of 10,000 records
# took 0.4 s less than at the same priority).
NICENESS = 10


class WriterStopped(AnnotatorError):
    """The writing process ended before it answered (killed, or out of memory)."""


class _Orphaned(Exception):
    """The parent went away without a word."""


class Alongside(Generic[P, R]):
    """A forked process storing batches as they come, in one transaction it commits only on `commit()`.

    `store(db, batch)` and `result()` are called in the child (which has its own copy of whatever
    they close over); `stored()` returns what `result()` gave there, once every batch is stored.
    Use it as a context manager: leaving it uncommitted rolls everything back.
    """

    def __init__(self, path: Path, store: Callable[[Database, P], None], result: Callable[[], R]):
        self._path, self._store, self._result = path, store, result
        ours, theirs = multiprocessing.Pipe()
        self._conn: Connection = ours
        context = multiprocessing.get_context("fork")
        self._process = context.Process(target=self._child, args=(theirs, os.getpid()), daemon=True)
        self._process.start()
        theirs.close()
        self._done = False

    def put(self, batch: P) -> None:
        self._send(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))

    def stored(self) -> R:
        """Once every batch is stored (not committed): what `result()` says; raises what storing raised."""
        self._send(_END)
        return self._answer("stored")

    def commit(self) -> None:
        self._send(_COMMIT)
        self._answer("committed")
        self._done = True

    def __enter__(self) -> Alongside[P, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            with contextlib.suppress(OSError):  # else the child is gone, and its transaction with it
                self._conn.send_bytes(_ABORT)
        self._conn.close()
        self._process.join()  # its rollback done: the lock is free when this returns

    def _send(self, message: bytes) -> None:
        try:
            self._conn.send_bytes(message)
        except OSError:
            raise self._stopped() from None

    def _answer(self, expected: str) -> Any:
        try:
            what, value = self._conn.recv()
        except (EOFError, OSError):
            raise self._stopped() from None
        if what == "failed":
            self._done = True  # the child rolled back and is leaving
            raise value
        assert what == expected, what
        return value

    def _stopped(self) -> WriterStopped:
        self._done = True
        return WriterStopped("the process writing the import stopped before it committed; nothing was imported")

    # --- in the child ------------------------------------------------------------------------

    def _child(self, conn: Connection, parent: int) -> None:
        # Ctrl-C reaches the whole process group: the parent decides, and tells (or goes away).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.nice(NICENESS)
        db: Database | None = None
        try:
            failure: BaseException | None = None
            while (message := _receive(conn, parent)) not in (_END, _ABORT):
                if failure is not None:
                    continue  # read on to the end: the parent may have an earlier error to tell
                try:
                    if db is None:
                        db = database.connect(self._path, migrate=False)
                        db.conn.execute("BEGIN IMMEDIATE")
                    self._store(db, pickle.loads(message))
                except Exception as exc:
                    failure = exc
            if message == _ABORT:
                return
            if failure is not None:
                _tell(conn, "failed", failure)
                return
            _tell(conn, "stored", self._result())
            if _receive(conn, parent) != _COMMIT:
                return
            if db is not None:
                db.conn.commit()
            _tell(conn, "committed", None)
        except (_Orphaned, EOFError, OSError):
            return
        except Exception as exc:  # the commit itself
            _tell(conn, "failed", exc)
        finally:
            if db is not None:
                if db.conn.in_transaction:
                    db.conn.rollback()
                db.conn.close()


def _receive(conn: Connection, parent: int) -> bytes:
    while not conn.poll(_PATIENCE):
        if os.getppid() != parent:
            raise _Orphaned
    return conn.recv_bytes()


def _tell(conn: Connection, what: str, value: object) -> None:
    try:
        conn.send((what, value))
    except (pickle.PicklingError, TypeError, AttributeError):  # an error that does not pickle: its words
        conn.send((what, RuntimeError(f"{type(value).__name__}: {value}")))
