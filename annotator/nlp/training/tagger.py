"""A trainable spaCy component that tags the parts of one layer's items as labelled spans.

`annotator_span_tagger` reads a layer's definition (annotator.model.LAYERS) to know what it
learns: for a layer whose roles agreement paints on tokens (quotes: content, source, cue) the
labels are the roles, each token taking the role of the last span painted over it, as
agreement does; for any other layer (events) the label of the item's main span (the event
type of a trigger). The gold is read from the span groups the one adapter writes (`quote`,
`cue`, `source`, `event`), so a DocBin exported by annotator is its training data as it is.

It tags tokens B-/I-label or O (a softmax over a tok2vec, spaCy's `spacy.Tagger.v2` model)
and writes its spans into `doc.spans[spans_key]`, labelled as above. It never writes the
adapter's groups itself: our rule components (`annotator_quotes`, `annotator_events`) read its
spans, assemble them into items and write those.

Why a tagger: PolNeAR and similar attribution corpora are univocal (each token has at most
one of source, cue, content), so an attribution layer is a tag sequence; a softmax per token
trains in minutes on two cores and costs one tok2vec pass at prediction time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples
from spacy.vocab import Vocab
from thinc.api import Config, Model, SequenceCategoricalCrossentropy
from thinc.types import Floats2d

from ...model import LAYERS
from ..adapter import GROUPS
from .features import DEFAULT_ROWS  # (and registers annotator.ParseEmbed.v1)

OUTSIDE = "O"

DEFAULT_MODEL = Config().from_str(
    f"""
[model]
@architectures = "spacy.Tagger.v2"
nO = null
normalize = false

[model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[model.tok2vec.embed]
@architectures = "annotator.ParseEmbed.v1"
width = 96
rows = {DEFAULT_ROWS}

# Two layers, not spaCy's usual four: the parse columns carry the long-range context, and on PolNeAR
# depth 2 scored as depth 4 did while tagging half again as fast.
[model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 2
window_size = 1
maxout_pieces = 3
"""
)["model"]


def painted_roles(layer: str) -> tuple[str, ...]:
    """The roles whose spans the tagger learns as labels, in painting order (empty: it learns item labels)."""
    return LAYERS[layer].painted_roles


def target_spans(doc: Doc, layer: str) -> list[tuple[int, int, str]]:
    """The gold (start, end, label) token spans of a layer in a Doc written by the adapter, painted as one sequence."""
    kind = LAYERS[layer]
    roles = kind.painted_roles
    labels: list[str | None] = [None] * len(doc)
    starts = [False] * len(doc)
    layers = [(role, role) for role in roles] if roles else [(kind.main, None)]
    for role, label in layers:
        for span in doc.spans.get(GROUPS[role], ()):
            for i in range(span.start, span.end):
                labels[i] = label or span.label_
                starts[i] = i == span.start
    return decode_labels(labels, starts)


def decode_labels(labels: Sequence[str | None], starts: Sequence[bool]) -> list[tuple[int, int, str]]:
    """Runs of one label (a new span at a start or where the label changes) as (start, end, label)."""
    spans: list[tuple[int, int, str]] = []
    current: list[Any] | None = None
    for i, (label, start) in enumerate(zip(labels, starts)):
        if label is None or start or current is None or current[2] != label:
            if current is not None:
                spans.append((current[0], i, current[2]))
            current = None if label is None else [i, i + 1, label]
    if current is not None:
        spans.append((current[0], len(labels), current[2]))
    return spans


def bio(spans: Iterable[tuple[int, int, str]], length: int) -> list[str]:
    """The B-/I-/O tags of spans over `length` tokens."""
    tags = [OUTSIDE] * length
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


def spans_of_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """B-/I-/O tags back to spans; an I- after another label or O starts a span, as a B- would."""
    labels = [None if t == OUTSIDE else t[2:] for t in tags]
    return decode_labels(labels, [t.startswith("B-") for t in tags])


class SpanTagger(TrainablePipe):
    """Tags tokens with the parts of one layer's items; see the module docstring."""

    def __init__(self, vocab: Vocab, model: Model, name: str, *, layer: str, spans_key: str):
        if layer not in LAYERS:
            raise ValueError(f"{name}: unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg: dict[str, Any] = {"labels": [], "layer": layer, "spans_key": spans_key}

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def label_data(self) -> tuple[str, ...]:
        return self.labels

    @property
    def tags(self) -> list[str]:
        """The tagger's classes: O, then B- and I- of each label."""
        return [OUTSIDE, *(f"{p}-{label}" for label in self.labels for p in "BI")]

    def add_label(self, label: str) -> int:
        """Add a label before training; 1 when it is new."""
        if label in self.cfg["labels"]:
            return 0
        self._allow_extra_label()
        self.cfg["labels"].append(label)
        self.vocab.strings.add(label)
        return 1

    def predict(self, docs: Iterable[Doc]) -> list[numpy.ndarray]:
        """The index of the best tag of every token of each Doc."""
        docs = list(docs)
        if not any(len(doc) for doc in docs):
            return [numpy.zeros((0,), dtype="i") for _ in docs]
        scores = self.model.predict(docs)
        return [self.model.ops.to_numpy(s.argmax(axis=1)) for s in scores]

    def set_annotations(self, docs: Iterable[Doc], guesses: list[numpy.ndarray]) -> None:
        """Write each Doc's tagged spans into doc.spans[spans_key]."""
        tags = self.tags
        key = self.cfg["spans_key"]
        for doc, found in zip(docs, guesses):
            spans = spans_of_tags([tags[i] for i in found.tolist()])
            doc.spans[key] = [Span(doc, start, end, label=label) for start, end, label in spans]

    def _gold_tags(self, example: Example) -> list[str | None]:
        spans = [Span(example.y, s, e, label=label) for s, e, label in target_spans(example.y, self.cfg["layer"])]
        aligned = example.get_aligned_spans_y2x(spans, allow_overlap=True)
        return list(bio(((s.start, s.end, s.label_) for s in aligned), len(example.x)))

    def get_loss(self, examples: Iterable[Example], scores: list[Floats2d]) -> tuple[float, list[Floats2d]]:
        """Cross-entropy of the tags against the gold spans of each example."""
        validate_examples(examples, "SpanTagger.get_loss")
        loss_func = SequenceCategoricalCrossentropy(names=self.tags, normalize=False)
        truths = [self._gold_tags(eg) for eg in examples]
        d_scores, loss = loss_func(scores, truths)  # type: ignore[arg-type]
        return float(loss), d_scores

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None, labels=None
    ) -> None:
        """Labels from the gold spans (or `labels`), then the model from a sample."""
        if labels is not None:
            for label in labels:
                self.add_label(label)
        else:
            found = {label for eg in get_examples() for _, _, label in target_spans(eg.y, self.cfg["layer"])}
            for label in sorted(found):
                self.add_label(label)
        if not self.labels:
            raise ValueError(f"{self.name}: the training data has no {self.cfg['layer']} spans to learn from")
        tags = self.tags
        docs, truths = [], []
        for eg in islice(get_examples(), 10):
            docs.append(eg.x)
            gold = self._gold_tags(eg)
            truths.append(self.model.ops.asarray2f([[float(t == g) for t in tags] for g in gold]))
        self.model.initialize(X=docs, Y=truths)

    def score(self, examples: Iterable[Example], **kwargs) -> dict[str, Any]:
        """Exact span precision, recall and F1 of the tagged spans against the gold (`{name}_p/_r/_f`), and the
        F1 of tokens given their right label (`{name}_token_f`), which picks the best model: it rewards a
        long content span found nearly whole, as the overlap match people use does, where exact match
        counts it wrong."""
        key, layer = self.cfg["spans_key"], self.cfg["layer"]

        def spans(doc: Doc) -> list[tuple[int, int, str]]:
            if key in doc.spans:
                return [(s.start, s.end, s.label_) for s in doc.spans[key]]
            return target_spans(doc, layer)

        def getter(doc: Doc, _attr: str) -> Iterator[Span]:
            return (Span(doc, s, e, label=label) for s, e, label in spans(doc))

        examples = list(examples)
        scores = Scorer.score_spans(examples, self.name, getter=getter, allow_overlap=True, **kwargs)
        right = gold = predicted = 0
        for eg in examples:
            mine = {i: label for s, e, label in spans(eg.x) for i in range(s, e)}
            truth = {i: label for s, e, label in spans(eg.y) for i in range(s, e)}
            aligned = {i: truth[j[0]] for i, j in enumerate(eg.alignment.x2y) if len(j) and j[0] in truth}
            right += sum(1 for i, label in mine.items() if aligned.get(i) == label)
            gold, predicted = gold + len(aligned), predicted + len(mine)
        scores[f"{self.name}_token_f"] = 2 * right / (gold + predicted) if gold + predicted else 0.0
        return scores


@Language.factory(
    "annotator_span_tagger",
    default_config={"model": DEFAULT_MODEL, "layer": "quote", "spans_key": "quote_parts"},
    assigns=["doc.spans"],
    default_score_weights={},
)
def make_span_tagger(nlp: Language, name: str, model: Model, *, layer: str, spans_key: str) -> SpanTagger:
    """A trainable tagger of one layer's parts, writing doc.spans[spans_key] (see annotator.nlp.training.tagger)."""
    return SpanTagger(nlp.vocab, model, name, layer=layer, spans_key=spans_key)
