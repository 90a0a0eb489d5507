import re
import sqlite3

import pytest

from annotator import db as database
from annotator import store

from .conftest import csrf_of, login, seed_article_id, start

HX = {"HX-Request": "true"}


@pytest.fixture
def alice(client, seeded):
    """Alice signed in, on the seed article; returns a helper to post edits to her set."""
    login(client, "alice")
    page = client.get(start(client))
    assert page.status_code == 200
    set_id = int(re.search(r'data-base="/sets/(\d+)"', page.get_data(as_text=True)).group(1))

    def post(path, **values):
        version = store.get_set(seeded, set_id).version if "version" not in values else values.pop("version")
        headers = {**HX, "X-CSRF-Token": csrf_of(client)}
        return client.post(f"/sets/{set_id}{path}", data={"version": version, **values}, headers=headers)

    post.set_id = set_id
    post.state = lambda: client.get(f"/sets/{set_id}.json").json
    return post


def _spans(state):
    return [(e["start"], e["end"], e["label"]) for e in state["entities"]]


def test_annotate_page_shows_model_suggestions_distinctly(client, seeded, alice):
    html = client.get(f"/articles/{seed_article_id(seeded)}").get_data(as_text=True)
    assert re.search(
        r'<mark class="ent l0 suggested first last" data-id="t3" data-layer="entity" data-role="entity" '
        r'data-label="PERSON" data-s="22" data-e="44">Ayatollah Ali Khamenei<span class="tag suggested" '
        r'data-id="t3" data-layer="entity" data-s="22" data-label="PERSON" role="button" tabindex="-1" '
        r'aria-label="PERSON entity, suggestion"></span></mark>',
        html,
    )


def test_annotate_add_entity_snaps_and_replaces_the_overlapped_span(seeded, alice):
    text = store.get_article(seeded, seed_article_id(seeded)).text
    start = text.index("Kataib Sayyid al-Shuhada")
    response = alice("/items", layer="entity", start=start + 2, end=start + 20, label="ORG")  # mid-word on both sides
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert re.search(
        f'data-role="entity" data-label="ORG" data-s="{start}" data-e="{start + 24}">Kataib Sayyid al-Shuhada<span ',
        body,
    )
    assert 'hx-swap-oob="true"' in body and body.count('class="para"') == 1  # only the changed paragraph
    spans = _spans(alice.state())
    assert (start, start + 24, "ORG") in spans and (start, start + 24, "PERSON") not in spans


def test_annotate_relabel_delete_move_and_undo(seeded, alice):
    state = alice.state()
    sudani = next(e for e in state["entities"] if e["start"] == 1387)
    assert alice(f"/items/{sudani['id']}/label", label="PERSON").status_code == 200
    assert (1387, 1393, "PERSON") in _spans(alice.state())
    supreme = next(e for e in state["entities"] if e["text"] == "Supreme")
    assert alice(f"/items/{supreme['id']}/boundary", side="end", delta="1").status_code == 200
    assert (7, 21, "ORG") in _spans(alice.state())  # "Supreme Leader"
    assert alice(f"/items/{supreme['id']}/delete").status_code == 200
    assert all(e["id"] != supreme["id"] for e in alice.state()["entities"])
    alice("/undo")
    assert (7, 21, "ORG") in _spans(alice.state())
    alice("/undo")
    assert (7, 14, "ORG") in _spans(alice.state())


def test_annotate_stale_version_gets_409_and_changes_nothing(seeded, alice):
    old_version = store.get_set(seeded, alice.set_id).version
    first = alice.state()["entities"][0]
    assert alice(f"/items/{first['id']}/label", label="GPE").status_code == 200
    before = alice.state()
    response = alice(f"/items/{first['id']}/delete", version=old_version)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#status"
    body = response.get_data(as_text=True)
    assert "changed elsewhere" in body and "Reload" in body
    assert alice.state() == before


@pytest.fixture
def impatient(monkeypatch):
    """The app's connections wait 50 ms for the write lock, not ten seconds."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)


def test_annotate_a_save_behind_a_long_write_gets_503_and_changes_nothing(impatient, seeded_path, alice):
    first = alice.state()["entities"][0]
    before = alice.state()
    importing = sqlite3.connect(seeded_path)  # as an import storing alongside its reading holds it
    importing.execute("BEGIN IMMEDIATE")
    try:
        response = alice(f"/items/{first['id']}/label", label="GPE")
    finally:
        importing.rollback()
        importing.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.headers["HX-Retarget"] == "#status"
    body = response.get_data(as_text=True)
    assert "database stayed busy" in body and "nothing was saved" in body and "Try again" in body
    assert alice.state() == before
    assert alice(f"/items/{first['id']}/label", label="GPE").status_code == 200  # the lock free: saved


@pytest.mark.parametrize(
    "path, values, status, message",
    [
        ("/items", {"layer": "entity", "start": "0", "end": "4", "label": "WIDGET"}, 422, "unknown label"),
        ("/items", {"layer": "entity", "start": "5000", "end": "5004", "label": "ORG"}, 422, "outside the text"),
        ("/items", {"layer": "entity", "start": "x", "end": "4", "label": "ORG"}, 422, "not a number"),
        ("/items", {"layer": "poem", "start": "0", "end": "4", "label": "ORG"}, 422, "Unknown layer"),
        ("/items", {"layer": "event", "start": "0", "end": "4"}, 422, "Pick a label"),
        ("/items/t999/label", {"label": "ORG"}, 422, "no item"),
        ("/items/t1/boundary", {"side": "middle", "delta": "1"}, 422, "side must be one of"),
        ("/items/t1/boundary", {"side": "start", "delta": "-1"}, 422, "past the text"),
        ("/items/t1/link", {"role": "speaker", "target": "t2"}, 422, "this entity has no speaker link"),
        ("/items/t1/frobnicate", {}, 404, "no item action"),
        ("/items/t1/delete", {"version": "abc"}, 400, "which version"),
    ],
)
def test_annotate_bad_edits_get_a_message_and_change_nothing(alice, path, values, status, message):
    before = alice.state()
    response = alice(path, **values)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert alice.state() == before


def test_annotate_submit_asks_once_then_moves_to_the_next_article(client, seeded, alice):
    untouched = len(alice.state()["entities"]) + len(alice.state()["quotes"]) + len(alice.state()["events"])
    asked = alice("/submit")
    assert asked.status_code == 200 and asked.headers["HX-Retarget"] == "#ask"
    assert f"{untouched} of the model&#39;s suggestions were never looked at" in asked.get_data(as_text=True)
    assert alice.state()["status"] == "draft"
    assert alice("/submit", accept_untouched=str(untouched - 1)).headers["HX-Retarget"] == "#ask"  # not what it was
    response = alice("/submit", accept_untouched=str(untouched))
    assert response.headers["HX-Redirect"] == "/done"  # the next article, claimed by the submit; none is left
    assert alice.state()["status"] == "submitted"
    assert b"finished 1 of 1 articles" in client.get("/done").data


def test_annotate_queue_shows_progress(client, alice):
    html = client.get("/queue").get_data(as_text=True)
    assert '<progress id="progress" value="0" max="1"' in html and "draft" in html
    alice("/skip", confirmed="1")
    assert '<progress id="progress" value="1" max="1"' in client.get("/queue").get_data(as_text=True)


def test_annotate_missing_article_is_404(client, alice):
    assert client.get("/articles/999").status_code == 404


def test_annotate_labels_css_has_each_label_colour(client):
    css = client.get("/labels.css").get_data(as_text=True)
    assert ".l0 { --c: #e6613b; --on-c: #1d2433; --c-ink: " in css


def test_annotate_page_splices_the_text_in_once_escaped_and_whole(client, seeded, project, tmp_path):
    """The page sends the version's text as cached bytes in the template's place for it: a text that
    looks like that place, or holds HTML and non-ASCII characters, still shows once, escaped, in UTF-8."""
    import json

    from annotator import importing

    from .conftest import hold

    text = "Zürich — <b>bold</b> & <!--text-0123456789abcdef--> said Anna.\n"
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"id": "odd", "text": text}, ensure_ascii=False) + "\n", "utf-8")
    importing.import_paths(seeded, project, [path], progress=False)
    article_id = store.find_article(seeded, "odd")
    hold(seeded, article_id, "alice")
    login(client, "alice")
    response = client.get(f"/articles/{article_id}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.count("Zürich — &lt;b&gt;bold&lt;/b&gt; &amp; &lt;!--text-0123456789abcdef--&gt; said Anna.") == 1
    assert "<!--text-" not in html and html.rstrip().endswith("</html>")
    assert re.search(r'<div id="text"[^>]*><span class="para" id="p0">Zürich — &lt;b&gt;', html)


def test_annotate_status_line_counts_what_the_set_holds_after_every_kind_of_save(seeded, alice):
    """A save's status line counts untouched suggestions from the version it was made on and what it
    changed: after accepting, relabelling, deleting, accepting all and undoing, it says what the store holds."""

    def shown(response) -> int:
        return int(re.search(r'id="untouched" data-count="(\d+)"', response.get_data(as_text=True)).group(1))

    def held() -> int:
        return sum(item.origin == "model" for item in store.load_annotation(seeded, alice.set_id).items())

    start = held()
    first, second, third = alice.state()["entities"][:3]
    saves = [
        lambda: alice(f"/items/{first['id']}/confirm"),
        lambda: alice(f"/items/{second['id']}/label", label="GPE"),
        lambda: alice(f"/items/{third['id']}/delete"),
        lambda: alice("/undo"),
        lambda: alice("/confirm-all"),
        lambda: alice("/undo"),
    ]
    seen = []
    for save in saves:
        response = save()
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        seen.append(shown(response))
        assert seen[-1] == held()
    assert seen[0] == start - 1 and seen[4] == 0 and seen[5] > 0


def test_annotate_a_save_sends_the_status_line_and_version_the_page_shows_after_reload(client, seeded, alice):
    first = alice.state()["entities"][0]
    saved = alice(f"/items/{first['id']}/label", label="GPE").get_data(as_text=True)
    page = client.get(f"/articles/{seed_article_id(seeded)}").get_data(as_text=True)
    for element in (
        r'<div id="status".*?</div>',
        r'<div id="doc-meta".*?</div>',
        r'<input type="hidden" id="doc-version"[^>]*>',
    ):
        sent = re.search(element, saved, re.S).group(0).replace(' hx-swap-oob="true"', "")
        shown = re.search(element, page, re.S).group(0)
        assert sent.replace("Saved", "Draft").replace(' saved"', '"') == shown
