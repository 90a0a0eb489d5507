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
sentence. Sentences end at a paragraph break or after a sentence-final punctuation token: where
they end depends on the article alone, so every set of one article has the same sentences (and
re-imports as one text); an entity that runs over a sentence end goes on with I- after it. The
stored word tokens are written; whitespace tokens are skipped. Readers that take no comments
(spaCy's converter, Hugging Face's conll2003 script) want `grep -v '^# '` first.

Reading takes the same, and plain CoNLL files (CoNLL-2003's 4 columns, WNUT's 2, any number): the
first column is the token, the last the tag (IOB1, IOB2 and BILUO/IOBES tags are understood);
`import --format auto` knows a CoNLL file by its content whatever its name (eng.train, a .txt).
Documents are split at -DOCSTART- lines or `# id =` comments; a file without either is split every
`--docs-every` sentences (default 10, the document size of spaCy's own CoNLL converter). The id
comes from `# id = …` or from a word after -DOCSTART-, else it is derived from the text. The text is
the tokens joined by spaces, sentences by line breaks, and the file's tokens are kept as the
article's tokens, so an export gives back exactly the tokens it read (`im` stays `im`). Without
`# set` a document is an annotator's set, named by `# annotator` or --annotator.

Not carried: quotes and events, entity ids (renumbered t1…), the article's own spacing and
meta, and hence its identity when the same id is already stored with the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import SET_KINDS, STATUSES, Annotation, Item, Record
from .base import Format, FormatError, Reading, lines, tokens_of

DOCSTART = "-DOCSTART- -X- O O"
SENTENCE_END = frozenset(".!?…")
CLOSERS = frozenset("\"'”’»)]}")
DOCS_EVERY = 10
SUFFIXES = (".conll", ".iob", ".conll03", ".bio", ".bioes", ".iob2")
_COMMENT = re.compile(r"#\s*(id|set|annotator|status)\s*=\s*(.*?)\s*$")
_TAG = re.compile(r"(?:(O)|([BIESLU])-(\S+))$")


# --- writing --------------------------------------------------------------------------


def sentences(record: Record) -> Iterator[list[tuple[str, str]]]:
    """The record's word tokens with their IOB2 tags, sentence by sentence (ends from the text alone)."""
    text = record.text
    entities = list(record.annotation.entities) if record.annotation else []
    words = [(s, e) for s, e in tokens_of(record) if not text[s:e].isspace()]
    sentence: list[tuple[str, str]] = []
    k = 0  # the first entity not yet passed
    ended = False  # a sentence-final mark has been seen; the sentence ends before the next word
    for n, (s, e) in enumerate(words):
        while k < len(entities) and entities[k].end <= s:
            k += 1
        entity = entities[k] if k < len(entities) and entities[k].start < e else None
        if entity is not None and not (entity.start <= s and e <= entity.end):
            raise FormatError(f"{record.ext_id}: entity {entity.id} does not fall on token boundaries")
        word = text[s:e]
        if ended and sentence and word not in CLOSERS:
            yield sentence
            sentence, ended = [], False
        inside = entity is not None and entity.start < s
        sentence.append((word, "O" if entity is None else f"{'I' if inside else 'B'}-{entity.label}"))
        if word in SENTENCE_END:
            ended = True
        if n + 1 < len(words) and "\n" in text[e : words[n + 1][0]]:
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


def sniff(path: Path) -> bool:
    """A CoNLL file: its suffix says so, or most of its first lines are TOKEN … TAG."""
    if path.suffix.lower() in SUFFIXES:
        return True
    tokens = others = 0
    try:
        for _, raw in lines(path):
            line = raw.strip()
            if not line or line.startswith("-DOCSTART-") or _COMMENT.match(line):
                continue
            columns = line.split()
            if len(columns) >= 2 and _TAG.match(columns[-1]):
                tokens += 1
            else:
                others += 1
            if tokens + others >= 200:
                break
    except FormatError:
        return False
    return tokens >= 3 and others <= tokens // 20


@dataclass
class _Doc:
    line: int
    props: dict[str, str] = field(default_factory=dict)
    sentences: list[list[tuple[str, str, int]]] = field(default_factory=lambda: [[]])  # (word, tag, line)

    @property
    def empty(self) -> bool:
        return not any(self.sentences)

    @property
    def complete(self) -> int:
        return sum(1 for s in self.sentences if s)


def _has_markers(path: Path) -> bool:
    return any(line.startswith("-DOCSTART-") or line.startswith("# id") for _, line in lines(path))


def read(path: Path, reading: Reading) -> Iterator[tuple[str, Record]]:
    """One record per document of a CoNLL file; FormatError names FILE:LINE of a bad line."""
    every = None if _has_markers(path) else (reading.docs_every or DOCS_EVERY)
    doc = _Doc(1)
    for number, raw in lines(path):
        line = raw.strip()
        if line.startswith("-DOCSTART-"):
            if not doc.empty:
                yield _record(path, doc, reading)
            doc = _Doc(number)
            extra = [w for w in line.split()[1:] if w not in ("-X-", "O")]
            if extra:
                doc.props["id"] = " ".join(extra)
            continue
        comment = _COMMENT.match(line)
        if comment:
            key, value = comment.groups()
            if key == "id" and not doc.empty:
                yield _record(path, doc, reading)
                doc = _Doc(number)
            doc.props[key] = value
            continue
        if not line:
            if doc.sentences[-1]:
                if every is not None and doc.complete >= every:
                    yield _record(path, doc, reading)
                    doc = _Doc(number + 1)
                else:
                    doc.sentences.append([])
            continue
        columns = line.split()
        if len(columns) < 2:
            raise FormatError(f"{path}:{number}: a token line is 'TOKEN TAG' (got {line[:60]!r})")
        if not _TAG.match(columns[-1]):
            raise FormatError(f"{path}:{number}: {columns[-1]!r} is not an IOB tag (O, B-LABEL, I-LABEL, …)")
        doc.sentences[-1].append((columns[0], columns[-1], number))
    if not doc.empty:
        yield _record(path, doc, reading)


def _iob1(sentences: list[list[tuple[str, str, int]]]) -> bool:
    """IOB1 (CoNLL-2003's own): an I- tag begins an entity, B- only parts two of one label.
    (An I- that goes on from the end of the sentence before is IOB2 going on, as we write it.)"""
    before = "O"
    for sentence in sentences:
        for _, tag, _ in sentence:
            if tag[0] == "I" and (before == "O" or before[2:] != tag[2:]):
                return True
            before = tag
    return False


def _record(path: Path, doc: _Doc, reading: Reading) -> tuple[str, Record]:
    where = f"{path}:{doc.line}"
    pieces: list[str] = []
    tokens: list[tuple[int, int]] = []
    spans: list[tuple[int, int, str]] = []  # entities as (start, end, label)
    starts: list[int] = []  # the line each entity begins on, for errors about its label
    offset = 0
    # IOB2 (ours): an entity ending a sentence goes on when the next begins with I- of its label.
    across = not _iob1(doc.sentences)
    open_label: str | None = None
    for sentence in (s for s in doc.sentences if s):
        if pieces:
            pieces.append("\n")
            tokens.append((offset, offset + 1))
            offset += 1
            open_label = open_label if across else None
        for i, (word, tag, number) in enumerate(sentence):
            if i:
                pieces.append(" ")
                offset += 1
            start, end = offset, offset + len(word)
            pieces.append(word)
            tokens.append((start, end))
            offset = end
            if tag == "O":
                open_label = None
                continue
            prefix, label = tag[0], tag[2:]
            if prefix in ("I", "E", "L") and open_label == label:
                spans[-1] = (spans[-1][0], end, label)
            else:
                spans.append((start, end, label))
                starts.append(number)
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
        tokens=tokens,
        lines={f"t{i}": f"{path}:{line}" for i, line in enumerate(starts, start=1)},
    )
    return where, record


FORMAT = Format(
    "conll",
    "CoNLL-2003 style IOB, entities only",
    suffixes=(*SUFFIXES, ".txt"),
    read=read,
    write=write,
    sniff=sniff,
    sniff_unknown=True,
    media_type="text/plain",
    download_suffix=".conll",
    training=True,
)
