"""Import files into the database, optionally pre-annotating them, all or nothing.

Every record is read, its labels mapped and checked, its text tokenized (or pre-annotated), and
then stored, all in one write transaction: an error anywhere leaves nothing written. Where the
prepared batches go (`_sink`):

- An import that pre-annotates spools them to a temporary file and stores the spool at the end,
  in one short transaction (BEGIN IMMEDIATE): a model's time never blocks a save in the web app.
- An import without a model, on a machine that forks, hands them to a process that stores them
  while the rest is read (`alongside`), in a transaction it commits only when all is read and
  stored. Reading and writing overlap; a save in the web app waits for the import meanwhile.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
from sqlite_utils import Database
from tqdm import tqdm

from . import config as project_config
from . import formats, store
from .alongside import Alongside, WriterStopped
from .config import Project
from .db import write
from .errors import AnnotatorError, Invalid
from .formats.base import Notes, Reading
from .labels import LabelPolicy, LabelRefused
from .model import MODEL, SET_KINDS, Annotation, Article, Record, Tokens, check
from .model.normal import remap
from .model.text import on_words
from .nlp import ahead
from .processes import can_fork
from .store import ArticleRow, ItemRows

if TYPE_CHECKING:
    from .nlp import pipeline as nlp_pipeline

BATCH = 64
PARALLEL = True  # tokenizing may run ahead in a second process (tests turn it off to compare)


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
    skipped: list[str] = field(default_factory=list)  # "kind: count (first at FILE:LINE)"
    labels_added: dict[str, list[str]] = field(default_factory=dict)

    def count(self, stored: ImportReport) -> None:
        """Take the figures of what was stored, as storing counted them (perhaps in another process)."""
        self.articles_new, self.articles_existing = stored.articles_new, stored.articles_existing
        self.sets, self.predicted, self.snapped = stored.sets, stored.predicted, stored.snapped

    def summary(self) -> str:
        parts = [f"{self.articles_new} new article(s)", f"{self.articles_existing} already present"]
        if self.sets:
            parts.append(f"{self.sets} annotation set(s)")
        if self.predicted:
            parts.append(f"{self.predicted} pre-annotated")
        if self.snapped:
            parts.append(f"{self.snapped} span(s) snapped to token boundaries")
        return ", ".join(parts)


@dataclass(frozen=True)
class Options:
    """How to read and store what an import brings (the `import` command's options)."""

    fmt: str = "auto"
    annotator: str | None = None
    kind: str | None = None  # --as: store every set as this kind
    labels: str = "strict"  # or "extend"
    label_map: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False  # skipped annotations make the import fail
    docs_every: int | None = None
    preannotate: bool = False
    model: str | None = None


@dataclass
class _Prepared:
    """One record, read, checked and analysed, waiting to be written: its set's items (and the
    predictions made for it) as the rows they are stored as, the record keeping its other fields."""

    where: str
    record: Record  # without its annotation: `items` holds it
    article: ArticleRow  # the article's row, should it be new: its hashes, its tokens (from spaCy's arrays)
    items: ItemRows | None
    predicted: ItemRows | None
    snapped: int = 0


def read_records(paths: Iterable[Path], fmt: str, reading: Reading | None = None) -> Iterator[tuple[str, Record]]:
    """(FILE:LINE, record) for every record under `paths`, each file read by its format."""
    reading = reading or Reading()
    try:
        for path, found in formats.discover(paths, fmt):
            assert found.read is not None  # discover() yields readable formats only
            yield from found.read(path, reading)
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
    options: Options | None = None,
) -> ImportReport:
    """Read every record, check it, store it; on any error write nothing and raise ImportFailed."""
    options = options or Options(fmt=fmt, annotator=annotator, preannotate=preannotate, model=model)
    if options.kind is not None and options.kind not in SET_KINDS:
        raise ImportFailed(f"--as takes {', '.join(SET_KINDS)}, not {options.kind!r}")
    report = ImportReport()

    def loaded(name: str, warning: str | None) -> None:
        if warning:
            report.warnings.append(warning)

    pipe: nlp_pipeline.Pipeline | Callable[[], nlp_pipeline.Pipeline]
    made_by = None
    try:
        if options.preannotate:
            pipe, made_by = pipeline_for(db, project, options.model)
            loaded(pipe.name, pipe.warning)
        else:  # loaded where it tokenizes (`ahead`), perhaps in another process while this one reads
            pipe = tokenizer_for(db, project, options.model)
    except AnnotatorError as exc:
        raise ImportFailed(str(exc)) from None
    policy = LabelPolicy(project.schemes, extend=options.labels == "extend", mapping=options.label_map)
    notes = Notes()
    reading = Reading(notes, options.docs_every, options.annotator, takes=policy.takes)
    storing = _Storing(policy, options, made_by)
    with _frozen_heap(), _sink(db, storing, progress) as sink:
        records = read_records(paths, options.fmt, reading)
        _prepare_all(records, pipe, loaded, project, policy, options, notes, sink, progress)
        report.skipped = notes.summary()
        if options.strict and report.skipped:
            raise ImportFailed("left out under --strict: " + "; ".join(report.skipped) + "\nNothing was imported.")
        if policy.added and project.path is None:
            raise ImportFailed("--labels extend needs a project file to add the labels to (annotator init writes one)")
        report.count(sink.stored())
        if policy.added:
            assert project.path is not None
            project_config.add_labels(project.path, policy.added)  # before the commit: a failure undoes all
        sink.commit()
    report.labels_added = {layer: list(dict.fromkeys(names)) for layer, names in policy.added.items()}
    return report


def pipeline_for(db: Database, project: Project, model: str | None) -> tuple[nlp_pipeline.Pipeline, str]:
    """The pipeline to pre-annotate with (a registered model version by name, or any spaCy pipeline),
    and the name its predictions are recorded under: the version's, else the pipeline's."""
    from . import training
    from .nlp import pipeline as nlp_pipeline

    path, version = training.resolve_model(db, model or project.model)
    pipe = nlp_pipeline.load(path, project)
    return pipe, version or pipe.name


def tokenizer_for(db: Database, project: Project, model: str | None) -> Callable[[], nlp_pipeline.Pipeline]:
    """How to load the tokenizer an import without a model tokenizes with: that pipeline's tokenizer
    alone. What the database knows of the name is looked up here; spaCy is loaded by the call."""
    name = model or project.model
    return partial(_load_tokenizer, name, store.registered_model(db, name))


def _load_tokenizer(name: str, registered: tuple[Path, str] | None) -> nlp_pipeline.Pipeline:
    from . import training
    from .nlp import pipeline as nlp_pipeline

    path, _ = training.choose_model(name, registered)
    return nlp_pipeline.load_tokenizer(path)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """What exists now (spaCy's vocabulary and tables above all) left out of garbage collection while
    the import runs: each full collection walked all of it again, an eighth of the import's time."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _bar(desc: str, progress: bool, total: int | None = None) -> tqdm:
    return tqdm(desc=desc, total=total, unit=" records", file=sys.stderr, disable=None if progress else True)


def _prepare_all(
    records, pipe, loaded, project, policy, options: Options, notes: Notes, sink: _Sink, progress: bool
) -> None:
    """Every record prepared, and handed on a batch at a time with the labels added so far."""
    labelled = (_checked_early(_labelled_batch(batch, policy, options, notes), policy) for batch in _batches(records))
    with _bar("import", progress) as bar:
        for batch, analysed in _analysed(labelled, pipe, loaded, project, options):
            sink.put((policy.added, list(_checked(batch, analysed, policy))))
            bar.update(len(batch.records))


@dataclass
class _Early:
    """What is made of a record before its text is tokenized: its text's hashes, and its set as checked:
    its rows, which hold it in a seventh of the memory of its items while the text waits its turn (the
    import reads thousands of records ahead); or, when the check failed, the set itself, since
    snapping to tokens may mend it. With the bounds of its spans, to ask whether they lie on the tokens."""

    hashes: tuple[str, str]
    rows: ItemRows | None = None
    unchecked: Annotation | None = None
    bounds: tuple[np.ndarray, np.ndarray] | None = None


@dataclass
class _Batch:
    """Records read (and labelled) together; a failure is raised when the batch's turn comes to be
    checked, since batches are read ahead of their checks: errors are told in the file's order."""

    records: list[tuple[str, Record]]
    failure: ImportFailed | None = None
    early: list[_Early] = field(default_factory=list)  # what is made of each record before its tokens


def _batches(records: Iterator[tuple[str, Record]]) -> Iterator[_Batch]:
    while True:
        batch = _Batch([])
        try:
            batch.records.extend(islice(records, BATCH))
        except ImportFailed as exc:
            batch.failure = exc
        if batch.records or batch.failure:
            yield batch
        if batch.failure or len(batch.records) < BATCH:
            return


# A batch as it is stored: the labels --labels extend had added when it was prepared, and its records.
_Payload = tuple[dict[str, list[str]], list[_Prepared]]


@dataclass
class _Storing:
    """What storing a batch needs besides its records, and what it counts (`report`'s figures)."""

    policy: LabelPolicy
    options: Options
    made_by: str | None  # what predictions are recorded as made by (None: the import makes none)
    report: ImportReport = field(default_factory=ImportReport)

    def batch(self, db: Database, payload: _Payload) -> None:
        added, prepared = payload
        policy = replace(self.policy, added=added)  # the labels known when the batch was checked
        for one in prepared:
            _store(db, one, policy, self.options, self.report, self.made_by)


class _Sink:
    """Where prepared batches go, and how they are stored: spooled to a file and stored at the end
    here, under the write lock (an import that pre-annotates, or where nothing forks), or stored
    as they come by a process alongside (`alongside.Alongside`), which takes the lock with the
    first batch. Either way one transaction, committed by `commit()` alone."""

    def __init__(
        self,
        db: Database,
        storing: _Storing,
        progress: bool,
        stack: ExitStack,
        writer: Alongside[_Payload, ImportReport] | None = None,
        spool: IO[bytes] | None = None,
    ):
        self.db, self.storing, self.progress, self.stack = db, storing, progress, stack
        self.writer, self.spool = writer, spool
        self.batches = 0

    def put(self, payload: _Payload) -> None:
        self.batches += 1
        if self.writer is not None:
            self.writer.put(payload)
        else:
            assert self.spool is not None
            pickle.dump(payload, self.spool, protocol=pickle.HIGHEST_PROTOCOL)

    def stored(self) -> ImportReport:
        """Every batch stored, the transaction still open; what storing counted."""
        if self.writer is not None:
            return self.writer.stored()
        assert self.spool is not None
        self.spool.seek(0)
        self.stack.enter_context(write(self.db))  # commits as the import leaves `_sink` without an error
        with _bar("write", self.progress, self.batches) as bar:
            for _ in range(self.batches):
                self.storing.batch(self.db, pickle.load(self.spool))
                bar.update(1)
        return self.storing.report

    def commit(self) -> None:
        if self.writer is not None:
            self.writer.commit()


@contextmanager
def _sink(db: Database, storing: _Storing, progress: bool) -> Iterator[_Sink]:
    path = store.database_file(db)
    with ExitStack() as stack:
        if path is not None and PARALLEL and not storing.options.preannotate and can_fork():
            try:
                with Alongside(path, storing.batch, lambda: storing.report) as writer:
                    yield _Sink(db, storing, progress, stack, writer=writer)
            except WriterStopped as exc:
                raise ImportFailed(str(exc)) from None
        else:
            with tempfile.TemporaryFile(prefix="annotator-import-") as spool:
                yield _Sink(db, storing, progress, stack, spool=spool)


def _labelled_batch(batch: _Batch, policy: LabelPolicy, options: Options, notes: Notes) -> _Batch:
    """The batch's records with their labels mapped and checked, up to the first that fails."""
    if batch.failure:  # a reading error: raised before any record of the batch is labelled
        return batch
    ready = []
    for where, record in batch.records:
        try:
            ready.append((where, _labelled(record, where, policy, options, notes)))
        except LabelRefused as exc:
            return _Batch(ready, ImportFailed(f"{exc.where}: {exc}"))
        except AnnotatorError as exc:
            return _Batch(ready, ImportFailed(f"{where}: {exc}"))
    return _Batch(ready)


def _checked_early(batch: _Batch, policy: LabelPolicy) -> _Batch:
    """The batch with each record's text hashed and its set checked and made rows before the text is
    tokenized (here, not in the process tokenizing, which has the longer way to go)."""
    for _, record in batch.records:
        annotation, record.annotation = record.annotation, None
        hashes = store.hashes(record.text)
        if annotation is None:
            batch.early.append(_Early(hashes))
            continue
        bounds = span_bounds(annotation)
        try:
            check(annotation, record.text, policy.allowed())
        except AnnotatorError:
            batch.early.append(_Early(hashes, unchecked=annotation, bounds=bounds))
            continue
        batch.early.append(_Early(hashes, ItemRows.of(annotation.items(), origin=_origin(record)), bounds=bounds))
    return batch


def _origin(record: Record) -> str | None:
    """The origin every item of the record's set takes: a model's set holds suggestions."""
    return MODEL if record.source == "model" else None


# A text's token offsets, and its predictions (with --preannotate).
_Analysed = tuple[np.ndarray, Annotation | None]


def _analysed(
    labelled: Iterator[_Batch], pipe, loaded, project, options: Options
) -> Iterator[tuple[_Batch, list[_Analysed]]]:
    """Each batch with its texts' tokens and (with --preannotate) predictions: a pipeline's prediction
    in spaCy's own batches here; without a model, loading the tokenizer and tokenizing run ahead in a
    second process (nlp/ahead.py; `pipe` says how to load it) while this one reads on."""
    if options.preannotate:
        from .nlp import pipeline as nlp_pipeline

        for batch in labelled:
            texts, given = [r.text for _, r in batch.records], [r.tokens for _, r in batch.records]
            yield batch, list(nlp_pipeline.predict(pipe, project, texts, given=given))
        return
    work = ((b, [r.text for _, r in b.records], [r.tokens for _, r in b.records]) for b in labelled)
    try:
        for batch, offsets in ahead.tokenized(work, pipe, parallel=PARALLEL, loaded=loaded):
            yield batch, [(tokens, None) for tokens in offsets]
    except AnnotatorError as exc:  # the tokenizing process stopped, or the tokenizer did not load
        raise ImportFailed(str(exc)) from None


def _checked(batch: _Batch, analysed: list[_Analysed], policy: LabelPolicy) -> Iterator[_Prepared]:
    """A batch's records ready to store, with their tokens: a set whose spans do not all lie on its
    tokens snapped to them and checked again, one that failed its first check checked again (after
    snapping, if it moved), and the predictions snapped."""
    if batch.failure:
        raise batch.failure
    for (where, record), early, (tokens, predicted) in zip(batch.records, batch.early, analysed):
        snapped, items, predicted_rows = 0, early.rows, None
        try:
            kept = early.bounds is None or on_words(tokens, record.text, *early.bounds)
            words = None if kept and predicted is None else Tokens(tokens, record.text)  # to snap to
            if early.unchecked is not None or not kept:
                annotation = early.unchecked
                if annotation is None:
                    assert items is not None  # a set that passed its check, its spans off the tokens
                    annotation = items.annotation()
                if words is not None:
                    annotation, snapped = snap_all(annotation, words)
                check(annotation, record.text, policy.allowed())
                items = ItemRows.of(annotation.items(), origin=_origin(record))
            if predicted is not None:
                assert words is not None
                predicted_rows = ItemRows.of(snap_all(predicted, words)[0].items())
        except AnnotatorError as exc:
            raise ImportFailed(f"{where}: {exc}") from None
        article = Article(record.ext_id or _derived_id(record.text), record.text, record.meta)
        row = ArticleRow.of(article, derived=(*early.hashes, store.encode_tokens(tokens)))
        record.tokens = None
        yield _Prepared(where, record, row, items, predicted_rows, snapped)


def _labelled(record: Record, where: str, policy: LabelPolicy, options: Options, notes: Notes) -> Record:
    """The record as it will be stored: of the kind --as says, its labels mapped and known."""
    if record.annotation is None:
        return record
    if options.kind is not None and options.kind != record.source:
        record = replace(record, source=options.kind)
        if options.kind != "annotator":
            record.annotator = None
        if options.kind == "model":
            record.status = "draft"
    if record.source == "annotator" and not (record.annotator or options.annotator):
        raise Invalid('an annotator record needs "annotator": pass --annotator NAME, or --as gold (or model)')
    assert record.annotation is not None  # replace() keeps it
    record.annotation = policy.apply(record.annotation, where, notes, record.lines)
    return record


def _store(db: Database, prepared: _Prepared, policy: LabelPolicy, options, report, made_by: str | None) -> None:
    """Phase two, inside the write transaction: the article (found or added) and the record's sets."""
    record = prepared.record
    items: Annotation | ItemRows | None = prepared.items
    predicted: Annotation | ItemRows | None = prepared.predicted
    # Spans were snapped to the record's tokens when prepared; only an article stored before
    # (its own tokens, perhaps its own spelling) makes them move again, under the lock.
    try:
        new = prepared.article
        found = store.locate_article(db, new.ext_id, new.text, new.hashes)
        if found is None:
            article_id = store.insert_article(db, new)
            report.articles_new += 1
        else:
            assert found.id is not None
            article_id = found.id
            report.articles_existing += 1
            if found.text != record.text:  # the same article, spelled otherwise: spans move onto the stored text
                if items is not None:
                    items = remap(_annotation(items), record.text, found.text)
                if predicted is not None:
                    predicted = remap(_annotation(predicted), record.text, found.text)
        stored = None if found is None else Tokens(found.tokens, found.text)
        if items is not None:
            _store_set(db, article_id, record, items, stored, policy, options)
            report.sets += 1
            report.snapped += prepared.snapped
        if predicted is not None and _may_predict(db, article_id):
            if stored is not None:
                predicted, _ = snap_all(_annotation(predicted), stored)
            store.put_set(db, article_id, "model", None, predicted, action="preannotate", model=made_by)
            report.predicted += 1
    except AnnotatorError as exc:
        raise ImportFailed(f"{prepared.where}: {exc}") from None


def _may_predict(db: Database, article_id: int) -> bool:
    """Predictions are made for an article that has none, and replaced only while nobody has opened it
    (an annotator's set started from the ones it has)."""
    return store.find_set(db, article_id, "model") is None or not store.is_opened(db, article_id)


def _annotation(items: Annotation | ItemRows) -> Annotation:
    return items.annotation() if isinstance(items, ItemRows) else items


def _store_set(
    db, article_id: int, record: Record, items: Annotation | ItemRows, tokens: Tokens | None, policy, options
) -> None:
    """The record's set, its items as prepared (model sets' as suggestions already), on a new article as
    they are, on one stored before snapped to its tokens and checked against its text."""
    assert record.source is not None  # a record with a set
    if tokens is not None:  # an article stored before: its tokens, its text
        annotation = snap_all(_annotation(items), tokens)[0]
        check(annotation, store.get_article_text(db, article_id), policy.allowed())
        items = annotation
    user_id = None
    if record.source == "annotator":
        name = record.annotator or options.annotator
        assert name  # checked when prepared
        user_id = store.user_for_import(db, name).id
    store.put_set(db, article_id, record.source, user_id, items, status=record.status or "draft")


def span_bounds(annotation: Annotation) -> tuple[np.ndarray, np.ndarray]:
    """The starts and the ends of every span of every item, as arrays (for `Tokens.keeps`)."""
    spans = [span for item in annotation.items() for _, span in item.spans]
    return np.array([s.start for s in spans], dtype=np.int64), np.array([s.end for s in spans], dtype=np.int64)


def snap_all(annotation: Annotation, tokens: Tokens) -> tuple[Annotation, int]:
    """Every span snapped to whole tokens, and how many had to move."""
    if tokens.keeps(*span_bounds(annotation)):
        return annotation, 0
    items, moved = [], 0
    snap = tokens.snap
    for item in annotation.items():
        # Most spans of a file already lie on token boundaries: an item is copied only when one moves.
        snapped = tuple((role, snap(span.start, span.end)) for role, span in item.spans)
        if snapped == item.spans:
            items.append(item)
            continue
        moved += sum(new != (role, old) for new, (role, old) in zip(snapped, item.spans))
        items.append(replace(item, spans=snapped))
    return (Annotation.of(items), moved) if moved else (annotation, 0)


def _derived_id(text: str) -> str:
    return "a-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
