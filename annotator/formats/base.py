"""What every format shares: its registry entry, its error type, how a file is read, what a
reader reports it left out, and a record's tokens."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..model import Record

BOM = "\ufeff"


class FormatError(ValueError):
    """A file cannot be read or written; the message starts with FILE:LINE."""


@dataclass
class Skipped:
    """One kind of thing an import left out: how many, and where the first was."""

    kind: str
    count: int
    first: str


class Notes:
    """What readers and the import skipped, by kind, in the order first met."""

    def __init__(self) -> None:
        self.skipped: dict[str, Skipped] = {}

    def skip(self, kind: str, where: str, count: int = 1) -> None:
        """Record that `count` things of `kind` were left out, the first of them at `where`."""
        if count <= 0:
            return
        found = self.skipped.get(kind)
        if found is None:
            self.skipped[kind] = Skipped(kind, count, where)
        else:
            found.count += count

    def summary(self) -> list[str]:
        return [f"{s.kind}: {s.count} (first at {s.first})" for s in self.skipped.values()]


def _takes_any(layer: str, label: str) -> bool:
    return True


@dataclass
class Reading:
    """What a reader is told, and where it reports what it leaves out.

    `takes(layer, label)` says whether the import will keep an item of that label (after
    --label-map, or with --labels extend): a format whose annotations are not all ours
    (brat's T lines) asks it to tell an entity from a mark of some other kind.
    """

    notes: Notes = field(default_factory=Notes)
    docs_every: int | None = None  # CoNLL: sentences per document when a file has no markers
    annotator: str | None = None  # --annotator, for formats that name annotators by file
    takes: Callable[[str, str], bool] = _takes_any


# A reader yields (where, record) for each record of a file (or folder), `where` being "FILE:LINE".
Reader = Callable[[Path, Reading], Iterator[tuple[str, Record]]]
# A writer writes the records to `out` as they come and returns how many.
Writer = Callable[[Iterable[Record], Path], int]
# A writer of parts writes several runs of records (each got by calling it, in the process that
# writes it) to `out` at once, in order, and returns how many: the first run in this process.
PartsWriter = Callable[[Sequence[Callable[[], Iterable[Record]]], Path], int]


@dataclass(frozen=True)
class Format:
    """One import/export format: what it is called, which files are its own, how to read and write it."""

    name: str
    description: str
    suffixes: tuple[str, ...] = ()  # file suffixes it reads (lower case, with the dot)
    read: Reader | None = None
    write: Writer | None = None
    # Formats whose output can be written by several processes at once (spaCy's shards).
    write_parts: PartsWriter | None = None
    # Is this file mine? Asked when several formats share a suffix (the JSON-lines formats).
    sniff: Callable[[Path], bool] | None = None
    # Asked of a file whose suffix no format claims (CoNLL's eng.train): is its content mine?
    sniff_unknown: bool = False
    # Formats that are a folder rather than a file (brat): is this folder mine, and which
    # files in it do I read myself (the others are read one by one, by their own format).
    sniff_folder: Callable[[Path], bool] | None = None
    folder_suffixes: tuple[str, ...] = ()
    # What a download of an export is: its media type, its file suffix, and whether the
    # export is a folder (then sent as a zip of it).
    media_type: str = "application/octet-stream"
    download_suffix: str = ""
    writes_folder: bool = False
    # Whether the writer is a training-data format: sets their annotators skipped (Prodigy's
    # reject and ignore) are then left out, as Prodigy's data-to-spacy leaves them out.
    training: bool = False
    # Whether the writer reads the stored tokens (record.stored_tokens); an export in a format that does
    # not leaves them unread and undecoded (JSONL writes spans as offsets into the text).
    tokens: bool = True

    @property
    def reads_folders(self) -> bool:
        return self.sniff_folder is not None


# Longer than any article: a line past this is refused before it is read into memory.
MAX_LINE_BYTES = 16 * 1024 * 1024


def decode(raw: bytes, where: str) -> str:
    """UTF-8 bytes as text, or a FormatError at `where` naming the bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{where}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a UTF-8 file, a byte-order mark dropped (every reader alike), with a
    FILE:LINE error for bytes that are not UTF-8 and for a line longer than MAX_LINE_BYTES."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FormatError(f"{path}:1: cannot be read ({exc.strerror})") from None
    with handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise FormatError(f"{path}:{number}: the line is longer than {MAX_LINE_BYTES // 2**20} MB")
            line = decode(raw, f"{path}:{number}")
            yield number, line.removeprefix(BOM) if number == 1 else line


def read_text(path: Path) -> str:
    """A whole UTF-8 file exactly as stored (no newline translation, a byte-order mark dropped),
    or a FILE:LINE error."""
    return read_text_and_bom(path)[0]


def read_text_and_bom(path: Path) -> tuple[str, int]:
    """The text of a UTF-8 file without its byte-order mark, and the mark's length in characters
    (0 or 1), for formats whose offsets count it (brat's do)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}:1: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FormatError(f"{path}:{line}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return (text[1:], 1) if text.startswith(BOM) else (text, 0)


def loads(line: str) -> Any:
    """JSON as Python values, refusing what would break the import later: nesting past what
    Python can follow (a RecursionError) and lone surrogates (text SQLite cannot store)."""
    try:
        data = json.loads(line)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    if _may_hold_surrogate(line):  # else no string in it holds one: walking them all cost more than parsing
        _check_strings(data)
    return data


def _may_hold_surrogate(line: str) -> bool:
    """Whether parsed JSON of the line may hold a lone surrogate: one gets in only as a \\u escape
    (some of which are surrogates) or as itself in the line (which then cannot be UTF-8 encoded)."""
    if "\\u" in line:
        return True
    if line.isascii():
        return False
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_strings(value: Any) -> None:
    """Refuse lone UTF-16 surrogates ("\\ud800") anywhere in parsed JSON, without recursion."""
    stack = [value]
    while stack:
        found = stack.pop()
        if isinstance(found, str):
            _check_text(found)
        elif isinstance(found, dict):
            stack.extend(found.keys())
            stack.extend(found.values())
        elif isinstance(found, list):
            stack.extend(found)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"the text holds a lone surrogate (\\u{ord(text[exc.start]):04x}), not a character") from None


def json_lines(path: Path, parse: Callable[[Any], Record]) -> Iterator[tuple[str, Record]]:
    """(FILE:LINE, record) for each non-blank line of a JSON-lines file, parsed by `parse`.

    `parse` raises KeyError, TypeError or ValueError for a malformed record; the
    FormatError then names the line and the reason.
    """
    for where, data in json_values(path):
        try:
            yield where, parse(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"{where}: {reason(exc)}") from None


def json_values(path: Path) -> Iterator[tuple[str, Any]]:
    """(FILE:LINE, parsed JSON) for each non-blank line of a JSON-lines file."""
    for number, line in lines(path):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield where, loads(line)
        except ValueError as exc:
            raise FormatError(f"{where}: not valid JSON ({exc})") from None


def reason(exc: Exception) -> str:
    """The message of a parse error, as a reader reports it."""
    return f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)


@functools.lru_cache(maxsize=64)
def _sample(path: Path, size: int, mtime: float) -> tuple[Any, ...]:
    found: list[Any] = []
    try:
        for _, line in lines(path):
            if line.strip():
                try:
                    found.append(loads(line))
                except ValueError:
                    break  # let the reader report the broken line
            if len(found) >= size:
                break
    except FormatError:
        pass
    return tuple(found)


def json_sample(path: Path, size: int = 50) -> tuple[Any, ...]:
    """The first parsed records of a JSON-lines file (up to `size`), for sniffing its format."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return ()
    return _sample(path, size, mtime)


def text_and_meta(data: Any, what: str) -> tuple[str, dict]:
    """The "text" and "meta" of a JSON record, checked (a record of any JSON-lines format has both)."""
    if not isinstance(data, dict):
        raise ValueError(f"a {what} must be a JSON object")
    text = data["text"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"text" must be a non-empty string')
    _check_text(text)
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


@functools.lru_cache(maxsize=1)
def _blank_tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def tokens_of(record: Record) -> Sequence[Sequence[int]]:
    """The record's stored token offsets (whitespace tokens included) as pairs of ints, or blank English ones.

    Exports always carry the stored tokens (decoded as an (n, 2) array); the fallback serves records built by hand.
    """
    if record.stored_tokens is not None and len(record.stored_tokens):
        found: list[list[int]] = record.stored_tokens.tolist()
        return found
    if record.tokens:
        return record.tokens
    return [(t.idx, t.idx + len(t.text)) for t in _blank_tokenizer()(record.text)]


def trailing_space(tokens: Sequence[Sequence[int]], text: str) -> list[bool]:
    """For each token, whether a space follows it before the next token (spaCy's `whitespace_`)."""
    return [(tokens[i + 1][0] if i + 1 < len(tokens) else len(text)) > end for i, (_, end) in enumerate(tokens)]


def is_space(text: str, start: int, end: int) -> bool:
    return text[start:end].isspace()
