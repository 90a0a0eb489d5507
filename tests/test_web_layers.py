"""Quotes and events edited through the same item routes as entities."""

import json
import re

import pytest

from annotator import store

from .conftest import csrf_of, login, seed_article_id, start

HX = {"HX-Request": "true"}


@pytest.fixture
def alice(client, seeded):
    login(client, "alice")
    page = client.get(start(client))
    set_id = int(re.search(r'data-base="/sets/(\d+)"', page.get_data(as_text=True)).group(1))
    text = store.get_article(seeded, seed_article_id(seeded)).text

    def post(path, **values):
        values.setdefault("version", store.get_set(seeded, set_id).version)
        return client.post(f"/sets/{set_id}{path}", data=values, headers={**HX, "X-CSRF-Token": csrf_of(client)})

    post.state = lambda: client.get(f"/sets/{set_id}.json").json
    post.made = lambda response: json.loads(response.headers["HX-Trigger"])["annotator:saved"]["selected"]
    post.at = lambda phrase: (text.index(phrase), text.index(phrase) + len(phrase))
    post.text = text
    return post


def _quote(state, quote_id):
    return next(q for q in state["quotes"] if q["id"] == quote_id)


def test_layers_quote_from_selection_then_cue_source_speaker(alice):
    start, end = alice.at("Even the presence of one American in Iraq is too much,")
    response = alice("/items", layer="quote", start=start, end=end)
    assert response.status_code == 200
    quote_id = alice.made(response)
    assert _quote(alice.state(), quote_id)["type"] == "DIRECT"  # enclosed in quotation marks
    cue = alice.at("added.")
    alice(f"/items/{quote_id}/span", role="cue", start=cue[0], end=cue[0] + 5)
    source = alice.at("Khamenei added")
    alice(f"/items/{quote_id}/span", role="source", start=source[0], end=source[0] + 8)
    khamenei = next(e for e in alice.state()["entities"] if e["text"] == "Ayatollah Ali Khamenei")
    alice(f"/items/{quote_id}/link", role="speaker", target=khamenei["id"])
    quote = _quote(alice.state(), quote_id)
    assert quote["cue"]["text"] == "added" and quote["source"]["text"] == "Khamenei"
    assert quote["speaker"] == khamenei["id"]
    page = alice(f"/items/{quote_id}/label", label="MIXED").get_data(as_text=True)
    assert _quote(alice.state(), quote_id)["type"] == "MIXED"
    assert 'class="qcue' in page and 'class="qsrc' in page and 'class="qc' in page


def test_layers_quote_content_can_be_interrupted_and_parts_cleared(alice):
    first = alice.at("Americans are not friends of Iraq.")
    response = alice("/items", layer="quote", start=first[0], end=first[1], label="DIRECT")
    quote_id = alice.made(response)
    second = alice.at("Americans are not friends with anyone")
    alice(f"/items/{quote_id}/span", role="content", start=second[0], end=second[1])
    assert [c["text"] for c in _quote(alice.state(), quote_id)["content"]] == [
        "Americans are not friends of Iraq.",
        "Americans are not friends with anyone",
    ]
    alice(f"/items/{quote_id}/clear", role="content", index=1)
    assert len(_quote(alice.state(), quote_id)["content"]) == 1
    response = alice(f"/items/{quote_id}/clear", role="content", index=0)
    assert response.status_code == 422 and "at least one content span" in response.get_data(as_text=True)
    assert alice(f"/items/{quote_id}/delete").status_code == 200
    assert all(q["id"] != quote_id for q in alice.state()["quotes"])


def test_layers_event_type_and_actors(alice):
    start, end = alice.at("infiltration")
    response = alice("/items", layer="event", start=start, end=end, label="CRIME")
    event_id = alice.made(response)
    event = next(v for v in alice.state()["events"] if v["id"] == event_id)
    assert event["trigger"]["text"] == "infiltration" and event["type"] == "CRIME" and event["source_actor"] is None
    assert alice("/items", layer="event", start=start, end=end, label="CRIME").status_code == 422  # one per trigger
    entities = {e["text"]: e["id"] for e in alice.state()["entities"]}
    alice(f"/items/{event['id']}/link", role="source_actor", target=entities["Tehran"])
    alice(f"/items/{event['id']}/link", role="target_actor", target=entities["Baghdad"])
    alice(f"/items/{event['id']}/label", label="THREATEN")
    got = next(v for v in alice.state()["events"] if v["id"] == event["id"])
    assert (got["type"], got["source_actor"], got["target_actor"]) == (
        "THREATEN",
        entities["Tehran"],
        entities["Baghdad"],
    )
    # deleting the target entity cuts the link, and undo brings both back
    alice(f"/items/{entities['Baghdad']}/delete")
    assert next(v for v in alice.state()["events"] if v["id"] == event["id"])["target_actor"] is None
    alice("/undo")
    assert next(v for v in alice.state()["events"] if v["id"] == event["id"])["target_actor"] == entities["Baghdad"]


@pytest.mark.parametrize(
    "path_and_values, message",
    [
        (("/items", {"layer": "event", "start": "0", "end": "4", "label": "PARTY"}), "unknown label"),
        (("/items/t1/span", {"role": "cue", "start": "0", "end": "4"}), "this entity has no cue"),
        (("/items/t1/span", {"role": "poem", "start": "0", "end": "4"}), "role must be one of"),
    ],
)
def test_layers_bad_edits_change_nothing(alice, path_and_values, message):
    before = alice.state()
    path, values = path_and_values
    response = alice(path, **values)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert alice.state() == before


def test_layers_link_to_missing_entity_is_refused(alice):
    start, end = alice.at("infiltration")
    response = alice("/items", layer="event", start=start, end=end, label="CRIME")
    event_id = alice.made(response)
    before = alice.state()
    response = alice(f"/items/{event_id}/link", role="target_actor", target="t999")
    assert response.status_code == 422 and "no entity" in response.get_data(as_text=True)
    assert alice.state() == before


def test_layers_page_gives_every_item_one_named_focusable_handle(client, seeded, alice):
    start, end = alice.at("infiltration")
    alice("/items", layer="event", start=start, end=end, label="CRIME")
    page = client.get(f"/articles/{seed_article_id(seeded)}").get_data(as_text=True)
    handles = re.findall(
        r'<span class="tag[^"]*" data-id="([^"]+)" data-layer="(\w+)"[^>]*role="button" '
        r'tabindex="-1" aria-label="([^"]*)"></span>',
        page,
    )
    state = alice.state()
    items = [
        (x["id"], layer)
        for layer, key in (("entity", "entities"), ("quote", "quotes"), ("event", "events"))
        for x in state[key]
    ]
    assert sorted((i, layer) for i, layer, _ in handles) == sorted(items)  # one handle per item, no more
    names = {i: name for i, _, name in handles}
    made = next(v["id"] for v in state["events"] if v["trigger"]["start"] == start)
    assert names[made] == "CRIME event" and names["t1"] == "GPE entity, suggestion"
