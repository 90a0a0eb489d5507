"""Token-level agreement: each word token's value per annotator, Krippendorff's alpha, Cohen's kappa.

Ratings are an (annotators × units) integer matrix of value codes, -1 where the
annotator gave none (the article was not theirs or not submitted). Every figure
comes from `np.bincount` over codes, a few passes per pair of annotators and
chunk of units: time grows linearly with the number of tokens and the scratch
memory is bounded by the chunk size, whatever the number of tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

import numpy as np

from annotator.model import Annotation, Span, layer_of

NONE = "none"
MISSING = -1
CHUNK = 1 << 18  # units per pass; bounds the scratch arrays (a few MB) at any number of units

# Whether a code point is one str.isspace() accepts; all of them lie at or below U+3000, and the
# last entry (False) stands for every code point above.
_IS_SPACE = np.array([chr(c).isspace() for c in range(0x3001)] + [False])


def word_offsets(text: str, tokens: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the word tokens: those holding a character other than whitespace."""
    flat = chain.from_iterable(tokens)
    offsets = np.fromiter(flat, dtype=np.int64, count=2 * len(tokens)).reshape(-1, 2)
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    # Non-space characters before each offset; a word token holds at least one of them.
    solid = np.concatenate(([0], np.cumsum(~_IS_SPACE[np.minimum(chars, len(_IS_SPACE) - 1)])))
    starts, ends = offsets[:, 0], offsets[:, 1]
    words = solid[ends] > solid[starts]
    return starts[words], ends[words]


def layer_spans(annotation: Annotation, layer: str) -> Iterator[tuple[str, Span]]:
    """(value, span) of a layer in the order they are painted onto tokens (later wins).

    A layer with painted roles (quotes) gives each span's role, in the layer's painting
    order; any other its items' labels over their main spans, the one sorting last by
    (span, label) winning where two overlap.
    """
    kind = layer_of(layer)
    if kind.painted_roles:
        for role in kind.painted_roles:
            for item in annotation.layer(layer):
                for span in item.parts(role):
                    yield role.upper(), span
        return
    for item in sorted(annotation.layer(layer), key=lambda i: (i.main, i.label)):
        for span in item.parts(kind.main):
            yield item.label, span


def token_codes(
    annotation: Annotation, layer: str, starts: np.ndarray, ends: np.ndarray, codes: dict[str, int]
) -> np.ndarray:
    """The value code of every word token: the layer's label covering it, or 0 ("none")."""
    values = np.zeros(len(starts), dtype=np.int32)
    painted = list(layer_spans(annotation, layer))
    if not painted:
        return values
    # A token is covered when it shares a character with the span: it ends after the start, starts before the end.
    firsts = np.searchsorted(ends, [span.start for _, span in painted], side="right").tolist()
    lasts = np.searchsorted(starts, [span.end for _, span in painted], side="left").tolist()
    for (value, _), first, last in zip(painted, firsts, lasts):
        values[first:last] = codes[value]
    return values


def _chunks(n: int) -> Iterator[slice]:
    for lo in range(0, n, CHUNK):
        yield slice(lo, min(lo + CHUNK, n))


def _pairs(n: int) -> Iterator[tuple[int, int]]:
    return ((i, j) for i in range(n) for j in range(i + 1, n))


def _n_values(codes: np.ndarray, n_values: int | None) -> int:
    return int(codes.max(initial=0)) + 1 if n_values is None else n_values


def coincidences(codes: np.ndarray, n_values: int | None = None) -> np.ndarray:
    """Krippendorff's coincidence matrix (values × values) of an annotators × units code matrix."""
    codes = np.asarray(codes)
    n_coders, n_units = codes.shape
    v = _n_values(codes, n_values)
    # Counted exactly as integers per (coders in unit, value a, value b), divided by m - 1 at the end.
    counts = np.zeros((n_coders + 1) * v * v, dtype=np.int64)
    for part in _chunks(n_units):
        block = codes[:, part]
        present = block >= 0
        coders = present.sum(axis=0)
        for i, j in _pairs(n_coders):
            both = present[i] & present[j]
            key = (coders[both].astype(np.int64) * v + block[i, both]) * v + block[j, both]
            counts += np.bincount(key, minlength=counts.size)
    by_coders = counts.reshape(n_coders + 1, v, v)[2:].astype(np.float64)
    half = (by_coders / np.arange(1, n_coders).reshape(-1, 1, 1)).sum(axis=0)
    return half + half.T  # each unordered pair of coders gives both ordered pairs


def alpha_from_coincidences(o: np.ndarray) -> float:
    """Nominal alpha from a coincidence matrix; NaN when undefined (no pairable values, no variation)."""
    n_v = o.sum(axis=0)
    n = n_v.sum()
    expected = n * n - (n_v * n_v).sum()  # (n - 1) × expected disagreement
    if n <= 1 or expected <= 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * (n - np.trace(o)) / expected)


def alpha(codes: np.ndarray, n_values: int | None = None) -> float:
    """Krippendorff's alpha (nominal) of an annotators × units code matrix, -1 = missing."""
    return alpha_from_coincidences(coincidences(codes, n_values))


def document_alphas(codes: np.ndarray, doc: np.ndarray, n_docs: int, n_values: int | None = None) -> np.ndarray:
    """Nominal alpha of each document's units (doc[u] = document index of unit u); NaN where undefined."""
    codes = np.asarray(codes)
    n_coders, n_units = codes.shape
    v = _n_values(codes, n_values)
    pairable = np.zeros(n_docs * v, dtype=np.int64)  # pairable values per (document, value): n_v
    agreeing = np.zeros(n_docs * (n_coders + 1), dtype=np.int64)  # agreeing coder pairs per (document, m)
    for part in _chunks(n_units):
        block, docs = codes[:, part], doc[part].astype(np.int64)
        present = block >= 0
        coders = present.sum(axis=0)
        for i in range(n_coders):
            sel = present[i] & (coders >= 2)
            pairable += np.bincount(docs[sel] * v + block[i, sel], minlength=pairable.size)
        for i, j in _pairs(n_coders):
            sel = present[i] & present[j] & (block[i] == block[j])
            agreeing += np.bincount(docs[sel] * (n_coders + 1) + coders[sel], minlength=agreeing.size)
    n_dv = pairable.reshape(n_docs, v).astype(np.float64)
    n = n_dv.sum(axis=1)
    trace = 2 * (agreeing.reshape(n_docs, n_coders + 1)[:, 2:] / np.arange(1, n_coders)).sum(axis=1)
    expected = n * n - (n_dv * n_dv).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = 1.0 - (n - 1.0) * (n - trace) / expected
    return np.where((n > 1) & (expected > 0), result, np.nan)


def confusion(a: np.ndarray, b: np.ndarray, n_values: int) -> np.ndarray:
    """Counts of (a's value, b's value) over the units both rated."""
    both = (a >= 0) & (b >= 0)
    key = a[both].astype(np.int64) * n_values + b[both]
    return np.bincount(key, minlength=n_values * n_values).reshape(n_values, n_values)


def kappa_from_confusion(c: np.ndarray) -> float:
    """Cohen's kappa from a confusion matrix; NaN when undefined (no units, or one value only)."""
    c = c.astype(np.float64)
    n = c.sum()
    if n == 0:
        return float("nan")
    expected = n - (c.sum(axis=0) * c.sum(axis=1)).sum() / n  # expected disagreeing units
    if expected <= 0:
        return float("nan")
    return float(1.0 - (n - np.trace(c)) / expected)


def cohen_kappa(a: np.ndarray, b: np.ndarray, n_values: int | None = None) -> float:
    """Cohen's kappa of two annotators' code vectors over the units both rated (-1 = missing)."""
    a, b = np.asarray(a), np.asarray(b)
    v = int(max(a.max(initial=0), b.max(initial=0))) + 1 if n_values is None else n_values
    return kappa_from_confusion(confusion(a, b, v))


def value_labels(layer: str, labels: Iterable[str]) -> list[str]:
    """The token values of a layer, "none" first (code 0)."""
    painted = layer_of(layer).painted_roles
    return [NONE, *([role.upper() for role in painted] if painted else labels)]
