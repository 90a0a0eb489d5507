import pytest

from annotator import SetupError, create_app, store

from .conftest import PASSWORD, csrf_of, login, seed_article_id, start


def test_auth_pages_need_sign_in(client):
    for path in ["/queue", "/next", "/done", "/articles/1", "/sets/1.json", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_auth_wrong_password_is_refused(client):
    response = login(client, "alice", "wrong")
    assert response.status_code == 401 and b"wrong password" in response.data
    assert client.get("/queue").status_code == 302


def test_auth_sign_in_and_out(client):
    assert login(client).status_code == 302
    assert b"Your queue" in client.get("/queue").data
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert client.get("/queue").status_code == 302


def test_auth_login_does_not_redirect_off_site(client):
    client.get("/login")
    response = client.post(
        "/login?next=//evil.example/x", data={"name": "alice", "password": PASSWORD, "csrf_token": csrf_of(client)}
    )
    assert response.headers["Location"] == "/queue"


def test_auth_post_without_csrf_is_refused_and_changes_nothing(client, seeded):
    login(client)
    client.get(start(client))
    mine = store.find_set(seeded, seed_article_id(seeded), "annotator", store.get_user_by_name(seeded, "alice").id)
    before = store.load_annotation(seeded, mine.id)
    first = before.entities[0]
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        response = client.post(
            f"/sets/{mine.id}/entities/{first.id}/delete", data={"version": mine.version}, headers=headers
        )
        assert response.status_code == 400 and b"security token" in response.data
    assert store.load_annotation(seeded, mine.id) == before
    assert store.get_set(seeded, mine.id).version == mine.version


def test_auth_annotator_cannot_see_or_change_anothers_set(client, seeded):
    bob = store.get_user_by_name(seeded, "bob")
    bobs = store.open_set(seeded, seed_article_id(seeded), bob.id)
    before = store.load_annotation(seeded, bobs.id)
    login(client, "alice")
    assert client.get(f"/sets/{bobs.id}.json").status_code == 404
    token = {"X-CSRF-Token": csrf_of(client)}
    response = client.post(
        f"/sets/{bobs.id}/entities/{before.entities[0].id}/delete", data={"version": bobs.version}, headers=token
    )
    assert response.status_code == 404
    assert store.load_annotation(seeded, bobs.id) == before


def test_auth_reviewer_reads_but_cannot_change_anothers_set(client, seeded):
    bob = store.get_user_by_name(seeded, "bob")
    bobs = store.open_set(seeded, seed_article_id(seeded), bob.id)
    login(client, "rita")
    assert client.get(f"/sets/{bobs.id}.json").json["annotator"] == "bob"
    response = client.post(
        f"/sets/{bobs.id}/submit", data={"version": bobs.version}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert response.status_code == 403
    assert store.get_set(seeded, bobs.id).status == "draft"


@pytest.mark.parametrize("name, status", [("alice", 403), ("rita", 403), ("admin", 200)])
def test_auth_admin_pages_only_for_admins(client, name, status):
    login(client, name)
    assert client.get("/admin/").status_code == status
    assert client.get("/admin/export?format=jsonl&from=predictions").status_code == status


def test_auth_headers_csp_and_cookie(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_auth_pages_have_no_inline_script_or_style(client, seeded):
    login(client)
    start(client)
    for path in ["/queue", f"/articles/{seed_article_id(seeded)}", "/login", "/done"]:
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "<style" not in html, path
        assert " on" + "click=" not in html


def test_auth_app_refuses_to_start_without_a_real_secret(seeded_path, tmp_path):
    with pytest.raises(SetupError, match="secret key"):
        create_app({"DATABASE": seeded_path, "PROJECT_FILE": tmp_path / "missing.toml"})
    placeholder = tmp_path / "p.toml"
    placeholder.write_text('[project]\nsecret_key = "CHANGE-ME"\n')
    with pytest.raises(SetupError, match="secret key"):
        create_app({"DATABASE": seeded_path, "PROJECT_FILE": placeholder})


@pytest.mark.parametrize(
    "fmt, magic",
    [("jsonl", b'{"id"'), ("prodigy", b'{"text"'), ("spacy", None), ("conll", b"-DOCSTART-"), ("brat", b"PK")],
)
def test_auth_admin_downloads_every_format(client, fmt, magic):
    login(client, "admin")
    response = client.get(f"/admin/export?format={fmt}&from=predictions")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body and (magic is None or body.startswith(magic)), body[:40]


def test_auth_admin_adds_a_user_who_can_then_sign_in(client, seeded):
    login(client, "admin")
    token = csrf_of(client)
    response = client.post(
        "/admin/users", data={"name": "dora", "role": "reviewer", "password": "long enough pw", "csrf_token": token}
    )
    assert response.status_code == 302 and store.get_user_by_name(seeded, "dora").role == "reviewer"
    for bad in (
        {"name": "", "role": "reviewer", "password": "long enough pw"},
        {"name": "eve", "role": "king", "password": "long enough pw"},
        {"name": "eve", "role": "annotator", "password": "short"},
    ):
        assert client.post("/admin/users", data={**bad, "csrf_token": token}).status_code == 422
    assert store.get_user_by_name(seeded, "eve") is None
    client.post("/logout", data={"csrf_token": token})
    assert login(client, "dora", "long enough pw").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/%09/evil.example",  # a tab the browser drops: //evil.example
        "/%0a/evil.example",
        "/%5cevil.example",  # a backslash the browser reads as a slash
        "/\\/evil.example",
        "https://evil.example/",
        "/%0d%0aX:y",  # CRLF: was a 500 (and a signed-in session)
        "/%e2%80%8b/evil.example",  # a zero-width space
        "javascript:alert(1)",
    ],
)
def test_auth_sign_in_never_redirects_off_site(client, target):
    client.get("/login")
    response = client.post(
        f"/login?next={target}", data={"name": "alice", "password": PASSWORD, "csrf_token": csrf_of(client)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/queue"
    assert client.get("/queue").status_code == 200  # signed in all the same


def test_auth_sign_in_goes_back_to_the_page_asked_for(client, seeded):
    client.get("/login")
    response = client.post(
        "/login?next=/queue%3Fafter%3D3", data={"name": "alice", "password": PASSWORD, "csrf_token": csrf_of(client)}
    )
    assert response.headers["Location"] == "/queue?after=3"
