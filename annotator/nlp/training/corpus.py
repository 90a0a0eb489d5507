"""Training data on disk: each article twice, as the base pipeline analyses it and with its gold.

A corpus is a folder with two DocBins of the same articles in the same order:
`analysed.spacy`, the stored tokens run through the base pipeline once (tags, lemmas, parse;
no entities, so that a trained NER starts from none and the taggers never learn from another
model's entities) and `gold.spacy`, the same tokens with the annotation written by the one
adapter (entities in `doc.ents`, quotes and events in their span groups). The reader
`annotator.Corpus.v1` pairs them into spaCy Examples. Parsing once here, rather than running
frozen base components on every epoch, is what keeps training within minutes: the parse is
the slowest part of the pipeline and does not change while our components learn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import registry
from spacy.vocab import Vocab

from ...model import Annotation
from ..adapter import annotation_to_doc

ANALYSED, GOLD = "analysed.spacy", "gold.spacy"


@dataclass(frozen=True)
class Document:
    """One article's text, its stored token offsets (whitespace tokens included) and its gold."""

    id: str
    text: str
    tokens: list[tuple[int, int]]
    annotation: Annotation


def plain_doc(vocab: Vocab, text: str, tokens: list[tuple[int, int]]) -> Doc:
    """A Doc with exactly the stored tokens."""
    words = [text[s:e] for s, e in tokens]
    spaces = [e < len(text) and (n + 1 == len(tokens) or tokens[n + 1][0] > e) for n, (_, e) in enumerate(tokens)]
    doc = Doc(vocab, words=words, spaces=spaces)
    if doc.text != text:
        raise ValueError("the stored tokens do not rebuild the text")
    return doc


def write(folder: Path, analysis: Language, documents: Iterable[Document], *, batch_size: int = 32) -> int:
    """Analyse each document with `analysis` and write both DocBins into `folder`; returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    analysed, gold = DocBin(), DocBin()
    documents = list(documents)
    plain = (plain_doc(analysis.vocab, d.text, d.tokens) for d in documents)
    for document, doc in zip(documents, analysis.pipe(plain, batch_size=batch_size)):
        doc.ents = []
        for key in list(doc.spans):
            del doc.spans[key]
        analysed.add(doc)
        reference = plain_doc(analysis.vocab, document.text, document.tokens)
        gold.add(annotation_to_doc(document.annotation, reference, where=f"{document.id}: "))
    analysed.to_disk(folder / ANALYSED)
    gold.to_disk(folder / GOLD)
    return len(documents)


def read(folder: Path, vocab: Vocab) -> Iterator[Example]:
    """The corpus as Examples: the analysed Doc predicted, the gold Doc as reference."""
    analysed = DocBin().from_disk(folder / ANALYSED).get_docs(vocab)
    gold = DocBin().from_disk(folder / GOLD).get_docs(vocab)
    for predicted, reference in zip(analysed, gold):
        yield Example(predicted, reference)


@registry.readers("annotator.Corpus.v1")
def make_corpus(path: Path) -> Callable[[Language], Iterator[Example]]:
    """The reader of a corpus folder (see the module docstring), for [corpora] in a training config."""

    def examples(nlp: Language) -> Iterator[Example]:
        return read(Path(path), nlp.vocab)

    return examples
