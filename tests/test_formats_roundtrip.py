"""native → format → native, for every format and layer; each case names what its format cannot carry."""

import json

import pytest

from annotator import db as database
from annotator import exporting, importing, store

TEXT = (
    "Iran’s Supreme Leader Ayatollah Ali Khamenei met Iraqi President Abdel Latif Rashid in Tehran on Monday.\n"
    "“Americans are not friends of Iraq,” Khamenei said, “and they never were.”\n"
    "Rashid told reporters that Baghdad wants the troops to leave. "
    "He warned that the US will “remain in Iraq” and the supreme leader urged Rashid to expel them."
)


def at(piece: str, nth: int = 0) -> dict:
    """The span of the nth occurrence of `piece` in TEXT."""
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(piece, start + 1)
    return {"start": start, "end": start + len(piece), "text": piece}


def entity(id, piece, label, nth=0):
    return {"id": id, "label": label, **at(piece, nth)}


ENTITIES = [
    entity("t1", "Iran", "GPE"),
    entity("t2", "Ayatollah Ali Khamenei", "PERSON"),
    entity("t3", "Iraqi", "NORP"),
    entity("t4", "Abdel Latif Rashid", "PERSON"),
    entity("t5", "Tehran", "GPE"),
    entity("t6", "Monday", "DATE"),
    entity("t7", "Americans", "NORP"),
    entity("t8", "Iraq", "GPE", 1),
    entity("t9", "Khamenei", "PERSON", 1),
    entity("t10", "Rashid", "PERSON", 1),
    entity("t11", "Baghdad", "GPE"),
    entity("t12", "US", "GPE"),
    entity("t13", "Rashid", "PERSON", 2),
]
QUOTES = [
    # content interrupted by the cue: two parts
    {
        "id": "q1",
        "type": "DIRECT",
        "content": [at("Americans are not friends of Iraq"), at("and they never were")],
        "cue": at("said"),
        "source": at("Khamenei", 1),
        "speaker": "t2",
    },
    # no source span, speaker still known
    {
        "id": "q2",
        "type": "INDIRECT",
        "content": [at("Baghdad wants the troops to leave")],
        "cue": at("told"),
        "source": None,
        "speaker": "t4",
    },
    # pronoun source, no speaker
    {
        "id": "q3",
        "type": "MIXED",
        "content": [at("the US will “remain in Iraq”")],
        "cue": at("warned"),
        "source": at("He"),
        "speaker": None,
    },
]
EVENTS = [
    {
        "id": "v1",
        "type": "CONSULT",
        "trigger": at("met"),
        "source_actor": "t2",
        "target_actor": "t4",
        "attrs": {"modality": "asserted"},
    },
    {"id": "v2", "type": "DEMAND", "trigger": at("urged"), "source_actor": None, "target_actor": "t13"},
    {"id": "v3", "type": "COERCE", "trigger": at("expel"), "source_actor": None, "target_actor": None},
]


def sets() -> list[dict]:
    base = {"id": "tehran-visit", "text": TEXT, "meta": {"title": "Tehran visit"}}
    full = {"entities": ENTITIES, "quotes": QUOTES, "events": EVENTS}
    return [
        {**base, "source": "gold", "status": "submitted", **full},
        {**base, "source": "annotator", "annotator": "alice", "status": "submitted", **full},
        # bob's draft differs: fewer entities, one quote, no events
        {
            **base,
            "source": "annotator",
            "annotator": "bob",
            "status": "draft",
            "entities": ENTITIES[:5],
            "quotes": [{**QUOTES[1], "speaker": "t4"}],
            "events": [],
        },
        {
            "id": "plain-2",
            "text": "Kuwait hosts a US base.",
            "source": "gold",
            "status": "submitted",
            "entities": [{"id": "t1", "start": 0, "end": 6, "label": "GPE", "text": "Kuwait"}],
        },
    ]


@pytest.fixture
def source_db(db, project, tmp_path):
    path = tmp_path / "rich.jsonl"
    path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sets()), "utf-8")
    importing.import_paths(db, project, [path], progress=False)
    return db


def native(db, source: str, path) -> list[dict]:
    exporting.export(db, "jsonl", source, path)
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def canonical(record: dict, *, ids: bool) -> tuple:
    """A set as comparable data: links resolved to the entity they point at, ids kept only if asked."""
    text = record["text"]
    entities = {e["id"]: (e["start"], e["end"], e["label"]) for e in record.get("entities", [])}
    span = lambda s: None if s is None else (s["start"], s["end"])  # noqa: E731
    link = lambda target: entities.get(target)  # noqa: E731
    key = lambda item: (item["id"],) if ids else ()  # noqa: E731
    return (
        record["id"],
        text,
        record.get("source"),
        record.get("annotator"),
        record.get("status"),
        json.dumps(record.get("meta"), sort_keys=True),
        sorted(key(e) + (e["start"], e["end"], e["label"]) for e in record.get("entities", [])),
        sorted(
            key(q)
            + (q["type"], tuple(span(c) for c in q["content"]), span(q["cue"]), span(q["source"]), link(q["speaker"]))
            for q in record.get("quotes", [])
        ),
        sorted(
            key(v)
            + (
                v["type"],
                span(v["trigger"]),
                link(v["source_actor"]),
                link(v["target_actor"]),
                tuple(sorted(v.get("attrs", {}).items())),
            )
            for v in record.get("events", [])
        ),
    )


def without_event_attrs(record: dict) -> dict:
    return {**record, "events": [{k: v for k, v in e.items() if k != "attrs"} for e in record["events"]]}


def as_brat_import(record: dict, annotator: str) -> dict:
    """What brat keeps of a set: no kind (an .ann is an annotator's), no status (submitted), no meta."""
    name = record["annotator"] or annotator
    return {
        **record,
        "source": "annotator",
        "annotator": name,
        "status": "submitted",
        "meta": {"filename": f"{record['id']}.txt"},
    }


# format → (what it cannot carry, how the record comes back, whether item ids survive)
CANNOT_CARRY = {
    "spacy": ("nothing of the layers; ids, kind, status and meta too", lambda r, _: r, True),
    "prodigy": ("item ids; event attrs", lambda r, _: without_event_attrs(r), False),
    "brat": ("item ids; set kind and status; article meta", as_brat_import, False),
    "labelstudio": ("item ids; event attrs", lambda r, _: without_event_attrs(r), False),
    "doccano": ("item ids; event attrs", lambda r, _: without_event_attrs(r), False),
}


@pytest.mark.parametrize("fmt", sorted(CANNOT_CARRY))
@pytest.mark.parametrize("source", ["gold", "annotations"])
def test_roundtrip_every_layer_survives_but_what_the_format_cannot_carry(source_db, project, tmp_path, fmt, source):
    cannot, expected_back, keeps_ids = CANNOT_CARRY[fmt]
    before = native(source_db, source, tmp_path / "before.jsonl")
    assert sum(len(r["quotes"]) + len(r["events"]) for r in before) > 0
    out = tmp_path / f"out-{fmt}"
    assert exporting.export(source_db, fmt, source, out) == len(before)
    fresh = database.connect(tmp_path / "fresh.db")
    importing.import_paths(fresh, project, [out], fmt=fmt, annotator="imported", progress=False)
    back_source = "annotations" if fmt == "brat" else source
    after = native(fresh, back_source, tmp_path / "after.jsonl")
    want = sorted(canonical(expected_back(r, "imported"), ids=keeps_ids) for r in before)
    got = sorted(canonical(r, ids=keeps_ids) for r in after)
    assert got == want, f"{fmt} should lose only: {cannot}"


def test_roundtrip_spacy_single_file_keeps_ids_too(source_db, project, tmp_path):
    before = native(source_db, "annotations", tmp_path / "before.jsonl")
    exporting.export(source_db, "spacy", "annotations", tmp_path / "all.spacy")
    fresh = database.connect(tmp_path / "fresh.db")
    importing.import_paths(fresh, project, [tmp_path / "all.spacy"], progress=False)
    after = native(fresh, "annotations", tmp_path / "after.jsonl")
    assert after == before  # byte-for-byte the same records, ids and order included


def test_roundtrip_prodigy_is_guessed_from_a_jsonl_suffix(source_db, project, tmp_path):
    out = tmp_path / "tasks.jsonl"
    exporting.export(source_db, "prodigy", "gold", out)
    fresh = database.connect(tmp_path / "fresh.db")
    report = importing.import_paths(fresh, project, [out], progress=False)  # --format auto
    assert report.sets == 2
    gold = store.find_set(fresh, store.find_article(fresh, "tehran-visit"), "gold")
    assert len(store.load_annotation(fresh, gold.id).quotes) == 3


def test_roundtrip_conll_keeps_entities_ids_and_sets_but_not_spacing_quotes_or_events(source_db, project, tmp_path):
    """CoNLL cannot carry: quotes, events, item ids, the article's spacing and meta."""
    before = native(source_db, "annotations", tmp_path / "before.jsonl")
    out = tmp_path / "ner.conll"
    exporting.export(source_db, "conll", "annotations", out)
    fresh = database.connect(tmp_path / "fresh.db")
    importing.import_paths(fresh, project, [out], progress=False)
    after = native(fresh, "annotations", tmp_path / "after.jsonl")

    def entities(record):
        return [(e["text"], e["label"]) for e in record["entities"]]

    assert [(r["id"], r["annotator"], r["status"], entities(r)) for r in after] == [
        (r["id"], r["annotator"], r["status"], entities(r)) for r in before
    ]
    assert all(r["quotes"] == [] and r["events"] == [] for r in after)
    # the text comes back as its tokens joined by spaces: the same characters, other spacing
    assert after[0]["text"] != before[0]["text"]
    assert "".join(after[0]["text"].split()) == "".join(before[0]["text"].split())
