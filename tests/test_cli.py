import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from annotator import db as database
from annotator import store
from annotator.cli import cli

from .conftest import SEEDS


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("args", [()] + list(_commands(cli)))
def test_cli_every_command_has_help(args):
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.fixture
def run(tmp_path):
    def invoke(*args, input=None):
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), *map(str, args)], input=input)

    return invoke


def test_cli_init_users_import_export(run, tmp_path):
    assert run("init").exit_code == 0
    assert "secret_key" in (tmp_path / "annotator.toml").read_text()
    result = run("users", "add", "alice", "--role", "annotator", input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert run("users", "list").output.strip() == "alice\tannotator"
    assert "exists already" in run("users", "add", "alice", "--role", "admin", "--password", "another long one").output
    result = run("import", SEEDS, "--preannotate")
    assert result.exit_code == 0, result.output
    assert "1 new article(s)" in result.output and "1 pre-annotated" in result.output
    out = tmp_path / "pred.jsonl"
    result = run("export", "--format", "jsonl", "--from", "predictions", "--out", out)
    assert result.exit_code == 0 and "Wrote 1 record(s)" in result.output
    record = json.loads(out.read_text("utf-8"))
    assert record["source"] == "model" and len(record["entities"]) > 40
    result = run("export", "--format", "spacy", "--from", "predictions", "--out", tmp_path / "shards", "--jobs", "2")
    assert result.exit_code == 0 and "Wrote 1 record(s)" in result.output
    assert [p.name for p in (tmp_path / "shards").iterdir()] == ["part-0000.spacy"]
    result = run("export", "--format", "spacy", "--from", "predictions", "--out", tmp_path / "none", "--jobs", "0")
    assert result.exit_code == 2 and "Invalid value for '--jobs': 0 is not in the range x>=1" in result.output
    assert not (tmp_path / "none").exists()


def test_cli_bad_import_exits_nonzero_with_file_and_line(run, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "one"}\n{"text": "two"}\n{broken\n', "utf-8")
    assert run("init").exit_code == 0
    result = run("import", bad)
    assert result.exit_code == 1
    assert f"Error: {bad}:3: not valid JSON" in result.output and "Nothing was imported" in result.output
    assert store.count_articles(database.connect(tmp_path / "a.db")) == 0


def test_cli_demo_sets_up_accounts_and_seed(run, tmp_path):
    result = run("demo", "--seeds", SEEDS, "--no-serve")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/" in result.output
    for name in ("admin", "alice", "bob"):
        assert f"  {name}" in result.output
    db = database.connect(tmp_path / "a.db")
    assert store.count_articles(db) == 1 and store.stats(db)["model"] == 1
    assert run("demo", "--seeds", SEEDS, "--no-serve").exit_code == 0  # again: same folder, still fine
    assert store.count_articles(db) == 1


def test_cli_serve_refuses_without_secret(run):
    result = run("serve")
    assert result.exit_code == 1 and "secret key" in result.output


def test_cli_commands_that_do_not_tokenise_start_without_spacy():
    """`serve`, `users`, `export`, `--help` … never load spaCy (a second at every start); import and train do.
    Flask and werkzeug (13 MB) wait for the web app or a password too."""
    code = "import sys, annotator.cli; print([m for m in ('spacy', 'flask', 'werkzeug') if m in sys.modules])"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
