"""Agreement over a million tokens × 3 annotators against the `krippendorff` package.

MISSION.md: no slower than the package alone on the same matrix, and bounded
memory. The matrix is seeded: six values, "none" dominant, annotators copying a
truth with noise, a tenth of the ratings missing. The package takes it as
floats with NaN for missing, ours as integer codes with -1; each input is built
before timing, so both are measured on their own work only. The last row times
every token figure of a report (alpha overall and per document, kappa and
confusion per pair) on the matrix of generated documents against the package's
alpha alone on that matrix; its note adds the whole report from the documents
(labels painted onto tokens, span matching) for scale.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable

import krippendorff
import numpy as np

from annotator import agreement
from annotator.agreement import Document
from annotator.model import Annotation, Item

from .common import Row, best_of

ANNOTATORS = ("alice", "bob", "carol")
LABELS = ("PERSON", "ORG", "GPE", "DATE", "CARDINAL")  # with "none": six token values
WORDS_PER_DOC = 500


def matrix(n_units: int, seed: int = 0) -> np.ndarray:
    """Annotators × units codes: a skewed truth, each annotator off on 15 %, 10 % missing (-1)."""
    rng = np.random.default_rng(seed)
    p = np.array([0.70, 0.10, 0.08, 0.06, 0.04, 0.02])
    truth = rng.choice(len(p), size=n_units, p=p)
    noise = rng.choice(len(p), size=(len(ANNOTATORS), n_units), p=p)
    codes = np.where(rng.random(noise.shape) < 0.15, noise, truth).astype(np.int32)
    codes[rng.random(codes.shape) < 0.10] = -1
    return codes


def documents(n_tokens: int, seed: int = 0) -> list[Document]:
    """Articles of WORDS_PER_DOC words with entities every few words, annotated with noise; some not submitted."""
    rng = np.random.default_rng(seed)
    docs = []
    for k in range(n_tokens // WORDS_PER_DOC):
        lengths = rng.integers(2, 9, size=WORDS_PER_DOC)
        starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
        tokens = list(zip(starts.tolist(), (starts + lengths).tolist()))
        text = " ".join("x" * int(n) for n in lengths)
        slots = np.arange(0, WORDS_PER_DOC - 8, 8)
        firsts = (slots + rng.integers(0, 4, size=len(slots)))[rng.random(len(slots)) < 0.6]
        widths = rng.integers(0, 3, size=len(firsts))
        labels = rng.integers(0, len(LABELS), size=len(firsts))
        annotations = {}
        for name in ANNOTATORS:
            if rng.random() < 0.1:  # not submitted: missing for this annotator
                continue
            items = []
            for n, (first, width, label) in enumerate(zip(firsts.tolist(), widths.tolist(), labels.tolist())):
                luck = rng.random()
                if luck < 0.05:
                    continue  # missed
                if luck < 0.12:
                    label = int(rng.integers(0, len(LABELS)))  # another label
                elif luck < 0.18:
                    width = max(0, width - 1)  # a shorter span
                items.append(Item.entity(f"t{n}", tokens[first][0], tokens[first + width][1], LABELS[label]))
            annotations[name] = Annotation.of(items)
        docs.append(Document(f"d{k}", text, tokens, annotations))
    return docs


def peak_mb(fn: Callable[[], object]) -> float:
    """Peak memory traced while fn runs, beyond what was allocated before, in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run(quick: bool) -> list[Row]:
    n = 100_000 if quick else 1_000_000
    size = "100k" if quick else "1M"
    codes = matrix(n)
    floats = np.where(codes < 0, np.nan, codes.astype(np.float64))

    def ours() -> float:
        return agreement.alpha(codes)

    def theirs() -> float:
        return krippendorff.alpha(reliability_data=floats, level_of_measurement="nominal")

    difference = abs(ours() - theirs())
    ours_s, theirs_s = best_of(ours, 5), best_of(theirs, 3)
    ours_mb, theirs_mb = peak_mb(ours), peak_mb(theirs)

    # Every token figure of a report on the matrix of generated documents, and the whole report for scale.
    docs = documents(n)
    ratings = agreement.ratings(docs, "entity", list(LABELS))
    report_floats = np.where(ratings.codes < 0, np.nan, ratings.codes.astype(np.float64))

    def package() -> float:
        return krippendorff.alpha(reliability_data=report_floats, level_of_measurement="nominal")

    tokens_s = best_of(lambda: agreement.token_scores(ratings), 5)
    package_s = best_of(package, 3)
    report_s = best_of(lambda: agreement.report(docs, "entity", LABELS), 2)
    report_difference = abs(agreement.report(docs, "entity", LABELS).token_alpha - package())

    return [
        Row(
            f"token alpha {size} tokens × 3: time vs krippendorff package",
            ours_s / theirs_s,
            1.0,
            note=f"ours {ours_s * 1e3:.0f} ms, package {theirs_s * 1e3:.0f} ms (best of 5 / 3)",
        ),
        Row(
            "token alpha peak memory vs krippendorff package",
            ours_mb / theirs_mb,
            1.0,
            note=f"ours {ours_mb:.1f} MB, package {theirs_mb:.0f} MB (input {codes.nbytes / 1e6:.0f} MB as int32)",
        ),
        Row(
            "token alpha equals krippendorff package (absolute difference)",
            max(difference, report_difference),
            1e-9,
            unit="",
            note=f"matrix {difference:.1e}, report from documents {report_difference:.1e}",
        ),
        Row(
            f"all token metrics ({size} tokens × 3, {len(docs)} documents) vs package alpha alone",
            tokens_s / package_s,
            1.0,
            note=f"ours {tokens_s * 1e3:.0f} ms, package {package_s * 1e3:.0f} ms; the whole report from the "
            f"documents, span metrics too, {report_s:.2f} s = {report_s / package_s:.1f}× package",
        ),
    ]
