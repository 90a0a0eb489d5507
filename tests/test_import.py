import json

import pytest

from annotator import importing, store

TEXT = "Iran's Supreme Leader Ayatollah Ali Khamenei told Iraqi President Abdel Latif Rashid."


def _write(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), "utf-8")
    return path


def _snapshot(db):
    """Every row of every table: what 'the database is unchanged' compares."""
    tables = ["articles", "users", "annotation_sets", "items", "spans", "links", "history"]
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


def _entity(start, end, label, id="t1"):
    return {"id": id, "start": start, "end": end, "label": label, "text": TEXT[start:end]}


def test_import_jsonl_with_sets_of_each_kind(db, project, tmp_path):
    path = _write(
        tmp_path / "a.jsonl",
        [
            {"id": "a1", "text": TEXT, "meta": {"title": "T"}},
            {
                "id": "a1",
                "text": TEXT,
                "source": "annotator",
                "annotator": "carol",
                "status": "submitted",
                "entities": [_entity(22, 44, "PERSON")],
            },
            {"id": "a1", "text": TEXT, "source": "gold", "entities": [_entity(0, 4, "GPE")]},
        ],
    )
    report = importing.import_paths(db, project, [path], progress=False)
    assert report.articles_new == 1 and report.sets == 2
    article_id = store.find_article(db, "a1")
    carol = store.get_user_by_name(db, "carol")
    assert carol is not None and carol.password_hash is None
    mine = store.find_set(db, article_id, "annotator", carol.id)
    assert mine.status == "submitted"
    assert [(e.start, e.end, e.label) for e in store.load_annotation(db, mine.id).entities] == [(22, 44, "PERSON")]
    gold = store.find_set(db, article_id, "gold")
    assert [e.label for e in store.load_annotation(db, gold.id).entities] == ["GPE"]


def test_import_broken_line_3_is_refused_naming_line_3_and_changes_nothing(db, project, tmp_path):
    importing.import_paths(
        db, project, [_write(tmp_path / "first.jsonl", [{"id": "x", "text": "Already here."}])], progress=False
    )
    before = _snapshot(db)
    path = _write(
        tmp_path / "bad.jsonl", [{"id": "a1", "text": TEXT}, {"id": "a2", "text": "Second."}, '{"id": "a3", "te']
    )
    with pytest.raises(importing.ImportFailed, match=rf"^{path}:3: not valid JSON"):
        importing.import_paths(db, project, [path], progress=False)
    assert _snapshot(db) == before


@pytest.mark.parametrize(
    "record, message",
    [
        (
            {"text": TEXT, "source": "gold", "entities": [{"id": "t1", "start": 0, "end": 999, "label": "GPE"}]},
            "not a span of the text",
        ),
        (
            {"text": TEXT, "source": "gold", "entities": [{"id": "t1", "start": 4, "end": 0, "label": "GPE"}]},
            "not a span of the text",
        ),
        (
            {"text": TEXT, "source": "gold", "entities": [_entity(0, 4, "WIDGET")]},
            "entity label 'WIDGET' is not in the project's scheme; .*--labels extend.*--label-map WIDGET=",
        ),
        (
            {"text": TEXT, "source": "gold", "entities": [_entity(22, 44, "PERSON"), _entity(36, 44, "PERSON", "t2")]},
            "overlap",
        ),
        (
            {
                "text": TEXT,
                "source": "gold",
                "entities": [{"id": "t1", "start": 0, "end": 4, "label": "GPE", "text": "Iraq"}],
            },
            "does not match",
        ),
        (
            {
                "text": TEXT,
                "source": "gold",
                "quotes": [{"id": "q1", "type": "DIRECT", "content": [{"start": 0, "end": 4}], "speaker": "t7"}],
            },
            "not an entity",
        ),
        ({"text": TEXT, "source": "robot", "entities": []}, '"source" must be one of'),
        ({"text": TEXT, "source": "annotator", "entities": []}, 'needs "annotator"'),
        ({"text": ""}, "non-empty string"),
        ({"id": "t"}, "missing field 'text'"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_import_bad_record_names_file_line_and_reason(db, project, tmp_path, record, message):
    path = _write(tmp_path / "bad.jsonl", [{"id": "ok", "text": "Fine text."}, record])
    before = _snapshot(db)
    with pytest.raises(importing.ImportFailed, match=f"^{path}:2: .*{message}"):
        importing.import_paths(db, project, [path], progress=False)
    assert _snapshot(db) == before


def test_import_not_utf8_is_refused(db, project, tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(importing.ImportFailed, match=rf"{path}:2: not UTF-8"):
        importing.import_paths(db, project, [path], progress=False)
    assert store.count_articles(db) == 0


def test_import_same_id_with_other_text_is_refused(db, project, tmp_path):
    importing.import_paths(db, project, [_write(tmp_path / "a.jsonl", [{"id": "a1", "text": TEXT}])], progress=False)
    with pytest.raises(importing.ImportFailed, match="different text"):
        importing.import_paths(
            db, project, [_write(tmp_path / "b.jsonl", [{"id": "a1", "text": "Other."}])], progress=False
        )


def test_import_text_folder_and_snapping(db, project, tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "one.txt").write_text(TEXT, "utf-8")
    (folder / "two.txt").write_text("Tehran has long called on Baghdad.", "utf-8")
    (folder / "notes.md").write_text("ignored", "utf-8")
    report = importing.import_paths(db, project, [folder], progress=False)
    assert report.articles_new == 2
    assert store.get_article(db, store.find_article(db, "two")).meta == {"filename": "two.txt"}
    # a span cutting a word in half is snapped to the whole token on import
    path = _write(
        tmp_path / "s.jsonl",
        [
            {
                "id": "one",
                "text": TEXT,
                "source": "gold",
                "entities": [{"id": "t1", "start": 23, "end": 40, "label": "PERSON"}],
            }
        ],
    )
    report = importing.import_paths(db, project, [path], progress=False)
    assert report.snapped == 1
    gold = store.find_set(db, store.find_article(db, "one"), "gold")
    assert [(e.start, e.end) for e in store.load_annotation(db, gold.id).entities] == [(22, 44)]


def test_import_preannotate_stores_model_entities(seeded):
    article_id = store.find_article(seeded, "khamenei-rashid-tehran")
    model = store.load_annotation(seeded, store.find_set(seeded, article_id, "model").id)
    found = {(e.start, e.end, e.label) for e in model.entities}
    assert (22, 44, "PERSON") in found  # Ayatollah Ali Khamenei
    assert (1387, 1393, "GPE") in found  # the model's wrong "Sudani"
    assert len(model.entities) > 40


def test_import_unknown_suffix_is_refused(db, project, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x")
    with pytest.raises(importing.ImportFailed, match="cannot tell the format"):
        importing.import_paths(db, project, [path], progress=False)


def test_import_a_50_mb_line_is_refused_without_reading_it_whole(db, project, tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"id": "ok", "text": "Fine."}\n')
        handle.write('{"text": "' + "a" * (50 * 1024 * 1024) + '"}\n')
    with pytest.raises(importing.ImportFailed, match=rf"^{path}:2: the line is longer than 16 MB"):
        importing.import_paths(db, project, [path], progress=False)
    assert store.count_articles(db) == 0
