"""Export annotation sets, record by record, through the format registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

from sqlite_utils import Database

from . import db as database
from . import formats, store
from .model import Record

# What `--from` names, and the kind of annotation set it reads.
SOURCES = {"gold": "gold", "annotations": "annotator", "predictions": "model"}


class ExportFailed(Exception):
    pass


def records(
    db: Database,
    source: str,
    *,
    submitted_only: bool = False,
    training: bool = False,
    tokens: bool = True,
    ids: store.SetIds = store.EVERY_SET,
) -> Iterator[Record]:
    """Every set of a source (of those in `ids`) as a Record with its article's text, meta and tokens, streamed.

    `training`: leave out sets their annotator skipped (Prodigy's reject and ignore land there),
    as training-data formats must: their spans are not what the annotator confirmed.
    The records carry the stored tokens as an (n, 2) array; without `tokens` none (None), for
    formats that do not write them.
    """
    if source not in SOURCES:
        raise ExportFailed(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    sets = store.iter_exported(db, SOURCES[source], submitted_only=submitted_only, tokens=tokens, ids=ids)
    for article, found, annotation, offsets in sets:
        if training and found.status == "skipped":
            continue
        yield Record(
            ext_id=article.ext_id,
            text=article.text,
            meta=article.meta,
            source=found.kind,
            annotator=found.user_name,
            status=found.status,
            annotation=annotation,
            stored_tokens=offsets,
        )


def export(db: Database, fmt: str, source: str, out: Path, *, submitted_only: bool = False, jobs: int = 1) -> int:
    """Write one source in one format to `out` (a file; a folder for brat and for spacy shards); returns how many.

    `jobs`: for a format that can be written in parts (spaCy's shards), how many processes write it at
    once, each a run of consecutive sets read on its own connection (a database file is needed)."""
    try:
        found = formats.get(fmt)
    except formats.FormatError as exc:
        raise ExportFailed(str(exc)) from None
    if found.write is None:
        raise ExportFailed(f"the {fmt} format can be imported, not exported")
    if jobs < 1:
        raise ExportFailed(f"jobs must be 1 or more, not {jobs}")
    chosen = partial(
        records, source=source, submitted_only=submitted_only, training=found.training, tokens=found.tokens
    )
    try:
        # the database's file is asked for only when other processes are to open it
        if jobs > 1 and found.write_parts is not None and (path := store.database_file(db)) is not None:
            runs = store.split_sets(db, SOURCES[source], jobs, submitted_only=submitted_only)
            parts: list[Callable[[], Iterable[Record]]] = [partial(chosen, db, ids=runs[0])]
            parts.extend(partial(_records_from, path, chosen, ids) for ids in runs[1:])
            return found.write_parts(parts, out)
        return found.write(chosen(db), out)
    except formats.FormatError as exc:
        raise ExportFailed(str(exc)) from None
    except OSError as exc:
        raise ExportFailed(f"{exc.filename or out}: {exc.strerror}") from None


def _records_from(path: Path, chosen: Callable[..., Iterator[Record]], ids: store.SetIds) -> Iterator[Record]:
    """A run of records read on a connection of its own (in the process that writes them)."""
    db = database.connect(path, migrate=False)
    try:
        yield from chosen(db, ids=ids)
    finally:
        db.close()
