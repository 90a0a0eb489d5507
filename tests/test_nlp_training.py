"""The trainable parts: the span tagger's encoding, its features, its training and saving; quotes
assembled from tagged parts; learned triggers merged with the lexicon."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example

from annotator.model import Annotation, Item
from annotator.model import Span as CharSpan
from annotator.nlp import pipeline as nlp_pipeline
from annotator.nlp.adapter import annotation_from_doc, annotation_to_doc
from annotator.nlp.training import features
from annotator.nlp.training.tagger import bio, spans_of_tags, target_spans


def test_bio_tags_and_back():
    spans = [(0, 2, "source"), (2, 3, "cue"), (3, 7, "content"), (7, 9, "content")]
    tags = bio(spans, 10)
    assert tags == ["B-source", "I-source", "B-cue", "B-content", *["I-content"] * 3, "B-content", "I-content", "O"]
    assert spans_of_tags(tags) == spans
    # An I- after O or another label starts a span, as a B- would.
    assert spans_of_tags(["O", "I-cue", "I-content", "I-content"]) == [(1, 2, "cue"), (2, 4, "content")]


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


def quote_doc(nlp) -> Doc:
    text = "“We will win,” Ana Ruiz said on Friday."
    doc = nlp.make_doc(text)
    quote = Item.quote("q1", "DIRECT", [CharSpan(0, 14)], cue=CharSpan(24, 28), source=CharSpan(15, 23))
    return annotation_to_doc(Annotation.of([quote]), doc)


def test_target_spans_paint_the_roles_cue_last(blank):
    doc = quote_doc(blank)
    assert [(doc[s:e].text, label) for s, e, label in target_spans(doc, "quote")] == [
        ("“We will win,”", "content"),
        ("Ana Ruiz", "source"),
        ("said", "cue"),
    ]
    event_doc = blank.make_doc("Rebels attacked the town.")
    event_doc.spans["event"] = [Span(event_doc, 1, 2, label="ASSAULT", span_id="v1")]
    assert target_spans(event_doc, "event") == [(1, 2, "ASSAULT")]


def test_features_give_every_token_its_clause_path():
    nlp = nlp_pipeline.load_base("en_core_web_sm")
    said = nlp("Clinton's team avoided the hospital, sources said.")
    found = features.token_features(said)
    assert found.shape == (len(said), features.N_COLUMNS) and found.dtype == numpy.uint64
    # Columns 6, 8, 10: the first, second and third clause above a token (lemma, path, side).
    # "team" and "hospital" differ in their own clause (subject, object of "avoided") and share the
    # next one up, "said ← ccomp": the tagger sees that both are reported, however far the cue is.
    team, hospital, sources = found[1], found[4], found[7]
    assert team[6] != hospital[6] and team[8] == hospital[8]
    assert sources[6] not in (team[8], team[6])  # "sources" is the subject of "said", not its complement
    quoted = features.token_features(nlp("He said “no” twice."))[:, -1].tolist()
    assert quoted == [1, 1, 2, 3, 4, 1, 1]  # outside, outside, opening, inside, closing, outside (+1)


def test_span_tagger_trains_saves_and_loads(tmp_path, blank):
    nlp = spacy.blank("en")
    nlp.add_pipe("annotator_span_tagger", name="quote_parts", config={"layer": "quote", "spans_key": "quote_parts"})
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in [quote_doc(blank)] * 4]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    doc = nlp("“We will win,” Ana Ruiz said on Friday.")
    assert [(s.text, s.label_) for s in doc.spans["quote_parts"]] == [
        ("“We will win,”", "content"),
        ("Ana Ruiz", "source"),
        ("said", "cue"),
    ]
    scores = nlp.evaluate(examples)
    assert scores["quote_parts_f"] == 1.0
    nlp.to_disk(tmp_path / "tagger")
    reloaded = spacy.load(tmp_path / "tagger")("“We will win,” Ana Ruiz said on Friday.")
    assert [s.text for s in reloaded.spans["quote_parts"]] == [
        "“We will win,”",
        "Ana Ruiz",
        "said",
    ]


def test_span_tagger_refuses_data_without_its_layer():
    nlp = spacy.blank("en")
    nlp.add_pipe("annotator_span_tagger", config={"layer": "event", "spans_key": "event_triggers"})
    doc = nlp.make_doc("Nothing happened.")
    with pytest.raises(ValueError, match="no event spans to learn from"):
        nlp.initialize(lambda: [Example(nlp.make_doc(doc.text), doc)])


@pytest.fixture(scope="module")
def assembler():
    nlp = nlp_pipeline.load_base("en_core_web_sm")
    nlp.add_pipe("annotator_paragraph_breaks", before="parser")
    finder = nlp.add_pipe("annotator_quotes", config={"parts": "quote_parts"})
    return nlp, finder


def quotes_of(doc: Doc) -> list[dict]:
    annotation = annotation_from_doc(doc)
    entities = {e.id: doc.text[e.start : e.end] for e in annotation.entities}

    def text(span):
        return None if span is None else doc.text[span.start : span.end]

    return [
        {
            "type": q.label,
            "content": [text(s) for s in q.parts("content")],
            "cue": text(q.span("cue")),
            "source": text(q.span("source")),
            "speaker": entities.get(q.link("speaker") or ""),
        }
        for q in annotation.quotes
    ]


def test_parts_are_assembled_into_quotes_with_speakers(assembler):
    text = (
        "Maria Lopez, the finance minister, spoke in Madrid. "
        "The budget would be cut next year, she told reporters.\n"
        "“Nothing is decided,” a spokesman said."
    )
    parts = [
        ("The budget would be cut next year", "content"),
        ("she", "source"),
        ("told", "cue"),
        ("“Nothing is decided,”", "content"),
        ("a spokesman", "source"),
        ("said", "cue"),
    ]
    assert run_parts(assembler, text, parts) == [
        {
            "type": "INDIRECT",
            "content": ["The budget would be cut next year"],
            "cue": "told",
            "source": "she",
            "speaker": "Maria Lopez",
        },
        {
            "type": "DIRECT",
            "content": ["“Nothing is decided,”"],
            "cue": "said",
            "source": "a spokesman",
            "speaker": None,
        },
    ]


def run_parts(assembler, text: str, parts: list[tuple[str, str]]) -> list[dict]:
    """The quotes the component assembles from hand-made tagger output: (text of the part, role), left to right."""
    nlp, finder = assembler
    doc = nlp.make_doc(text)
    for _name, component in nlp.pipeline[:-1]:
        doc = component(doc)
    spans, at = [], 0
    for words, role in parts:
        start = text.index(words, at)
        at = start + len(words)
        spans.append(doc.char_span(start, at, label=role))
    doc.spans["quote_parts"] = spans
    return quotes_of(finder(doc))


def test_a_colon_cue_takes_the_next_paragraph_but_no_cue_crosses_other_breaks(assembler):
    text = "Asked about the plan, Tom Berg said:\n“It will not work.”\nThe mayor agreed. Costs are rising very fast."
    found = run_parts(
        assembler,
        text,
        [
            ("Tom Berg", "source"),
            ("said", "cue"),
            ("“It will not work.”", "content"),
            ("Costs are rising very fast", "content"),
        ],
    )
    assert [(q["content"], q["cue"], q["source"]) for q in found] == [
        (["“It will not work.”"], "said", "Tom Berg"),
        (["Costs are rising very fast"], None, None),  # no cue of its own: a quote of its own, unattributed
    ]


def test_parts_without_content_make_no_quote(assembler):
    assert run_parts(assembler, "Officials said little.", [("Officials", "source"), ("said", "cue")]) == []


def test_learned_triggers_win_over_the_lexicon_and_the_lexicon_fills_in():
    nlp = nlp_pipeline.load_base("en_core_web_sm")
    recognizer = nlp.add_pipe("annotator_events", config={"learned": "event_triggers"})
    doc = nlp.make_doc("Rebels attacked the town and police arrested five men.")
    for _name, component in nlp.pipeline[:-1]:
        doc = component(doc)
    doc.spans["event_triggers"] = [Span(doc, 1, 2, label="PROTEST")]  # what the team's gold taught
    doc = recognizer(doc)
    assert [(s.text, s.label_) for s in doc.spans["event"]] == [("attacked", "PROTEST"), ("arrested", "COERCE")]


def test_what_the_tagger_missed_comes_from_the_parse(assembler):
    text = "The hospital visit was kept secret, two campaign aides said on Sunday."
    found = run_parts(assembler, text, [("The hospital visit was kept secret", "content")])
    assert [(q["content"], q["cue"], q["source"]) for q in found] == [
        (["The hospital visit was kept secret"], "said", "two campaign aides")
    ]
