"""What every format shares: its error type and how a file is opened for reading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


class FormatError(ValueError):
    """A file cannot be read or written; the message starts with FILE:LINE."""


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a UTF-8 file, with a FILE:LINE error for bytes that are not UTF-8."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(f"{path}:{number}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
