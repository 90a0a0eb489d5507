"""Where a brat corpus keeps its files: .ann files in a folder or one down, each .txt beside its
.ann or in a sibling folder (PolNeAR's `attributions/` and `text/`), and the annotation.conf
nearest an .ann (brat looks for it up the tree)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from ..base import FormatError, lines


def sniff_folder(folder: Path) -> bool:
    """A folder is brat when it holds .ann files, or its sub-folders do."""
    return any(ann_files(folder))


def ann_files(folder: Path) -> Iterator[Path]:
    for place in (folder, *sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))):
        yield from sorted(p for p in place.iterdir() if p.is_file() and p.suffix.lower() == ".ann")


def texts_near(folder: Path) -> dict[str, Path]:
    """The .txt files in a folder and its sibling folders, by stem (the folder's own first)."""
    found: dict[str, Path] = {}
    siblings = sorted(p for p in folder.parent.iterdir() if p.is_dir() and p != folder)
    for place in (folder, *siblings):
        for path in sorted(place.glob("*.txt")):
            found.setdefault(path.stem, path)
    return found


def text_of(ann: Path, texts: dict[str, Path]) -> tuple[str, str | None]:
    """The .txt stem an .ann belongs to and the annotator its name carries (NAME_<annotator>.ann)."""
    if ann.stem in texts:
        return ann.stem, None
    owners = [stem for stem in texts if ann.stem.startswith(stem + "_") and len(ann.stem) > len(stem) + 1]
    if not owners:
        raise FormatError(f"{ann}:1: no {ann.stem}.txt (or NAME.txt for NAME_<annotator>.ann) beside it")
    stem = max(owners, key=len)
    return stem, unquote(ann.stem[len(stem) + 1 :])


def conf_types(ann: Path) -> dict[str, set[str]] | None:
    """The entity and event types of the annotation.conf nearest the .ann (brat looks up the tree)."""
    for folder in (ann.parent, *list(ann.parents)[1:3]):
        conf = folder / "annotation.conf"
        if conf.is_file():
            sections: dict[str, set[str]] = defaultdict(set)
            section = ""
            for _, line in lines(conf):
                line = line.split("#", 1)[0].strip()
                if line.startswith("[") and line.endswith("]"):
                    section = line[1:-1].strip()
                elif line and not line.startswith("-"):
                    sections[section].add(line.split()[0].lstrip("!"))
            return sections
    return None
