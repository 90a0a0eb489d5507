"""Import and export formats, found by name through one registry.

Each format module has NAME, SUFFIXES, and `read(path)` yielding
`(where, Record)` pairs (`where` is "FILE:LINE" for messages) and/or
`write(records, out)` returning how many records it wrote. A module may add
`sniff(path)` (is this file mine?, asked when several formats share a suffix)
and, for formats that are a folder rather than a file (brat), READS_FOLDERS,
FOLDER_SUFFIXES (the files in the folder it reads itself) and `sniff_folder(folder)`.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from . import brat, conll, docbin, jsonl, prodigy, text
from .base import FormatError

# Order matters where suffixes are shared: native JSONL sniffs first and passes Prodigy files on.
REGISTRY: dict[str, ModuleType] = {module.NAME: module for module in (jsonl, prodigy, text, brat, conll, docbin)}


def get(name: str) -> ModuleType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


def readers() -> list[str]:
    return sorted(name for name, module in REGISTRY.items() if hasattr(module, "read"))


def writers() -> list[str]:
    return sorted(name for name, module in REGISTRY.items() if hasattr(module, "write"))


def guess(path: Path) -> str:
    """The format of a file, from its suffix (and for .jsonl, from its first record)."""
    for name, module in REGISTRY.items():
        if hasattr(module, "read") and path.suffix.lower() in module.SUFFIXES:
            sniff = getattr(module, "sniff", None)
            if sniff is None or sniff(path):
                return name
    raise FormatError(f"{path}: cannot tell the format from the name; pass --format ({', '.join(readers())})")


def folder_format(folder: Path) -> str | None:
    """The format that reads this folder as a whole (brat: .txt and .ann side by side), if any."""
    for name, module in REGISTRY.items():
        sniff = getattr(module, "sniff_folder", None)
        if sniff is not None and sniff(folder):
            return name
    return None


def reads_folders(name: str) -> bool:
    return bool(getattr(get(name), "READS_FOLDERS", False))
