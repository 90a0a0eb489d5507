"""Every route as every role; CSRF, request size, sign-in throttling, error pages."""

import pytest

from annotator import create_app, store

from .conftest import SECRET_KEY, csrf_of, login, seed_article_id

ROLES = ["anonymous", "alice", "bob", "rita", "admin"]


@pytest.fixture
def world(seeded, client):
    """Bob holds the seed article (k = 2) and has a set; rita opened gold."""
    store.set_annotators_per_article(seeded, 2)
    article = seed_article_id(seeded)
    bob = store.get_user_by_name(seeded, "bob").id
    store.assign_if_open(seeded, article, bob)
    bobs = store.open_set(seeded, article, bob)
    gold = store.open_gold(seeded, article, store.get_user_by_name(seeded, "rita").id)
    entity = store.load_annotation(seeded, bobs.id).entities[0].id
    return {"A": article, "B": bobs.id, "G": gold.id, "T": entity}


# (method, path, {role: expected status}); anonymous visitors are sent to sign in (302) or,
# for a POST without a session token, refused (400). Absent roles: 200.
CASES = [
    ("GET", "/queue", {"anonymous": 302}),
    ("GET", "/next", {"anonymous": 302, "alice": 302, "bob": 302, "rita": 302, "admin": 302}),
    # only bob holds the article: a URL never claims it, even with a slot open
    ("GET", "/articles/{A}", {"anonymous": 302, "alice": 403, "rita": 403, "admin": 403}),
    ("GET", "/sets/{B}.json", {"anonymous": 302, "alice": 404}),
    ("GET", "/sets/{G}.json", {"anonymous": 302, "alice": 404, "bob": 404}),
    ("POST", "/sets/{B}/items/{T}/confirm", {"anonymous": 400, "alice": 404, "rita": 403, "admin": 403}),
    ("POST", "/sets/{B}/undo", {"anonymous": 400, "alice": 404, "bob": 422, "rita": 403, "admin": 403}),
    ("POST", "/sets/{B}/submit", {"anonymous": 400, "alice": 404, "rita": 403, "admin": 403}),
    ("POST", "/sets/{G}/items/{T}/delete", {"anonymous": 400, "alice": 404, "bob": 404, "rita": 422, "admin": 422}),
    ("GET", "/raw/{A}", {"anonymous": 302, "alice": 403}),
    ("POST", "/next", {"anonymous": 400, "alice": 303, "bob": 303, "rita": 303, "admin": 303}),
    ("GET", "/admin/", {"anonymous": 302, "alice": 403, "bob": 403, "rita": 403}),
    ("GET", "/admin/export?format=jsonl&from=gold", {"anonymous": 302, "alice": 403, "bob": 403, "rita": 403}),
    ("POST", "/admin/assignment", {"anonymous": 400, "alice": 403, "bob": 403, "rita": 403, "admin": 302}),
    ("POST", "/admin/users", {"anonymous": 400, "alice": 403, "bob": 403, "rita": 403, "admin": 422}),
    ("GET", "/review/", {"anonymous": 302, "alice": 403, "bob": 403}),
    ("GET", "/review/{A}", {"anonymous": 302, "alice": 403, "bob": 403}),
    ("POST", "/review/{A}/merge", {"anonymous": 400, "alice": 403, "bob": 403, "rita": 422, "admin": 422}),
    ("POST", "/review/{A}/take", {"anonymous": 400, "alice": 403, "bob": 403, "rita": 422, "admin": 422}),
    ("POST", "/review/{A}/accept", {"anonymous": 400, "alice": 403, "bob": 403, "rita": 422, "admin": 422}),
]


def _snapshot(db):
    tables = ["annotation_sets", "items", "spans", "links", "settings"]
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, expected", CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_security_every_route_as_every_role(client, seeded, world, role, method, path, expected):
    if role != "anonymous":
        login(client, role)
    url = path.format(**world)
    want = expected.get(role, 200)
    if method == "GET":
        assert client.get(url).status_code == want
        return
    before = _snapshot(seeded)
    version = store.get_set(seeded, world["G" if "{G}" in path else "B"]).version
    response = client.post(
        url,
        data={"version": version, "per_article": "3"},
        headers={"X-CSRF-Token": csrf_of(client), "HX-Request": "true"},
    )
    assert response.status_code == want
    if want >= 400:
        assert _snapshot(seeded) == before


def test_security_oversized_request_gets_413_and_changes_nothing(client, seeded, world):
    login(client, "bob")
    before = _snapshot(seeded)
    response = client.post(
        f"/sets/{world['B']}/items",
        data={"label": "x" * (2 * 1024 * 1024)},
        headers={"X-CSRF-Token": csrf_of(client), "HX-Request": "true"},
    )
    assert response.status_code == 413 and b"too large" in response.data
    assert _snapshot(seeded) == before


def test_security_errors_show_no_stack_trace(seeded_path):
    app = create_app({"DATABASE": seeded_path, "SECRET_KEY": SECRET_KEY})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    assert b"Something went wrong" in response.data


def test_security_secure_cookie_when_configured(seeded_path, tmp_path):
    project = tmp_path / "p.toml"
    project.write_text(f'[project]\nsecret_key = "{SECRET_KEY}"\nsecure_cookies = true\n')
    app = create_app({"DATABASE": seeded_path, "PROJECT_FILE": project})
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
