"""brat standoff: a folder with NAME.txt and an .ann per annotation set of it.

Writing (`--out` is a folder, created, and refused when it holds files already):
- NAME.txt, the article text exactly (NAME is the article id, %-escaped where a file name needs it);
- NAME.ann for a gold or model set, NAME_<annotator>.ann for each annotator's set beside one NAME.txt;
- annotation.conf, so brat can open the folder.

In an .ann file:
    T1  PERSON 22 44    Ayatollah Ali Khamenei     an entity, with its label
    T5  Attribution 490 495   added                a quote's trigger: its cue (or first content part)
    T6  Content 424 436;440 480   …                its content; parts as a discontinuous span
    T7  Cue 490 495     added
    T8  Source 481 489  Khamenei
    E1  Attribution:T5 Content:T6 Cue:T7 Source:T8 one E line per quote
    A1  QuoteType E1 DIRECT
    R1  Speaker Arg1:E1 Arg2:T2                    the quote's speaker entity
    T9  CONSULT 96 101  visit                      an event's trigger, typed with the event type
    E2  CONSULT:T9 Source:T3 Target:T4             source and target actors (entities)
    A2  modality E2 asserted                       event attrs (a value-less A line reads as "true")

Reading takes a folder (every .ann with its .txt; a .txt without any .ann is a plain article) or
one .ann beside its .txt. Roles come in any order, any may be missing; a role may repeat
(Content:T6 Content2:T9 adds parts); a Speaker:Tn argument on the E line works like the R line;
an Attribution without Cue whose trigger is not a content span takes the trigger as its cue.
NAME_<annotator>.ann is that annotator's set (the longest NAME with a .txt wins); NAME.ann is
the set of whoever --annotator names. Item ids follow the brat ids (T5 → t5, E1 → q1 or v1).
A Content T-line no E line uses is a quote of its own. Notes (#), normalisations (N) and
equivalences (*) are skipped. Malformed lines, offsets past the text, span text that differs from
the .txt, and references to missing ids are FILE:LINE errors.

Not carried: the set's kind and status (an .ann imports as a submitted annotator set), attrs on
anything but quote type and event attrs, attr names or values with spaces (refused on export),
entity labels Attribution/Content/Cue/Source, and discontinuous entities, cues, sources or
triggers (refused on import).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote as escape
from urllib.parse import unquote

from ..model import Annotation, Item, Record, Span
from .base import Format, FormatError, lines, read_text

ATTRIBUTION, CONTENT, CUE, SOURCE, TARGET, SPEAKER, QUOTE_TYPE = (
    "Attribution",
    "Content",
    "Cue",
    "Source",
    "Target",
    "Speaker",
    "QuoteType",
)
QUOTE_PARTS = (CONTENT, CUE, SOURCE)


def sniff_folder(folder: Path) -> bool:
    """A folder is brat when it holds .ann files."""
    return any(p.suffix.lower() == ".ann" and p.is_file() for p in folder.iterdir())


# --- writing --------------------------------------------------------------------------


def file_stem(name: str) -> str:
    """A file name (without suffix) for an article id or annotator name: %-escaped, so it reads back."""
    stem = escape(name, safe=" ,;=+@()[]{}'!&$")
    return "%2E" + stem[1:] if stem.startswith(".") else stem  # not a hidden file


def write(records: Iterable[Record], out: Path) -> int:
    """Write each record's text and .ann into the folder `out`; returns how many records."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FormatError(f"{out}: give a new or empty folder for a brat export")
    out.mkdir(parents=True, exist_ok=True)
    labels: dict[str, set[str]] = defaultdict(set)
    count = 0
    for record in records:
        stem = file_stem(record.ext_id)
        txt = out / f"{stem}.txt"
        if txt.exists():
            if read_text(txt) != record.text:
                raise FormatError(f"{txt}: two articles have this file name")
        else:
            txt.write_bytes(record.text.encode("utf-8"))
        if record.annotation is not None:
            named = record.annotator if record.source == "annotator" else None
            ann = out / (f"{stem}_{file_stem(named)}.ann" if named else f"{stem}.ann")
            if ann.exists():
                raise FormatError(f"{ann}: two annotation sets have this file name")
            ann.write_bytes("".join(line + "\n" for line in to_ann(record, labels)).encode("utf-8"))
        count += 1
    (out / "annotation.conf").write_text(_conf(labels), "utf-8")
    return count


def _span_text(text: str, parts: Iterable[Span]) -> str:
    # brat joins fragments with a space and keeps the field on one line.
    return " ".join(text[p.start : p.end] for p in parts).replace("\r", " ").replace("\n", " ")


def to_ann(record: Record, labels: dict[str, set[str]] | None = None) -> list[str]:
    """The .ann lines of one record's annotation."""
    text, annotation = record.text, record.annotation or Annotation()
    out: list[str] = []
    counters: dict[str, int] = defaultdict(int)

    def new(prefix: str) -> str:
        counters[prefix] += 1
        return f"{prefix}{counters[prefix]}"

    def t_line(label: str, parts: tuple[Span, ...]) -> str:
        tid = new("T")
        offsets = ";".join(f"{p.start} {p.end}" for p in parts)
        out.append(f"{tid}\t{label} {offsets}\t{_span_text(text, parts)}")
        return tid

    def a_line(name: str, target: str, value: str) -> None:
        if not name or not value or any(c.isspace() for c in name + value):
            raise FormatError(f"{record.ext_id}: attribute {name!r}={value!r} has a space; brat cannot carry it")
        out.append(f"{new('A')}\t{name} {target} {value}")

    labels = labels if labels is not None else defaultdict(set)
    entity_tid = {}
    for e in annotation.entities:
        entity_tid[e.id] = t_line(e.label, (e.main,))
        labels["entity"].add(e.label)
    for q in annotation.quotes:
        cue, source = q.span("cue"), q.span("source")
        trigger = t_line(ATTRIBUTION, (cue or q.main,))
        args = [f"{ATTRIBUTION}:{trigger}", f"{CONTENT}:{t_line(CONTENT, q.parts('content'))}"]
        if cue is not None:
            args.append(f"{CUE}:{t_line(CUE, (cue,))}")
        if source is not None:
            args.append(f"{SOURCE}:{t_line(SOURCE, (source,))}")
        eid = new("E")
        out.append(f"{eid}\t{' '.join(args)}")
        a_line(QUOTE_TYPE, eid, q.label)
        labels["quote"].add(q.label)
        speaker = q.link("speaker")
        if speaker is not None:
            out.append(f"{new('R')}\t{SPEAKER} Arg1:{eid} Arg2:{entity_tid[speaker]}")
    actor_roles = {"source_actor": SOURCE, "target_actor": TARGET}
    for v in annotation.events:
        args = [f"{v.label}:{t_line(v.label, (v.main,))}"]
        args += [f"{actor_roles[role]}:{entity_tid[target]}" for role, target in v.links]
        eid = new("E")
        out.append(f"{eid}\t{' '.join(args)}")
        labels["event"].add(v.label)
        for name, value in v.attrs:
            a_line(name, eid, value)
            labels[f"attr:{name}"].add(value)
    return out


def _conf(labels: dict[str, set[str]]) -> str:
    """brat's annotation.conf for the labels written, so the folder opens in brat as is."""
    entities = sorted(labels["entity"]) + [CONTENT, CUE, SOURCE]
    events = [f"{ATTRIBUTION}\t{CONTENT}:{CONTENT}, {CUE}?:{CUE}, {SOURCE}?:{SOURCE}"]
    events += [f"{t}\t{SOURCE}?:<ENTITY>, {TARGET}?:<ENTITY>" for t in sorted(labels["event"])]
    quote_types = "|".join(sorted(labels["quote"]) or ["DIRECT"])
    attrs = [f"{QUOTE_TYPE}\tArg:{ATTRIBUTION}, Value:{quote_types}"]
    attrs += [
        f"{key[5:]}\tArg:<EVENT>, Value:{'|'.join(sorted(values))}"
        for key, values in sorted(labels.items())
        if key.startswith("attr:")
    ]
    return "\n".join(
        [
            "# Written by annotator's brat export.",
            "[entities]",
            *entities,
            "[relations]",
            f"{SPEAKER}\tArg1:{ATTRIBUTION}, Arg2:<ENTITY>",
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
            "[events]",
            *events,
            "[attributes]",
            *attrs,
            "",
        ]
    )


# --- reading --------------------------------------------------------------------------


def read(path: Path) -> Iterator[tuple[str, Record]]:
    """Records of a brat folder, or of one .ann file beside its .txt."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        texts = {p.stem: p for p in files if p.suffix.lower() == ".txt"}
        annotated: set[str] = set()
        for ann in (p for p in files if p.suffix.lower() == ".ann"):
            stem, annotator = _text_of(ann, texts)
            annotated.add(stem)
            yield from _read_pair(ann, texts[stem], stem, annotator)
        for stem, txt in texts.items():
            if stem not in annotated:
                yield f"{txt}:1", _plain(txt, stem)
        return
    texts = {p.stem: p for p in path.parent.glob("*.txt")}
    stem, annotator = _text_of(path, texts)
    yield from _read_pair(path, texts[stem], stem, annotator)


def _text_of(ann: Path, texts: dict[str, Path]) -> tuple[str, str | None]:
    """The .txt stem an .ann belongs to and the annotator its name carries (NAME_<annotator>.ann)."""
    if ann.stem in texts:
        return ann.stem, None
    owners = [stem for stem in texts if ann.stem.startswith(stem + "_") and len(ann.stem) > len(stem) + 1]
    if not owners:
        raise FormatError(f"{ann}:1: no {ann.stem}.txt (or NAME.txt for NAME_<annotator>.ann) beside it")
    stem = max(owners, key=len)
    return stem, unquote(ann.stem[len(stem) + 1 :])


def _plain(txt: Path, stem: str) -> Record:
    text = read_text(txt)
    if not text.strip():
        raise FormatError(f"{txt}:1: the file is empty")
    return Record(ext_id=unquote(stem), text=text, meta={"filename": txt.name})


def _read_pair(ann: Path, txt: Path, stem: str, annotator: str | None) -> Iterator[tuple[str, Record]]:
    record = _plain(txt, stem)
    record.source, record.annotator, record.status = "annotator", annotator, "submitted"
    record.annotation = _Parsed(ann, record.text).annotation()
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


@dataclass
class _Parsed:
    """One .ann file's lines, checked against the text, and turned into an Annotation."""

    path: Path
    text: str
    ts: dict[str, _T] = field(default_factory=dict)
    es: dict[str, _E] = field(default_factory=dict)
    rels: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, label, arg1, arg2
    attrs: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, name, target, value
    ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for number, line in lines(self.path):
            line = line.rstrip("\r\n")
            if line.strip():
                self._line(number, line)

    def fail(self, number: int, reason: str) -> FormatError:
        return FormatError(f"{self.path}:{number}: {reason}")

    def _line(self, number: int, line: str) -> None:
        kind = line[0]
        if kind in "#N*":
            return
        fields = line.split("\t")
        ident = fields[0]
        if kind not in "TERAM" or not re.fullmatch(r"[TERAM]\w+", ident) or len(fields) < 2:
            raise self.fail(number, f"not a brat annotation line: {line[:60]!r}")
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
            start, end = int(numbers[0]), int(numbers[1])
            if not start < end <= len(self.text):
                raise self.fail(
                    number, f"{ident}: offsets {start}-{end} are not a span of the text (length {len(self.text)})"
                )
            parts.append(Span(start, end))
        written = "\t".join(fields[2:])
        expected = _span_text(self.text, parts)
        if written != expected:
            raise self.fail(number, f"{ident}: text {written!r} does not match the .txt at {offsets} ({expected!r})")
        self.ts[ident] = _T(number, label, tuple(parts))

    # -- from lines to items

    def _ref(self, number: int, ident: str, table: dict) -> None:
        if ident not in table:
            raise self.fail(number, f"{ident} is not defined in this file")

    def annotation(self) -> Annotation:
        quote_types = {t: v for n, name, t, v in self.attrs if name == QUOTE_TYPE}
        event_attrs: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for number, name, target, value in self.attrs:
            if target not in self.ts and target not in self.es:
                raise self.fail(number, f"{target} is not defined in this file")
            if name != QUOTE_TYPE:
                event_attrs[target].append((name, value))
        triggers = {e.trigger for e in self.es.values()}
        used_parts: set[str] = set()
        for e in self.es.values():
            self._ref(e.line, e.trigger, self.ts)
            for role, tid in e.args:
                if tid in self.es:
                    raise self.fail(e.line, f"{role}:{tid}: an event as an argument is not something we import")
                self._ref(e.line, tid, self.ts)
                if e.type == ATTRIBUTION and role in QUOTE_PARTS:
                    used_parts.add(tid)
        part_ids = {tid for tid, t in self.ts.items() if t.label in QUOTE_PARTS} | used_parts
        entity_ids = {tid for tid in self.ts if tid not in triggers and tid not in part_ids}
        entities = {}
        for tid in sorted(entity_ids, key=lambda i: self.ts[i].parts):
            t = self._single(tid, "an entity")
            entities[tid] = Item.entity(tid.lower(), t.start, t.end, self.ts[tid].label)
        speakers: dict[str, str] = {}
        for number, label, arg1, arg2 in self.rels:
            if label != SPEAKER:
                continue
            self._ref(number, arg1, self.ts | self.es)
            self._ref(number, arg2, self.ts)
            if arg2 not in entities:
                raise self.fail(number, f"the speaker {arg2} is not an entity")
            quote = next(
                (
                    eid
                    for eid, e in self.es.items()
                    if e.type == ATTRIBUTION and (arg1 == eid or (CONTENT, arg1) in e.args)
                ),
                None,
            )
            if quote is None:
                raise self.fail(number, f"{arg1} is not a quote (an Attribution E line or its Content)")
            speakers[quote] = arg2
        items: list[Item] = list(entities.values())
        for eid, e in self.es.items():
            if e.type == ATTRIBUTION:
                items.append(self._quote(eid, e, quote_types, speakers, entities))
            else:
                items.append(self._event(eid, e, entities, event_attrs.get(eid, [])))
        quoted = {tid for e in self.es.values() if e.type == ATTRIBUTION for role, tid in e.args if role == CONTENT}
        for tid, line in self.ts.items():
            if line.label == CONTENT and tid not in quoted:
                items.append(Item.quote(f"q{tid.lower()}", quote_types.get(tid, "DIRECT"), line.parts))
            elif line.label in (CUE, SOURCE) and tid not in used_parts:
                raise self.fail(line.line, f"{tid}: a {line.label} that no Attribution E line uses")
        return Annotation.of(items)

    def _single(self, tid: str, what: str) -> Span:
        t = self.ts[tid]
        if len(t.parts) != 1:
            raise self.fail(t.line, f"{tid}: {what} cannot be discontinuous")
        return t.parts[0]

    def _quote(self, eid, e: _E, quote_types, speakers, entities) -> Item:
        content: list[Span] = []
        cue = source = None
        speaker = speakers.get(eid)
        for role, tid in e.args:
            if role == CONTENT:
                content.extend(self.ts[tid].parts)
            elif role == CUE:
                if cue is not None:
                    raise self.fail(e.line, f"{eid}: a quote has one Cue")
                cue = self._single(tid, "a cue")
            elif role == SOURCE:
                if source is not None:
                    raise self.fail(e.line, f"{eid}: a quote has one Source")
                source = self._single(tid, "a source")
            elif role == SPEAKER:
                if tid not in entities:
                    raise self.fail(e.line, f"{eid}: the speaker {tid} is not an entity")
                speaker = tid
            else:
                raise self.fail(e.line, f"{eid}: an Attribution has Content, Cue, Source (and Speaker), not {role}")
        if not content:
            raise self.fail(e.line, f"{eid}: an Attribution needs Content")
        if cue is None and len(self.ts[e.trigger].parts) == 1 and self.ts[e.trigger].parts[0] not in content:
            cue = self.ts[e.trigger].parts[0]  # corpora that mark the cue as the trigger only
        return Item.quote(
            "q" + eid[1:],
            quote_types.get(eid, "DIRECT"),
            tuple(sorted(set(content))),
            cue,
            source,
            None if speaker is None else entities[speaker].id,
        )

    def _event(self, eid, e: _E, entities, attrs) -> Item:
        trigger = self._single(e.trigger, "a trigger")
        actors: dict[str, str] = {}
        for role, tid in e.args:
            if role not in (SOURCE, TARGET):
                raise self.fail(e.line, f"{eid}: an event has Source and Target actors, not {role}")
            if tid not in entities:
                raise self.fail(e.line, f"{eid}: its {role} {tid} is not an entity")
            if role in actors:
                raise self.fail(e.line, f"{eid}: an event has one {role}")
            actors[role] = entities[tid].id
        return Item.event("v" + eid[1:], e.type, trigger, actors.get(SOURCE), actors.get(TARGET), tuple(sorted(attrs)))


FORMAT = Format(
    "brat",
    "brat standoff: a folder of NAME.txt with NAME.ann or NAME_<annotator>.ann",
    suffixes=(".ann",),
    read=read,
    write=write,
    sniff_folder=sniff_folder,
    folder_suffixes=(".ann", ".txt", ".conf"),
    media_type="application/zip",
    download_suffix=".brat.zip",
    writes_folder=True,
)
