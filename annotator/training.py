"""Train a model version on the team's gold and register it; find a registered version by name.

`train` reads the gold sets (or the annotators' submitted sets) of every article, holds out a
fixed share of the articles for dev (by a hash of the article id: an article is held out by
every version, so versions compare on the same ground), trains the asked layers with spaCy's
loop (annotator.nlp.training) and registers the result under a name, with the articles it
trained on and held out. The version's folder is `models/NAME/` beside the database:
`pipeline/` (what pre-annotation loads), `config.cfg` (the spaCy training config as run) and
`corpus/` (the data it saw).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from sqlite_utils import Database

from . import store
from .errors import Conflict, Invalid, NotFound
from .model import LAYER_NAMES, TRAINING_SOURCES
from .nlp import pipeline as nlp_pipeline
from .nlp.training import corpus, run
from .nlp.training.config import Settings

SOURCES = TRAINING_SOURCES
MODELS = "models"
DEV_PERCENT = 10
SAVING_MINUTES = 1.0  # what putting the trained components into the base pipeline and writing it takes
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass
class Trained:
    """A registered version and what the run has to say about it."""

    version: store.ModelVersion
    notes: list[str] = field(default_factory=list)


def models_folder(db: Database) -> Path:
    """The models/ folder beside the database file."""
    return store.database_folder(db) / MODELS


def held_out(ext_id: str, percent: int = DEV_PERCENT) -> bool:
    """Whether an article is in the dev share: the first 8 hex digits of sha256(its id), mod 100, below `percent`."""
    return int(hashlib.sha256(ext_id.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


def split_description(percent: int = DEV_PERCENT) -> str:
    return f"dev: articles with int(sha256(id)[:8], 16) % 100 < {percent} (the lowest such hash when none is)"


def resolve_model(db: Database, name: str) -> tuple[str, str | None]:
    """What to load for a model name: an installed spaCy pipeline by that name or path, else a registered
    version's pipeline folder (and the version's name), else the name itself (which then fails to load)."""
    return choose_model(name, store.registered_model(db, name))


def choose_model(name: str, registered: tuple[Path, str] | None) -> tuple[str, str | None]:
    """`resolve_model` once the database has told what it knows of the name (`store.registered_model`):
    for a process without the database (an import's tokenizing process)."""
    if nlp_pipeline.is_installed(name) or registered is None:
        return name, None
    path, version = registered
    if not path.is_dir():
        raise NotFound(f"model version {name!r} has no pipeline at {path} (was models/ moved without the database?)")
    return str(path), version


def _documents(db: Database, source: str) -> Iterator[tuple[int, corpus.Document]]:
    kind, submitted = ("gold", False) if source == "gold" else ("annotator", True)
    for article, _found, annotation in store.iter_sets(db, kind, submitted_only=submitted):
        assert article.id is not None  # stored articles have ids
        yield article.id, corpus.Document(article.ext_id, article.text, article.tokens, annotation)


def _split(documents: list[tuple[int, corpus.Document]]) -> tuple[list, list]:
    dev = [(i, d) for i, d in documents if held_out(d.id)]
    if not dev:  # few articles: hold out the one with the lowest hash, so there is always a dev set
        lowest = min(documents, key=lambda pair: hashlib.sha256(pair[1].id.encode("utf-8")).hexdigest())
        dev = [pair for pair in documents if pair[1].id == lowest[1].id]
    dev_ids = {i for i, _ in dev}
    return [(i, d) for i, d in documents if i not in dev_ids], dev


def _eval_frequency(documents: Sequence[tuple[int, corpus.Document]]) -> int:
    """Evaluate about once an epoch (at most every 200 steps): small data gets its best model picked too."""
    words = sum(1 for _, d in documents for s, e in d.tokens if not d.text[s:e].isspace())
    return max(5, min(200, words // Settings.batch_words))


def default_name(db: Database, layers: Sequence[str]) -> str:
    """LAYER-DATE-N, the first N not taken."""
    stem = f"{'all' if len(layers) > 1 else layers[0]}-{date.today().isoformat()}"
    n = 1
    while store.get_model_version(db, f"{stem}-{n}") is not None:
        n += 1
    return f"{stem}-{n}"


def train(
    db: Database,
    *,
    layer: str = "all",
    source: str = "gold",
    base: str = "en_core_web_sm",
    name: str | None = None,
    max_minutes: float = 30,
    stdout: IO | None = None,
) -> Trained:
    """Train the layer(s) on the stored sets and register the version (see the module docstring)."""
    if source not in SOURCES:
        raise Invalid(f"train from gold or submitted, not {source!r}")
    asked = list(LAYER_NAMES) if layer == "all" else [layer]
    if any(found not in LAYER_NAMES for found in asked):
        raise Invalid(f"unknown layer {layer!r}; use entity, quote, event or all")
    name = _new_name(db, name or default_name(db, asked))
    base_path, _ = resolve_model(db, base)
    try:
        has_ner = "ner" in nlp_pipeline.load_base(base_path).pipe_names
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    documents = list(_documents(db, source))
    layers, notes = _learnable(asked, documents, "gold sets" if source == "gold" else "submitted annotations")
    train_docs, dev_docs = _split(documents)
    started = time.monotonic()
    folder = models_folder(db) / name
    try:
        base_name = nlp_pipeline.installed_name(base_path)
        run.prepare(folder, base_name, [d for _, d in train_docs], [d for _, d in dev_docs])
        # The loop gets what the analysis left of the budget, less a minute for saving the pipeline
        # (at least half a minute: one evaluation's worth).
        left = max(0.5, max_minutes - (time.monotonic() - started) / 60 - SAVING_MINUTES)
        settings = Settings(tuple(layers), base_name, has_ner, left, eval_frequency=_eval_frequency(train_docs))
        result = run.train(folder, settings, stdout=stdout or sys.stdout)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    version = store.ModelVersion(
        name=name,
        path=str(result.pipeline.relative_to(store.database_folder(db))),
        base=base,
        layers=tuple(layers),
        source=source,
        train_documents=len(train_docs),
        dev_documents=len(dev_docs),
        split=split_description(),
        scores=result.scores,
        minutes=round((time.monotonic() - started) / 60, 2),
    )
    articles = {i: "train" for i, _ in train_docs} | {i: "dev" for i, _ in dev_docs}
    return Trained(store.add_model_version(db, version, articles), notes)


def _new_name(db: Database, name: str) -> str:
    """The name, when a new version may take it."""
    if not _NAME.fullmatch(name):
        raise Invalid(f"a model name is letters, digits, '.', '_' and '-' (up to 64), not {name!r}")
    if nlp_pipeline.is_installed(name):
        raise Invalid(f"{name!r} is the name of an installed spaCy pipeline; choose another name")
    if store.get_model_version(db, name) is not None or (models_folder(db) / name).exists():
        raise Conflict(f"a model version named {name!r} exists already")
    return name


def _learnable(
    asked: Sequence[str], documents: Sequence[tuple[int, corpus.Document]], what: str
) -> tuple[list[str], list[str]]:
    """The asked layers the sets have items of, and a note for each one they have none of."""
    if len(documents) < 2:
        raise Invalid(f"training needs two articles with {what} or more (one is held out); there are {len(documents)}")
    layers = [layer for layer in asked if any(d.annotation.layer(layer) for _, d in documents)]
    if not layers:
        raise Invalid(f"the {what} hold no {' or '.join(asked)} items to learn from")
    notes = [f"no {skipped} in the {what}: left as the rules make them" for skipped in asked if skipped not in layers]
    return layers, notes
