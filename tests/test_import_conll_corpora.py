"""CoNLL files as corpora ship them (issue 13.5) and CoNLL exports that come back as one article (issue 14.11)."""

import json

import pytest
import spacy
from spacy.tokens import DocBin

from annotator import db as database
from annotator import exporting, importing, store
from annotator.formats import guess

# The exact CoNLL-2003 shape: -DOCSTART- -X- O O, 4 columns (token, POS, chunk, NER), IOB1 tags.
CONLL_2003 = """-DOCSTART- -X- O O

EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC
call NN I-NP O
to TO I-VP O
boycott VB I-VP O
British JJ I-NP I-MISC
lamb NN I-NP O
. . O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- O O

BRUSSELS NNP I-NP I-LOC
1996-08-22 CD I-NP O
"""


def _entities(db, article_id, name="x"):
    user = store.get_user_by_name(db, name)
    text = store.get_article_text(db, article_id)
    found = store.find_set(db, article_id, "annotator", user.id)
    return [(text[e.start : e.end], e.label) for e in store.load_annotation(db, found.id).entities]


def _mapped():
    return importing.Options(annotator="x", label_map={"PER": "PERSON", "MISC": "NORP"})


@pytest.mark.parametrize("name", ["eng.train", "train.txt", "wnut17train.conll"])
def test_conll_2003_files_are_known_by_their_content_and_read_as_iob1(db, project, tmp_path, name):
    path = tmp_path / name
    path.write_text(CONLL_2003, "utf-8")
    assert guess(path).name == "conll"
    importing.import_paths(db, project, [path], options=_mapped(), progress=False)
    first, second = store.iter_article_ids(db)
    assert _entities(db, first) == [
        ("EU", "ORG"),
        ("German", "NORP"),
        ("British", "NORP"),
        ("Peter Blackburn", "PERSON"),
    ]
    assert _entities(db, second) == [("BRUSSELS", "LOC")]


def test_prose_in_a_txt_file_is_still_plain_text(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Rashid met Khamenei in Tehran.\nThey spoke for an hour.\n", "utf-8")
    assert guess(path).name == "text"


def test_a_file_without_document_markers_is_split_every_n_sentences(db, project, tmp_path):
    path = tmp_path / "wnut.conll"
    path.write_text("".join(f"tweet{i}\tO\nParis\tB-GPE\n\n" for i in range(25)), "utf-8")
    report = importing.import_paths(db, project, [path], options=importing.Options(annotator="x"), progress=False)
    assert report.articles_new == 3  # 10 + 10 + 5 sentences: the document size of spaCy's converter
    importing.import_paths(db, project, [path], options=importing.Options(annotator="y", docs_every=1), progress=False)
    assert store.count_articles(db) == 3 + 25


def test_the_files_tokens_are_kept_and_exported_back_unchanged(db, project, tmp_path):
    path = tmp_path / "a.conll"
    path.write_text("im\tO\ngonna\tO\nvisit\tO\nNYC\tB-GPE\nlol\tO\n", "utf-8")
    importing.import_paths(db, project, [path], options=importing.Options(annotator="x"), progress=False)
    article = store.get_article(db, next(store.iter_article_ids(db)))
    assert [article.text[s:e] for s, e in article.tokens] == ["im", "gonna", "visit", "NYC", "lol"]
    out = tmp_path / "out.conll"
    exporting.export(db, "conll", "annotations", out)
    tokens = [line.split("\t")[0] for line in out.read_text("utf-8").splitlines() if "\t" in line]
    assert tokens == ["im", "gonna", "visit", "NYC", "lol"]
    # the spaCy export builds its Docs from the stored tokens, not spaCy's (which splits `im`)
    exporting.export(db, "spacy", "annotations", tmp_path / "out.spacy")
    (doc,) = DocBin().from_disk(tmp_path / "out.spacy").get_docs(spacy.blank("en").vocab)
    assert [t.text for t in doc] == ["im", "gonna", "visit", "NYC", "lol"]
    assert [(e.text, e.label_) for e in doc.ents] == [("NYC", "GPE")]


def test_a_byte_order_mark_is_not_a_token(db, project, tmp_path):
    path = tmp_path / "bom.conll"
    path.write_bytes(("\ufeff" + CONLL_2003).encode("utf-8"))
    importing.import_paths(db, project, [path], options=_mapped(), progress=False)
    texts = [store.get_article_text(db, i) for i in store.iter_article_ids(db)]
    assert texts[0].startswith("EU rejects") and len(texts) == 2


def test_an_entity_across_a_sentence_end_exports_and_comes_back_as_one_article(db, project, tmp_path):
    text = "Rashid met Khamenei. Tehran hosted him."
    spans = {"alice": [(11, 27, "PERSON")], "bob": [(11, 19, "PERSON"), (21, 27, "GPE")]}  # alice's runs over "."
    records = [
        {
            "id": "a1",
            "text": text,
            "source": "annotator",
            "annotator": name,
            "entities": [{"id": f"t{i}", "start": s, "end": e, "label": lab} for i, (s, e, lab) in enumerate(found)],
        }
        for name, found in spans.items()
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    importing.import_paths(db, project, [source], progress=False)
    out = tmp_path / "out.conll"
    exporting.export(db, "conll", "annotations", out)
    again = database.connect(tmp_path / "fresh.db")
    report = importing.import_paths(again, project, [out], progress=False)
    assert (report.articles_new, report.sets) == (1, 2)
    (article_id,) = store.iter_article_ids(again)
    assert _entities(again, article_id, "alice") == [("Khamenei .\nTehran", "PERSON")]
    assert _entities(again, article_id, "bob") == [("Khamenei", "PERSON"), ("Tehran", "GPE")]
    again.close()


def test_spacy_train_runs_on_the_export_of_an_extended_conll_import(db, tmp_path):
    """A CoNLL-2003 file with its own labels (PER, MISC) → --labels extend → spaCy export → spacy train."""
    import subprocess
    import sys

    from annotator import config

    project_file = tmp_path / "annotator.toml"
    config.write_new(project_file)
    (tmp_path / "eng.train").write_text(CONLL_2003 * 3, "utf-8")
    options = importing.Options(kind="gold", labels="extend")
    importing.import_paths(db, config.load(project_file), [tmp_path / "eng.train"], options=options, progress=False)
    exporting.export(db, "spacy", "gold", tmp_path / "train")
    init = [sys.executable, "-m", "spacy", "init", "config", "-l", "en", "-p", "ner", "-F", str(tmp_path / "ner.cfg")]
    subprocess.run(init, check=True, capture_output=True)
    train = [
        sys.executable,
        "-m",
        "spacy",
        "train",
        str(tmp_path / "ner.cfg"),
        "--paths.train",
        str(tmp_path / "train"),
    ]
    train += ["--paths.dev", str(tmp_path / "train"), "--training.max_steps", "2", "--output", str(tmp_path / "model")]
    done = subprocess.run(train, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    labels = (tmp_path / "model" / "model-last" / "ner" / "moves").read_bytes()
    assert b"MISC" in labels and b"PER" in labels
