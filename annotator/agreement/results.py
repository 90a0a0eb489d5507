"""The agreement report of one layer, as typed records: `LayerReport` and the parts it is made of.

Every figure is a float, or None where it is undefined (the computation gave NaN:
nothing to compare, or a single value throughout). Matrices are annotators ×
annotators in the order of `LayerReport.annotators`, None on the diagonal and for
pairs sharing no document. Each record's `to_json()` gives its JSON form (what
`annotator agreement --json` prints): a new dict whose keys are the record's
fields, in their order, nested records as dicts; only the link section differs,
as `LinkAgreement` and `LinkPair` say.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

Figure = float | None
Matrix = list[list[Figure]]
JSON = dict[str, Any]


class _Record:
    """A record whose JSON form is its fields, in order, nested records as dicts (fresh copies)."""

    def to_json(self) -> JSON:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class KappaScores(_Record):
    """Cohen's kappa on the word tokens each pair of annotators both rated."""

    mean: Figure  # mean of the defined pairwise kappas
    matrix: Matrix


@dataclass(frozen=True)
class SpanF1(_Record):
    """Span F1 by exact match and by overlap match, micro over every label and pair."""

    exact: Figure
    overlap: Figure


@dataclass(frozen=True)
class F1Matrices(_Record):
    """Span F1 of each pair of annotators, by exact match and by overlap match."""

    exact: Matrix
    overlap: Matrix


@dataclass(frozen=True)
class LabelScores(_Record):
    """Span scores of one label, pooled over pairs; the first of each pair (by name) is the reference,
    which only precision and recall depend on."""

    precision: Figure  # overlap match
    recall: Figure
    f1: Figure
    exact_precision: Figure
    exact_recall: Figure
    exact_f1: Figure
    support: int  # spans with the label, all annotators


@dataclass(frozen=True)
class PairScores(_Record):
    """Two annotators (a before b by name) over the documents they share."""

    a: str
    b: str
    documents: int  # documents both submitted
    tokens: int  # word tokens both rated
    kappa: Figure
    precision: Figure  # span scores by overlap match, a as reference
    recall: Figure
    f1: Figure
    exact_f1: Figure


@dataclass(frozen=True)
class DocumentScores(_Record):
    """One document's agreement; its span figures are means over the document's pairs."""

    id: str
    annotators: list[str]
    tokens: int  # word tokens
    token_alpha: Figure
    span_f1: Figure  # overlap match
    exact_f1: Figure


@dataclass(frozen=True)
class Confusion(_Record):
    """Counts of (value by a, value by b) over word tokens, summed over the pairs a < b."""

    labels: list[str]  # the token values, "none" first; the order of both axes
    matrix: list[list[int]]


@dataclass(frozen=True)
class LinkPair:
    """One pair's link agreement: items matched, and the share of them agreeing on the headline figure."""

    a: str
    b: str
    matched: int
    headline: str  # what `agreement` is the share of: "speaker" (quotes), "type" (events)
    agreement: Figure

    def to_json(self) -> JSON:
        """The agreement under the headline's name: {"a", "b", "matched", "speaker"} for quotes."""
        return {"a": self.a, "b": self.b, "matched": self.matched, self.headline: self.agreement}


@dataclass(frozen=True)
class LinkAgreement:
    """Agreement of matched items beyond their spans: attribution of quotes, type agreement of events.

    Items are matched by overlap regardless of label; each figure is the share of
    the matches that agree on it: the type, each link (the same entity), each
    further span role (overlapping, or both absent).
    """

    key: str  # the report's key for this section: "attribution" | "type_agreement"
    headline: str  # the figure that stands for the section: "speaker" | "type"
    matched: int  # items matched, over all pairs
    figures: dict[str, Figure]  # "type", then each link, then each further role
    pairs: list[LinkPair]

    @property
    def agreement(self) -> Figure:
        """The headline figure."""
        return self.figures[self.headline]

    def to_json(self) -> JSON:
        """Under the report's `key`: "matched", each figure under its name, then "pairs"."""
        return {"matched": self.matched, **self.figures, "pairs": [p.to_json() for p in self.pairs]}


@dataclass(frozen=True)
class LayerReport:
    """Inter-annotator agreement of one layer over many documents."""

    layer: str  # "entity" | "quote" | "event"
    documents: int  # documents used: two or more annotations
    documents_skipped: int  # documents with fewer than two
    annotators: list[str]  # sorted; the order of every matrix
    tokens: int  # word tokens pooled over the documents used
    labels: list[str]  # span labels: those given, then any others seen, sorted
    token_alpha: Figure  # Krippendorff's alpha (nominal) over all word tokens
    kappa: KappaScores
    span_f1: SpanF1
    f1_matrix: F1Matrices
    per_label: dict[str, LabelScores]  # by label, in the order of `labels`
    pairs: list[PairScores]  # each pair sharing a document, in the order of annotators
    per_document: list[DocumentScores]  # worst first: by token_alpha, then span_f1 (None last), then id
    confusion: Confusion
    links: LinkAgreement | None = None  # quotes and events only

    def to_json(self) -> JSON:
        """The report as JSON: every field under its name, the link section under its `key`."""
        out: JSON = asdict(self)
        del out["links"]
        if self.links is not None:
            out[self.links.key] = self.links.to_json()
        return out
