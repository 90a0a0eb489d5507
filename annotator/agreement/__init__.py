"""Inter-annotator agreement of one layer over many documents: `report()` gives a `LayerReport`.

Input: `Document`s, each with its text, its tokens (all of them, whitespace
included: only word tokens count) and the annotations of the annotators who
submitted it. A document with fewer than two is left out and counted; a
document an annotator did not submit is missing for them, never "none".

Token values (`tokens.py`): a word token's value is the label covering it (a
token is covered when it shares a character with the span): the entity label;
for quotes CONTENT, SOURCE or CUE, CUE winning over SOURCE over CONTENT; for
events the trigger's type; else "none". All documents' tokens are pooled.
Spans (`spans.py`): entities by span, quotes by their content spans, events by
trigger; the label is the entity label, quote type or event type.

The report's records, their fields and their JSON form (`to_json()`, what
`annotator agreement --json` prints) are in `results.py`. What the figures mean
(a figure the computation leaves undefined, NaN, is None):

- token alpha: Krippendorff's alpha (nominal) over all word tokens; undefined
  with fewer than two ratings of a token, or a single value throughout (the
  `krippendorff` package raises or returns NaN there).
- kappa: Cohen's kappa of each pair of annotators on the tokens both rated, and
  the mean of the defined ones.
- span F1: by exact and by overlap match, micro over every label and pair, and
  per pair of annotators sharing a document. Per label, precision, recall and F1
  are pooled over pairs, the first of each pair (by name) taken as reference,
  which only precision and recall depend on; support counts the spans with the
  label, all annotators.
- per document: token alpha, and span F1 as the mean over the document's pairs;
  the documents come worst first.
- confusion: counts of (value by a, value by b) over tokens, summed over pairs a < b.
- link agreement, quotes' attribution (speaker, cue, source, type) and events'
  type agreement (type, source actor, target actor): see below.

Attribution and type agreement match items by overlap regardless of label
(quotes by content), then give the share of matches that agree: the same type;
the same speaker or actor (both absent; or the linked entities' spans overlap,
or one's words are a run of the other's, "Khamenei" in "Ayatollah Ali
Khamenei", since entity ids differ between annotators and each may link another
mention); cue and source (both absent, or overlapping).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from annotator.model import LAYER_NAMES

from . import spans as span_metrics
from .pooled import (
    LINK_REPORTS,
    Document,
    Ratings,
    SpanScores,
    TokenScores,
    link_keys,
    mean_defined,
    ratings,
    span_scores,
    token_scores,
)
from .results import (
    Confusion,
    DocumentScores,
    F1Matrices,
    KappaScores,
    LabelScores,
    LayerReport,
    LinkAgreement,
    LinkPair,
    Matrix,
    PairScores,
    SpanF1,
)
from .tokens import NONE, alpha, cohen_kappa, document_alphas

LAYERS = LAYER_NAMES
__all__ = [
    "LAYERS",
    "NONE",
    "Document",
    "Ratings",
    "TokenScores",
    "SpanScores",
    "report",
    "ratings",
    "token_scores",
    "span_scores",
    "alpha",
    "cohen_kappa",
    "document_alphas",
    "LayerReport",
    "KappaScores",
    "SpanF1",
    "F1Matrices",
    "LabelScores",
    "PairScores",
    "DocumentScores",
    "Confusion",
    "LinkAgreement",
    "LinkPair",
]


def _labels(documents: Sequence[Document], layer: str, given: Iterable[str] | None) -> list[str]:
    seen = {item.label for d in documents for a in d.annotations.values() for item in a.layer(layer)}
    first = list(dict.fromkeys(given or ()))
    return first + sorted(seen - set(first))


def _num(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def report(documents: Iterable[Document], layer: str, labels: Sequence[str] | None = None) -> LayerReport:
    """Agreement of one layer over the documents; those with fewer than two annotations are counted, not used."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; use entity, quote or event")
    given = list(documents)
    used = [d for d in given if len(d.annotations) >= 2]
    all_labels = _labels(used, layer, labels)
    r = ratings(used, layer, all_labels)
    names, m = r.annotators, len(r.annotators)
    tokens = token_scores(r)
    spans = span_scores(used, layer, names)
    shared = sorted(spans.tally)  # the pairs sharing a document
    total = span_metrics.Tally()
    for t in spans.tally.values():
        total.add(t)
    return LayerReport(
        layer=layer,
        documents=len(used),
        documents_skipped=len(given) - len(used),
        annotators=names,
        tokens=int(r.codes.shape[1]),
        labels=all_labels,
        token_alpha=_num(tokens.alpha),
        kappa=KappaScores(mean=_num(mean_defined(tokens.kappa.values())), matrix=_matrix(m, tokens.kappa)),
        span_f1=SpanF1(exact=_num(total.scores(exact=True)[2]), overlap=_num(total.scores()[2])),
        f1_matrix=F1Matrices(
            exact=_matrix(m, {p: t.scores(exact=True)[2] for p, t in spans.tally.items()}),
            overlap=_matrix(m, {p: t.scores()[2] for p, t in spans.tally.items()}),
        ),
        per_label={label: _label_scores(total, label, spans.support[label]) for label in all_labels},
        pairs=[_pair(names, p, spans, tokens) for p in shared],
        per_document=_per_document(used, r, tokens, spans),
        confusion=Confusion(
            labels=r.values,
            matrix=sum(tokens.confusion.values(), np.zeros((len(r.values),) * 2, dtype=np.int64)).tolist(),
        ),
        links=_links(layer, names, shared, spans.links) if layer in LINK_REPORTS else None,
    )


def _per_document(used: Sequence[Document], r: Ratings, tokens: TokenScores, spans: SpanScores) -> list[DocumentScores]:
    """Each used document's scores, worst first."""
    doc_tokens = np.bincount(r.doc, minlength=len(used))
    found = [
        DocumentScores(
            id=d.id,
            annotators=sorted(d.annotations),
            tokens=int(doc_tokens[k]),
            token_alpha=_num(tokens.document_alpha[k]),
            span_f1=_num(f1),
            exact_f1=_num(exact),
        )
        for k, (d, (f1, exact)) in enumerate(zip(used, spans.document_f1))
    ]
    return sorted(found, key=_worst_first)


def _worst_first(entry: DocumentScores) -> tuple[float, float, str]:
    def low(x: float | None) -> float:
        return math.inf if x is None else x

    return (low(entry.token_alpha), low(entry.span_f1), entry.id)


def _matrix(m: int, by_pair: dict[tuple[int, int], float]) -> Matrix:
    grid: Matrix = [[None] * m for _ in range(m)]
    for (i, j), x in by_pair.items():
        grid[i][j] = grid[j][i] = _num(x)
    return grid


def _label_scores(total: span_metrics.Tally, label: str, support: int) -> LabelScores:
    p, r, f = total.scores([label])
    ep, er, ef = total.scores([label], exact=True)
    return LabelScores(
        precision=_num(p),
        recall=_num(r),
        f1=_num(f),
        exact_precision=_num(ep),
        exact_recall=_num(er),
        exact_f1=_num(ef),
        support=int(support),
    )


def _pair(names: Sequence[str], p: tuple[int, int], spans: SpanScores, tokens: TokenScores) -> PairScores:
    t = spans.tally[p]
    precision, recall, f1 = t.scores()
    return PairScores(
        a=names[p[0]],
        b=names[p[1]],
        documents=int(spans.documents[p]),
        tokens=int(tokens.confusion[p].sum()),
        kappa=_num(tokens.kappa[p]),
        precision=_num(precision),
        recall=_num(recall),
        f1=_num(f1),
        exact_f1=_num(t.scores(exact=True)[2]),
    )


def _links(
    layer: str, names: Sequence[str], shared: Sequence[tuple[int, int]], links: dict[tuple[int, int], Counter[str]]
) -> LinkAgreement:
    """The layer's link agreement section: over all pairs, and the headline figure per pair."""
    key, headline = LINK_REPORTS[layer]
    total: Counter[str] = Counter()
    for p in shared:
        total.update(links.get(p, Counter()))
    figures = {k: _num(span_metrics.ratio(total[k], total["matched"])) for k in link_keys(layer)}
    pairs = []
    for i, j in shared:
        counts = links.get((i, j), Counter())
        pairs.append(
            LinkPair(
                a=names[i],
                b=names[j],
                matched=int(counts["matched"]),
                headline=headline,
                agreement=_num(span_metrics.ratio(counts[headline], counts["matched"])),
            )
        )
    return LinkAgreement(key=key, headline=headline, matched=int(total["matched"]), figures=figures, pairs=pairs)
