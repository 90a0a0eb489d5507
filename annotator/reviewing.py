"""Agreement over the database: the stored submitted annotations fed to `agreement.report`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlite_utils import Database

from . import agreement, store
from .config import LAYERS, Project


def documents(db: Database) -> Iterator[agreement.Document]:
    """Every article with a submitted annotation, as agreement input (streamed from the store)."""
    for article, by_annotator in store.iter_submitted(db):
        yield agreement.Document(article.ext_id, article.text, article.tokens, by_annotator)


def reports(db: Database, project: Project, layers: Sequence[str] = LAYERS) -> list[agreement.LayerReport]:
    """One agreement report per layer, over the same documents."""
    docs = list(documents(db))
    return [agreement.report(docs, layer, project.schemes[layer].names) for layer in layers]
