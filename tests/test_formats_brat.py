"""brat standoff: folders of .txt and .ann, several annotators per text, FILE:LINE errors."""

import json

import pytest

from annotator import exporting, importing, store
from annotator.formats import brat
from annotator.formats.base import Reading

TEXT = "“Americans are not friends of Iraq,” Khamenei said, “and they never were.” Rashid met Khamenei in Tehran."
# Americans 1-10, Iraq 30-34, Khamenei 37-45, said 46-50, content 1-34 and 53-72, Rashid 75-81, met 82-85,
# Khamenei (2nd) 86-94, Tehran 98-104.

ALICE = """T1\tNORP 1 10\tAmericans
T2\tPERSON 37 45\tKhamenei
T3\tAttribution 46 50\tsaid
T4\tContent 1 34;53 72\tAmericans are not friends of Iraq and they never were
T5\tCue 46 50\tsaid
T6\tSource 37 45\tKhamenei
E1\tAttribution:T3 Content:T4 Cue:T5 Source:T6
A1\tQuoteType E1 DIRECT
R1\tSpeaker Arg1:E1 Arg2:T2
T7\tPERSON 75 81\tRashid
T8\tCONSULT 82 85\tmet
E2\tCONSULT:T8 Source:T7 Target:T9
T9\tPERSON 86 94\tKhamenei
A2\tmodality E2 asserted
"""
# Bob: roles in another order, no cue, the speaker as an E-line argument, content as two Content args.
BOB = """T2\tPERSON 37 45\tKhamenei
T4\tContent 53 72\tand they never were
T3\tContent 1 34\tAmericans are not friends of Iraq
T1\tAttribution 1 34\tAmericans are not friends of Iraq
E1\tAttribution:T1 Speaker:T2 Content2:T4 Content:T3
A1\tQuoteType E1 MIXED
"""
# Carol: entities only, and an event without actors.
CAROL = """T1\tGPE 30 34\tIraq
T2\tGPE 98 104\tTehran
T3\tCONSULT 82 85\tmet
E1\tCONSULT:T3
"""


def _folder(tmp_path, files: dict[str, str]):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, "utf-8")
    return folder


def _set(db, ext_id, name):
    found = store.find_set(db, store.find_article(db, ext_id), "annotator", store.get_user_by_name(db, name).id)
    return found, store.load_annotation(db, found.id)


def test_brat_folder_with_three_annotators_of_one_text_imports_as_three_sets(db, project, tmp_path):
    folder = _folder(
        tmp_path, {"visit.txt": TEXT, "visit_alice.ann": ALICE, "visit_bob.ann": BOB, "visit_carol.ann": CAROL}
    )
    report = importing.import_paths(db, project, [folder], progress=False)
    assert (report.articles_new, report.articles_existing, report.sets) == (1, 2, 3)
    assert store.count_articles(db) == 1  # visit.txt is not imported a second time as plain text
    article_id = store.find_article(db, "visit")
    names = {found.user_name for _, found, _ in store.iter_sets(db, "annotator") if found.article_id == article_id}
    assert names == {"alice", "bob", "carol"}

    found, alice = _set(db, "visit", "alice")
    assert found.status == "submitted"
    (quote,) = alice.quotes
    assert [(c.start, c.end) for c in quote.parts("content")] == [(1, 34), (53, 72)]  # the discontinuous Content
    assert (
        quote.label,
        quote.span("cue").start,
        quote.span("source").start,
        alice.get(quote.link("speaker")).start,
    ) == ("DIRECT", 46, 37, 37)
    (event,) = alice.events
    assert (event.label, alice.get(event.link("source_actor")).start, alice.get(event.link("target_actor")).start) == (
        "CONSULT",
        75,
        86,
    )
    assert event.attrs == (("modality", "asserted"),)

    _, bob = _set(db, "visit", "bob")
    (quote,) = bob.quotes
    assert [(c.start, c.end) for c in quote.parts("content")] == [(1, 34), (53, 72)]
    assert (quote.label, quote.span("cue"), quote.span("source"), bob.get(quote.link("speaker")).start) == (
        "MIXED",
        None,
        None,
        37,
    )

    _, carol = _set(db, "visit", "carol")
    assert [(e.label, e.start) for e in carol.entities] == [("GPE", 30), ("GPE", 98)]
    assert [(v.label, v.link("source_actor"), v.link("target_actor")) for v in carol.events] == [
        ("CONSULT", None, None)
    ]

    # and `annotator agreement` reports on the three of them
    from click.testing import CliRunner

    from annotator.cli import cli

    db_file = db.execute("PRAGMA database_list").fetchone()[2]
    result = CliRunner().invoke(cli, ["--db", db_file, "agreement", "--json"])
    assert result.exit_code == 0, result.output
    reports = {r["layer"]: r for r in map(json.loads, result.output.splitlines())}
    for layer in ("entity", "quote", "event"):
        assert reports[layer]["documents"] == 1 and reports[layer]["annotators"] == ["alice", "bob", "carol"]
    assert reports["quote"]["attribution"]["matched"] >= 1
    assert reports["event"]["type_agreement"]["matched"] >= 1


def test_brat_suffixless_ann_takes_the_annotator_option_and_needs_it(db, project, tmp_path):
    folder = _folder(tmp_path, {"visit.txt": TEXT, "visit.ann": CAROL})
    with pytest.raises(importing.ImportFailed, match=r"visit\.ann:1: .*needs \"annotator\""):
        importing.import_paths(db, project, [folder], progress=False)
    assert store.count_articles(db) == 0
    importing.import_paths(db, project, [folder], annotator="dora", progress=False)
    _, dora = _set(db, "visit", "dora")
    assert len(dora.entities) == 2


def test_brat_single_ann_file_reads_its_txt_and_other_files_in_a_brat_folder_still_import(db, project, tmp_path):
    folder = _folder(
        tmp_path,
        {
            "visit.txt": TEXT,
            "visit_alice.ann": ALICE,
            "other.txt": "Unannotated text.",
            "more.jsonl": '{"id": "j1", "text": "From JSONL."}\n',
        },
    )
    importing.import_paths(db, project, [folder / "visit_alice.ann"], progress=False)
    assert store.count_articles(db) == 1
    importing.import_paths(db, project, [folder], progress=False)
    # other.txt has no .ann: a plain article; more.jsonl is read as JSONL
    assert {store.get_article(db, i).ext_id for i in store.iter_article_ids(db)} == {"visit", "other", "j1"}


def test_brat_annotator_name_with_underscore_and_longest_text_name_win(db, project, tmp_path):
    folder = _folder(
        tmp_path,
        {
            "a.txt": TEXT,
            "a_b.txt": "Second text, Tehran.",
            "a_b_mary_ann.ann": "T1\tGPE 13 19\tTehran\n",
            "a_joe.ann": CAROL,
        },
    )
    importing.import_paths(db, project, [folder], progress=False)
    _, mary = _set(db, "a_b", "mary_ann")
    assert [e.start for e in mary.entities] == [13]
    _, joe = _set(db, "a", "joe")
    assert len(joe.entities) == 2


@pytest.mark.parametrize(
    "ann, line, message",
    [
        ("T1\tGPE 98 104\tTehran\nnonsense here\n", 2, "not a brat annotation line"),
        ("T1\tGPE 98 999\tTehran\n", 1, "not a span of the text"),
        ("T1\tGPE 98 104\tTeheran\n", 1, "does not match the .txt"),
        ("T1\tGPE 98 x\tTehran\n", 1, "offsets"),
        ("T1\tGPE 98 104\tTehran\nT1\tGPE 30 34\tIraq\n", 2, "defined twice"),
        ("T3\tCONSULT 82 85\tmet\nE1\tCONSULT:T3 Source:T7\n", 2, "T7 is not defined"),
        ("T3\tCONSULT 82 85\tmet\nE1\tCONSULT:T9\n", 2, "T9 is not defined"),
        ("T1\tPERSON 75 81\tRashid\nR1\tSpeaker Arg1:E4 Arg2:T1\n", 2, "E4 is not defined"),
        ("T1\tPERSON 75 81\tRashid\nA1\tQuoteType E4 DIRECT\n", 2, "E4 is not defined"),
        ("T1\tGPE 98 104\tTehran\nR1\tSpeaker Arg1:T1\n", 2, "an R line is"),
        ("E1\tnocolon\n", 1, "is not ROLE:ID"),
    ],
)
def test_brat_malformed_ann_is_refused_naming_file_and_line(db, project, tmp_path, ann, line, message):
    folder = _folder(tmp_path, {"visit.txt": TEXT, "visit_x.ann": ann})
    with pytest.raises(importing.ImportFailed, match=rf"visit_x\.ann:{line}: .*{message}"):
        importing.import_paths(db, project, [folder], progress=False)
    assert store.count_articles(db) == 0


def test_brat_ann_without_its_txt_is_refused(db, project, tmp_path):
    folder = _folder(tmp_path, {"lonely_alice.ann": CAROL})
    with pytest.raises(importing.ImportFailed, match=r"lonely_alice\.ann:1: no lonely_alice\.txt"):
        importing.import_paths(db, project, [folder], progress=False)


def test_brat_export_writes_one_txt_per_article_and_an_ann_per_annotator(db, project, tmp_path):
    importing.import_paths(
        db,
        project,
        [_folder(tmp_path, {"visit.txt": TEXT, "visit_alice.ann": ALICE, "visit_bob.ann": BOB})],
        progress=False,
    )
    out = tmp_path / "out"
    assert exporting.export(db, "brat", "annotations", out) == 2
    assert sorted(p.name for p in out.iterdir()) == ["annotation.conf", "visit.txt", "visit_alice.ann", "visit_bob.ann"]
    assert (out / "visit.txt").read_text("utf-8") == TEXT
    bob = (out / "visit_bob.ann").read_text("utf-8")
    assert "\tContent 1 34;53 72\tAmericans are not friends of Iraq and they never were\n" in bob
    assert "\tQuoteType E1 MIXED\n" in bob and "\tSpeaker Arg1:E1 Arg2:T1\n" in bob
    conf = (out / "annotation.conf").read_text("utf-8")
    assert "CONSULT\tSource?:<ENTITY>, Target?:<ENTITY>" in conf and "modality\tArg:<EVENT>, Value:asserted" in conf
    with pytest.raises(exporting.ExportFailed, match="new or empty folder"):
        exporting.export(db, "brat", "annotations", out)


def test_brat_export_names_files_so_odd_ids_come_back(db, project, tmp_path):
    odd = tmp_path / "odd.jsonl"
    odd.write_text(
        '{"id": "2024/05 .x%", "text": "Tehran.", "source": "gold",'
        ' "entities": [{"id": "t1", "start": 0, "end": 6, "label": "GPE"}]}\n',
        "utf-8",
    )
    importing.import_paths(db, project, [odd], progress=False)
    out = tmp_path / "out"
    exporting.export(db, "brat", "gold", out)
    assert sorted(p.name for p in out.iterdir()) == ["2024%2F05 .x%25.ann", "2024%2F05 .x%25.txt", "annotation.conf"]
    assert [r.ext_id for _, r in brat.read(out, Reading())] == ["2024/05 .x%"]


def test_brat_export_refuses_an_attr_brat_cannot_write(db, project, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"id": "a", "text": "Iran attacked.", "source": "gold", "events": [{"id": "v1", "type": '
        '"ASSAULT", "trigger": {"start": 5, "end": 13}, "attrs": {"note": "two words"}}]}\n',
        "utf-8",
    )
    importing.import_paths(db, project, [path], progress=False)
    with pytest.raises(exporting.ExportFailed, match="brat cannot carry it"):
        exporting.export(db, "brat", "gold", tmp_path / "out")


def test_brat_trigger_stands_for_the_cue_and_m_lines_are_attributes(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "visit.txt": TEXT,
            "visit_z.ann": (
                "T1\tAttribution 46 50\tsaid\nT2\tContent 1 34\tAmericans are not friends of Iraq\n"
                "E1\tAttribution:T1 Content:T2\nM1\tQuoteType E1 INDIRECT\n#1\tAnnotatorNotes T1\tchecked\n"
            ),
        },
    )
    ((where, record),) = brat.read(folder, Reading())
    (quote,) = record.annotation.quotes
    assert (quote.label, (quote.span("cue").start, quote.span("cue").end)) == ("INDIRECT", (46, 50))
    assert (record.ext_id, record.annotator, where) == ("visit", "z", f"{folder / 'visit_z.ann'}:1")
