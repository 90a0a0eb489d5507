"""Writing brat standoff: a folder with NAME.txt and an .ann per annotation set of it.

`--out` is a folder, created, and refused when it holds files already:
- NAME.txt, the article text exactly (NAME is the article id, %-escaped where a file name needs it);
- NAME.ann for a gold or model set, NAME_<annotator>.ann for each annotator's set beside one NAME.txt;
- annotation.conf, so brat can open the folder.

In an .ann file:
    T1  PERSON 22 44    Ayatollah Ali Khamenei     an entity, with its label
    T5  Attribution 490 495   added                a quote's trigger: its cue (or first content part)
    T6  Content 424 436;440 480   …                its content; parts as a discontinuous span
    T7  Cue 490 495     added
    T8  Source 481 489  Khamenei
    E1  Attribution:T5 Content:T6 Cue:T7 Source:T8 one E line per quote (typed as it was read: a
                                                   quote's brat_type attr, e.g. Attribution-no-source)
    A1  QuoteType E1 DIRECT
    R1  Speaker Arg1:E1 Arg2:T2                    the quote's speaker entity
    T9  CONSULT 96 101  visit                      an event's trigger, typed with the event type
    E2  CONSULT:T9 Source:T3 Target:T4             source and target actors (entities)
    A2  modality E2 asserted                       quote and event attrs (a value-less A line reads as "true")
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote as escape

from ...model import Annotation, Record, Span
from ..base import FormatError, read_text

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
BRAT_TYPE = "brat_type"  # a quote's attr: the type of the E line it was read from


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
        attrs = dict(q.attrs)
        kind = attrs.pop(BRAT_TYPE, ATTRIBUTION)
        labels["attribution"].add(kind)
        trigger = t_line(kind, (cue or q.main,))
        args = [f"{kind}:{trigger}", f"{CONTENT}:{t_line(CONTENT, q.parts('content'))}"]
        if cue is not None:
            args.append(f"{CUE}:{t_line(CUE, (cue,))}")
        if source is not None:
            args.append(f"{SOURCE}:{t_line(SOURCE, (source,))}")
        eid = new("E")
        out.append(f"{eid}\t{' '.join(args)}")
        a_line(QUOTE_TYPE, eid, q.label)
        labels["quote"].add(q.label)
        for name, value in sorted(attrs.items()):
            a_line(name, eid, value)
            labels[f"attr:{name}"].add(value)
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
    events = [
        f"{kind}\t{CONTENT}:{CONTENT}, {CUE}?:{CUE}, {SOURCE}?:{SOURCE}"
        for kind in sorted(labels["attribution"] | {ATTRIBUTION})
    ]
    events += [f"{t}\t{SOURCE}?:<ENTITY>, {TARGET}?:<ENTITY>" for t in sorted(labels["event"])]
    quote_types = "|".join(sorted(labels["quote"]) or ["DIRECT"])
    attrs = [f"{QUOTE_TYPE}\tArg:{'|'.join(sorted(labels['attribution'] | {ATTRIBUTION}))}, Value:{quote_types}"]
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
