"""Who may have an account: names people can read, passwords as NIST SP 800-63B puts it, a real secret key."""

import json
import secrets

import pytest
from click.testing import CliRunner

from annotator import SetupError, config, create_app, store
from annotator.cli import cli

from .conftest import PASSWORD, csrf_of, login

WEAK = [
    ("", "needs a password"),
    ("12345678", "at least 12 characters"),
    (" " * 8, "at least 12 characters"),
    (" " * 12, "too easy to guess"),
    ("password1234", "common password"),
    ("123456789012", "too easy to guess"),
    ("qwertyuiopas", "too easy to guess"),
    ("dora-dora-dora", "too easy to guess"),  # the user's own name
    ("x" * 257, "at most 256 characters"),
]
GOOD = ["long enough pw", "correct horse battery", "Tr0ub4dor&3 x", "ünïcödé pässwörd"]


@pytest.fixture
def run(tmp_path):
    CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "init"])

    def invoke(*args, input=None):
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), *map(str, args)], input=input)

    invoke.db = tmp_path / "a.db"
    return invoke


@pytest.mark.parametrize("password, message", WEAK, ids=[repr(p[:14]) for p, _ in WEAK])
def test_accounts_cli_refuses_weak_passwords(run, password, message):
    result = run("users", "add", "dora", "--role", "admin", "--password", password)
    assert result.exit_code == 1 and message in result.output, result.output
    assert run("users", "list").output == ""


@pytest.mark.parametrize("password", GOOD)
def test_accounts_cli_takes_long_passwords_without_composition_rules(run, password):
    result = run("users", "add", "dora", "--role", "annotator", "--password", password)
    assert result.exit_code == 0, result.output
    assert run("users", "list").output.strip() == "dora\tannotator"


@pytest.mark.parametrize("password, message", WEAK, ids=[repr(p[:14]) for p, _ in WEAK])
def test_accounts_web_form_refuses_weak_passwords_for_new_and_existing_users(client, seeded, password, message):
    login(client, "admin")
    token = csrf_of(client)
    data = {"name": "dora", "role": "admin", "password": password, "csrf_token": token}
    response = client.post("/admin/users", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert store.get_user_by_name(seeded, "dora") is None
    before = store.get_user_by_name(seeded, "bob").password_hash
    response = client.post("/admin/users", data={**data, "name": "bob"})
    assert response.status_code == 422 and store.get_user_by_name(seeded, "bob").password_hash == before


def test_accounts_password_is_compared_after_unicode_normalisation(client, seeded):
    login(client, "admin")
    composed, decomposed = "caf\u00e9 au lait noir", "cafe\u0301 au lait noir"
    data = {"name": "dora", "role": "annotator", "password": composed, "csrf_token": csrf_of(client)}
    assert client.post("/admin/users", data=data).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert login(client, "dora", decomposed).status_code == 302


BAD_NAMES = [
    ("ali\u200bce", "U+200B"),
    ("bob\nadmin", "U+000A"),
    ("eve\u202egnp.exe", "U+202E"),
    ("tab\there", "U+0009"),
    ("blank\u3164", "U+3164"),
    ("x" * 65, "at most 64 characters"),
    ("x" * 300, "at most 64 characters"),
    ("   ", "needs a name"),
]


@pytest.mark.parametrize("name, message", BAD_NAMES, ids=[repr(n[:12]) for n, _ in BAD_NAMES])
def test_accounts_names_with_invisible_or_control_characters_are_refused(run, client, seeded, name, message):
    result = run("users", "add", name, "--role", "annotator", "--password", PASSWORD)
    assert result.exit_code == 1 and message in result.output, result.output
    assert run("users", "list").output == ""
    login(client, "admin")
    data = {"name": name, "role": "annotator", "password": PASSWORD, "csrf_token": csrf_of(client)}
    response = client.post("/admin/users", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert len(store.list_users(seeded)) == 4


def test_accounts_names_are_nfc_normalised_and_case_variants_refused(run):
    assert run("users", "add", "Zoe\u0301", "--role", "annotator", "--password", PASSWORD).exit_code == 0
    assert run("users", "list").output.strip() == "Zo\u00e9\tannotator"
    result = run("users", "add", "Zo\u00e9", "--role", "admin", "--password", PASSWORD)
    assert result.exit_code == 1 and "exists already" in result.output
    result = run("users", "add", "ZOÉ", "--role", "admin", "--password", PASSWORD)
    assert result.exit_code == 0  # only ASCII letters are folded by SQLite's NOCASE
    result = run("users", "add", "zoe-x", "--role", "admin", "--password", PASSWORD)
    assert result.exit_code == 0
    result = run("users", "add", "ZOE-X", "--role", "admin", "--password", PASSWORD)
    assert result.exit_code == 1 and "exists already" in result.output


def test_accounts_imported_annotator_names_follow_the_same_rule(run, tmp_path):
    path = tmp_path / "a.jsonl"
    record = {"id": "a", "text": "Iran said so.", "source": "annotator", "annotator": "ali\u200bce", "entities": []}
    path.write_text(json.dumps(record) + "\n", "utf-8")
    result = run("import", path)
    assert result.exit_code == 1 and f"{path}:1:" in result.output and "U+200B" in result.output
    assert run("users", "list").output == ""


@pytest.mark.parametrize(
    "key, message",
    [
        (" " * 16, "only whitespace"),
        (" " * 64, "only whitespace"),
        ("a-long-enough-secret-key-123", "32 random bytes"),
        (secrets.token_hex(16), "32 random bytes"),  # 16 bytes as hex
        ("ab" * 40, "too few different characters"),
        ("CHANGE-ME", "placeholder"),
        ("", "no secret key"),
    ],
)
def test_accounts_weak_secret_keys_are_refused(seeded_path, tmp_path, key, message):
    path = tmp_path / "p.toml"
    path.write_text(f'[project]\nsecret_key = "{key}"\n')
    with pytest.raises(SetupError, match=message):
        create_app({"DATABASE": seeded_path, "PROJECT_FILE": path})
    with pytest.raises(SetupError, match=message):
        create_app({"DATABASE": seeded_path, "SECRET_KEY": key or None, "PROJECT_FILE": path})


@pytest.mark.parametrize("key", [secrets.token_urlsafe(32), secrets.token_hex(32), secrets.token_urlsafe(64)])
def test_accounts_random_secret_keys_of_32_bytes_are_taken(seeded_path, tmp_path, key):
    path = tmp_path / "p.toml"
    path.write_text(f'[project]\nsecret_key = "{key}"\n')
    assert config.load(path).has_real_secret
    assert create_app({"DATABASE": seeded_path, "PROJECT_FILE": path}).secret_key == key
