"""Agreement over the database: the stored submitted annotations fed to `agreement.report`,
and what each annotator did with the model's suggestions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from sqlite_utils import Database

from . import agreement, store
from .config import LAYERS, Project
from .model import ORIGINS


def documents(db: Database) -> Iterator[agreement.Document]:
    """Every article with a submitted annotation, as agreement input (streamed from the store)."""
    for article, by_annotator in store.iter_submitted(db):
        yield agreement.Document(article.ext_id, article.text, article.tokens, by_annotator)


def without_untouched(docs: Sequence[agreement.Document], layer: str) -> list[agreement.Document]:
    """The documents with one layer's suggestions nobody looked at left out (the other layers
    stay whole, so links still find their entities)."""
    return [
        agreement.Document(
            d.id, d.text, d.tokens, {name: a.without_untouched(layer) for name, a in d.annotations.items()}
        )
        for d in docs
    ]


def reports(
    db: Database, project: Project, layers: Sequence[str] = LAYERS, *, touched_only: bool = False
) -> list[agreement.LayerReport]:
    """One agreement report per layer, over the same documents; `touched_only` counts only what a
    person accepted, changed or added."""
    return reports_of(list(documents(db)), project, layers, touched_only=touched_only)


def reports_of(
    docs: Sequence[agreement.Document], project: Project, layers: Sequence[str] = LAYERS, *, touched_only: bool = False
) -> list[agreement.LayerReport]:
    """`reports` over documents already read."""
    return [
        agreement.report(without_untouched(docs, layer) if touched_only else docs, layer, project.schemes[layer].names)
        for layer in layers
    ]


def origins(docs: Sequence[agreement.Document]) -> dict[str, Counter[str]]:
    """How many items of each origin every annotator's submitted annotations hold, by annotator name."""
    found: dict[str, Counter[str]] = {}
    for doc in docs:
        for name, annotation in doc.annotations.items():
            tally = found.setdefault(name, Counter(dict.fromkeys(ORIGINS, 0)))
            tally.update(item.origin for item in annotation.items())
    return dict(sorted(found.items()))
