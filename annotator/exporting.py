"""Export annotation sets, record by record, through the format registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from . import formats, store
from .model import Record

# What `--from` names, and the kind of annotation set it reads.
SOURCES = {"gold": "gold", "annotations": "annotator", "predictions": "model"}


class ExportFailed(Exception):
    pass


def records(
    db: Database, source: str, *, submitted_only: bool = False, training: bool = False, tokens: bool = True
) -> Iterator[Record]:
    """Every set of a source as a Record with its article's text, meta and tokens, streamed.

    `training`: leave out sets their annotator skipped (Prodigy's reject and ignore land there),
    as training-data formats must: their spans are not what the annotator confirmed.
    The records carry the stored tokens as an (n, 2) array; without `tokens` none (None), for
    formats that do not write them.
    """
    if source not in SOURCES:
        raise ExportFailed(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    sets = store.iter_exported(db, SOURCES[source], submitted_only=submitted_only, tokens=tokens)
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


def export(db: Database, fmt: str, source: str, out: Path, *, submitted_only: bool = False) -> int:
    """Write one source in one format to `out` (a file; a folder for brat and for spacy shards); returns how many."""
    try:
        found = formats.get(fmt)
    except formats.FormatError as exc:
        raise ExportFailed(str(exc)) from None
    if found.write is None:
        raise ExportFailed(f"the {fmt} format can be imported, not exported")
    try:
        chosen = records(db, source, submitted_only=submitted_only, training=found.training, tokens=found.tokens)
        return found.write(chosen, out)
    except formats.FormatError as exc:
        raise ExportFailed(str(exc)) from None
    except OSError as exc:
        raise ExportFailed(f"{exc.filename or out}: {exc.strerror}") from None
