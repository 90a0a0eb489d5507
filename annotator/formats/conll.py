"""CoNLL-2003 style IOB (entities only): one token per line, `TOKEN<tab>TAG`, tags IOB2.

    -DOCSTART- -X- O O
    # id = khamenei-rashid-tehran
    # set = annotator
    # annotator = alice

    Iran	B-GPE
    ’s	O
    …

Each record starts with spaCy's document delimiter (`spacy convert -c ner` splits on it) and
comment lines with the article id and the set (kind, annotator, status); a blank line ends each
sentence. Sentences end at a paragraph break or after a sentence-final punctuation token, never
inside an entity. The stored word tokens are written; whitespace tokens are skipped. Readers that
take no comments (spaCy's converter, Hugging Face's conll2003 script) want `grep -v '^# '` first.

Reading takes the same, and plain CoNLL files: the first column is the token, the last the tag
(IOB1, IOB2 and BILUO/IOBES tags are understood); documents are split at -DOCSTART- lines or
`# id =` comments (a whole file without either is one document); the id comes from `# id = …` or
from a word after -DOCSTART-, else it is derived from the text. The text is rebuilt by joining a
sentence's tokens with spaces and sentences with newlines. Without `# set` a document is an
annotator's set, named by `# annotator` or --annotator.

Not carried: quotes and events, entity ids (renumbered t1…), the article's own spacing and
meta, and hence its identity when the same id is already stored with the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import SET_KINDS, STATUSES, Annotation, Item, Record
from .base import Format, FormatError, lines, tokens_of

DOCSTART = "-DOCSTART- -X- O O"
SENTENCE_END = frozenset(".!?…")
CLOSERS = frozenset("\"'”’»)]}")
_COMMENT = re.compile(r"#\s*(id|set|annotator|status)\s*=\s*(.*?)\s*$")
_TAG = re.compile(r"(?:(O)|([BIESLU])-(\S+))$")


# --- writing --------------------------------------------------------------------------


def sentences(record: Record) -> Iterator[list[tuple[str, str]]]:
    """The record's word tokens with their IOB2 tags, sentence by sentence."""
    text = record.text
    entities = list(record.annotation.entities) if record.annotation else []
    words = [(s, e) for s, e in tokens_of(record) if not text[s:e].isspace()]
    paragraph_after = set()
    for (_, e), (next_s, _) in zip(words, words[1:]):
        if "\n" in text[e:next_s]:
            paragraph_after.add(e)
    sentence: list[tuple[str, str]] = []
    k = 0  # the first entity not yet passed
    ended = False  # a sentence-final mark has been seen; the sentence ends before the next word
    for s, e in words:
        while k < len(entities) and entities[k].end <= s:
            k += 1
        entity = entities[k] if k < len(entities) and entities[k].start < e else None
        if entity is not None and not (entity.start <= s and e <= entity.end):
            raise FormatError(f"{record.ext_id}: entity {entity.id} does not fall on token boundaries")
        inside = entity is not None and entity.start < s
        word = text[s:e]
        if ended and sentence and not inside and word not in CLOSERS:
            yield sentence
            sentence, ended = [], False
        tag = "O" if entity is None else f"{'I' if inside else 'B'}-{entity.label}"
        sentence.append((word, tag))
        if word in SENTENCE_END and entity is None:  # "Yahoo!" ends no sentence
            ended = True
        if e in paragraph_after and (entity is None or entity.end <= e):
            yield sentence
            sentence, ended = [], False
    if sentence:
        yield sentence


def to_lines(record: Record) -> Iterator[str]:
    yield DOCSTART
    if record.ext_id:
        yield f"# id = {record.ext_id}"
    if record.annotation is not None:
        yield f"# set = {record.source}"
        if record.annotator:
            yield f"# annotator = {record.annotator}"
        if record.status:
            yield f"# status = {record.status}"
    yield ""
    for sentence in sentences(record):
        for word, tag in sentence:
            yield f"{word}\t{tag}"
        yield ""


def write(records: Iterable[Record], out: Path) -> int:
    """Write the records' entities as IOB, as they come; returns how many records."""
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for record in records:
            for line in to_lines(record):
                handle.write(line + "\n")
            count += 1
    return count


# --- reading --------------------------------------------------------------------------


@dataclass
class _Doc:
    line: int
    props: dict[str, str] = field(default_factory=dict)
    sentences: list[list[tuple[str, str, int]]] = field(default_factory=lambda: [[]])  # (word, tag, line)

    @property
    def empty(self) -> bool:
        return not any(self.sentences)


def read(path: Path) -> Iterator[tuple[str, Record]]:
    """One record per document of a CoNLL file; FormatError names FILE:LINE of a bad line."""
    doc = _Doc(1)
    for number, raw in lines(path):
        line = raw.strip()
        if line.startswith("-DOCSTART-"):
            if not doc.empty:
                yield _record(path, doc)
            doc = _Doc(number)
            extra = [w for w in line.split()[1:] if w not in ("-X-", "O")]
            if extra:
                doc.props["id"] = " ".join(extra)
            continue
        comment = _COMMENT.match(line)
        if comment:
            key, value = comment.groups()
            if key == "id" and not doc.empty:
                yield _record(path, doc)
                doc = _Doc(number)
            doc.props[key] = value
            continue
        if not line:
            if doc.sentences[-1]:
                doc.sentences.append([])
            continue
        columns = line.split()
        if len(columns) < 2:
            raise FormatError(f"{path}:{number}: a token line is 'TOKEN TAG' (got {line[:60]!r})")
        if not _TAG.match(columns[-1]):
            raise FormatError(f"{path}:{number}: {columns[-1]!r} is not an IOB tag (O, B-LABEL, I-LABEL, …)")
        doc.sentences[-1].append((columns[0], columns[-1], number))
    if not doc.empty:
        yield _record(path, doc)


def _record(path: Path, doc: _Doc) -> tuple[str, Record]:
    where = f"{path}:{doc.line}"
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []  # entities as (start, end, label)
    offset = 0
    for sentence in (s for s in doc.sentences if s):
        if pieces:
            pieces.append("\n")
            offset += 1
        open_label: str | None = None
        for i, (word, tag, _) in enumerate(sentence):
            if i:
                pieces.append(" ")
                offset += 1
            start, end = offset, offset + len(word)
            pieces.append(word)
            offset = end
            if tag == "O":
                open_label = None
                continue
            prefix, label = tag[0], tag[2:]
            if prefix in ("I", "E", "L") and open_label == label:
                spans[-1] = (spans[-1][0], end, label)
            else:
                spans.append((start, end, label))
            open_label = label if prefix in ("B", "I") else None
    text = "".join(pieces)
    props = doc.props
    kind = props.get("set") if props.get("set") in SET_KINDS else "annotator"
    status = props.get("status") if props.get("status") in STATUSES else ("draft" if kind == "model" else "submitted")
    annotation = Annotation.of(Item.entity(f"t{i}", s, e, label) for i, (s, e, label) in enumerate(spans, start=1))
    record = Record(
        ext_id=props.get("id", ""),
        text=text,
        source=kind,
        status=status,
        annotation=annotation,
        annotator=props.get("annotator") if kind == "annotator" else None,
    )
    return where, record


FORMAT = Format(
    "conll",
    "CoNLL-2003 style IOB, entities only",
    suffixes=(".conll", ".iob", ".conll03"),
    read=read,
    write=write,
    media_type="text/plain",
    download_suffix=".conll",
)
