"""What an import does with labels: map them (--label-map), and refuse or add the ones the
project's scheme lacks (--labels strict|extend)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field, replace

from .errors import Invalid
from .formats.base import Notes
from .model import LINK_TARGET, Annotation

MODES = ("strict", "extend")


class LabelRefused(Invalid):
    """A label the project's scheme lacks, under --labels strict; `where` is the item's FILE:LINE."""

    def __init__(self, message: str, where: str):
        super().__init__(message)
        self.where = where


def parse_map(text: str | None) -> dict[str, str]:
    """`FROM=TO,FROM2=TO2` as a dict; an empty TO drops the label's items."""
    mapping: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        source, sep, target = pair.partition("=")
        if not sep or not source.strip():
            raise Invalid(f"--label-map takes FROM=TO pairs separated by commas, not {pair.strip()!r}")
        mapping[source.strip()] = target.strip()
    return mapping


@dataclass
class LabelPolicy:
    """The project's labels, the mapping and the mode of one import, and the labels it adds."""

    schemes: Mapping[str, Container[str]]
    extend: bool = False
    mapping: Mapping[str, str] = field(default_factory=dict)
    added: dict[str, list[str]] = field(default_factory=dict)  # by layer, in the order met

    def target(self, label: str) -> str | None:
        """The label an item of `label` gets; None when the mapping drops it."""
        mapped = self.mapping.get(label, label)
        return mapped or None

    def known(self, layer: str, label: str) -> bool:
        return label in self.schemes[layer] or label in self.added.get(layer, ())

    def takes(self, layer: str, label: str) -> bool:
        """Whether an item of this label would be kept (mapped, known, or added by extend)."""
        mapped = self.target(label)
        return mapped is not None and (self.extend or self.known(layer, mapped))

    def allowed(self) -> dict[str, Container[str]]:
        """Each layer's labels, the added ones included, as `check` wants them."""
        return {layer: _Either(scheme, self.added.get(layer, [])) for layer, scheme in self.schemes.items()}

    def apply(
        self, annotation: Annotation, where: str, notes: Notes, lines: Mapping[str, str] | None = None
    ) -> Annotation:
        """The annotation relabelled by the mapping, its unknown labels refused (strict) or added (extend).

        `lines` says where each item came from, when the reader knows (the refusal names that line).
        """
        # What most files need: every label kept as it is, asked once a label rather than once an item.
        if all(self.target(label) == label and self.known(layer, label) for layer, label in _labels(annotation)):
            return annotation
        kept, dropped, changed = [], set(), False
        for item in annotation.items():
            label = self.target(item.label)
            if label is None:
                notes.skip(f"{item.layer} labelled {item.label} (dropped by --label-map)", where)
                changed = True
                if item.layer == LINK_TARGET:
                    dropped.add(item.id)
                continue
            if not self.known(item.layer, label):
                if not self.extend:
                    raise LabelRefused(
                        f"{item.layer} label {label!r} is not in the project's scheme; add the corpus's labels "
                        f"with --labels extend, or map them with --label-map {label}=LABEL",
                        (lines or {}).get(item.id, where),
                    )
                self.added.setdefault(item.layer, []).append(label)
            if label != item.label:
                item, changed = replace(item, label=label), True
            kept.append(item)
        if dropped:
            kept = [_unlinked(item, dropped) for item in kept]
        if not changed:
            return annotation  # what most files need: no item changed, so no copy and no sort again
        return Annotation.of(kept)


def _labels(annotation: Annotation) -> set[tuple[str, str]]:
    """Each (layer, label) the annotation's items have."""
    return {(item.layer, item.label) for item in annotation.items()}


class _Either:
    """A label is allowed when the scheme has it or this import added it."""

    def __init__(self, scheme: Container[str], added: list[str]):
        self.scheme, self.added = scheme, added

    def __contains__(self, label: object) -> bool:
        return label in self.scheme or label in self.added


def _unlinked(item, dropped: set[str]):
    """The item without links to entities the mapping dropped."""
    if not any(target in dropped for _, target in item.links):
        return item
    return replace(item, links=tuple((role, t) for role, t in item.links if t not in dropped))
