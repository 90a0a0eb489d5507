"""The spaCy training config, templated here and written beside every trained model.

One component per layer, each trained by spaCy's own loop (`spacy.training.loop.train`):
- entity: the base pipeline's `ner`, sourced with its own copy of the base tok2vec
  (`replace_listeners`), so that fine-tuning it leaves the tagger and parser as they were; a
  base without an NER gets a new one;
- quote: `quote_parts`, an `annotator_span_tagger` of content, cue and source;
- event: `event_triggers`, an `annotator_span_tagger` of triggers typed with the event type.
The corpora are `annotator.Corpus.v1` folders (analysed once by the base pipeline). Training
stops at the first of: `patience` steps without a better dev score, `max_epochs`, or the time
budget (`annotator.batch_until.v1` stops handing out batches when the minutes are spent; the
best model so far is kept). The score that picks the best model is the mean of the components'
F1 on the dev set (token F1 for the taggers: a long content span found nearly whole counts).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.util import registry
from thinc.api import Config

# What each layer trains: the component's name in the pipeline, and its F1 score key.
COMPONENTS = {"entity": "ner", "quote": "quote_parts", "event": "event_triggers"}
# The score that picks the best model, per layer (the taggers' token F1; see SpanTagger.score).
SCORES = {"entity": "ents_f", "quote": "quote_parts_token_f", "event": "event_triggers_token_f"}
SPANS_KEYS = {"quote": "quote_parts", "event": "event_triggers"}


@dataclass(frozen=True)
class Settings:
    """What a training run is asked for."""

    layers: tuple[str, ...]
    base: str  # a loadable pipeline (package name or path), or "" for a blank English one
    base_has_ner: bool
    max_minutes: float
    max_epochs: int = 40
    patience: int = 1600
    eval_frequency: int = 200
    seed: int = 0
    batch_words: int = 2000


# spaCy's config format; {placeholders} are filled by training_config, ${variables} by spaCy.
TEMPLATE = """
[paths]
train = "{train}"
dev = "{dev}"
base = "{settings.base}"

[system]
seed = {settings.seed}
gpu_allocator = null

[nlp]
lang = "en"
pipeline = {pipeline}
batch_size = 64

[components]
{components}

[corpora]

[corpora.train]
@readers = "annotator.Corpus.v1"
path = ${{paths.train}}

[corpora.dev]
@readers = "annotator.Corpus.v1"
path = ${{paths.dev}}

[training]
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = 0.1
accumulate_gradient = 1
patience = {settings.patience}
max_epochs = {settings.max_epochs}
max_steps = 0
eval_frequency = {settings.eval_frequency}
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "annotator.batch_until.v1"
max_minutes = {settings.max_minutes:.3f}

[training.batcher.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
size = {settings.batch_words}

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = false
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
{weights}

[pretraining]

[initialize]
vectors = null
init_tok2vec = null

[initialize.components]

[initialize.tokenizer]
"""


def _weights(layer: str, weight: float) -> str:
    """The layer's score weight, and for a tagger its exact span F1 too, shown and kept at weight 0."""
    shown = f"\n{COMPONENTS[layer]}_f = 0.0" if layer in SPANS_KEYS else ""
    return f"{SCORES[layer]} = {weight}{shown}"


def _component(layer: str, settings: Settings) -> str:
    name = COMPONENTS[layer]
    if layer == "entity":
        if settings.base_has_ner:
            return f'[components.{name}]\nsource = ${{paths.base}}\nreplace_listeners = ["model.tok2vec"]\n'
        return f'[components.{name}]\nfactory = "ner"\n'
    tagger = f'factory = "annotator_span_tagger"\nlayer = "{layer}"\nspans_key = "{SPANS_KEYS[layer]}"'
    return f"[components.{name}]\n{tagger}\n"


def training_config(settings: Settings, train: Path, dev: Path) -> Config:
    """The training config for `settings` and the two corpus folders (variables kept, as spaCy writes them)."""
    names = [COMPONENTS[layer] for layer in settings.layers]
    weight = round(1 / len(names), 4)
    text = TEMPLATE.format(
        settings=settings,
        train=train,
        dev=dev,
        pipeline=json.dumps(names),
        components="\n".join(_component(layer, settings) for layer in settings.layers),
        weights="\n".join(_weights(layer, weight) for layer in settings.layers),
    )
    return Config().from_str(text, interpolate=False)


Batcher = Callable[[Iterable], Iterator[list]]


@registry.batchers("annotator.batch_until.v1")
def batch_until(batcher: Batcher, max_minutes: float) -> Batcher:
    """Another batcher's batches until `max_minutes` have passed since the first one (then none)."""
    deadline: list[float] = []

    def batches(items: Iterable) -> Iterator[list]:
        for batch in batcher(items):
            if not deadline:  # the first batch always goes: the loop evaluates after it, so a best model exists
                deadline.append(time.monotonic() + max_minutes * 60)
            elif time.monotonic() > deadline[0]:
                return
            yield batch

    return batches


def layer_names(layers: Sequence[str]) -> list[str]:
    """The pipeline components a training of these layers adds."""
    return [COMPONENTS[layer] for layer in layers]
