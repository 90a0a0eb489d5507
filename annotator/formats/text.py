"""Plain text: one article per .txt file, its name (without suffix) the article id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..model import Record
from .base import Format, FormatError


def read(path: Path) -> Iterator[tuple[str, Record]]:
    try:
        body = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path}:1: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not body.strip():
        raise FormatError(f"{path}:1: the file is empty")
    yield f"{path}:1", Record(ext_id=path.stem, text=body, meta={"filename": path.name})


FORMAT = Format("text", "plain text, one article per .txt file", suffixes=(".txt",), read=read)
