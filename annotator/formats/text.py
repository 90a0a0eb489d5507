"""Plain text: one article per .txt file, its name (without suffix) the article id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..model import Record
from .base import Format, FormatError, Reading, read_text


def read(path: Path, reading: Reading) -> Iterator[tuple[str, Record]]:
    body = read_text(path)
    if not body.strip():
        raise FormatError(f"{path}:1: the file is empty")
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:  # pragma: no cover - decoded UTF-8 has no lone surrogates
        raise FormatError(f"{path}:1: not UTF-8 text") from None
    yield f"{path}:1", Record(ext_id=path.stem, text=body, meta={"filename": path.name})


FORMAT = Format("text", "plain text, one article per .txt file", suffixes=(".txt",), read=read)
