"""brat corpora as they come (PolNeAR, BioNLP), and the label options of every import (issue 13.3, 13.4, 13.8)."""

import tomllib

import pytest

from annotator import config, exporting, importing, store
from annotator.model.keys import RESERVED

TEXT = "Clinton said that Trump would lose. Reporters wrote nothing.\n\nEditor's note: none."
# Clinton 0-7, said 8-12, that Trump would lose 13-34, Trump 18-23, Reporters 36-45, wrote 46-51,
# Editor's note: none. 62-82


def _t(n, label, piece, start_from=0):
    start = TEXT.index(piece, start_from)
    return f"T{n}\t{label} {start} {start + len(piece)}\t{piece}"


# As PolNeAR writes it: typed Attribution-no-source, T lines marking text to discard, an
# attribution whose annotator gave no content, a note.
POLNEAR = "\n".join(
    [
        _t(1, "Cue", "said"),
        _t(2, "Content", "that Trump would lose"),
        _t(3, "Attribution-no-source", "said"),
        "E1\tAttribution-no-source:T3 Content:T2 Cue:T1",
        _t(4, "Discard", "Editor's note: none."),
        _t(5, "Attribution", "wrote"),
        "E2\tAttribution:T5 ",
        "#1\tAnnotatorNotes T4\tdrop the note?",
        "",
    ]
)


def _corpus(tmp_path, files):
    folder = tmp_path / "corpus"
    for name, body in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(body, "utf-8")
    return folder


def _items(db, kind="annotator", name=None):
    article_id = next(store.iter_article_ids(db))
    user_id = store.get_user_by_name(db, name).id if name else None
    return store.load_annotation(db, store.find_set(db, article_id, kind, user_id).id)


def test_polnear_shaped_corpus_imports_as_it_is_with_its_annotators(db, project, tmp_path):
    # PolNeAR keeps texts and annotations in sibling folders, NAME_<annotator>.ann
    folder = _corpus(tmp_path, {"text/a.txt": TEXT, "attributions/a_4b22.ann": POLNEAR, "attributions/a_d473.ann": ""})
    report = importing.import_paths(db, project, [folder], progress=False)
    assert (report.articles_new, report.sets) == (1, 2)
    (quote,) = _items(db, name="4b22").quotes
    assert (quote.label, dict(quote.attrs)) == ("INDIRECT", {"brat_type": "Attribution-no-source"})
    assert TEXT[quote.span("cue").start : quote.span("cue").end] == "said"
    where = folder / "attributions" / "a_4b22.ann"
    assert report.skipped == [
        f"T line labelled Discard (not an entity label; --labels extend takes it): 1 (first at {where}:5)",
        f"attribution without Content (not imported): 1 (first at {where}:7)",
    ]


def test_the_attribution_type_is_written_back_on_export(db, project, tmp_path):
    importing.import_paths(db, project, [_corpus(tmp_path, {"a.txt": TEXT, "a_x.ann": POLNEAR})], progress=False)
    out = tmp_path / "out"
    exporting.export(db, "brat", "annotations", out)
    written = (out / "a_x.ann").read_text("utf-8")
    assert "\tAttribution-no-source:T" in written and "brat_type" not in written
    assert "Attribution-no-source\tContent:Content" in (out / "annotation.conf").read_text("utf-8")


def test_bionlp_events_with_other_roles_and_events_as_arguments_are_skipped_and_reported(db, project, tmp_path):
    text = "IL-2 expression induces STAT5 binding."
    ann = "\n".join(
        [
            "T1\tProtein 0 4\tIL-2",
            "T2\tGene_expression 5 15\texpression",
            "T3\tPositive_regulation 16 23\tinduces",
            "T4\tProtein 24 29\tSTAT5",
            "E1\tGene_expression:T2 Theme:T1",
            "E2\tPositive_regulation:T3 Theme:T4 Cause:E1",
            "A1\tNegation T1",
            "",
        ]
    )
    conf = "[entities]\nProtein\n[events]\nGene_expression\tTheme:Protein\nPositive_regulation\tTheme:Protein\n"
    folder = _corpus(tmp_path, {"pmid.txt": text, "pmid.ann": ann, "annotation.conf": conf})
    options = importing.Options(annotator="curator", labels="extend")
    project_file = tmp_path / "annotator.toml"
    config.write_new(project_file)
    report = importing.import_paths(db, config.load(project_file), [folder], options=options, progress=False)
    where = folder / "pmid.ann"
    assert report.skipped == [
        f"attribute Negation of a T line (entities take none): 1 (first at {where}:7)",
        f"event argument Theme (we model Source and Target actors): 2 (first at {where}:5)",
        f"event argument that is itself an event (not imported): 1 (first at {where}:6)",
    ]
    annotation = _items(db, name="curator")
    assert [e.label for e in annotation.entities] == ["Protein", "Protein"]
    assert [v.label for v in annotation.events] == ["Gene_expression", "Positive_regulation"]
    assert report.labels_added == {"entity": ["Protein"], "event": ["Gene_expression", "Positive_regulation"]}


def test_a_brat_label_error_names_the_line_of_the_label(db, project, tmp_path):
    ann = "T1\tPERSON 0 7\tClinton\nT2\tCONSULT 8 12\tsaid\nE1\tCONSULT:T2\nT3\tMEET 46 51\twrote\nE2\tMEET:T3\n"
    folder = _corpus(tmp_path, {"a.txt": TEXT, "a_x.ann": ann})
    with pytest.raises(importing.ImportFailed, match=r"a_x\.ann:5: event label 'MEET' is not in the project's"):
        importing.import_paths(db, project, [folder], progress=False)


@pytest.mark.parametrize("kind", ["gold", "model"])
def test_a_plain_ann_imports_as_gold_or_model(db, project, tmp_path, kind):
    folder = _corpus(tmp_path, {"a.txt": TEXT, "a.ann": "T1\tPERSON 0 7\tClinton\n"})
    importing.import_paths(db, project, [folder], options=importing.Options(kind=kind), progress=False)
    assert [e.label for e in _items(db, kind).entities] == ["PERSON"]


# --- labels: strict, extend, map (every format) ----------------------------------------------

CONLL = "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n"


def test_strict_refuses_unknown_labels_saying_how_to_proceed(db, project, tmp_path):
    (tmp_path / "eng.train").write_text(CONLL, "utf-8")
    with pytest.raises(importing.ImportFailed) as failed:
        importing.import_paths(db, project, [tmp_path / "eng.train"], annotator="x", progress=False)
    assert str(failed.value) == (  # the line of the first MISC token
        f"{tmp_path / 'eng.train'}:5: entity label 'MISC' is not in the project's scheme; add the corpus's labels "
        "with --labels extend, or map them with --label-map MISC=LABEL"
    )


def test_extend_adds_the_labels_to_the_project_file_with_a_colour_and_a_free_key(db, tmp_path):
    project_file = tmp_path / "annotator.toml"
    config.write_new(project_file)
    (tmp_path / "eng.train").write_text(CONLL, "utf-8")
    options = importing.Options(annotator="x", labels="extend")
    report = importing.import_paths(
        db, config.load(project_file), [tmp_path / "eng.train"], options=options, progress=False
    )
    assert report.labels_added == {"entity": ["MISC"]}
    (misc,) = [label for label in config.load(project_file).schemes["entity"].labels if label.name == "MISC"]
    used = [label.hotkey for label in config.load(None).schemes["entity"].labels]
    assert misc.hotkey and misc.hotkey not in RESERVED and misc.hotkey not in used
    assert misc.colour.startswith("#")
    assert "# annotator project configuration." in project_file.read_text("utf-8")  # comments kept
    assert tomllib.loads(project_file.read_text("utf-8"))["project"]["secret_key"] != "CHANGE-ME"


def test_label_map_renames_and_an_empty_target_drops(db, project, tmp_path):
    (tmp_path / "eng.train").write_text(CONLL, "utf-8")
    options = importing.Options(annotator="x", label_map={"MISC": "NORP", "ORG": ""})
    report = importing.import_paths(db, project, [tmp_path / "eng.train"], options=options, progress=False)
    assert [(e.label) for e in _items(db, name="x").entities] == ["NORP"]
    assert report.skipped == [f"entity labelled ORG (dropped by --label-map): 1 (first at {tmp_path / 'eng.train'}:1)"]
