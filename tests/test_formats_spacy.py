"""spaCy DocBin: shards for streaming, reading .spacy back, and `spacy train` / `debug data` on the export."""

import json
import re
import subprocess
import sys
import zlib

import numpy as np
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc, DocBin

from annotator import db as database
from annotator import exporting, formats, importing, processes, store
from annotator.formats import docbin

from .test_export import QUOTED
from .test_formats_roundtrip import sets


def _import(db, project, tmp_path, records):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    importing.import_paths(db, project, [path], progress=False)


def _docs(path):
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def test_spacy_export_to_a_folder_writes_shards(db, project, tmp_path):
    _import(
        db, project, tmp_path, [{**QUOTED, "id": f"a{i}", "text": QUOTED["text"] + f" Copy {i}."} for i in range(5)]
    )
    out = tmp_path / "train"
    assert docbin.write(exporting.records(db, "gold"), out, shard_size=2) == 5
    assert sorted(p.name for p in out.iterdir()) == ["part-0000.spacy", "part-0001.spacy", "part-0002.spacy"]
    assert [len(_docs(p)) for p in sorted(out.iterdir())] == [2, 2, 1]
    assert _docs(out / "part-0002.spacy")[0].spans["annotation_set"].attrs["id"] == "a4"
    with pytest.raises(formats.FormatError, match="holds .spacy files already"):
        docbin.write(exporting.records(db, "gold"), out)


needs_fork = pytest.mark.skipif(
    not processes.can_fork(), reason="SKIPPED: writing shards in parallel needs a second core and fork"
)


def _copies(n):
    return [{**QUOTED, "id": f"a{i}", "text": QUOTED["text"] + f" Copy {i}."} for i in range(n)]


def _read_folder(out):
    """Each doc of every shard in the folder, in the shards' order, as what a reader sees of it."""
    found = []
    for shard in sorted(out.glob("*.spacy")):
        for doc in _docs(shard):
            groups = {
                name: [(s.start_char, s.end_char, s.label_, s.id_) for s in group] for name, group in doc.spans.items()
            }
            ents = [(e.start_char, e.end_char, e.label_, e.id_) for e in doc.ents]
            found.append((doc.text, ents, groups, doc.spans["annotation_set"].attrs["id"]))
    return found


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3])
def test_spacy_export_in_several_processes_writes_what_one_process_writes(db, project, tmp_path, jobs):
    _import(db, project, tmp_path, _copies(7))
    assert exporting.export(db, "spacy", "gold", tmp_path / "one") == 7
    assert exporting.export(db, "spacy", "gold", tmp_path / "many", jobs=jobs) == 7
    one, many = _read_folder(tmp_path / "one"), _read_folder(tmp_path / "many")
    assert many == one and [doc[3] for doc in many] == [f"a{i}" for i in range(7)]
    # each run ends its own last shard; the names run on without a gap, and nothing is left staged
    assert sorted(p.name for p in (tmp_path / "many").iterdir()) == [f"part-{n:04d}.spacy" for n in range(jobs)]


@pytest.mark.parametrize("where", ["one.spacy", "no-fork"])
def test_spacy_export_in_parts_without_a_second_process_writes_the_runs_in_turn(
    db, project, tmp_path, monkeypatch, where
):
    """A single .spacy file, or a machine with one core (or no fork): the runs are written here, one
    after the other, into what one process writes."""
    _import(db, project, tmp_path, _copies(5))
    if where == "no-fork":
        monkeypatch.setattr(docbin, "forked_pool", lambda workers: None)
    out = tmp_path / where
    assert exporting.export(db, "spacy", "gold", out, jobs=3) == 5
    shards = [out] if where.endswith(".spacy") else sorted(out.iterdir())
    assert [p.name for p in shards] == (["one.spacy"] if where.endswith(".spacy") else ["part-0000.spacy"])
    assert [d.spans["annotation_set"].attrs["id"] for d in _docs(shards[0])] == [f"a{i}" for i in range(5)]


@needs_fork
def test_spacy_shards_written_in_parts_are_numbered_in_the_parts_order(db, project, tmp_path):
    _import(db, project, tmp_path, _copies(5))
    records = list(exporting.records(db, "gold"))
    out = tmp_path / "train"
    assert docbin.write_parts([lambda: records[:3], lambda: records[3:]], out, shard_size=2) == 5
    assert sorted(p.name for p in out.iterdir()) == [f"part-{n:04d}.spacy" for n in range(3)]
    assert [[d.spans["annotation_set"].attrs["id"] for d in _docs(p)] for p in sorted(out.iterdir())] == [
        ["a0", "a1"],
        ["a2"],
        ["a3", "a4"],
    ]


@needs_fork
@pytest.mark.parametrize("bad_part", [0, 1])
def test_spacy_export_in_parts_refuses_a_bad_record_and_leaves_no_shard(db, project, tmp_path, bad_part):
    """A record that cannot be written, in this process's run or a forked one: the export's message,
    and the folder holds no shard (staged or not) afterwards."""
    _import(db, project, tmp_path, _copies(4))
    records = list(exporting.records(db, "gold"))
    bad = records[1 if bad_part == 0 else 3]
    bad.stored_tokens = np.array([(1, 6)], dtype=np.int64)
    out = tmp_path / "train"
    with pytest.raises(formats.FormatError, match=f"^{bad.ext_id}: stored tokens do not rebuild the text"):
        docbin.write_parts([lambda: records[:2], lambda: records[2:]], out, shard_size=1)
    assert list(out.iterdir()) == []


def test_export_refuses_no_processes(db, project, tmp_path):
    _import(db, project, tmp_path, _copies(1))
    with pytest.raises(exporting.ExportFailed, match="jobs must be 1 or more, not 0"):
        exporting.export(db, "spacy", "gold", tmp_path / "out", jobs=0)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("parts", [1, 2, 3, 7, 9])
def test_sets_split_into_runs_cover_every_set_once_in_order(db, project, tmp_path, parts):
    _import(db, project, tmp_path, _copies(7))
    kind = exporting.SOURCES["gold"]
    every = [found.id for _, found, _ in store.iter_sets(db, kind)]
    runs = store.split_sets(db, kind, parts)
    got = [[found.id for _, found, _, _ in store.iter_exported(db, kind, ids=ids)] for ids in runs]
    assert [i for run in got for i in run] == every
    assert len(runs) == min(parts, 7) and max(map(len, got)) - min(map(len, got)) <= 1


def test_spacy_export_any_name_without_the_suffix_is_a_folder(db, project, tmp_path):
    _import(db, project, tmp_path, [QUOTED])
    assert exporting.export(db, "spacy", "gold", tmp_path / "corpus") == 1
    assert [p.name for p in (tmp_path / "corpus").iterdir()] == ["part-0000.spacy"]


def test_spacy_folder_of_shards_imports_back(db, project, tmp_path):
    _import(db, project, tmp_path, sets())
    exporting.export(db, "spacy", "annotations", tmp_path / "shards")
    fresh = database.connect(tmp_path / "fresh.db")
    report = importing.import_paths(fresh, project, [tmp_path / "shards"], progress=False)  # auto: .spacy files
    assert report.sets == 2
    bob = store.get_user_by_name(fresh, "bob")
    found = store.find_set(fresh, store.find_article(fresh, "tehran-visit"), "annotator", bob.id)
    assert found.status == "draft" and len(store.load_annotation(fresh, found.id).quotes) == 1


def test_spacy_docbin_from_elsewhere_gives_its_entities(db, project, tmp_path):
    nlp = spacy.blank("en")
    doc = nlp("Rashid flew to Tehran.")
    doc.ents = [doc.char_span(0, 6, "PERSON"), doc.char_span(15, 21, "GPE")]
    path = tmp_path / "other.spacy"
    DocBin(docs=[doc]).to_disk(path)
    importing.import_paths(db, project, [path], annotator="ext", progress=False)
    article_id = next(store.iter_article_ids(db))
    found = store.find_set(db, article_id, "annotator", store.get_user_by_name(db, "ext").id)
    assert [(e.id, e.start, e.label) for e in store.load_annotation(db, found.id).entities] == [
        ("t1", 0, "PERSON"),
        ("t2", 15, "GPE"),
    ]


def test_spacy_bad_file_and_orphan_cue_are_refused(db, project, tmp_path):
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"not a docbin")
    with pytest.raises(importing.ImportFailed, match=rf"^{bad}:1: not a spaCy DocBin"):
        importing.import_paths(db, project, [bad], progress=False)
    doc = Doc(spacy.blank("en").vocab, words=["He", "said", "so"])
    doc.spans["cue"] = [doc[1:2]]
    doc.spans["cue"][0].id_ = "q9"
    orphan = tmp_path / "orphan.spacy"
    DocBin(docs=[doc]).to_disk(orphan)
    with pytest.raises(importing.ImportFailed, match=rf"^{orphan}:1: the cue span 'said' belongs to no quote"):
        importing.import_paths(db, project, [orphan], annotator="x", progress=False)
    assert store.count_articles(db) == 0


def _spacy(*args, cwd):
    """Run `python -m spacy …`; returns (exit code, output without colours)."""
    done = subprocess.run(
        [sys.executable, "-m", "spacy", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    return done.returncode, re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", done.stdout + done.stderr)


def test_spacy_train_and_debug_data_run_on_the_export(seeded, project, tmp_path):
    _import(seeded, project, tmp_path, sets())
    train, dev = tmp_path / "train", tmp_path / "dev.spacy"
    assert exporting.export(seeded, "spacy", "predictions", train) == 1  # the seed article, as a folder of shards
    assert exporting.export(seeded, "spacy", "annotations", train / "more") == 2
    assert exporting.export(seeded, "spacy", "gold", dev) == 2
    code, out = _spacy(
        "init", "config", "config.cfg", "--lang", "en", "--pipeline", "ner", "--optimize", "efficiency", cwd=tmp_path
    )
    assert code == 0, out
    paths = ["--paths.train", train, "--paths.dev", dev]
    code, out = _spacy(
        "train",
        "config.cfg",
        "--output",
        "model",
        *paths,
        "--training.max_epochs",
        "1",
        "--training.max_steps",
        "6",
        "--training.eval_frequency",
        "3",
        cwd=tmp_path,
    )
    assert code == 0, out
    assert (tmp_path / "model" / "model-last" / "meta.json").exists()
    code, out = _spacy("debug", "data", "config.cfg", *paths, cwd=tmp_path)
    assert "Corpus is loadable" in out and "3 training docs" in out, out
    assert "misaligned" not in out, out
    assert "No entities consisting of or starting/ending with whitespace" in out
    # the one error debug data reports is about the size of a test corpus, not about the data
    assert [line for line in out.splitlines() if line.startswith("✘")] == [
        "✘ Low number of examples to train a new pipeline (3)",
        "✘ 1 error",
    ], out


def test_spacy_docbin_written_by_our_pipeline_components_imports_with_its_links(db, project, tmp_path):
    """The components write links as entity offsets; a DocBin of their output imports as it is."""
    from annotator.nlp import pipeline

    nlp = pipeline.load("en_core_web_sm", project).nlp
    text = (
        "Iranian President Masoud Pezeshkian met Iraqi Prime Minister Mohammed Shia al-Sudani in Baghdad.\n"
        "“We will not allow any attack,” Pezeshkian said."
    )
    doc = nlp(text)
    (speaker,) = doc.spans["quote"].attrs["speaker"].values()
    assert text[speaker[0] : speaker[1]] == "Masoud Pezeshkian"  # the first mention, as offsets
    path = tmp_path / "pipeline.spacy"
    DocBin(docs=[doc], store_user_data=False).to_disk(path)
    importing.import_paths(db, project, [path], annotator="pipe", progress=False)
    article_id = next(store.iter_article_ids(db))
    found = store.find_set(db, article_id, "annotator", store.get_user_by_name(db, "pipe").id)
    annotation = store.load_annotation(db, found.id)
    (quote,) = annotation.quotes
    linked = annotation.get(quote.link("speaker"))
    assert text[linked.start : linked.end] == "Masoud Pezeshkian" and linked.layer == "entity"
    assert {(e.start, e.end, e.label) for e in annotation.entities} == {
        (e.start_char, e.end_char, e.label_) for e in doc.ents
    }
    events = {text[v.start : v.end]: v for v in annotation.events}
    assert "met" in events
    assert text[annotation.get(events["met"].link("source_actor")).start :].startswith("Masoud Pezeshkian")


def test_spacy_links_as_entity_ids_from_version_0_1_still_import(db, project, tmp_path):
    doc = Doc(spacy.blank("en").vocab, words=["Austin", "said", "so"])
    doc.ents = [doc.char_span(0, 6, "PERSON", span_id="t1")]
    doc.spans["quote"] = [doc.char_span(12, 14, "INDIRECT", span_id="q1")]
    doc.spans["quote"].attrs["speaker"] = {"q1": "t1"}
    path = tmp_path / "old.spacy"
    DocBin(docs=[doc]).to_disk(path)
    importing.import_paths(db, project, [path], annotator="old", progress=False)
    found = store.find_set(db, next(store.iter_article_ids(db)), "annotator", store.get_user_by_name(db, "old").id)
    (quote,) = store.load_annotation(db, found.id).quotes
    assert quote.link("speaker") == "t1"


def _shard_and_spacys(records):
    """Our Shard filled from the records, and spaCy's DocBin of to_doc's Docs of the same records."""
    from spacy.vocab import Vocab

    from annotator.formats.docbin_shard import ATTRS, Shard

    ours, spacys, vocab = Shard(), DocBin(attrs=ATTRS, store_user_data=False), Vocab()
    for record in records:
        docbin._add(ours, record)
        spacys.add(docbin.to_doc(record, vocab))
    return ours, spacys


def test_spacy_shard_is_byte_for_byte_the_docbin_spacy_makes_of_the_same_docs(db, project, tmp_path):
    """The export fills its shards without making Docs: the file must not differ from the DocBin
    spaCy makes of the Docs the adapter writes, every layer included (but for zlib's level)."""
    from spacy.vocab import Vocab

    _import(db, project, tmp_path, sets())
    records = [*exporting.records(db, "annotations"), *exporting.records(db, "gold")]
    ours, spacys = _shard_and_spacys(records)
    assert len(records) == 4 and any(r.annotation.quotes for r in records) and any(r.annotation.events for r in records)
    assert zlib.decompress(ours.to_bytes()) == zlib.decompress(spacys.to_bytes())
    back = list(DocBin().from_bytes(ours.to_bytes()).get_docs(Vocab()))
    wanted = [(records[0].text[e.main.start : e.main.end], e.label, e.id) for e in records[0].annotation.entities]
    assert [(e.text, e.label_, e.id_) for e in back[0].ents] == wanted and wanted


words = st.sampled_from(["Kuwait", "ADJ", "PERSON", "hosts", "ü", "\n", " ", "a", "US", ".", "t1", ""])


@st.composite
def records_on_tokens(draw):
    """A record whose stored tokens rebuild its text (spaCy's words and single spaces), with entities,
    quotes (links included) and events on them; words and labels that are spaCy symbols too."""
    from annotator.model import Annotation, Item, Record, Span

    chosen = draw(st.lists(st.tuples(words.filter(bool), st.booleans()), min_size=1, max_size=12))
    text, tokens = "", []
    for word, space in chosen:
        tokens.append((len(text), len(text) + len(word)))
        text += word + (" " if space else "")
    meta = draw(st.sampled_from([{}, {"k": [1]}]))
    record = Record(ext_id=draw(st.sampled_from(["a1", "ADJ"])), text=text, meta=meta)
    record.stored_tokens = np.array(tokens, dtype=np.int64)
    if draw(st.booleans()):
        return record  # a plain article: doc.ents never set
    record.source, record.status = "gold", "submitted"
    cuts = sorted(draw(st.sets(st.integers(0, len(tokens)), max_size=6)))
    ranges = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    labels = st.sampled_from(["PERSON", "GPE", "X-Y", "ü"])
    items = [
        Item.entity(f"t{n}", tokens[a][0], tokens[b - 1][1], draw(labels)) for n, (a, b) in enumerate(ranges, start=1)
    ]
    if ranges and draw(st.booleans()):
        a, b = ranges[0]
        speaker = draw(st.sampled_from([None, "t1"]))
        content, cue = Span(tokens[a][0], tokens[b - 1][1]), Span(*tokens[a])
        items.append(Item.quote("q1", "direct", [content], cue, None, speaker=speaker))
    if ranges and draw(st.booleans()):
        a, _ = ranges[-1]
        items.append(Item.event("v1", "AID", Span(*tokens[a]), "t1", None, attrs=(("mode", "x"),)))
    record.annotation = Annotation.of(items)
    return record


@settings(max_examples=150, deadline=None)
@given(st.lists(records_on_tokens(), min_size=1, max_size=4))
def test_spacy_shard_matches_spacys_docbin_on_any_tokens_and_layers(records):
    ours, spacys = _shard_and_spacys(records)
    assert zlib.decompress(ours.to_bytes()) == zlib.decompress(spacys.to_bytes())


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("Kuwait hosts a US.", [(0, 6), (8, 12), (13, 14), (15, 17), (17, 18)]),  # two characters between tokens
        ("Kuwait hosts a US.", [(1, 6), (7, 12), (13, 14), (15, 17), (17, 18)]),  # the first not at the start
        ("Kuwait hosts a US.", [(0, 6), (7, 12), (13, 14), (15, 17)]),  # the text's end left out
        ("Kuwait-hosts", [(0, 6), (7, 12)]),  # what is between is not a space
        ("Kuwait hosts", [(0, 6), (6, 6), (7, 12)]),  # an empty token
    ],
)
def test_spacy_export_refuses_stored_tokens_that_do_not_rebuild_the_text(text, tokens):
    from spacy.vocab import Vocab

    from annotator.model import Record

    record = Record(ext_id="a1", text=text, stored_tokens=np.array(tokens, dtype=np.int64).reshape(-1, 2))
    with pytest.raises(formats.FormatError, match="^a1: stored tokens do not rebuild the text"):
        docbin.to_doc(record, Vocab())
    _refused_by_the_export(record, "^a1: stored tokens do not rebuild the text")


def _refused_by_the_export(record, message):
    """The export's own path (a shard filled without Docs) refuses what to_doc refuses, and adds nothing."""
    from annotator.formats.docbin_shard import Shard

    shard = Shard()
    with pytest.raises(formats.FormatError, match=message):
        docbin._add(shard, record)
    assert not shard.tokens and not shard.span_groups


def test_spacy_export_keeps_stored_whitespace_tokens():
    from spacy.vocab import Vocab

    from annotator.model import Record

    text = "Kuwait  hosts.\n"
    record = Record(ext_id="a1", text=text, stored_tokens=np.array([(0, 6), (7, 8), (8, 13), (13, 14), (14, 15)]))
    doc = docbin.to_doc(record, Vocab())
    assert doc.text == text and [t.text for t in doc] == ["Kuwait", " ", "hosts", ".", "\n"]


@pytest.mark.parametrize("start, end", [(0, 4), (1, 6), (6, 12), (7, 7)])
def test_spacy_export_refuses_a_span_off_the_stored_tokens(start, end):
    """Spans are made from the token offsets, strictly: an end or start inside a token is an error."""
    from spacy.vocab import Vocab

    from annotator.model import Annotation, Item, Record

    text = "Kuwait hosts a US."
    entity = Item.entity("t1", start, end, "GPE")
    tokens = np.array([(0, 6), (7, 12), (13, 14), (15, 17), (17, 18)])
    record = Record(ext_id="a1", text=text, annotation=Annotation.of([entity]), stored_tokens=tokens)
    message = f"^a1: entity t1 {start}-{end} does not fall on token boundaries"
    with pytest.raises(formats.FormatError, match=message):
        docbin.to_doc(record, Vocab())
    _refused_by_the_export(record, message)
    fine = Record(ext_id="a1", text=text, annotation=Annotation.of([Item.entity("t1", 7, 14, "GPE")]))
    fine.stored_tokens = tokens
    assert [(e.text, e.label_, e.id_) for e in docbin.to_doc(fine, Vocab()).ents] == [("hosts a", "GPE", "t1")]


def test_spacy_export_refuses_a_quote_off_the_stored_tokens_and_adds_nothing_of_it():
    from spacy.vocab import Vocab

    from annotator.model import Annotation, Item, Record, Span

    tokens = np.array([(0, 6), (7, 12), (13, 14), (15, 17), (17, 18)])
    quote = Item.quote("q1", "direct", [Span(7, 13)], None, None, speaker="t1")
    annotation = Annotation.of([Item.entity("t1", 0, 6, "GPE"), quote])
    record = Record(ext_id="a1", text="Kuwait hosts a US.", annotation=annotation, stored_tokens=tokens)
    message = "^a1: quote q1 content 7-13 does not fall on token boundaries"
    with pytest.raises(formats.FormatError, match=message):
        docbin.to_doc(record, Vocab())
    _refused_by_the_export(record, message)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.sampled_from(["", "PERSON", "ORTH", "ADJ", "nsubj", "ENT_ID", "Person", "t1"])))
def test_string_ids_are_the_ones_spacy_gives(string):
    """The shards give strings their ids without spaCy (its symbols, else murmurhash's hash64): the ids
    must be spaCy's, or a reader would find other words and labels than the ones written."""
    from spacy.strings import get_string_id

    from annotator.formats.docbin_shard import string_id

    assert string_id(string) == get_string_id(string)


def test_string_ids_of_every_spacy_symbol():
    from spacy.symbols import IDS

    from annotator.formats.docbin_shard import string_id

    assert {name: string_id(name) for name in IDS} == IDS


def test_symbols_loaded_without_spacy_leave_spacy_importable(tmp_path):
    """The shard loads spaCy's symbols module alone; spaCy imported after it in the same process
    still works, with the same symbols, and writes what our shard wrote."""
    code = (
        "import sys, zlib; from annotator.formats.docbin_shard import Shard, string_id; "
        "print(string_id('PERSON'), string_id('Kuwait'), 'spacy' in sys.modules); "
        "import spacy; from spacy.strings import get_string_id; from spacy.symbols import IDS; "
        "print(get_string_id('PERSON'), get_string_id('Kuwait'), len(spacy.blank('en')('Kuwait hosts')))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    ours, spacys = found.stdout.splitlines()
    assert ours.rsplit(" ", 1)[0] == spacys.rsplit(" ", 1)[0] and ours.endswith("False") and spacys.endswith(" 2")
