"""One training run: corpora, config, spaCy's loop, and the trained components put into the base pipeline.

Layout of the run's folder (which becomes the model version's folder):
    config.cfg        the training config as run (spaCy's format; `python -m spacy train` reads it
                      when annotator is installed, with --paths.train corpus/train --paths.dev corpus/dev)
    corpus/train/     the training articles, corpus/dev/ the held-out ones (annotator.Corpus.v1)
    pipeline/         the base pipeline with the trained components: what pre-annotation loads
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import spacy
from spacy.language import Language
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as spacy_train

from ..pipeline import analysis_pipeline, load_base
from . import corpus
from .config import COMPONENTS, Settings, training_config

PIPELINE, CONFIG, CORPUS = "pipeline", "config.cfg", "corpus"


@dataclass
class Result:
    """What a run made: the pipeline's folder, the best dev scores, and how long it took."""

    pipeline: Path
    scores: dict[str, float] = field(default_factory=dict)
    minutes: float = 0.0


def prepare(
    folder: Path,
    base: str,
    train_docs: Sequence[corpus.Document],
    dev_docs: Sequence[corpus.Document],
) -> None:
    """Write the two corpora, each article analysed once by the base pipeline."""
    analysis = analysis_pipeline(base)
    corpus.write(folder / CORPUS / "train", analysis, train_docs)
    corpus.write(folder / CORPUS / "dev", analysis, dev_docs)


def train(folder: Path, settings: Settings, *, stdout: IO | None = None) -> Result:
    """Train on the prepared corpora with spaCy's loop and write the assembled pipeline to folder/pipeline."""
    started = time.monotonic()
    config = training_config(settings, folder / CORPUS / "train", folder / CORPUS / "dev")
    (folder / CONFIG).write_text(config.to_str(), encoding="utf-8")
    nlp = init_nlp(config, use_gpu=-1)
    if "entity" in settings.layers and settings.base_has_ner:
        _add_entity_labels(nlp, folder / CORPUS / "train")
    output = folder / "training"
    output.mkdir(parents=True, exist_ok=True)
    stdout = stdout or sys.stdout
    trained, _ = spacy_train(nlp, output, use_gpu=-1, stdout=stdout, stderr=stdout)
    best = spacy.load(output / "model-best")
    performance = best.meta.get("performance", {})
    scores = {
        key: float(value)
        for key, value in performance.items()
        if isinstance(value, (int, float)) and not key.endswith("_loss")
    }
    final = assemble(settings.base, best, [COMPONENTS[layer] for layer in settings.layers])
    final.to_disk(folder / PIPELINE)
    shutil.rmtree(output)
    return Result(folder / PIPELINE, scores, (time.monotonic() - started) / 60)


def _add_entity_labels(nlp: Language, train_folder: Path) -> None:
    """The base NER learns the project's labels it does not know yet (a renamed or added label)."""
    ner = nlp.get_pipe("ner")
    seen = {ent.label_ for eg in corpus.read(train_folder, nlp.vocab) for ent in eg.reference.ents}
    for label in sorted(seen - set(ner.labels)):  # type: ignore[attr-defined]
        ner.add_label(label)  # type: ignore[attr-defined]


def assemble(base: str, trained: Language, names: Sequence[str]) -> Language:
    """The base pipeline with the trained components: a component the base has (ner) is replaced in place,
    the others are added at the end."""
    final = load_base(base)
    for name in names:
        if name in final.pipe_names:
            index = final.pipe_names.index(name)
            final.remove_pipe(name)
            following = final.pipe_names[index] if index < len(final.pipe_names) else None
            if following is None:
                final.add_pipe(name, source=trained)
            else:
                final.add_pipe(name, source=trained, before=following)
        else:
            final.add_pipe(name, source=trained)
    return final
