"""Train from the gold in the database → a registered version → evaluate → pre-annotate with it.

One version is trained per module (en_core_web_sm base, all three layers, twelve small gold
articles made in tests/learning_data.py, a minute at most); the tests that change the database
work on a copy of its folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner

from annotator import create_app, store
from annotator import db as database
from annotator.cli import cli
from annotator.nlp import pipeline as nlp_pipeline

from .conftest import PASSWORD, SECRET_KEY, hold, login
from .learning_data import write_gold

GOLD_ARTICLES = 12


def invoke(db_path: Path, *args) -> object:
    return CliRunner().invoke(cli, ["--db", str(db_path), *map(str, args)])


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A folder with annotator.db (twelve gold articles, two plain ones) and the version "v1" under models/."""
    folder = tmp_path_factory.mktemp("trained")
    db_path = folder / "annotator.db"
    write_gold(folder / "gold.jsonl", GOLD_ARTICLES)
    assert invoke(db_path, "init").exit_code == 0
    assert invoke(db_path, "import", folder / "gold.jsonl").exit_code == 0
    result = invoke(db_path, "train", "--layer", "all", "--out", "v1", "--max-minutes", "1")
    assert result.exit_code == 0, result.output
    (folder / "train-output.txt").write_text(result.output, "utf-8")
    return folder


@pytest.fixture
def copy(trained, tmp_path) -> Path:
    """A copy of the trained folder; returns its database path."""
    target = tmp_path / "copy"
    shutil.copytree(trained, target)
    return target / "annotator.db"


def plain_articles(path: Path, *texts: str) -> Path:
    path.write_text("".join(json.dumps({"id": f"plain-{n}", "text": t}) + "\n" for n, t in enumerate(texts)), "utf-8")
    return path


NEW_TEXTS = (
    "Sara Kim said on Tuesday that the harbour would reopen soon.\nThe mayor visited Rome.",
    "“The river is rising fast,” Tom Berg told reporters in Vienna.",
)


def test_training_registers_a_version_with_its_split_scores_and_folder(trained):
    output = (trained / "train-output.txt").read_text("utf-8")
    assert "Registered model version v1: entity, quote, event from gold" in output
    assert "LOSS QUOTE" in output and "SCORE" in output  # spaCy's loop printed its progress and dev scores
    db = database.connect(trained / "annotator.db")
    version = store.get_model_version(db, "v1")
    assert version is not None and version.layers == ("entity", "quote", "event")
    assert version.train_documents + version.dev_documents == GOLD_ARTICLES and version.dev_documents >= 1
    assert {"ents_f", "quote_parts_token_f", "quote_parts_f", "event_triggers_token_f", "event_triggers_f"} <= set(
        version.scores
    )
    trained_on, held_out = store.model_articles(db, "v1", "train"), store.model_articles(db, "v1", "dev")
    assert len(trained_on) == version.train_documents and not trained_on & held_out
    assert version.path == "models/v1/pipeline"
    config = spacy.util.load_config(trained / "models" / "v1" / "config.cfg")
    assert config["components"]["quote_parts"]["factory"] == "annotator_span_tagger"
    assert config["components"]["ner"]["replace_listeners"] == ["model.tok2vec"]  # the base NER, fine-tuned
    nlp = spacy.load(trained / "models" / "v1" / "pipeline")
    assert nlp.pipe_names[-2:] == ["quote_parts", "event_triggers"] and "parser" in nlp.pipe_names


def test_the_written_config_trains_again_with_spacy_train(trained, tmp_path):
    config = trained / "models" / "v1" / "config.cfg"
    command = [sys.executable, "-m", "spacy", "train", str(config), "--output", str(tmp_path / "again")]
    result = subprocess.run([*command, "--training.max_epochs", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert spacy.load(tmp_path / "again" / "model-last").pipe_names == ["ner", "quote_parts", "event_triggers"]


def test_trained_pipeline_writes_the_adapter_layout(trained):
    loaded = nlp_pipeline.load(str(trained / "models" / "v1" / "pipeline"))
    assert loaded.nlp.pipe_names[-2:] == ["annotator_quotes", "annotator_events"]
    doc = loaded.nlp("Maria Lopez said on Monday that the budget would be cut next year.")
    annotation = nlp_pipeline.annotation_of(doc, nlp_pipeline_project())
    assert [q.label for q in annotation.quotes] == ["INDIRECT"]
    quote = annotation.quotes[0]
    assert doc.text[quote.span("cue").start : quote.span("cue").end] == "said"
    assert doc.text[quote.span("source").start : quote.span("source").end] == "Maria Lopez"


def nlp_pipeline_project():
    from annotator import config

    return config.load(None)


def test_evaluate_prints_a_table_and_json_and_keeps_the_scores(copy):
    result = invoke(copy, "evaluate", "--model", "v1")
    assert result.exit_code == 0, result.output
    assert "Model v1 on" in result.output and "gold article(s) it did not train on" in result.output
    assert "quote   trained" in result.output and "speaker" in result.output
    result = invoke(copy, "evaluate", "--json")  # the latest version
    data = json.loads(result.output)
    db = database.connect(copy)
    assert data["model"] == "v1" and data["documents"] == store.get_model_version(db, "v1").dev_documents
    layers = {layer["layer"]: layer for layer in data["layers"]}
    assert set(layers["quote"]["agreement"]) == {"type", "speaker", "cue", "source"}
    assert set(layers["event"]["agreement"]) == {"type", "source_actor", "target_actor"}
    assert all(layers[name]["trained"] for name in ("entity", "quote", "event"))
    assert layers["quote"]["f1"] is not None and "INDIRECT" in layers["quote"]["per_label"]
    assert store.get_model_version(db, "v1").evaluation == data


def test_preannotate_with_a_version_records_it_and_never_touches_human_work(copy, tmp_path):
    plain = plain_articles(tmp_path / "plain.jsonl", *NEW_TEXTS)
    assert invoke(copy, "import", plain, "--preannotate").exit_code == 0  # the rules first
    db = database.connect(copy)
    opened, untouched = store.find_article(db, "plain-0"), store.find_article(db, "plain-1")
    rules = store.prediction_model(db, opened)
    assert rules and rules != "v1"
    alice = store.add_user(db, "alice", "annotator", None)
    own = store.open_set(db, opened, alice.id)  # alice opens one: her set starts from the rules' suggestions
    alice_before = store.load_annotation(db, own.id)
    model_before = store.load_annotation(db, store.find_set(db, opened, "model").id)
    gold_id = store.find_article(db, "news-0")
    gold_before = store.load_annotation(db, store.find_set(db, gold_id, "gold").id)

    result = invoke(copy, "preannotate", "--model", "v1")
    assert result.exit_code == 0, result.output
    assert f"Pre-annotated 1 article(s) with v1; {GOLD_ARTICLES + 1} already opened kept theirs." in result.output
    db = database.connect(copy)
    assert store.prediction_model(db, untouched) == "v1"
    assert store.prediction_model(db, opened) == rules
    assert store.load_annotation(db, store.find_set(db, opened, "model").id) == model_before
    assert store.get_set(db, own.id).version == own.version
    assert store.load_annotation(db, own.id) == alice_before
    assert store.load_annotation(db, store.find_set(db, gold_id, "gold").id) == gold_before
    assert store.find_set(db, gold_id, "model") is None  # gold articles get no predictions under them


def test_import_preannotates_with_a_registered_version(copy, tmp_path):
    plain = plain_articles(tmp_path / "plain.jsonl", *NEW_TEXTS)
    result = invoke(copy, "import", plain, "--preannotate", "--model", "v1")
    assert result.exit_code == 0 and "2 pre-annotated" in result.output
    db = database.connect(copy)
    article_id = store.find_article(db, "plain-1")
    assert store.prediction_model(db, article_id) == "v1"
    predicted = store.load_annotation(db, store.find_set(db, article_id, "model").id)
    assert [q.label for q in predicted.quotes] == ["DIRECT"]


def test_annotation_page_shows_the_model_version(copy, tmp_path):
    plain = plain_articles(tmp_path / "plain.jsonl", *NEW_TEXTS)
    invoke(copy, "import", plain, "--preannotate", "--model", "v1")
    invoke(copy, "users", "add", "alice", "--role", "annotator", "--password", PASSWORD)
    app = create_app({"DATABASE": copy, "SECRET_KEY": SECRET_KEY, "TESTING": True})
    client = app.test_client()
    login(client, "alice")
    article_id = store.find_article(database.connect(copy), "plain-0")
    hold(database.connect(copy), article_id, "alice")
    page = client.get(f"/articles/{article_id}").get_data(as_text=True)
    assert "Suggestions by model <strong>v1</strong>" in page


def test_review_page_shows_model_vs_gold(copy):
    invoke(copy, "users", "add", "rita", "--role", "reviewer", "--password", PASSWORD)
    app = create_app({"DATABASE": copy, "SECRET_KEY": SECRET_KEY, "TESTING": True})
    client = app.test_client()
    login(client, "rita")
    page = client.get("/review/").get_data(as_text=True)
    assert "Model vs gold" in page and "has not been evaluated yet" in page
    invoke(copy, "evaluate")
    page = client.get("/review/").get_data(as_text=True)
    assert "gold article(s) it did not train on" in page and "speaker" in page and "Quote per label" in page


# --- what a user can get wrong: a clear message, a non-zero exit, nothing changed --------


def test_train_refuses_a_name_taken_and_changes_nothing(copy):
    folder = copy.parent / "models" / "v1"
    before = sorted(p.name for p in folder.rglob("*"))
    result = invoke(copy, "train", "--layer", "quote", "--out", "v1")
    assert result.exit_code == 1 and "a model version named 'v1' exists already" in result.output
    assert sorted(p.name for p in folder.rglob("*")) == before
    assert len(store.list_model_versions(database.connect(copy))) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--out", "../elsewhere"), "a model name is letters, digits"),
        (("--base", "no_such_pipeline"), "spaCy pipeline 'no_such_pipeline' is not installed"),
        (("--layer", "quote", "--from", "submitted"), "training needs two articles with submitted annotations"),
    ],
)
def test_train_refuses_bad_requests(copy, args, message):
    result = invoke(copy, "train", *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert [v.name for v in store.list_model_versions(database.connect(copy))] == ["v1"]
    assert sorted(p.name for p in (copy.parent / "models").iterdir()) == ["v1"]


def test_train_without_gold_or_without_the_layer_says_so(tmp_path):
    db_path = tmp_path / "annotator.db"
    invoke(db_path, "init")
    result = invoke(db_path, "train")
    assert result.exit_code == 1 and "training needs two articles with gold sets or more" in result.output
    records = write_gold(tmp_path / "gold.jsonl", 3)
    for record in records:
        record["quotes"] = []
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    invoke(db_path, "import", tmp_path / "gold.jsonl")
    result = invoke(db_path, "train", "--layer", "quote")
    assert result.exit_code == 1 and "the gold sets hold no quote items to learn from" in result.output
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_evaluate_without_a_version_or_with_an_unknown_one(tmp_path, copy):
    invoke(tmp_path / "empty.db", "init")
    result = invoke(tmp_path / "empty.db", "evaluate")
    assert result.exit_code == 1 and "no model version is registered yet" in result.output
    result = invoke(copy, "evaluate", "--model", "nope")
    assert result.exit_code == 1 and "there is no model version named 'nope'" in result.output
    assert store.get_model_version(database.connect(copy), "v1").evaluation is None


def test_preannotate_with_an_unknown_model_warns_and_records_the_blank_pipeline(copy, tmp_path):
    plain = plain_articles(tmp_path / "plain.jsonl", NEW_TEXTS[0])
    invoke(copy, "import", plain)
    result = invoke(copy, "preannotate", "--model", "nope")
    assert "is not installed" in result.output
    assert store.prediction_model(database.connect(copy), store.find_article(database.connect(copy), "plain-0")) == (
        "blank:en"
    )


def test_training_on_a_blank_base_needs_no_parse(tmp_path):
    db_path = tmp_path / "annotator.db"
    invoke(db_path, "init")
    write_gold(tmp_path / "gold.jsonl", 4)
    invoke(db_path, "import", tmp_path / "gold.jsonl")
    result = invoke(db_path, "train", "--layer", "quote", "--base", "blank:en", "--out", "b1", "--max-minutes", "0.5")
    assert result.exit_code == 0, result.output
    loaded = nlp_pipeline.load(str(tmp_path / "models" / "b1" / "pipeline"))
    assert "parser" not in loaded.nlp.pipe_names and loaded.nlp.pipe_names[-2:] == [
        "annotator_quotes",
        "annotator_events",
    ]
    doc = loaded.nlp("Peter Novak said on Monday that the storm had damaged many roads.")
    assert "quote" in doc.spans  # assembled from the tagger's parts, whatever it learned from four articles
    plain = plain_articles(tmp_path / "plain.jsonl", NEW_TEXTS[0])
    assert invoke(db_path, "import", plain, "--preannotate", "--model", "b1").exit_code == 0
    assert (
        store.prediction_model(database.connect(db_path), store.find_article(database.connect(db_path), "plain-0"))
        == "b1"
    )


def test_a_version_whose_folder_is_gone_is_refused_not_replaced_by_a_blank_pipeline(copy, tmp_path):
    shutil.rmtree(copy.parent / "models" / "v1" / "pipeline")
    plain = plain_articles(tmp_path / "plain.jsonl", NEW_TEXTS[0])
    result = invoke(copy, "import", plain, "--preannotate", "--model", "v1")
    assert result.exit_code == 1 and "model version 'v1' has no pipeline at" in result.output
    assert "Nothing was imported" in result.output and store.count_articles(database.connect(copy)) == GOLD_ARTICLES
    for command in (("preannotate", "--model", "v1"), ("evaluate", "--model", "v1")):
        result = invoke(copy, *command)
        assert result.exit_code == 1 and "has no pipeline at" in result.output


def test_import_makes_missing_predictions_and_replaces_none_under_human_work(copy, tmp_path):
    plain = plain_articles(tmp_path / "plain.jsonl", *NEW_TEXTS)
    invoke(copy, "import", plain, "--preannotate")
    db = database.connect(copy)
    opened, untouched = store.find_article(db, "plain-0"), store.find_article(db, "plain-1")
    rules = store.prediction_model(db, opened)
    alice = store.add_user(db, "alice", "annotator", None)
    store.open_set(db, opened, alice.id)
    result = invoke(copy, "import", plain, "--preannotate", "--model", "v1")
    assert result.exit_code == 0 and "1 pre-annotated" in result.output
    assert store.prediction_model(db, opened) == rules and store.prediction_model(db, untouched) == "v1"
    annotated = tmp_path / "annotated.jsonl"
    record = {"id": "own", "text": "Lena Fischer met Omar Haddad.", "source": "annotator", "annotator": "bob"}
    annotated.write_text(json.dumps({**record, "entities": [], "quotes": [], "events": []}) + "\n", "utf-8")
    invoke(copy, "import", annotated, "--preannotate", "--model", "v1")  # opened by bob's set, but no predictions yet
    assert store.prediction_model(db, store.find_article(db, "own")) == "v1"


def test_evaluate_leaves_out_layers_the_gold_has_none_of(tmp_path):
    """Gold of quotes only (PolNeAR's kind): entities and events are not scored as all wrong, and it says so."""
    db_path = tmp_path / "annotator.db"
    invoke(db_path, "init")
    records = write_gold(tmp_path / "gold.jsonl", 6)
    for record in records:
        record["events"] = []
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    assert invoke(db_path, "import", tmp_path / "gold.jsonl").exit_code == 0
    result = invoke(db_path, "train", "--layer", "quote", "--out", "q1", "--max-minutes", "1")
    assert result.exit_code == 0, result.output
    result = invoke(db_path, "evaluate", "--model", "q1")
    assert result.exit_code == 0, result.output
    assert "Not scored, the gold has no items of: event." in result.output
    assert "\nevent " not in result.output and "quote   trained" in result.output
    data = json.loads(invoke(db_path, "evaluate", "--model", "q1", "--json").output)
    assert data["unscored"] == ["event"] and [layer["layer"] for layer in data["layers"]] == ["entity", "quote"]
