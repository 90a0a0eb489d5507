"""What every format shares: its registry entry, its error type, how a file is read, and a record's tokens."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..model import Record


class FormatError(ValueError):
    """A file cannot be read or written; the message starts with FILE:LINE."""


# A reader yields (where, record) for each record of a file (or folder), `where` being "FILE:LINE".
Reader = Callable[[Path], Iterator[tuple[str, Record]]]
# A writer writes the records to `out` as they come and returns how many.
Writer = Callable[[Iterable[Record], Path], int]


@dataclass(frozen=True)
class Format:
    """One import/export format: what it is called, which files are its own, how to read and write it."""

    name: str
    description: str
    suffixes: tuple[str, ...] = ()  # file suffixes it reads (lower case, with the dot)
    read: Reader | None = None
    write: Writer | None = None
    # Is this file mine? Asked when several formats share a suffix (native and Prodigy JSONL).
    sniff: Callable[[Path], bool] | None = None
    # Formats that are a folder rather than a file (brat): is this folder mine, and which
    # files in it do I read myself (the others are read one by one, by their own format).
    sniff_folder: Callable[[Path], bool] | None = None
    folder_suffixes: tuple[str, ...] = ()
    # What a download of an export is: its media type, its file suffix, and whether the
    # export is a folder (then sent as a zip of it).
    media_type: str = "application/octet-stream"
    download_suffix: str = ""
    writes_folder: bool = False

    @property
    def reads_folders(self) -> bool:
        return self.sniff_folder is not None


# Longer than any article: a line past this is refused before it is read into memory.
MAX_LINE_BYTES = 16 * 1024 * 1024


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a UTF-8 file, with a FILE:LINE error for bytes that are not UTF-8
    and for a line longer than MAX_LINE_BYTES."""
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise FormatError(f"{path}:{number}: the line is longer than {MAX_LINE_BYTES // 2**20} MB")
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(f"{path}:{number}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def json_lines(path: Path, parse: Callable[[Any], Record]) -> Iterator[tuple[str, Record]]:
    """(FILE:LINE, record) for each non-blank line of a JSON-lines file, parsed by `parse`.

    `parse` raises KeyError, TypeError or ValueError for a malformed record; the
    FormatError then names the line and the reason.
    """
    for number, line in lines(path):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise FormatError(f"{where}: not valid JSON ({exc})") from None
        try:
            yield where, parse(data)
        except (KeyError, TypeError, ValueError) as exc:
            reason = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
            raise FormatError(f"{where}: {reason}") from None


def text_and_meta(data: Any, what: str) -> tuple[str, dict]:
    """The "text" and "meta" of a JSON record, checked (a record of any JSON-lines format has both)."""
    if not isinstance(data, dict):
        raise ValueError(f"a {what} must be a JSON object")
    text = data["text"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"text" must be a non-empty string')
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError('"meta" must be an object')
    return text, dict(meta)


def write_json_lines(records: Iterable[Record], out: Path | IO[str], as_object: Callable[[Record], Any]) -> int:
    """Write one JSON object per record and line, as they come; returns how many."""
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8") as handle:
            return write_json_lines(records, handle, as_object)
    count = 0
    for record in records:
        out.write(json.dumps(as_object(record), ensure_ascii=False) + "\n")
        count += 1
    return count


def read_text(path: Path) -> str:
    """A whole UTF-8 file exactly as stored (no newline translation), or a FILE:1 error."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise FormatError(f"{path}:{line}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise FormatError(f"{path}:1: cannot be read ({exc.strerror})") from None


@functools.lru_cache(maxsize=1)
def _blank_tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def tokens_of(record: Record) -> Sequence[Sequence[int]]:
    """The record's stored token offsets (whitespace tokens included), or blank English ones.

    Exports always carry the stored tokens; the fallback serves records built by hand.
    """
    if record.tokens:
        return record.tokens  # as stored: pairs of ints (lists, from JSON)
    return [(t.idx, t.idx + len(t.text)) for t in _blank_tokenizer()(record.text)]


def trailing_space(tokens: Sequence[Sequence[int]], text: str) -> list[bool]:
    """For each token, whether a space follows it before the next token (spaCy's `whitespace_`)."""
    return [(tokens[i + 1][0] if i + 1 < len(tokens) else len(text)) > end for i, (_, end) in enumerate(tokens)]


def is_space(text: str, start: int, end: int) -> bool:
    return text[start:end].isspace()
