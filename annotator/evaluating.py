"""How good a model version is: its predictions on gold it did not train on, scored as one more annotator.

The version runs over every gold article it did not train on (its held-out dev articles and gold
made since); each article becomes an agreement Document with two annotators, "gold" and "model",
and `agreement.report` scores each layer, gold as the reference (it sorts first): span precision,
recall and F1 by exact and by overlap match, per label; for quotes the share of matched quotes
(matched by content overlap) with the right speaker, cue and source, for events with the right
type and actors. The result is kept on the version, for the review page's "model vs gold".
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from sqlite_utils import Database

from . import agreement, store, training
from .config import Project
from .errors import Invalid, NotFound
from .evaluation import Evaluation, figures
from .importing import snap_all
from .model import LAYER_NAMES, Annotation, Article, Tokens
from .nlp import pipeline as nlp_pipeline

GOLD, MODEL = "gold", "model"  # annotator names: gold sorts first, so it is the reference
BATCH = 64


def _version(db: Database, name: str | None) -> store.ModelVersion:
    version = store.get_model_version(db, name) if name else store.latest_model_version(db)
    if version is None:
        if name:
            raise NotFound(f"there is no model version named {name!r}")
        raise NotFound("no model version is registered yet; train one with `annotator train`")
    return version


def _held_out_gold(db: Database, trained_on: set[int]) -> Iterator[tuple[Article, Annotation]]:
    for article, _found, annotation in store.iter_sets(db, "gold"):
        if article.id not in trained_on:
            yield article, annotation


def documents(db: Database, project: Project, version: store.ModelVersion) -> tuple[list[agreement.Document], int]:
    """Agreement documents (gold and the version's predictions) of the held-out gold, and how many were skipped."""
    trained_on = store.model_articles(db, version.name, "train")
    path, _ = training.resolve_model(db, version.name)
    pipe = nlp_pipeline.load(path, project)
    gold = _held_out_gold(db, trained_on)
    found: list[agreement.Document] = []
    while batch := list(islice(gold, BATCH)):
        predicted = nlp_pipeline.predict(pipe, project, [article.text for article, _ in batch])
        for (article, annotation), (_, prediction) in zip(batch, predicted):
            prediction, _ = snap_all(prediction, Tokens(article.tokens, article.text))
            found.append(
                agreement.Document(article.ext_id, article.text, article.tokens, {GOLD: annotation, MODEL: prediction})
            )
    skipped = sum(1 for article, _, _ in store.iter_sets(db, "gold") if article.id in trained_on)
    return found, skipped


def evaluate(db: Database, project: Project, name: str | None = None) -> Evaluation:
    """Score the named version (default: the latest) on the gold it did not train on, and keep the result on it."""
    version = _version(db, name)
    docs, skipped = documents(db, project, version)
    if not docs:
        raise Invalid(f"there is no gold article that {version.name!r} did not train on; make more gold first")
    # a layer nobody annotated in gold (PolNeAR has quotes only) has nothing to score the model against:
    # its precision would read 0 over every prediction, which says nothing about the model
    scored = [layer for layer in LAYER_NAMES if any(doc.annotations[GOLD].layer(layer) for doc in docs)]
    layers = [
        figures(agreement.report(docs, layer, project.schemes[layer].names), layer in version.layers)
        for layer in scored
    ]
    unscored = [layer for layer in LAYER_NAMES if layer not in scored]
    result = Evaluation(version.name, len(docs), skipped, layers, unscored)
    store.set_evaluation(db, version.name, result.to_json())
    return result
