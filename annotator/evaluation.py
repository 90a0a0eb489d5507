"""A model version's scores against gold, as typed records: what `annotator evaluate` prints and stores.

`LayerFigures.from_report` reads them off an agreement report of two annotators, "gold" and
"model", gold the reference (see annotator.evaluating, which runs the model). Every figure is a
float, or None where it is undefined (nothing to compare).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .agreement import LayerReport
from .agreement.results import Figure


@dataclass(frozen=True)
class LabelFigures:
    """One label's span scores, the model against gold."""

    precision: Figure
    recall: Figure
    f1: Figure
    exact_precision: Figure
    exact_recall: Figure
    exact_f1: Figure
    support: int  # spans with the label, gold and model together


@dataclass(frozen=True)
class LayerFigures:
    """One layer's scores: spans overall and per label, and what matched items agree on."""

    layer: str
    trained: bool  # the version learned this layer (else its rules made the predictions)
    precision: Figure  # overlap match, micro over labels
    recall: Figure
    f1: Figure
    exact_f1: Figure
    token_kappa: Figure
    matched: int  # items matched by overlap regardless of label (quotes by content)
    agreement: dict[str, Figure]  # of the matched: the same type, each link, each further role
    per_label: dict[str, LabelFigures]


@dataclass(frozen=True)
class Evaluation:
    """A model version scored on the gold articles it did not train on."""

    model: str
    documents: int
    trained_documents: int  # gold articles left out because the version trained on them
    layers: list[LayerFigures] = field(default_factory=list)
    unscored: list[str] = field(default_factory=list)  # layers the gold has no items of: nothing to score against

    def to_json(self) -> dict[str, Any]:
        """Every field under its name, nested records as dicts."""
        return asdict(self)


def from_json(data: dict[str, Any]) -> Evaluation:
    """An Evaluation back from its JSON form (as stored on the version)."""
    layers = [
        LayerFigures(
            **{**layer, "per_label": {k: LabelFigures(**v) for k, v in layer["per_label"].items()}},
        )
        for layer in data["layers"]
    ]
    return Evaluation(data["model"], data["documents"], data["trained_documents"], layers, data.get("unscored", []))


def figures(report: LayerReport, trained: bool) -> LayerFigures:
    """A layer's figures from the agreement report of gold and model (one pair, gold first)."""
    pair = report.pairs[0] if report.pairs else None
    links = report.links
    return LayerFigures(
        layer=report.layer,
        trained=trained,
        precision=pair.precision if pair else None,
        recall=pair.recall if pair else None,
        f1=pair.f1 if pair else None,
        exact_f1=pair.exact_f1 if pair else None,
        token_kappa=pair.kappa if pair else None,
        matched=links.matched if links else 0,
        agreement=dict(links.figures) if links else {},
        per_label={
            label: LabelFigures(**asdict(scores)) for label, scores in report.per_label.items() if scores.support
        },
    )


def fig(value: Figure) -> str:
    """A figure for the terminal, three decimals or n/a."""
    return "  n/a" if value is None else f"{value:.3f}"


def table(result: Evaluation) -> str:
    """The evaluation as a few lines for the terminal: each layer, then its labels; --json has the same."""
    lines = [
        f"Model {result.model} on {result.documents} gold article(s) it did not train on "
        f"({result.trained_documents} it trained on left out).",
        "",
        "layer   learned  P      R      F1     exact F1  matched  of the matched, the same",
    ]
    for layer in result.layers:
        same = ", ".join(f"{key} {fig(value).strip()}" for key, value in layer.agreement.items()) or "-"
        lines.append(
            f"{layer.layer:<7} {'trained' if layer.trained else 'rules':<8} {fig(layer.precision)}  "
            f"{fig(layer.recall)}  {fig(layer.f1)}  {fig(layer.exact_f1)}     {layer.matched:>7}  {same}"
        )
    if result.unscored:
        lines.append(f"Not scored, the gold has no items of: {', '.join(result.unscored)}.")
    for layer in result.layers:
        if not layer.per_label:
            continue
        lines += ["", f"{layer.layer} per label: P R F1 (overlap) · exact P R F1 · support"]
        for label, s in layer.per_label.items():
            lines.append(
                f"  {label:<14} {fig(s.precision)} {fig(s.recall)} {fig(s.f1)} · "
                f"{fig(s.exact_precision)} {fig(s.exact_recall)} {fig(s.exact_f1)} · {s.support}"
            )
    return "\n".join(lines)
