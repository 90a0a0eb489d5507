"""Import and export formats, found by name through one typed registry.

Each format module ends with its `FORMAT` entry (a `base.Format`: name, suffixes,
reader, writer, sniffing, folder handling, download media type). This package
lists them, guesses a file's or folder's format, and finds the files to read
under the paths an import is given; the CLI, the import, the export and the
web downloads all go through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from . import brat, conll, docbin, doccano, jsonl, labelstudio, prodigy, text
from .base import Format, FormatError, Reading

# Order matters where suffixes are shared: each format's sniff is asked in turn, and the first
# without one takes the file (the JSON-lines formats: Prodigy and doccano sniff, native takes
# the rest; .txt: CoNLL sniffs, plain text takes the rest).
REGISTRY: Mapping[str, Format] = {
    module.FORMAT.name: module.FORMAT for module in (prodigy, doccano, jsonl, labelstudio, conll, text, brat, docbin)
}

__all__ = ["REGISTRY", "Format", "FormatError", "Reading", "discover", "get", "guess", "readers", "writers"]


def get(name: str) -> Format:
    try:
        return REGISTRY[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


def readers() -> list[str]:
    return sorted(name for name, found in REGISTRY.items() if found.read is not None)


def writers() -> list[str]:
    return sorted(name for name, found in REGISTRY.items() if found.write is not None)


def guess(path: Path) -> Format:
    """The format of a file, from its suffix (and, where formats share one, by sniffing it)."""
    for found in REGISTRY.values():
        mine = found.read is not None and path.suffix.lower() in found.suffixes
        if mine and (found.sniff is None or found.sniff(path)):
            return found
    # A name no format claims (CoNLL-2003's eng.train): formats that know their content ask it.
    for found in REGISTRY.values():
        if found.read is not None and found.sniff_unknown and found.sniff is not None and found.sniff(path):
            return found
    raise FormatError(f"{path}: cannot tell the format from the name; pass --format ({', '.join(readers())})")


def _folder_format(folder: Path) -> Format | None:
    """The format that reads this folder as a whole (brat: .txt and .ann side by side), if any."""
    return next((f for f in REGISTRY.values() if f.sniff_folder is not None and f.sniff_folder(folder)), None)


def discover(paths: Iterable[Path], name: str = "auto") -> Iterator[tuple[Path, Format]]:
    """Each file (or folder, for a folder format) to read under `paths`, with its format.

    A folder gives the files in it that have a known suffix; a folder a folder format
    claims (with "auto": brat, when it holds .ann files) is read whole by that format,
    and only its other files are read one by one.
    """
    named = None if name == "auto" else get(name)
    if named is not None and named.read is None:
        raise FormatError(f"the {named.name} format can be exported, not imported")
    for path in paths:
        if path.is_dir():
            yield from _in_folder(path, named)
        elif path.is_file():
            yield path, named or guess(path)
        else:
            raise FormatError(f"{path}: no such file or folder")


def _in_folder(folder: Path, named: Format | None) -> Iterator[tuple[Path, Format]]:
    whole = _folder_format(folder) if named is None else named if named.reads_folders else None
    if whole is not None:
        yield folder, whole
        if named is not None:
            return  # named explicitly: the whole folder is that format's
    claimed = whole.folder_suffixes if whole else ()
    found = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in claimed
    )
    readable = [(p, named or _guess_or_none(p)) for p in found]
    if whole is None and not any(f for _, f in readable):
        raise FormatError(f"{folder}: no file of a known format in this folder")
    yield from ((p, f) for p, f in readable if f is not None)


def _guess_or_none(path: Path) -> Format | None:
    try:
        return guess(path)
    except FormatError:
        return None
