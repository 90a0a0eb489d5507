import json

import spacy
from spacy.tokens import DocBin
from spacy.vocab import Vocab

from annotator import db as database
from annotator import edits, exporting, importing, store
from annotator.model import Tokens

from .conftest import seed_article_id


def _annotate_as_alice(seeded):
    """Alice relabels one suggestion, deletes another, adds a span and submits."""
    article = store.get_article(seeded, seed_article_id(seeded))
    tokens = Tokens(article.tokens, article.text)
    alice = store.get_user_by_name(seeded, "alice")
    mine = store.open_set(seeded, article.id, alice.id)
    start = article.text.index("Victory base")
    steps = [
        lambda a: edits.relabel(a, next(e.id for e in a.entities if e.start == 1387), "PERSON"),
        lambda a: edits.delete(a, next(e.id for e in a.entities if e.start == 7)),
        lambda a: edits.add_item(a, tokens, article.text, "entity", start, start + len("Victory base"), "FAC")[0],
    ]
    version = mine.version
    for step in steps:
        version = store.edit(seeded, mine.id, version, step, alice.id).version
    store.set_status(seeded, mine.id, version, "submitted", alice.id)
    return store.load_annotation(seeded, mine.id)


def test_export_spacy_docbin_has_every_saved_entity(seeded, tmp_path):
    saved = _annotate_as_alice(seeded)
    out = tmp_path / "train.spacy"
    assert exporting.export(seeded, "spacy", "annotations", out) == 1
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 1
    got = [(e.start_char, e.end_char, e.label_, e.id_) for e in docs[0].ents]
    assert got == [(e.start, e.end, e.label, e.id) for e in saved.entities]
    assert docs[0].text == store.get_article(seeded, seed_article_id(seeded)).text


QUOTED = {
    "id": "q-art",
    "text": "“We will stay,” Austin said. Iran attacked the base.",
    "meta": {"title": "Q"},
    "source": "gold",
    "annotator": None,
    "status": "submitted",
    "entities": [
        {"id": "t1", "start": 16, "end": 22, "label": "PERSON", "text": "Austin"},
        {"id": "t2", "start": 29, "end": 33, "label": "GPE", "text": "Iran"},
    ],
    "quotes": [
        {
            "id": "q1",
            "type": "DIRECT",
            "content": [{"start": 1, "end": 13, "text": "We will stay"}],
            "cue": {"start": 23, "end": 27, "text": "said"},
            "source": {"start": 16, "end": 22, "text": "Austin"},
            "speaker": "t1",
        }
    ],
    "events": [
        {
            "id": "v1",
            "type": "ASSAULT",
            "trigger": {"start": 34, "end": 42, "text": "attacked"},
            "source_actor": "t2",
            "target_actor": None,
            "attrs": {"modality": "asserted"},
        }
    ],
}


def test_export_jsonl_round_trip_is_byte_identical(seeded, project, tmp_path):
    _annotate_as_alice(seeded)
    extra = tmp_path / "quoted.jsonl"
    extra.write_text(json.dumps(QUOTED, ensure_ascii=False) + "\n", "utf-8")
    importing.import_paths(seeded, project, [extra], progress=False)
    first = [tmp_path / f"first-{source}.jsonl" for source in exporting.SOURCES]
    for source, path in zip(exporting.SOURCES, first):
        exporting.export(seeded, "jsonl", source, path)
    fresh = database.connect(tmp_path / "fresh.db")
    importing.import_paths(fresh, project, first, progress=False)
    for source, path in zip(exporting.SOURCES, first):
        again = tmp_path / f"again-{source}.jsonl"
        exporting.export(fresh, "jsonl", source, again)
        assert again.read_bytes() == path.read_bytes(), source
    gold_lines = (tmp_path / "first-gold.jsonl").read_text("utf-8").splitlines()
    # what the file did not say of its items' origins comes back as made by a person
    assert json.loads(gold_lines[0]) == {
        **QUOTED,
        **{key: [{**item, "origin": "added"} for item in QUOTED[key]] for key in ("entities", "quotes", "events")},
    }


def test_export_spacy_carries_quote_and_event_groups(db, project, tmp_path):
    source = tmp_path / "q.jsonl"
    source.write_text(json.dumps(QUOTED, ensure_ascii=False) + "\n", "utf-8")
    importing.import_paths(db, project, [source], progress=False)
    out = tmp_path / "q.spacy"
    exporting.export(db, "spacy", "gold", out)
    doc = next(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert [(s.text, s.label_, s.id_) for s in doc.spans["quote"]] == [("We will stay", "DIRECT", "q1")]
    assert [s.text for s in doc.spans["cue"]] == ["said"] and [s.text for s in doc.spans["source"]] == ["Austin"]
    assert doc.spans["quote"].attrs["speaker"] == {"q1": [16, 22]}  # the speaker's offsets: "Austin"
    assert [(s.text, s.label_) for s in doc.spans["event"]] == [("attacked", "ASSAULT")]
    assert doc.spans["event"].attrs["source_actor"] == {"v1": [29, 33]}  # "Iran"


def test_export_submitted_only_leaves_out_drafts(seeded, tmp_path):
    alice = store.get_user_by_name(seeded, "alice")
    store.open_set(seeded, seed_article_id(seeded), alice.id)
    out = tmp_path / "a.jsonl"
    assert exporting.export(seeded, "jsonl", "annotations", out, submitted_only=True) == 0
    assert exporting.export(seeded, "jsonl", "annotations", out) == 1


def test_export_jsonl_never_reads_the_tokens(seeded, tmp_path):
    _annotate_as_alice(seeded)
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    exporting.export(seeded, "jsonl", "annotations", before)
    # tokens no decoder can read: an export that decoded them would fail
    seeded.execute("UPDATE articles SET tokens = X'5A00'")
    seeded.conn.commit()
    exporting.export(seeded, "jsonl", "annotations", after)
    assert after.read_bytes() == before.read_bytes() and before.stat().st_size > 0


def test_export_jsonl_gives_back_every_part_of_every_item_as_imported(db, project, tmp_path):
    """Items are read with their spans in one joined query: quotes of several parts, cue, source, speaker
    and event actors and attributes must all come back, each layer in text order."""
    from .test_formats_roundtrip import sets

    gold = sets()[0]
    assert any(len(q["content"]) > 1 for q in gold["quotes"]) and any(e.get("attrs") for e in gold["events"])
    source = tmp_path / "gold.jsonl"
    source.write_text(json.dumps(gold, ensure_ascii=False) + "\n", "utf-8")
    importing.import_paths(db, project, [source], progress=False)
    exporting.export(db, "jsonl", "gold", tmp_path / "out.jsonl")
    [back] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]

    def in_text_order(items, main):
        return sorted(items, key=lambda i: (main(i)["start"], main(i)["end"]))

    assert back["entities"] == in_text_order([{**e, "origin": "added"} for e in gold["entities"]], lambda e: e)
    assert back["quotes"] == in_text_order(
        [{"cue": None, "source": None, "speaker": None, **q, "origin": "added"} for q in gold["quotes"]],
        lambda q: q["content"][0],
    )
    assert back["events"] == in_text_order(
        [{"source_actor": None, "target_actor": None, **v, "origin": "added"} for v in gold["events"]],
        lambda v: v["trigger"],
    )


def test_export_spacy_loads_no_spacy_and_no_password_lists(seeded_path, tmp_path):
    """The export's memory is mostly what it imports: not spaCy (92 MB; the shards are filled without
    it), never en_core_web_sm; zxcvbn's word lists (13 MB) only when a password is checked, Flask and
    werkzeug (13 MB) only for the web app or a password. The
    export is the DocBin spaCy reads back (tests/test_formats_spacy.py)."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from annotator import cli, db, exporting; "
        f"n = exporting.export(db.connect(Path({str(seeded_path)!r})), 'spacy', 'predictions', "
        f"Path({str(tmp_path / 'out')!r})); "
        "print(n, sorted(m for m in ('zxcvbn', 'en_core_web_sm', 'spacy', 'flask', 'werkzeug') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split(" ", 1) == ["1", "[]\n"]
    assert len(list(DocBin().from_disk(tmp_path / "out" / "part-0000.spacy").get_docs(Vocab()))) == 1
