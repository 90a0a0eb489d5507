"""Files only their owner may read: the database (and SQLite's side files), the project file, backups.

The database holds password hashes and everyone's work; the project file holds the
key that signs session cookies. Both are created with mode 0600 whatever the
umask, and `serve` warns about any that others can read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

PRIVATE = 0o600


def create_private(path: Path) -> bool:
    """Create an empty file only its owner can read and write; False if it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def write_private(path: Path, text: str) -> None:
    """Write a text file only its owner can read, also when it existed with a looser mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), PRIVATE)  # O_CREAT's mode applies only to a new file
        out.write(text)


def database_files(db: Path) -> list[Path]:
    """The database and the side files SQLite keeps beside it in WAL mode."""
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def exposed(paths: Iterable[Path]) -> list[str]:
    """A warning for each existing file that other users (group or world) may read or write."""
    warnings = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            warnings.append(f"{path} can be read by other users (mode {mode:o}); run: chmod 600 {path}")
    return warnings
