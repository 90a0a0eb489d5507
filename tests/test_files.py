"""Files the app writes are its owner's alone; only `init` and `demo` create a database."""

import os
import stat

import pytest
from click.testing import CliRunner

from annotator.cli import cli

from .conftest import PASSWORD, SEEDS


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def run(tmp_path):
    def invoke(*args, input=None):
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), *map(str, args)], input=input)

    return invoke


@pytest.fixture(autouse=True)
def no_server(monkeypatch):
    """`serve` checks its files and returns instead of serving."""
    monkeypatch.setattr("flask.Flask.run", lambda *args, **kwargs: None)


@pytest.fixture
def loose_umask():
    """A umask that lets everyone read new files, as on many machines."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_files_init_creates_database_and_project_for_the_owner_only(run, tmp_path, loose_umask):
    assert run("init").exit_code == 0
    assert _mode(tmp_path / "a.db") == 0o600
    assert _mode(tmp_path / "annotator.toml") == 0o600
    result = run("users", "add", "alice", "--role", "annotator", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    for suffix in ("-wal", "-shm"):  # SQLite gives its side files the database's mode
        found = tmp_path / f"a.db{suffix}"
        assert not found.exists() or _mode(found) == 0o600, suffix


def test_files_init_force_rewrites_an_open_project_file_as_private(run, tmp_path, loose_umask):
    project = tmp_path / "annotator.toml"
    project.write_text("[project]\n")
    project.chmod(0o644)
    assert run("init", "--force").exit_code == 0
    assert _mode(project) == 0o600 and "secret_key" in project.read_text()


def test_files_backup_is_private(run, tmp_path, loose_umask):
    run("init")
    result = run("backup", tmp_path / "copy.db")
    assert result.exit_code == 0, result.output
    assert _mode(tmp_path / "copy.db") == 0o600


def test_files_demo_creates_private_files(run, tmp_path, loose_umask):
    result = run("demo", "--seeds", SEEDS, "--no-serve")
    assert result.exit_code == 0, result.output
    assert _mode(tmp_path / "a.db") == 0o600 and _mode(tmp_path / "annotator.toml") == 0o600


def test_files_serve_warns_when_others_can_read_the_files(run, tmp_path):
    run("init")
    (tmp_path / "a.db").chmod(0o644)
    (tmp_path / "annotator.toml").chmod(0o640)
    result = run("serve")
    assert result.exit_code == 0, result.output
    assert f"Warning: {tmp_path / 'a.db'} can be read by other users (mode 644)" in result.output
    assert f"chmod 600 {tmp_path / 'annotator.toml'}" in result.output
    (tmp_path / "a.db").chmod(0o600)
    (tmp_path / "annotator.toml").chmod(0o600)
    assert "Warning" not in run("serve").output


MISSING_DB_COMMANDS = [
    ("import", "{seeds}"),
    ("preannotate",),
    ("export", "--format", "jsonl", "--out", "{tmp}/out.jsonl"),
    ("assign",),
    ("agreement",),
    ("users", "add", "bob", "--role", "annotator", "--password", PASSWORD),
    ("users", "list"),
    ("serve",),
    ("backup", "{tmp}/copy.db"),
]


@pytest.mark.parametrize("args", MISSING_DB_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_files_a_mistyped_db_is_refused_not_created(tmp_path, args):
    run_init = CliRunner().invoke(cli, ["--db", str(tmp_path / "real.db"), "init"])
    assert run_init.exit_code == 0
    typo = tmp_path / "raal.db"
    filled = [a.format(seeds=SEEDS, tmp=tmp_path) for a in args]
    result = CliRunner().invoke(cli, ["--db", str(typo), "--config", str(tmp_path / "annotator.toml"), *filled])
    assert result.exit_code == 1, result.output
    assert f"Error: {typo}: no such database" in result.output and "annotator init" in result.output
    assert not typo.exists() and not (tmp_path / "copy.db").exists() and not (tmp_path / "out.jsonl").exists()
