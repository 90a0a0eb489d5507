"""Import and export formats, found by name through one registry.

Each format module has NAME, SUFFIXES, and `read(path)` yielding
`(where, Record)` pairs (`where` is "FILE:LINE" for messages) and/or
`write(records, out)` returning how many records it wrote.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from . import docbin, jsonl, text
from .base import FormatError


REGISTRY: dict[str, ModuleType] = {module.NAME: module for module in (jsonl, text, docbin)}


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
