"""CoNLL-2003 IOB: the written shape, plain CoNLL files from elsewhere, tag schemes, FILE:LINE errors."""

import json

import pytest

from annotator import exporting, importing, store
from annotator.formats import conll
from annotator.formats.base import Reading
from annotator.model import Annotation, Item, Record

TEXT = "Iran  warned the U.S. on Monday.\n\nYahoo! Inc. said:  “No.” New\nYork agreed."


def _record(entities):
    return Record(
        "doc-1",
        TEXT,
        source="gold",
        status="submitted",
        annotation=Annotation.of(Item.entity(f"t{i}", s, e, label) for i, (s, e, label) in enumerate(entities)),
    )


def _span(piece, label):
    start = TEXT.index(piece)
    return start, start + len(piece), label


def test_conll_writes_words_tags_sentences_and_skips_whitespace_tokens(tmp_path):
    record = _record(
        [
            _span("Iran", "GPE"),
            _span("U.S.", "GPE"),
            _span("Monday", "DATE"),
            _span("Yahoo! Inc.", "ORG"),
            _span("New\nYork", "GPE"),
        ]
    )
    out = tmp_path / "a.conll"
    assert conll.write([record], out) == 1
    lines = out.read_text("utf-8").split("\n")
    assert lines[:4] == ["-DOCSTART- -X- O O", "# id = doc-1", "# set = gold", "# status = submitted"]
    body = "\n".join(lines[4:])
    # no line for the double space or the paragraph break; sentences follow the text alone (the same
    # for every set of an article): "Yahoo!" and the line break in "New\nYork" end one, the entity
    # going on with I- after it
    assert body == (
        "\nIran\tB-GPE\nwarned\tO\nthe\tO\nU.S.\tB-GPE\non\tO\nMonday\tB-DATE\n.\tO\n"
        "\nYahoo\tB-ORG\n!\tI-ORG\n\nInc.\tI-ORG\nsaid\tO\n:\tO\n“\tO\nNo\tO\n.\tO\n”\tO\n"
        "\nNew\tB-GPE\n\nYork\tI-GPE\nagreed\tO\n.\tO\n\n"
    )


def test_conll_export_of_annotations_names_annotators(db, project, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "a1",
                "text": "Rashid visited Tehran.",
                "source": "annotator",
                "annotator": "alice",
                "status": "draft",
                "entities": [{"id": "t1", "start": 15, "end": 21, "label": "GPE"}],
            }
        )
        + "\n",
        "utf-8",
    )
    importing.import_paths(db, project, [path], progress=False)
    out = tmp_path / "a.conll"
    exporting.export(db, "conll", "annotations", out)
    assert out.read_text("utf-8").startswith(
        "-DOCSTART- -X- O O\n# id = a1\n# set = annotator\n# annotator = alice\n# status = draft\n\nRashid\tO\n"
    )


# The CoNLL-2003 layout; its labels (PER, LOC, MISC) are not in the default scheme, so OntoNotes ones here.
CONLL_2003 = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-NORP
call NN I-NP O
. . O O

Peter NNP B-NP B-PERSON
Blackburn NNP I-NP I-PERSON

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-GPE
1996-08-22 CD I-NP B-DATE
"""


def test_conll_plain_2003_file_imports_one_article_per_document(db, project, tmp_path):
    path = tmp_path / "eng.train.conll"
    path.write_text(CONLL_2003, "utf-8")
    report = importing.import_paths(db, project, [path], annotator="conll", progress=False)
    assert (report.articles_new, report.sets) == (2, 2)
    conll_user = store.get_user_by_name(db, "conll").id
    found = []
    for article_id in store.iter_article_ids(db):
        article = store.get_article(db, article_id)
        annotation = store.load_annotation(db, store.find_set(db, article_id, "annotator", conll_user).id)
        found.append((article.text, [(article.text[e.start : e.end], e.label) for e in annotation.entities]))
    assert found == [
        (
            "EU rejects German call .\nPeter Blackburn",
            [("EU", "ORG"), ("German", "NORP"), ("Peter Blackburn", "PERSON")],
        ),
        ("BRUSSELS 1996-08-22", [("BRUSSELS", "GPE"), ("1996-08-22", "DATE")]),
    ]


@pytest.mark.parametrize(
    "tags",
    [
        ["B-PER", "I-PER", "O", "B-LOC"],  # IOB2
        ["I-PER", "I-PER", "O", "I-LOC"],  # IOB1
        ["B-PER", "L-PER", "O", "U-LOC"],  # BILUO
        ["B-PER", "E-PER", "O", "S-LOC"],  # IOBES
    ],
)
def test_conll_reads_iob_and_biluo_tag_schemes(tmp_path, tags):
    path = tmp_path / "a.iob"
    words = ["Peter", "Blackburn", "in", "Brussels"]
    path.write_text("# id = x\n" + "".join(f"{w}\t{t}\n" for w, t in zip(words, tags)), "utf-8")
    ((where, record),) = conll.read(path, Reading())
    assert where == f"{path}:1" and record.ext_id == "x"
    assert [(record.text[e.start : e.end], e.label) for e in record.annotation.entities] == [
        ("Peter Blackburn", "PER"),
        ("Brussels", "LOC"),
    ]


def test_conll_id_comments_split_documents_and_docstart_may_carry_an_id(tmp_path):
    path = tmp_path / "a.conll"
    path.write_text("# id = one\nA\tO\n\n# id = two\nB\tB-ORG\n-DOCSTART- three\nC\tO\n", "utf-8")
    assert [(r.ext_id, r.text) for _, r in conll.read(path, Reading())] == [("one", "A"), ("two", "B"), ("three", "C")]


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("EU B-ORG\nrejects\n", 2, "a token line is 'TOKEN TAG'"),
        ("EU B-ORG\nrejects X-ORG\n", 2, "'X-ORG' is not an IOB tag"),
        ("EU ORG\n", 1, "'ORG' is not an IOB tag"),
        ("EU B-MISC\n", 1, "entity label 'MISC' is not in the project's scheme; .*--labels extend"),
    ],
)
def test_conll_bad_line_is_refused_naming_file_and_line(db, project, tmp_path, body, line, message):
    path = tmp_path / "bad.conll"
    path.write_text(body, "utf-8")
    with pytest.raises(importing.ImportFailed, match=rf"^{path}:{line}: {message}"):
        importing.import_paths(db, project, [path], annotator="x", progress=False)
    assert store.count_articles(db) == 0
