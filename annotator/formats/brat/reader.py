"""Reading brat standoff: .ann files with their .txt, as brat corpora come.

Reading takes a folder (every .ann under it, in it or one folder down, with the .txt of the same
name beside it or in a sibling folder, as PolNeAR keeps `attributions/` and `text/`; a .txt
without any .ann is a plain article) or one .ann file. NAME_<annotator>.ann is that annotator's set
(the longest NAME with a .txt wins); NAME.ann is the set of whoever --annotator names.

What each line becomes is decided by how it is used, as brat itself knows only from the corpus's
annotation.conf:
- an E line with a Content or Cue argument, or typed Attribution…, is a quote, whatever its type's
  name (PolNeAR writes `Attribution-no-source`); a type other than Attribution is kept as the
  quote's `brat_type` attr and written back on export; its QuoteType attr (A line) is its label,
  else DIRECT or INDIRECT by its quotation marks;
- any other E line is an event of its type, with Source and Target entity arguments as actors;
- a T line no E line uses is an entity when annotation.conf (looked for beside the .ann and up)
  lists its label under [entities], or, without one, when the project takes the label (its
  scheme, --label-map, or --labels extend);
- R lines labelled Speaker link a quote to its speaker; A lines give quote and event attrs.
What we do not model is skipped and reported (kind, count, first FILE:LINE), never fatal: T labels
that are not entities (PolNeAR's Discard and Discuss), event arguments of other roles (BioNLP's
Theme, Cause) or that are events themselves, attributions without content, other relations,
attributes of entities, discontinuous entities, cues, sources and triggers. Notes (#),
normalisations (N) and equivalences (*) are skipped silently (they annotate, not label). Malformed
lines, offsets past the text, span text that differs from the .txt, references to missing ids, and
labels the project refuses are FILE:LINE errors naming the line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from ...model import LAYERS, Annotation, Item, Record, Span
from ..base import FormatError, Reading, lines, read_text_and_bom
from .layout import ann_files, conf_types, text_of, texts_near
from .writer import ATTRIBUTION, BRAT_TYPE, CONTENT, CUE, QUOTE_PARTS, QUOTE_TYPE, SOURCE, SPEAKER, TARGET, _span_text


def read(path: Path, reading: Reading) -> Iterator[tuple[str, Record]]:
    """Records of a brat folder, or of one .ann file and its .txt."""
    if not path.is_dir():
        near = texts_near(path.parent)
        stem, annotator = text_of(path, near)
        yield from _read_pair(path, near[stem], stem, annotator, reading)
        return
    anns = list(ann_files(path))
    folders = dict.fromkeys(ann.parent for ann in anns) or {path: None}
    texts: dict[str, Path] = {}
    for folder in folders:
        for stem, txt in texts_near(folder).items():
            texts.setdefault(stem, txt)
    annotated: set[str] = set()
    for ann in anns:
        stem, annotator = text_of(ann, texts)
        annotated.add(stem)
        yield from _read_pair(ann, texts[stem], stem, annotator, reading)
    for stem, txt in sorted(texts.items()):
        if stem not in annotated and txt.parent == path:
            yield f"{txt}:1", _plain(txt, stem)[0]


def _plain(txt: Path, stem: str) -> tuple[Record, int]:
    text, bom = read_text_and_bom(txt)
    if not text.strip():
        raise FormatError(f"{txt}:1: the file is empty")
    return Record(ext_id=unquote(stem), text=text, meta={"filename": txt.name}), bom


def _read_pair(ann: Path, txt: Path, stem: str, annotator, reading: Reading) -> Iterator[tuple[str, Record]]:
    record, bom = _plain(txt, stem)
    record.source, record.annotator, record.status = "annotator", annotator, "submitted"
    parsed = _Parsed(ann, record.text, bom, reading, conf_types(ann))
    record.annotation = parsed.annotation()
    record.lines = parsed.item_lines
    yield f"{ann}:1", record


@dataclass
class _T:
    line: int
    label: str
    parts: tuple[Span, ...]


@dataclass
class _E:
    line: int
    type: str
    trigger: str
    args: list[tuple[str, str]]  # (role without trailing digits, target id)

    @property
    def is_quote(self) -> bool:
        roles = {role for role, _ in self.args}
        return bool(roles & {CONTENT, CUE}) or self.type.startswith(ATTRIBUTION)


@dataclass
class _Parsed:
    """One .ann file's lines, checked against the text, and turned into an Annotation."""

    path: Path
    text: str
    bom: int
    reading: Reading
    conf: dict[str, set[str]] | None
    ts: dict[str, _T] = field(default_factory=dict)
    es: dict[str, _E] = field(default_factory=dict)
    rels: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, label, arg1, arg2
    attrs: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, name, target, value
    ids: set[str] = field(default_factory=set)
    item_lines: dict[str, str] = field(default_factory=dict)  # item id -> FILE:LINE
    last_text: tuple[str, str] | None = None  # the last T line's span text and what its line wrote of it

    def __post_init__(self) -> None:
        for number, line in lines(self.path):
            line = line.rstrip("\r\n")
            if line.strip():
                self._line(number, line)

    def fail(self, number: int, reason: str) -> FormatError:
        return FormatError(f"{self.path}:{number}: {reason}")

    def skip(self, kind: str, number: int) -> None:
        self.reading.notes.skip(kind, f"{self.path}:{number}")

    def _line(self, number: int, line: str) -> None:
        kind = line[0]
        if kind in "#N*":
            return
        fields = line.split("\t")
        ident = fields[0]
        if kind not in "TERAM" or not re.fullmatch(r"[TERAM]\w+", ident) or len(fields) < 2:
            if self._continues(line):
                return
            raise self.fail(number, f"not a brat annotation line: {line[:60]!r}")
        self.last_text = None
        if ident in self.ids:
            raise self.fail(number, f"{ident} is defined twice")
        self.ids.add(ident)
        body = fields[1].split()
        if kind == "T":
            self._t_line(number, ident, fields)
        elif kind == "E":
            pairs = [self._pair(number, item) for item in body]
            if not pairs:
                raise self.fail(number, "an E line needs TYPE:TRIGGER")
            (etype, trigger), rest = pairs[0], pairs[1:]
            self.es[ident] = _E(number, etype, trigger, [(re.sub(r"\d+$", "", role), tid) for role, tid in rest])
        elif kind == "R":
            if len(body) != 3:
                raise self.fail(number, "an R line is 'LABEL Arg1:ID Arg2:ID'")
            args = dict(self._pair(number, item) for item in body[1:])
            if set(args) != {"Arg1", "Arg2"}:
                raise self.fail(number, "an R line is 'LABEL Arg1:ID Arg2:ID'")
            self.rels.append((number, body[0], args["Arg1"], args["Arg2"]))
        else:  # A, or M as older brat wrote attributes
            if len(body) not in (2, 3):
                raise self.fail(number, "an A line is 'NAME TARGET [VALUE]'")
            self.attrs.append((number, body[0], body[1], body[2] if len(body) == 3 else "true"))

    def _continues(self, line: str) -> bool:
        """Whether the line goes on with the text of the T line before it (a tool wrote its line
        break as it is, as PolNeAR's did); brat itself loads such files."""
        if self.last_text is None:
            return False
        spanned, written = self.last_text
        written += "\n" + line
        if not " ".join(spanned.split()).startswith(" ".join(written.split())):  # blank lines were skipped
            return False
        self.last_text = spanned, written
        return True

    def _pair(self, number: int, item: str) -> tuple[str, str]:
        role, sep, target = item.partition(":")
        if not sep or not role or not target:
            raise self.fail(number, f"{item!r} is not ROLE:ID")
        return role, target

    def _t_line(self, number: int, ident: str, fields: list[str]) -> None:
        if len(fields) < 3:
            raise self.fail(number, "a T line is 'ID<tab>LABEL START END[;START END]<tab>TEXT'")
        label, _, offsets = fields[1].partition(" ")
        parts = []
        for fragment in offsets.split(";"):
            numbers = fragment.split()
            if len(numbers) != 2 or not all(n.isdigit() for n in numbers):
                raise self.fail(number, f"{ident}: offsets {offsets!r} are not 'START END[;START END]'")
            start, end = int(numbers[0]) - self.bom, int(numbers[1]) - self.bom
            if not 0 <= start < end <= len(self.text):
                raise self.fail(
                    number, f"{ident}: offsets {offsets} are not a span of the text (length {len(self.text)})"
                )
            parts.append(Span(start, end))
        written = "\t".join(fields[2:])
        expected = _span_text(self.text, parts)
        # Some tools (PolNeAR's) cut the text field at the span's first line break.
        cut = " ".join(self.text[p.start : p.end] for p in parts).split("\n")[0].rstrip("\r")
        if written != expected and written not in (cut, cut.rstrip()):
            raise self.fail(number, f"{ident}: text {written!r} does not match the .txt at {offsets} ({expected!r})")
        self.ts[ident] = _T(number, label, tuple(parts))
        self.last_text = " ".join(self.text[p.start : p.end] for p in parts), written

    # -- from lines to items

    def _ref(self, number: int, ident: str, table: dict) -> None:
        if ident not in table:
            raise self.fail(number, f"{ident} is not defined in this file")

    def _note(self, item: Item, number: int) -> Item:
        self.item_lines[item.id] = f"{self.path}:{number}"
        return item

    def annotation(self) -> Annotation:
        for e in self.es.values():
            self._ref(e.line, e.trigger, self.ts)
            for _, tid in e.args:
                self._ref(e.line, tid, self.ts | self.es)
        triggers = {e.trigger for e in self.es.values()}
        used_parts = {tid for e in self.es.values() if e.is_quote for role, tid in e.args if role in QUOTE_PARTS}
        entities = self._entities(triggers, used_parts)
        speakers = self._speakers(entities)
        attrs = self._attrs(entities)
        items: list[Item] = list(entities.values())
        for eid, e in self.es.items():
            made = (
                self._quote(eid, e, speakers, entities, attrs.get(eid, {}))
                if e.is_quote
                else self._event(eid, e, entities, attrs.get(eid, {}))
            )
            if made is not None:
                items.append(self._note(made, e.line))
        for tid, t in self.ts.items():
            if tid in triggers or tid in used_parts:
                continue
            if t.label == CONTENT:
                label = LAYERS["quote"].default_label(self.text, t.parts[0])  # type: ignore[misc]
                items.append(self._note(Item.quote(f"q{tid.lower()}", label, t.parts), t.line))
            elif t.label in (CUE, SOURCE):
                self.skip(f"{t.label} T line that no attribution uses", t.line)
        return Annotation.of(items)

    def _entities(self, triggers: set[str], used_parts: set[str]) -> dict[str, Item]:
        entities: dict[str, Item] = {}
        declared = None if self.conf is None else self.conf.get("entities", set())
        for tid, t in sorted(self.ts.items(), key=lambda pair: pair[1].parts):
            if tid in triggers or tid in used_parts or t.label in QUOTE_PARTS:
                continue
            takes = t.label in declared if declared is not None else self.reading.takes("entity", t.label)
            if not takes:
                hint = "not in annotation.conf's [entities]" if declared is not None else "--labels extend takes it"
                self.skip(f"T line labelled {t.label} (not an entity label; {hint})", t.line)
            elif len(t.parts) != 1:
                self.skip("discontinuous entity (not imported)", t.line)
            else:
                entities[tid] = self._note(Item.entity(tid.lower(), t.parts[0].start, t.parts[0].end, t.label), t.line)
        return entities

    def _speakers(self, entities: dict[str, Item]) -> dict[str, str]:
        speakers: dict[str, str] = {}
        for number, label, arg1, arg2 in self.rels:
            self._ref(number, arg1, self.ts | self.es)
            self._ref(number, arg2, self.ts | self.es)
            if label != SPEAKER:
                self.skip(f"relation {label} (not one of our links)", number)
                continue
            quote = next(
                (eid for eid, e in self.es.items() if e.is_quote and (arg1 == eid or (CONTENT, arg1) in e.args)), None
            )
            if quote is None:
                raise self.fail(number, f"{arg1} is not a quote (an Attribution E line or its Content)")
            if arg2 not in entities:
                self.skip("speaker that is not an imported entity", number)
                continue
            speakers[quote] = arg2
        return speakers

    def _attrs(self, entities: dict[str, Item]) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for number, name, target, value in self.attrs:
            self._ref(number, target, self.ts | self.es)
            if target in self.es or name == QUOTE_TYPE and self.ts[target].label == CONTENT:
                found[target][name] = value
            else:
                self.skip(f"attribute {name} of a T line (entities take none)", number)
        return found

    def _single(self, tid: str, what: str) -> Span | None:
        t = self.ts[tid]
        if len(t.parts) != 1:
            self.skip(f"discontinuous {what} (not imported)", t.line)
            return None
        return t.parts[0]

    def _quote(self, eid, e: _E, speakers, entities, attrs: dict[str, str]) -> Item | None:
        content: list[Span] = []
        cue = source = None
        speaker = speakers.get(eid)
        for role, tid in e.args:
            if tid in self.es:
                self.skip(f"{role} argument that is itself an E line (not imported)", e.line)
            elif role == CONTENT:
                content.extend(self.ts[tid].parts)
            elif role == CUE:
                if cue is not None:
                    raise self.fail(e.line, f"{eid}: a quote has one Cue")
                cue = self._single(tid, "cue")
            elif role == SOURCE:
                if source is not None:
                    raise self.fail(e.line, f"{eid}: a quote has one Source")
                source = self._single(tid, "source")
            elif role == SPEAKER and tid in entities:
                speaker = tid
            else:
                self.skip(f"attribution argument {role} (not imported)", e.line)
        if not content:
            self.skip("attribution without Content (not imported)", e.line)
            return None
        trigger = self.ts[e.trigger].parts
        if cue is None and len(trigger) == 1 and trigger[0] not in content:
            cue = trigger[0]  # corpora that mark the cue as the trigger only
        parts = tuple(sorted(set(content)))
        label = attrs.pop(QUOTE_TYPE, None) or LAYERS["quote"].default_label(self.text, parts[0])  # type: ignore[misc]
        if e.type != ATTRIBUTION:
            attrs[BRAT_TYPE] = e.type
        return Item.make(
            "quote",
            "q" + eid[1:],
            label,
            {"content": parts, "cue": cue, "source": source},
            {"speaker": None if speaker is None else entities[speaker].id},
            tuple(sorted(attrs.items())),
        )

    def _event(self, eid, e: _E, entities, attrs: dict[str, str]) -> Item | None:
        trigger = self._single(e.trigger, "trigger")
        if trigger is None:
            return None
        actors: dict[str, str] = {}
        for role, tid in e.args:
            if tid in self.es:
                self.skip("event argument that is itself an event (not imported)", e.line)
            elif role not in (SOURCE, TARGET):
                self.skip(f"event argument {role} (we model Source and Target actors)", e.line)
            elif tid not in entities:
                self.skip(f"event {role} that is not an imported entity", e.line)
            elif role in actors:
                raise self.fail(e.line, f"{eid}: an event has one {role}")
            else:
                actors[role] = entities[tid].id
        return Item.event(
            "v" + eid[1:], e.type, trigger, actors.get(SOURCE), actors.get(TARGET), tuple(sorted(attrs.items()))
        )
