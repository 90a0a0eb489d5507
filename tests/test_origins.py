"""What a person did with each item (its origin), in the domain, the native JSONL and agreement."""

import json

import pytest

from annotator import edits, formats, reviewing, store
from annotator.errors import Invalid
from annotator.formats import jsonl
from annotator.model import ACCEPTED, ADDED, CHANGED, MODEL, Annotation, Item, Record, Tokens, as_suggestions

from .conftest import seed_article_id
from .test_review import _submit

TEXT = "Rashid visited Tehran.\nHe met Raisi there."
TOKENS = Tokens([(0, 6), (7, 14), (15, 21), (21, 22), (22, 23), (23, 25), (26, 29), (30, 35), (36, 41), (41, 42)], TEXT)


def _suggested() -> Annotation:
    return as_suggestions(
        Annotation.of(
            [Item.entity("t1", 0, 6, "PERSON"), Item.entity("t2", 15, 21, "GPE"), Item.entity("t3", 30, 35, "ORG")]
        )
    )


def test_origins_follow_what_a_person_does():
    a = _suggested()
    a = a.apply(edits.confirm(a, "t1"))
    a = a.apply(edits.relabel(a, "t2", "LOC"))
    change, made = edits.add_item(a, TOKENS, TEXT, "entity", 26, 29, "ORG")
    a = a.apply(change)
    assert [(i.id, i.origin) for i in a.entities] == [("t1", ACCEPTED), ("t2", CHANGED), (made, ADDED), ("t3", MODEL)]
    # accepting what is accepted, or giving an item its own label, changes nothing
    assert edits.confirm(a, "t1").empty and edits.relabel(a, "t1", "PERSON").empty
    assert edits.relabel(a, "t3", "ORG").after[0].origin == ACCEPTED  # its own label: accepted as it is
    moved = a.apply(edits.move_boundary(a, TOKENS, made, "start", -1))  # "He met"
    assert moved.get(made).origin == ADDED  # a person's own item stays theirs
    assert edits.confirm_all(a).after == (a.get("t3").confirmed(),)


def test_origins_a_selection_stays_within_a_paragraph():
    a = _suggested()
    with pytest.raises(Invalid, match="within one paragraph"):
        edits.add_item(a, TOKENS, TEXT, "entity", 15, 29, "GPE")  # "Tehran.\nHe met"
    with pytest.raises(Invalid, match="within one paragraph"):
        edits.move_boundary(a, TOKENS, "t2", "end", 2)  # past the break


def test_origins_in_native_jsonl_written_and_read_back_older_files_too(tmp_path):
    a = _suggested()
    a = a.apply(edits.confirm(a, "t1"))
    a = a.apply(edits.relabel(a, "t2", "LOC"))
    record = Record("a1", TEXT, {}, "annotator", "alice", "submitted", a)
    data = jsonl.to_json(record)
    assert [e["origin"] for e in data["entities"]] == [ACCEPTED, CHANGED, MODEL]
    assert jsonl.from_json(data).annotation == a
    older = {**data, "entities": [{k: v for k, v in e.items() if k != "origin"} for e in data["entities"]]}
    older["entities"][0]["origin"] = "human"  # before origins told accepted, changed and added apart
    assert {e.origin for e in jsonl.from_json(older).annotation.entities} == {ADDED}
    bad = tmp_path / "bad.jsonl"
    data["entities"][2]["origin"] = "guessed"
    bad.write_text(json.dumps(data) + "\n", "utf-8")
    with pytest.raises(formats.FormatError, match=r"bad.jsonl:1: entity t3: unknown origin 'guessed'"):
        list(jsonl.read(bad, formats.Reading()))


def test_origins_agreement_can_leave_out_what_nobody_touched(seeded, project):
    store.set_annotators_per_article(seeded, 2)
    _submit(seeded, "alice", [lambda a: edits.relabel(a, a.entities[0].id, "LOC")])
    _submit(seeded, "bob", [lambda a: edits.relabel(a, a.entities[0].id, "ORG")])
    docs = list(reviewing.documents(seeded))
    every = reviewing.reports_of(docs, project, ["entity"])[0]
    touched = reviewing.reports_of(docs, project, ["entity"], touched_only=True)[0]
    assert every.span_f1.exact > 0.9  # the untouched suggestions agree with themselves
    assert touched.span_f1.exact == 0  # the one span each touched: the same words, two labels
    assert reviewing.origins(docs)["alice"] == {MODEL: 93, ACCEPTED: 0, CHANGED: 1, ADDED: 0}


def test_origins_link_choices_put_the_current_link_then_likely_speakers_nearest_first(seeded):
    article_id = seed_article_id(seeded)
    text = store.get_article(seeded, article_id).text
    model = store.load_annotation(seeded, store.find_set(seeded, article_id, "model").id)
    quote = model.quotes[3]
    choices = edits.link_choices(model, text, quote.id, "speaker")
    assert choices[0].current and choices[0].entity.id == quote.link("speaker")
    none = next(i for i, c in enumerate(choices) if c.entity is None)
    likely = [c.entity for c in choices[1:none]]
    assert all(e.label in {"PERSON", "ORG", "NORP", "GPE"} for e in likely)
    assert [abs(e.start - quote.start) for e in likely] == sorted(abs(e.start - quote.start) for e in likely)
    assert {c.entity.label for c in choices[none + 1 :]} <= {"DATE", "CARDINAL", "LOC", "FAC", "MONEY", "TIME"}
    with pytest.raises(Invalid, match="no target_actor link"):
        edits.link_choices(model, text, quote.id, "target_actor")


def test_origins_as_suggestions_change_only_the_origin_and_survive_the_import_spool():
    import pickle
    from dataclasses import fields, replace

    from annotator.model import Span

    event = Item.event("v1", "ATTACK", Span(7, 14), "t1", "t2", (("modality", "asserted"),), ACCEPTED)
    quote = Item.quote("q1", "DIRECT", [Span(23, 25), Span(30, 35)], Span(26, 29), None, "t1", origin=CHANGED)
    before = Annotation.of(
        [Item.entity("t1", 0, 6, "PERSON", ADDED), Item.entity("t2", 15, 21, "GPE", MODEL), event, quote]
    )
    after = as_suggestions(before)
    assert [i.origin for i in after.items()] == [MODEL] * 4
    # every other field as it was (a field added to Item one day must be kept by suggested() too)
    assert list(after.items()) == [replace(i, origin=MODEL) for i in before.items()]
    assert all(getattr(event, f.name) not in (None, (), "") for f in fields(Item))
    assert pickle.loads(pickle.dumps(after, protocol=pickle.HIGHEST_PROTOCOL)) == after
