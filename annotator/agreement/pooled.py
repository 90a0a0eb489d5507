"""Agreement over many documents pooled: the input `Document`, the annotators × tokens ratings
matrix of a layer and its token scores, and the span tallies of every pair of annotators.

`report()` (the package) turns these into the report's figures.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from annotator.model import Annotation, layer_of

from . import spans as span_metrics
from .tokens import (
    MISSING,
    alpha,
    confusion,
    document_alphas,
    kappa_from_confusion,
    token_codes,
    value_labels,
    word_offsets,
)

# The report's section on link agreement, by layer: its key and headline figure.
LINK_REPORTS = {"quote": ("attribution", "speaker"), "event": ("type_agreement", "type")}


def link_keys(layer: str) -> tuple[str, ...]:
    """What link agreement counts for a layer: the type, each link, each further span role."""
    kind = layer_of(layer)
    return ("type", *kind.links, *kind.roles[1:])


@dataclass(frozen=True)
class Document:
    """One article for agreement: text, all token offsets, and each submitting annotator's annotation."""

    id: str
    text: str
    tokens: Sequence[tuple[int, int]]
    annotations: dict[str, Annotation]


@dataclass
class Ratings:
    """The pooled token values of one layer: codes[annotator, token], -1 where missing."""

    codes: np.ndarray
    doc: np.ndarray  # document index of each token
    values: list[str]  # value of each code
    annotators: list[str]
    n_docs: int


@dataclass
class TokenScores:
    """What the token matrix gives: alpha overall and per document, and per pair (i < j) kappa and confusion."""

    alpha: float
    document_alpha: np.ndarray
    kappa: dict[tuple[int, int], float]
    confusion: dict[tuple[int, int], np.ndarray]


def ratings(documents: Sequence[Document], layer: str, labels: Sequence[str]) -> Ratings:
    """The annotators × tokens code matrix of one layer over the documents, in their order."""
    annotators = sorted({name for d in documents for name in d.annotations})
    row = {name: i for i, name in enumerate(annotators)}
    values = value_labels(layer, labels)
    code = {value: i for i, value in enumerate(values)}
    words = [word_offsets(d.text, d.tokens) for d in documents]
    sizes = np.array([len(starts) for starts, _ in words], dtype=np.int64)
    codes = np.full((len(annotators), int(sizes.sum())), MISSING, dtype=np.int32)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    for k, (d, (starts, ends)) in enumerate(zip(documents, words)):
        for name, annotation in d.annotations.items():
            codes[row[name], bounds[k] : bounds[k + 1]] = token_codes(annotation, layer, starts, ends, code)
    doc = np.repeat(np.arange(len(documents), dtype=np.int32), sizes)
    return Ratings(codes, doc, values, annotators, len(documents))


def token_scores(r: Ratings) -> TokenScores:
    """Every token-level figure of a ratings matrix, each from a few bincounts per pair of annotators."""
    v, m = len(r.values), len(r.annotators)
    conf = {(i, j): confusion(r.codes[i], r.codes[j], v) for i in range(m) for j in range(i + 1, m)}
    return TokenScores(
        alpha=alpha(r.codes, v) if m >= 2 else math.nan,
        document_alpha=document_alphas(r.codes, r.doc, r.n_docs, v),
        kappa={p: kappa_from_confusion(c) for p, c in conf.items()},
        confusion=conf,
    )


def mean_defined(xs: Iterable[float]) -> float:
    """The mean of the defined (not NaN) values; NaN when there is none."""
    defined = [x for x in xs if not math.isnan(x)]
    return sum(defined) / len(defined) if defined else float("nan")


@dataclass
class SpanScores:
    """What span matching gives, per pair (i < j) of annotators and per document."""

    tally: dict[tuple[int, int], span_metrics.Tally] = field(default_factory=dict)
    documents: Counter = field(default_factory=Counter)  # documents each pair shares
    links: dict[tuple[int, int], Counter] = field(default_factory=dict)
    support: Counter = field(default_factory=Counter)  # spans per label, all annotators
    document_f1: list[tuple[float, float]] = field(default_factory=list)  # (overlap, exact) pairwise means


def span_scores(documents: Sequence[Document], layer: str, annotators: Sequence[str]) -> SpanScores:
    """Span F1 counts and link agreement of every pair of annotators on every document they share."""
    row = {name: i for i, name in enumerate(annotators)}
    out = SpanScores()
    for d in documents:
        ids = sorted(row[name] for name in d.annotations)
        us = {i: span_metrics.units(d.annotations[annotators[i]], layer) for i in ids}
        for i in ids:
            out.support.update(u.label for u in us[i])
        f1s, exact = [], []
        for i, j in ((i, j) for i in ids for j in ids if i < j):
            t = span_metrics.tally(us[i], us[j])
            out.tally.setdefault((i, j), span_metrics.Tally()).add(t)
            out.documents[(i, j)] += 1
            f1s.append(t.scores()[2])
            exact.append(t.scores(exact=True)[2])
            if layer in LINK_REPORTS:
                a, b = d.annotations[annotators[i]], d.annotations[annotators[j]]
                out.links.setdefault((i, j), Counter()).update(span_metrics.link_agreement(a, b, layer, d.text))
        out.document_f1.append((mean_defined(f1s), mean_defined(exact)))
    return out
