"""Label Studio and doccano exports, and texts other tools spell differently meeting as one article (issue 13.9)."""

import json
import unicodedata

from annotator import importing, reviewing, store
from annotator.formats import guess

TEXT = "Angela Merkel met Emmanuel Macron in Paris."


def _region(rid, piece, label, text=TEXT):
    start = text.index(piece)
    value = {"start": start, "end": start + len(piece), "text": piece, "labels": [label]}
    return {"id": rid, "type": "labels", "from_name": "label", "to_name": "text", "origin": "manual", "value": value}


# The shape of Label Studio's JSON export (Export → JSON), two annotators, a cancelled annotation,
# a prediction, a relation and a choices result.
LABEL_STUDIO = [
    {
        "id": 41,
        "data": {"text": TEXT},
        "meta": {},
        "annotations": [
            {
                "id": 7,
                "completed_by": 2,
                "created_username": "alice@example.com, 2",
                "was_cancelled": False,
                "ground_truth": False,
                "lead_time": 12.5,
                "result": [
                    _region("a1", "Angela Merkel", "PERSON"),
                    _region("a2", "Paris", "GPE"),
                    {"from_id": "a1", "to_id": "a2", "type": "relation", "direction": "right", "labels": ["VISITS"]},
                    {
                        "id": "c1",
                        "type": "choices",
                        "from_name": "topic",
                        "to_name": "text",
                        "value": {"choices": ["EU"]},
                    },
                ],
            },
            {"id": 8, "completed_by": {"id": 3, "email": "bob@example.com"}, "result": [_region("b1", "Paris", "GPE")]},
            {"id": 9, "completed_by": 4, "was_cancelled": True, "result": []},
        ],
        "predictions": [
            {"model_version": "ner-v1", "score": 0.7, "result": [_region("p1", "Emmanuel Macron", "PERSON")]}
        ],
    },
    {"id": 42, "data": {"text": "Nothing annotated yet."}, "annotations": [], "predictions": []},
]


def _sets(db, text=TEXT):
    article_id = store.locate_article(db, "-", text).id
    found = {}
    for kind in ("annotator", "model", "gold"):
        for row in store.iter_sets(db, kind):
            if row[0].id == article_id:
                name = row[1].user_name or kind
                found[name] = (row[1].status, sorted((text[e.start : e.end], e.label) for e in row[2].entities))
    return found


def test_label_studio_export_imports_annotators_predictions_and_reports_the_rest(db, project, tmp_path):
    path = tmp_path / "project-1-at-2024.json"
    path.write_text(json.dumps(LABEL_STUDIO, indent=2), "utf-8")
    assert guess(path).name == "labelstudio"
    report = importing.import_paths(db, project, [path], progress=False)
    assert report.articles_new == 2
    assert _sets(db) == {
        "alice@example.com": ("submitted", [("Angela Merkel", "PERSON"), ("Paris", "GPE")]),
        "bob@example.com": ("submitted", [("Paris", "GPE")]),
        "user-4": ("skipped", []),
        "model": ("draft", [("Emmanuel Macron", "PERSON")]),
    }
    assert report.skipped == [
        f"Label Studio choices result (not imported): 1 (first at {path}:2)",
        f"relation VISITS (not one of our links): 1 (first at {path}:2)",
    ]


def test_label_studio_offsets_in_utf16_units_are_read_as_characters(db, project, tmp_path):
    text = "🙂 Merkel spoke."  # the emoji counts two UTF-16 units in the browser
    region = _region("r1", "Merkel", "PERSON", text)
    region["value"].update(start=3, end=9)
    path = tmp_path / "emoji.json"
    path.write_text(
        json.dumps([{"id": 1, "data": {"text": text}, "annotations": [{"completed_by": 1, "result": [region]}]}])
    )
    importing.import_paths(db, project, [path], progress=False)
    assert _sets(db, text) == {"user-1": ("submitted", [("Merkel", "PERSON")])}


def test_doccano_sequence_labelling_export_names_the_annotator_by_its_file(db, project, tmp_path):
    path = tmp_path / "alice.jsonl"  # doccano exports one file per user
    records = [
        {"id": 1, "text": TEXT, "label": [[0, 13, "PERSON"], [37, 42, "GPE"]], "Comments": []},
        {"id": 2, "text": "Nothing here.", "label": []},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    assert guess(path).name == "doccano"
    importing.import_paths(db, project, [path], progress=False)
    assert _sets(db) == {"alice": ("submitted", [("Angela Merkel", "PERSON"), ("Paris", "GPE")])}


def test_doccano_1_0_export_gives_each_user_a_set(db, project, tmp_path):
    annotations = [
        {"label": "PERSON", "start_offset": 0, "end_offset": 13, "user": 1},
        {"label": "PERSON", "start_offset": 18, "end_offset": 33, "user": 2},
        {"label": "GPE", "start_offset": 37, "end_offset": 42, "user": 2},
    ]
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"id": 5, "text": TEXT, "annotations": annotations, "meta": {}}) + "\n", "utf-8")
    importing.import_paths(db, project, [path], progress=False)
    assert _sets(db) == {
        "1": ("submitted", [("Angela Merkel", "PERSON")]),
        "2": ("submitted", [("Emmanuel Macron", "PERSON"), ("Paris", "GPE")]),
    }


def test_texts_that_differ_by_line_ends_composition_and_spaces_meet_as_one_article(db, project, tmp_path):
    text = "Zoë Müller met Emmanuel Macron in Paris.\nThey spoke."
    spellings = {
        "alice": text.replace("\n", "\r\n"),  # CRLF
        "bob": unicodedata.normalize("NFD", text) + "  ",  # decomposed, trailing spaces
        "carol": text,
    }
    for name, spelled in spellings.items():
        start = spelled.index("Paris")
        first = spelled.index("M")
        label = [[0, first + 6, "PERSON"], [start, start + 5, "GPE"]]
        (tmp_path / f"{name}.jsonl").write_text(json.dumps({"text": spelled, "label": label}) + "\n", "utf-8")
    report = importing.import_paths(db, project, sorted(tmp_path.glob("*.jsonl")), progress=False)
    assert (report.articles_new, report.articles_existing, report.sets) == (1, 2, 3)
    stored = store.get_article_text(db, next(store.iter_article_ids(db)))
    sets = _sets(db, stored)
    assert {name: found for name, (_, found) in sets.items()} == {
        name: sorted([(stored[: stored.index("Müller") + 6], "PERSON"), ("Paris", "GPE")]) for name in spellings
    }
    assert {status for status, _ in sets.values()} == {"submitted"}
    (entity,) = reviewing.reports(db, project, ["entity"])
    assert entity.documents == 1 and entity.token_alpha == 1.0
