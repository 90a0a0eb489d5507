"""The requests behind a day of annotation: accept-all, submit and reopen, catching up, the panel and picker.

Each request a person can get wrong gets a clear message and changes nothing; each
fragment of someone else's set is refused to an annotator.
"""

import json
import re

import pytest

from annotator import store
from annotator.model import MODEL

from .conftest import csrf_of, hold, login, seed_article_id

HX = {"HX-Request": "true"}


@pytest.fixture
def alice(client, seeded):
    """Alice on the seed article: post(path, **values) to her set, with her current version unless given."""
    login(client, "alice")
    hold(seeded, seed_article_id(seeded), "alice")
    page = client.get(f"/articles/{seed_article_id(seeded)}").get_data(as_text=True)
    set_id = int(re.search(r'data-base="/sets/(\d+)"', page).group(1))

    def post(path, **values):
        values.setdefault("version", store.get_set(seeded, set_id).version)
        return client.post(f"/sets/{set_id}{path}", data=values, headers={**HX, "X-CSRF-Token": csrf_of(client)})

    post.set_id, post.db = set_id, seeded
    post.annotation = lambda: store.load_annotation(seeded, set_id)
    post.set = lambda: store.get_set(seeded, set_id)
    return post


def test_workflow_confirm_all_of_a_paragraph_then_of_the_article(alice, seeded):
    text = store.get_article(seeded, seed_article_id(seeded)).text
    second = (text.index("\n") + 1, text.index("\n", text.index("\n") + 1) + 1)
    response = alice("/confirm-all", paragraph="1")
    assert response.status_code == 200 and 'id="p1" hx-swap-oob="true"' in response.get_data(as_text=True)
    accepted = {i.id for i in alice.annotation().items() if i.origin == "accepted"}
    assert accepted == {i.id for i in alice.annotation().items() if second[0] <= i.start < second[1]}
    assert alice("/confirm-all").status_code == 200
    assert not any(i.origin == MODEL for i in alice.annotation().items())
    response = alice("/confirm-all")  # nothing left: nothing written
    assert "Nothing changed" in response.get_data(as_text=True) and alice.set().version == 3


@pytest.mark.parametrize(
    "path, values, status, message",
    [
        ("/confirm-all", {"paragraph": "99"}, 422, "paragraph must be a whole number from 0 to 10"),
        ("/confirm-all", {"paragraph": "first"}, 422, "paragraph must be a whole number"),
        ("/confirm-all", {"version": "0"}, 400, "which version"),
        ("/items", {"layer": "entity", "start": "0", "end": "4", "label": "GPE", "ref": "<x>"}, 422, "ref must be"),
        ("/reopen", {}, 403, "open for changes already"),
        ("/submit", {"accept_untouched": "many"}, 422, "accept_untouched must be a whole number"),
    ],
)
def test_workflow_bad_requests_get_a_message_and_change_nothing(alice, path, values, status, message):
    before, version = alice.annotation(), alice.set()
    response = alice(path, **values)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert alice.annotation() == before and alice.set() == version


def test_workflow_submitted_is_read_only_until_reopened(alice):
    untouched = sum(1 for i in alice.annotation().items() if i.origin == MODEL)
    assert alice("/submit", accept_untouched=str(untouched)).headers["HX-Redirect"]
    first = alice.annotation().entities[0].id
    for path, values in ((f"/items/{first}/confirm", {}), ("/confirm-all", {}), ("/undo", {}), ("/skip", {})):
        response = alice(path, **values)
        assert response.status_code == 403 and "submitted" in response.get_data(as_text=True), path
    assert alice.set().status == "submitted"
    assert alice("/reopen").headers["HX-Refresh"] == "true"
    assert alice.set().status == "draft"
    assert alice(f"/items/{first}/confirm").status_code == 200
    steps = store.status_history(alice.db, [alice.set_id])[alice.set_id]
    assert [s.action for s in steps] == ["create", "submitted", "reopened"]
    assert steps[1].details == {"untouched": untouched}


def test_workflow_skip_asks_then_is_final(alice, seeded):
    asked = alice("/skip")
    assert asked.headers["HX-Retarget"] == "#ask" and alice.set().status == "draft"
    assert alice("/skip", confirmed="1").headers["HX-Redirect"]
    assert alice.set().status == "skipped"
    response = alice("/reopen")
    assert response.status_code == 403 and "its place went to someone else" in response.get_data(as_text=True)
    assert alice("/submit", accept_untouched="94").status_code == 403 and alice.set().status == "skipped"


def test_workflow_changes_tell_a_stale_page_what_it_lacks(client, alice):
    first = alice.annotation().entities[0]
    alice(f"/items/{first.id}/label", label="LOC")
    up_to_date = client.get(f"/sets/{alice.set_id}/changes?version=2", headers=HX)
    assert up_to_date.status_code == 204 and up_to_date.get_data() == b""
    stale = client.get(f"/sets/{alice.set_id}/changes?version=1", headers=HX)
    body = stale.get_data(as_text=True)
    assert stale.status_code == 200 and "changed elsewhere (now version 2)" in body
    assert re.search(rf'data-id="{first.id}"[^>]*data-label="LOC"', body)
    assert client.get(f"/sets/{alice.set_id}/changes?version=x", headers=HX).status_code == 400


def test_workflow_panel_and_picker_are_fragments_of_the_set(client, alice):
    quote = alice.annotation().quotes[0]
    panel = client.get(f"/sets/{alice.set_id}/panel?item={quote.id}").get_data(as_text=True)
    assert "speaker" in panel and "Suggestion, never looked at" in panel
    assert "Select text" in client.get(f"/sets/{alice.set_id}/panel?item=t999").get_data(as_text=True)
    picker = client.get(f"/sets/{alice.set_id}/items/{quote.id}/picker?role=speaker").get_data(as_text=True)
    options = re.findall(r'data-target="(\w*)"', picker)
    assert options[0] == quote.link("speaker") and "" in options
    bad = client.get(f"/sets/{alice.set_id}/items/{quote.id}/picker?role=poet", headers=HX)
    assert bad.status_code == 422 and "Role must be one of" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/panel?item=t1"),
        ("get", "/items/q1/picker?role=speaker"),
        ("get", "/changes?version=1"),
        ("post", "/confirm-all"),
        ("post", "/reopen"),
    ],
)
def test_workflow_someone_elses_set_is_not_there_for_an_annotator(client, seeded, alice, method, path):
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login(client, "bob")
    before = alice.annotation()
    headers = {**HX, "X-CSRF-Token": csrf_of(client)}
    response = getattr(client, method)(f"/sets/{alice.set_id}{path}", data={"version": "1"}, headers=headers)
    assert response.status_code == 404 and alice.annotation() == before


def test_workflow_a_stale_edit_is_saved_on_top_only_when_the_page_asks_for_it(alice):
    """The page sends rebase=1; any other client keeps the strict rule: an edit on an old version is a 409."""
    t1, t2 = (e.id for e in alice.annotation().entities[:2])
    assert alice(f"/items/{t1}/label", label="LOC").status_code == 200  # version 1 -> 2, elsewhere
    strict = alice(f"/items/{t2}/label", label="LOC", version="1")
    assert strict.status_code == 409 and alice.annotation().get(t2).label != "LOC"
    on_top = alice(f"/items/{t2}/label", label="LOC", version="1", rebase="1")
    body = on_top.get_data(as_text=True)
    assert on_top.status_code == 200 and "Saved on top of changes made elsewhere (now version 3)" in body
    assert re.search(rf'data-id="{t1}"[^>]*data-label="LOC"', body)  # the page gets the other change too
    assert alice(f"/items/{t1}/delete", version="1", rebase="1").status_code == 409  # t1 changed since
    assert alice(f"/items/{t2}/delete", rebase="yes").status_code == 422
    assert alice.annotation().get(t1).label == alice.annotation().get(t2).label == "LOC"


def test_workflow_a_new_item_is_handed_back_to_the_page_by_its_ref(alice, seeded):
    text = store.get_article(seeded, seed_article_id(seeded)).text
    start = text.index("Victory base")
    response = alice("/items", layer="entity", start=start, end=start + 12, label="FAC", ref="r7")
    told = json.loads(response.headers["HX-Trigger"])["annotator:saved"]
    assert told["ref"] == "r7" and alice.annotation().get(told["selected"]).label == "FAC"
