"""Processes of the side-by-side run: servers and commands in sessions of their own, peak RSS, clean-up.

Everything started here is registered, and `stop_all` (called on any exit, failure, timeout or
signal) ends each one's whole process group: SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HOST = "127.0.0.1"
_LIVE: set[Proc] = set()


class Proc:
    """One command in a session (process group) of its own, its output appended to a log file."""

    def __init__(self, name: str, argv: Sequence[str], *, env: dict[str, str], cwd: Path, log: Path):
        self.name, self.argv, self.env, self.cwd, self.log = name, list(argv), env, cwd, log
        self.popen: subprocess.Popen | None = None
        self.started = 0.0

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} is not running"
        return self.popen.pid

    def start(self) -> Proc:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n=== {time.strftime('%H:%M:%S')} {' '.join(self.argv)}\n")
            log.flush()
            self.started = time.perf_counter()
            self.popen = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        _LIVE.add(self)
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait(self, timeout: float) -> int:
        """Wait for the command to finish; a failure names the log to read."""
        assert self.popen is not None
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise RuntimeError(f"{self.name} took longer than {timeout:.0f} s; see {self.log}") from None
        _LIVE.discard(self)
        if code != 0:
            raise RuntimeError(f"{self.name} exited with {code}; see {self.log}")
        return code

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM to the whole group, SIGKILL if it is still there after `grace` seconds."""
        if self.popen is None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 15.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=wait)
            if not _group_alive(self.popen.pid):
                break
        _LIVE.discard(self)
        self.popen = None


def stop_all() -> None:
    """End everything this run started that is still there."""
    for proc in list(_LIVE):
        proc.stop(grace=5.0)


def _group_alive(pgid: int) -> bool:
    """Any process of the group that is not a zombie."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and int(stat[2]) == pgid and stat[0] != "Z":
                return True
    return False


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: state, ppid, pgrp, ..."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def wait_until(probe: Callable[[], bool], since: float, timeout: float, what: str, proc: Proc | None = None) -> float:
    """Seconds from `since` (a perf_counter reading) until `probe()` is first true, polled every 20 ms."""
    while time.perf_counter() - since < timeout:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{what}: the process exited; see {proc.log}")
        if probe():
            return time.perf_counter() - since
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- CPU seconds ---------------------------------------------------------------------------------------


def cpu_of(pid: int) -> float:
    """User and system CPU seconds a live process has used so far (all its threads)."""
    stat = _stat(pid)
    return 0.0 if stat is None else (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


class ChildCpu:
    """CPU seconds of the children this process waits for meanwhile (one command at a time)."""

    def __enter__(self) -> ChildCpu:
        self.seconds = 0.0
        self._before = self._used()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = self._used() - self._before

    @staticmethod
    def _used() -> float:
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime


# --- peak RSS of a process tree -------------------------------------------------------------------


def _tree(root: int) -> list[int]:
    """The root and every descendant, by parent pid."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(int(stat[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakRss:
    """The largest sum of resident memory of a process tree, sampled every 50 ms while in use.

    The tree is re-read every second (new workers or children join it); the sampling costs both
    sides alike, about a percent of one core.
    """

    def __init__(self, root: int, interval: float = 0.05):
        self.root, self.interval = root, interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def _run(self) -> None:
        members, read_at = [self.root], 0.0
        while True:
            now = time.monotonic()
            if now - read_at >= 1.0:
                members, read_at = _tree(self.root), now
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in members))
            if self._stop.wait(self.interval):
                return
