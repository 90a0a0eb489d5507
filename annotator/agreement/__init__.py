"""Inter-annotator agreement of one layer over many documents, as one JSON-ready report.

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

`report(documents, layer)` returns (NaN, i.e. undefined, is None throughout):

    layer               "entity" | "quote" | "event"
    documents           documents used (two or more annotations)
    documents_skipped   documents with fewer than two
    annotators          names, sorted; the order of every matrix below
    tokens              word tokens pooled over the documents used
    labels              span labels: those given, then any others seen, sorted
    token_alpha         Krippendorff's alpha (nominal) over all tokens; None when
                        undefined (fewer than two ratings of a token, or a single
                        value throughout - the `krippendorff` package raises or
                        returns NaN there)
    kappa               {"mean": mean of the defined pairwise kappas,
                         "matrix": annotators × annotators Cohen's kappa on the
                         tokens both rated; None on the diagonal and for pairs
                         sharing no document}
    span_f1             {"exact": F1, "overlap": F1}, micro over every label and pair
    f1_matrix           {"exact": [[…]], "overlap": [[…]]}, pairwise, like kappa's matrix
    per_label           {label: {"precision", "recall", "f1" (overlap match),
                         "exact_precision", "exact_recall", "exact_f1",
                         "support" (spans with the label, all annotators)}};
                         pooled over pairs, the first of each pair (by name)
                         taken as reference, which only precision and recall
                         depend on
    pairs               [{"a", "b", "documents", "tokens", "kappa", "precision",
                         "recall", "f1", "exact_f1"}] for each pair sharing a document
    per_document        [{"id", "annotators", "tokens", "token_alpha",
                         "span_f1", "exact_f1" (means over the document's pairs)}],
                         worst first: by token_alpha, then span_f1 (None last), then id
    confusion           {"labels": ["none", …token values], "matrix": counts of
                         (value by a, value by b) over tokens, summed over pairs a < b}
    attribution         quotes only: {"matched", "speaker", "cue", "source", "type",
                         "pairs": [{"a", "b", "matched", "speaker"}]}
    type_agreement      events only: {"matched", "type", "source_actor",
                         "target_actor", "pairs": [{"a", "b", "matched", "type"}]}

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
from dataclasses import dataclass, field

import numpy as np

from annotator.model import LAYER_NAMES, Annotation, layer_of

from . import spans as span_metrics
from .tokens import (
    MISSING,
    NONE,
    alpha,
    cohen_kappa,
    confusion,
    document_alphas,
    kappa_from_confusion,
    token_codes,
    value_labels,
    word_offsets,
)

LAYERS = LAYER_NAMES
# The report's section on link agreement, by layer: its key and headline figure.
LINK_REPORTS = {"quote": ("attribution", "speaker"), "event": ("type_agreement", "type")}


def link_keys(layer: str) -> tuple[str, ...]:
    """What link agreement counts for a layer: the type, each link, each further span role."""
    kind = layer_of(layer)
    return ("type", *kind.links, *kind.roles[1:])
__all__ = [
    "LAYERS", "NONE", "Document", "Ratings", "TokenScores", "SpanScores", "report", "ratings",
    "token_scores", "span_scores", "alpha", "cohen_kappa", "document_alphas",
]


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


def _labels(documents: Sequence[Document], layer: str, given: Iterable[str] | None) -> list[str]:
    seen = {item.label for d in documents for a in d.annotations.values() for item in a.layer(layer)}
    first = list(dict.fromkeys(given or ()))
    return first + sorted(seen - set(first))


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


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _mean(xs: Iterable[float]) -> float:
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
        out.document_f1.append((_mean(f1s), _mean(exact)))
    return out


def report(documents: Iterable[Document], layer: str, labels: Sequence[str] | None = None) -> dict:
    """Agreement of one layer over the documents, as the JSON-ready dict the module docstring describes."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; use entity, quote or event")
    given = list(documents)
    used = [d for d in given if len(d.annotations) >= 2]
    labels = _labels(used, layer, labels)
    r = ratings(used, layer, labels)
    names, m = r.annotators, len(r.annotators)
    tokens = token_scores(r)
    spans = span_scores(used, layer, names)
    shared = sorted(spans.tally)  # the pairs sharing a document
    total = span_metrics.Tally()
    for t in spans.tally.values():
        total.add(t)
    doc_tokens = np.bincount(r.doc, minlength=len(used))
    per_document = [
        {"id": d.id, "annotators": sorted(d.annotations), "tokens": int(doc_tokens[k]),
         "token_alpha": _num(tokens.document_alpha[k]), "span_f1": _num(f1), "exact_f1": _num(exact)}
        for k, (d, (f1, exact)) in enumerate(zip(used, spans.document_f1))
    ]
    result = {
        "layer": layer,
        "documents": len(used),
        "documents_skipped": len(given) - len(used),
        "annotators": names,
        "tokens": int(r.codes.shape[1]),
        "labels": labels,
        "token_alpha": _num(tokens.alpha),
        "kappa": {"mean": _num(_mean(tokens.kappa.values())), "matrix": _matrix(m, tokens.kappa)},
        "span_f1": {"exact": _num(total.scores(exact=True)[2]), "overlap": _num(total.scores()[2])},
        "f1_matrix": {
            "exact": _matrix(m, {p: t.scores(exact=True)[2] for p, t in spans.tally.items()}),
            "overlap": _matrix(m, {p: t.scores()[2] for p, t in spans.tally.items()}),
        },
        "per_label": {label: _label_scores(total, label, spans.support[label]) for label in labels},
        "pairs": [_pair(names, p, spans, tokens) for p in shared],
        "per_document": sorted(per_document, key=_worst_first),
        "confusion": {
            "labels": r.values,
            "matrix": sum(tokens.confusion.values(), np.zeros((len(r.values),) * 2, dtype=np.int64)).tolist(),
        },
    }
    if layer in LINK_REPORTS:
        key, headline = LINK_REPORTS[layer]
        result[key] = _links(names, shared, spans.links, link_keys(layer), headline)
    return result


def _worst_first(entry: dict) -> tuple:
    def low(x: float | None) -> float:
        return math.inf if x is None else x

    return (low(entry["token_alpha"]), low(entry["span_f1"]), entry["id"])


def _matrix(m: int, by_pair: dict[tuple[int, int], float]) -> list[list[float | None]]:
    grid: list[list[float | None]] = [[None] * m for _ in range(m)]
    for (i, j), x in by_pair.items():
        grid[i][j] = grid[j][i] = _num(x)
    return grid


def _label_scores(total: span_metrics.Tally, label: str, support: int) -> dict:
    p, r, f = total.scores([label])
    ep, er, ef = total.scores([label], exact=True)
    return {
        "precision": _num(p), "recall": _num(r), "f1": _num(f),
        "exact_precision": _num(ep), "exact_recall": _num(er), "exact_f1": _num(ef), "support": int(support),
    }


def _pair(names: Sequence[str], p: tuple[int, int], spans: SpanScores, tokens: TokenScores) -> dict:
    t = spans.tally[p]
    precision, recall, f1 = t.scores()
    return {
        "a": names[p[0]], "b": names[p[1]], "documents": int(spans.documents[p]),
        "tokens": int(tokens.confusion[p].sum()), "kappa": _num(tokens.kappa[p]),
        "precision": _num(precision), "recall": _num(recall), "f1": _num(f1),
        "exact_f1": _num(t.scores(exact=True)[2]),
    }


def _links(
    names: Sequence[str], shared: Sequence[tuple[int, int]], links: dict[tuple[int, int], Counter],
    keys: Sequence[str], headline: str,
) -> dict:
    total: Counter = Counter()
    for p in shared:
        total.update(links.get(p, Counter()))
    out: dict = {"matched": int(total["matched"])}
    out.update({k: _num(span_metrics.ratio(total[k], total["matched"])) for k in keys})
    out["pairs"] = []
    for i, j in shared:
        counts = links.get((i, j), Counter())
        out["pairs"].append({
            "a": names[i], "b": names[j], "matched": int(counts["matched"]),
            headline: _num(span_metrics.ratio(counts[headline], counts["matched"])),
        })
    return out
