"""Sessions live on the server: logout, a new password, a new role or removal ends them; so do time limits."""

import re

import pytest
from click.testing import CliRunner
from flask.sessions import SecureCookieSessionInterface

from annotator import config, create_app, store
from annotator.cli import cli
from annotator.web import security

from .conftest import SECRET_KEY, csrf_of, login, seed_article_id

HX = {"HX-Request": "true"}


def _signed_in(client) -> bool:
    return client.get("/queue").status_code == 200


@pytest.fixture
def clock(monkeypatch):
    """The server's clock, moved by hand."""

    class Clock:
        now = 1_000_000.0

        def __call__(self) -> float:
            return self.now

        def advance(self, minutes: float) -> None:
            self.now += minutes * 60

    found = Clock()
    monkeypatch.setattr(security, "clock", found)
    return found


def _save(client, seeded, set_id):
    """Add an entity over the article's first word; the answer's status."""
    version = store.get_set(seeded, set_id).version
    return client.post(
        f"/sets/{set_id}/items",
        data={"version": version, "layer": "entity", "start": 0, "end": 4, "label": "LOC"},
        headers={**HX, "X-CSRF-Token": csrf_of(client)},
    )


@pytest.fixture
def bobs_set(seeded):
    article = seed_article_id(seeded)
    bob = store.get_user_by_name(seeded, "bob").id
    store.assign_if_open(seeded, article, bob)
    return store.open_set(seeded, article, bob).id


def test_sessions_a_cookie_kept_from_before_logout_neither_reads_nor_writes(client, seeded, bobs_set):
    login(client, "bob")
    assert _save(client, seeded, bobs_set).status_code == 200
    kept = client.get_cookie("session").value
    history = len(store.history(seeded, bobs_set))
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    client.set_cookie("session", kept)  # the old cookie, replayed
    assert not _signed_in(client)
    client.set_cookie("session", kept)
    response = _save(client, seeded, bobs_set)
    assert response.status_code == 401 and "sign in again" in response.get_data(as_text=True)
    assert len(store.history(seeded, bobs_set)) == history


def test_sessions_end_when_an_admin_gives_a_new_password(app, seeded):
    bob, admin = app.test_client(), app.test_client()
    login(bob, "bob")
    login(admin, "admin")
    data = {"name": "bob", "role": "annotator", "password": "a brand new password", "csrf_token": csrf_of(admin)}
    assert admin.post("/admin/users", data=data).status_code == 302
    assert not _signed_in(bob)
    assert _signed_in(admin)  # only bob's sessions end
    assert login(bob, "bob", "a brand new password").status_code == 302


def test_sessions_end_when_an_admin_changes_the_role_or_removes_the_user(app, seeded):
    bob, admin = app.test_client(), app.test_client()
    login(bob, "bob")
    login(admin, "admin")
    bob_id = store.get_user_by_name(seeded, "bob").id
    response = admin.post(f"/admin/users/{bob_id}/role", data={"role": "reviewer", "csrf_token": csrf_of(admin)})
    assert response.status_code == 302 and store.get_user_by_name(seeded, "bob").role == "reviewer"
    assert not _signed_in(bob)
    login(bob, "bob")
    assert _signed_in(bob)
    response = admin.post(f"/admin/users/{bob_id}/remove", data={"csrf_token": csrf_of(admin)})
    assert response.status_code == 302 and not _signed_in(bob)
    assert login(bob, "bob").status_code == 401  # and cannot come back


def test_sessions_an_admin_cannot_remove_or_demote_themselves(client, seeded):
    login(client, "admin")
    me = store.get_user_by_name(seeded, "admin").id
    token = csrf_of(client)
    assert client.post(f"/admin/users/{me}/remove", data={"csrf_token": token}).status_code == 409
    response = client.post(f"/admin/users/{me}/role", data={"role": "annotator", "csrf_token": token})
    assert response.status_code == 409 and store.get_user_by_name(seeded, "admin").role == "admin"
    assert client.post("/admin/users/999/remove", data={"csrf_token": token}).status_code == 404
    bob = store.get_user_by_name(seeded, "bob").id
    response = client.post(f"/admin/users/{bob}/role", data={"role": "king", "csrf_token": token})
    assert response.status_code == 422 and store.get_user_by_name(seeded, "bob").role == "annotator"


@pytest.mark.parametrize(
    "args",
    [
        ("users", "passwd", "bob", "--password", "a brand new password"),
        ("users", "role", "bob", "reviewer"),
        ("users", "remove", "bob"),
    ],
)
def test_sessions_end_when_the_command_line_changes_the_user(app, seeded_path, args):
    bob = app.test_client()
    login(bob, "bob")
    result = CliRunner().invoke(cli, ["--db", str(seeded_path), *args])
    assert result.exit_code == 0, result.output
    assert not _signed_in(bob)


def test_sessions_cli_user_commands_refuse_unknown_users_and_bad_passwords(seeded_path):
    def run(*args):
        return CliRunner().invoke(cli, ["--db", str(seeded_path), *args])

    for args in (("users", "passwd", "nobody", "--password", "a brand new password"), ("users", "remove", "nobody")):
        result = run(*args)
        assert result.exit_code == 1 and "no user 'nobody'" in result.output
    result = run("users", "passwd", "bob", "--password", "short")
    assert result.exit_code == 1 and "at least 12 characters" in result.output


def test_sessions_end_after_the_idle_time(client, clock):
    login(client)
    clock.advance(29)
    assert _signed_in(client)  # each request counts as activity
    clock.advance(29)
    assert _signed_in(client)
    clock.advance(31)
    response = client.get("/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Your session ended" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_sessions_end_after_the_absolute_lifetime_even_when_active(client, clock):
    login(client)
    for _ in range(8 * 60 // 20 - 1):
        clock.advance(20)
        assert _signed_in(client)
    clock.advance(21)
    assert not _signed_in(client)


def test_sessions_lifetimes_come_from_the_project_file(seeded_path, tmp_path, clock):
    path = tmp_path / "p.toml"
    path.write_text(f'[project]\nsecret_key = "{SECRET_KEY}"\nsession_idle_minutes = 5\nsession_hours = 1\n')
    client = create_app({"DATABASE": seeded_path, "PROJECT_FILE": path}).test_client()
    login(client)
    clock.advance(4)
    assert _signed_in(client)
    clock.advance(6)
    assert not _signed_in(client)


@pytest.mark.parametrize(
    "setting",
    [
        "session_idle_minutes = 0",
        "session_hours = -1",
        'session_idle_minutes = "x"',
        "trusted_proxies = -1",
        "session_idle_minutes = 600\nsession_hours = 2",
    ],
)
def test_sessions_bad_lifetimes_are_refused(tmp_path, setting):
    path = tmp_path / "p.toml"
    path.write_text(f"[project]\n{setting}\n")
    with pytest.raises(config.ConfigError, match=str(path)):
        config.load(path)


def test_sessions_a_cookie_forged_with_the_key_opens_nothing(app, client, seeded):
    """Who has the secret key can sign any cookie, but not make a session the server knows."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    admin = store.get_user_by_name(seeded, "admin").id
    for forged in ({"uid": admin}, {"sid": "guessed-session-id", "uid": admin}):
        client.set_cookie("session", serializer.dumps(forged))
        assert client.get("/admin/").status_code == 302


def test_sessions_the_cookie_before_sign_in_does_not_become_signed_in(client):
    client.get("/login")
    before = client.get_cookie("session").value
    login(client)
    assert client.get_cookie("session").value != before
    client.set_cookie("session", before)
    assert not _signed_in(client)


def _cookie(response) -> str:
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))


def test_sessions_cookie_is_secure_when_served_over_https(app):
    assert "Secure" not in _cookie(app.test_client().get("/login"))
    response = app.test_client().get("/login", base_url="https://localhost")
    secure = _cookie(response)
    assert "Secure" in secure and "HttpOnly" in secure and "SameSite=Lax" in secure
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    # a proxy's word counts only when the project trusts it
    assert "Secure" not in _cookie(app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"}))


def test_sessions_trusted_proxy_says_https(seeded_path, tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(f'[project]\nsecret_key = "{SECRET_KEY}"\ntrusted_proxies = 1\n')
    client = create_app({"DATABASE": seeded_path, "PROJECT_FILE": path}).test_client()
    assert "Secure" in _cookie(client.get("/login", headers={"X-Forwarded-Proto": "https"}))


def test_sessions_signed_in_page_names_the_user(client):
    login(client, "rita")
    assert re.search(r"rita · reviewer", client.get("/queue").get_data(as_text=True))
