"""Import files into the database, optionally pre-annotating them, as one transaction."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

from sqlite_utils import Database
from tqdm import tqdm

from . import formats, store, training
from .config import Project
from .db import write
from .errors import AnnotatorError, Invalid
from .model import Annotation, Article, Record, Tokens, as_suggestions, check
from .nlp import pipeline as nlp_pipeline

BATCH = 64


class ImportFailed(Exception):
    """The import was refused and nothing was written; the message starts with FILE:LINE."""


@dataclass
class ImportReport:
    articles_new: int = 0
    articles_existing: int = 0
    sets: int = 0
    predicted: int = 0
    snapped: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.articles_new} new article(s)", f"{self.articles_existing} already present"]
        if self.sets:
            parts.append(f"{self.sets} annotation set(s)")
        if self.predicted:
            parts.append(f"{self.predicted} pre-annotated")
        if self.snapped:
            parts.append(f"{self.snapped} span(s) snapped to token boundaries")
        return ", ".join(parts)


def read_records(paths: Iterable[Path], fmt: str) -> Iterator[tuple[str, Record]]:
    """(FILE:LINE, record) for every record under `paths`, each file read by its format."""
    try:
        for path, found in formats.discover(paths, fmt):
            assert found.read is not None  # discover() yields readable formats only
            yield from found.read(path)
    except formats.FormatError as exc:
        raise ImportFailed(str(exc)) from None


def import_paths(
    db: Database,
    project: Project,
    paths: Iterable[Path],
    *,
    fmt: str = "auto",
    annotator: str | None = None,
    preannotate: bool = False,
    model: str | None = None,
    progress: bool = True,
) -> ImportReport:
    """Read every record, check it, store it; on any error write nothing and raise ImportFailed."""
    report = ImportReport()
    try:
        pipe, made_by = _pipeline(db, project, model)
    except AnnotatorError as exc:
        raise ImportFailed(str(exc)) from None
    if pipe.warning:
        report.warnings.append(pipe.warning)
    records = read_records(paths, fmt)
    bar = tqdm(desc="import", unit=" records", file=sys.stderr, disable=None if progress else True)
    try:
        with write(db):
            while batch := list(islice(records, BATCH)):
                _import_batch(db, project, (pipe, made_by), batch, annotator, preannotate, report)
                bar.update(len(batch))
    finally:
        bar.close()
    return report


def _pipeline(db: Database, project: Project, model: str | None) -> tuple[nlp_pipeline.Pipeline, str]:
    """The pipeline to pre-annotate with (a registered model version by name, or any spaCy pipeline),
    and the name its predictions are recorded under: the version's, else the pipeline's."""
    path, version = training.resolve_model(db, model or project.model)
    pipe = nlp_pipeline.load(path, project)
    return pipe, version or pipe.name


def _import_batch(db, project, loaded, batch, annotator, preannotate, report) -> None:
    pipe, made_by = loaded
    texts = [record.text for _, record in batch]
    analysed: Iterable[tuple[list[tuple[int, int]], Annotation | None]]
    if preannotate:
        analysed = nlp_pipeline.predict(pipe, project, texts)
    else:
        analysed = ((nlp_pipeline.tokenize(pipe, text), None) for text in texts)
    schemes = project.schemes
    for (where, record), (tokens, predicted) in zip(batch, analysed):
        ext_id = record.ext_id or _derived_id(record.text)
        try:
            article_id, created = store.ensure_article(db, Article(ext_id, record.text, record.meta, tokens))
            if created:
                report.articles_new += 1
            else:
                report.articles_existing += 1
                tokens = store.get_article(db, article_id).tokens
            if record.annotation is not None:
                _store_set(db, article_id, record, tokens, annotator, schemes, report)
            if predicted is not None and _may_predict(db, article_id):
                predicted, _ = snap_all(predicted, Tokens(tokens, record.text))
                store.put_set(db, article_id, "model", None, predicted, action="preannotate", model=made_by)
                report.predicted += 1
        except AnnotatorError as exc:
            raise ImportFailed(f"{where}: {exc}") from None


def _may_predict(db: Database, article_id: int) -> bool:
    """Predictions are made for an article that has none, and replaced only while nobody has opened it
    (an annotator's set started from the ones it has)."""
    return store.find_set(db, article_id, "model") is None or not store.is_opened(db, article_id)


def _store_set(db, article_id, record: Record, tokens, annotator, schemes, report) -> None:
    assert record.annotation is not None and record.source is not None  # a record with a set
    annotation, snapped = snap_all(record.annotation, Tokens(tokens, record.text))
    check(annotation, record.text, schemes)
    report.snapped += snapped
    user_id = None
    if record.source == "annotator":
        name = record.annotator or annotator
        if not name:
            raise Invalid('an annotator record needs "annotator" (or pass --annotator)')
        user_id = store.user_for_import(db, name).id
    if record.source == "model":
        annotation = as_suggestions(annotation)
    store.put_set(db, article_id, record.source, user_id, annotation, status=record.status or "draft")
    report.sets += 1


def snap_all(annotation: Annotation, tokens: Tokens) -> tuple[Annotation, int]:
    """Every span snapped to whole tokens, and how many had to move."""
    items, moved = [], 0
    for item in annotation.items():
        snapped = tuple((role, tokens.snap(span.start, span.end)) for role, span in item.spans)
        moved += sum(new != (role, old) for new, (role, old) in zip(snapped, item.spans))
        items.append(replace(item, spans=snapped))
    return Annotation.of(items), moved


def _derived_id(text: str) -> str:
    return "a-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class Preannotated:
    """What a pre-annotation run did."""

    done: int  # articles whose predictions were made anew
    kept: int  # articles left as they were: someone has opened them
    model: str  # the version (or pipeline) the predictions are recorded under
    warning: str | None = None


def preannotate(
    db: Database, project: Project, *, model: str | None = None, n_process: int = 1, progress: bool = True
) -> Preannotated:
    """Run the pipeline over every article nobody has opened yet, replacing its predictions (history keeps the
    old); articles with an annotator's set or gold keep theirs, since those sets started from them."""
    pipe, made_by = _pipeline(db, project, model)
    total = store.count_unopened(db)
    kept = store.count_articles(db) - total
    ids = store.iter_unopened_ids(db)
    done = 0
    with tqdm(
        total=total, desc="preannotate", unit=" articles", file=sys.stderr, disable=None if progress else True
    ) as bar:
        while batch := list(islice(ids, BATCH * 4)):
            articles = [store.get_article(db, article_id) for article_id in batch]
            predictions = nlp_pipeline.predict(pipe, project, (a.text for a in articles), n_process=n_process)
            # One transaction per batch: a long run holds the write lock only briefly at a time.
            with write(db):
                for article_id, article, (_, predicted) in zip(batch, articles, predictions):
                    if store.is_opened(db, article_id):  # opened while the batch ran
                        kept += 1
                        continue
                    predicted, _ = snap_all(predicted, Tokens(article.tokens, article.text))
                    store.put_set(db, article_id, "model", None, predicted, action="preannotate", model=made_by)
                    done += 1
            bar.update(len(batch))
    return Preannotated(done, kept, made_by, pipe.warning)
