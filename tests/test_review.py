"""Agreement on the dashboard and CLI, and adjudication into gold."""

import json
import re

import pytest
from click.testing import CliRunner

from annotator import edits, exporting, store
from annotator.cli import cli

from .conftest import csrf_of, login, seed_article_id

HX = {"HX-Request": "true"}


def _submit(db, name, change_fns=()):
    """`name` opens the seed article, applies the edits, submits; returns their annotation."""
    user = store.get_user_by_name(db, name)
    article_id = seed_article_id(db)
    found = store.open_set(db, article_id, user.id)
    version = found.version
    for fn in change_fns:
        version = store.edit(db, found.id, version, fn, user.id).version
    store.set_status(db, found.id, version, "submitted", user.id)
    return store.load_annotation(db, found.id)


def _entity_at(start):
    return lambda a: next(e for e in a.entities if e.start == start)


@pytest.fixture
def two_versions(seeded):
    """Alice relabels the wrong Sudani; Bob deletes "Supreme" instead."""
    store.set_annotators_per_article(seeded, 2)
    alice = _submit(seeded, "alice", [lambda a: edits.relabel(a, _entity_at(1387)(a).id, "PERSON")])
    bob = _submit(seeded, "bob", [lambda a: edits.delete(a, _entity_at(7)(a).id)])
    return alice, bob


def _run(seeded_path, *args):
    return CliRunner().invoke(cli, ["--db", str(seeded_path), *args])


def test_review_agreement_json_is_one_for_identical_annotations(seeded, seeded_path):
    _submit(seeded, "alice")
    store.set_annotators_per_article(seeded, 2)
    _submit(seeded, "bob")
    result = _run(seeded_path, "agreement", "--json", "--layer", "entity")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["layer"] == "entity" and report["documents"] == 1 and report["annotators"] == ["alice", "bob"]
    assert report["token_alpha"] == 1.0 and report["span_f1"]["exact"] == 1.0 and report["kappa"]["mean"] == 1.0
    assert set(report) >= {"layer", "documents", "annotators", "token_alpha", "span_f1", "kappa", "per_label"}


def test_review_agreement_counts_articles_with_one_annotation_as_left_out(seeded, seeded_path):
    _submit(seeded, "alice")
    report = json.loads(_run(seeded_path, "agreement", "--json", "--layer", "entity").output)
    assert report["documents"] == 0 and report["documents_skipped"] == 1
    assert "1 with fewer than two" in _run(seeded_path, "agreement").output


def test_review_dashboard_lists_the_article_with_its_score(client, seeded, seeded_path, two_versions):
    login(client, "rita")
    html = client.get("/review/").get_data(as_text=True)
    assert "khamenei-rashid-tehran" in html and f"/review/{seed_article_id(seeded)}" in html
    assert html.count("<svg") == 4 and "Cohen" in html
    report = json.loads(_run(seeded_path, "agreement", "--json", "--layer", "entity").output)
    alpha = report["per_document"][0]["token_alpha"]
    assert f"{alpha:.3f}" in html


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_review_pages_are_forbidden_to_annotators(client, seeded, two_versions, name):
    login(client, name)
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/{seed_article_id(seeded)}").status_code == 403
    response = client.post(
        f"/review/{seed_article_id(seeded)}/merge", data={"version": 1}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert response.status_code == 403
    assert store.find_set(seeded, seed_article_id(seeded), "gold") is None


def test_review_take_one_item_from_each_then_gold_export_has_exactly_those(client, seeded, two_versions, tmp_path):
    alice, bob = two_versions
    login(client, "rita")
    article_id = seed_article_id(seeded)
    html = client.get(f"/review/{article_id}").get_data(as_text=True)
    sets = {
        name: store.find_set(seeded, article_id, "annotator", store.get_user_by_name(seeded, name).id).id
        for name in ("alice", "bob")
    }
    assert f'data-take="alice:{_entity_at(1387)(alice).id}"' in html
    gold = store.find_set(seeded, article_id, "gold")

    def post(path, **values):
        values["version"] = store.get_set(seeded, gold.id).version
        return client.post(f"/review/{article_id}/{path}", data=values, headers={**HX, "X-CSRF-Token": csrf_of(client)})

    assert post("take", set=sets["alice"], item=_entity_at(1387)(alice).id).status_code == 200
    assert post("take", set=sets["bob"], item=_entity_at(22)(bob).id).status_code == 200
    out = tmp_path / "gold.jsonl"
    exporting.export(seeded, "jsonl", "gold", out)
    record = json.loads(out.read_text("utf-8"))
    assert sorted((e["start"], e["end"], e["label"]) for e in record["entities"]) == [
        (22, 44, "PERSON"),
        (1387, 1393, "PERSON"),
    ]


def test_review_merge_agreed_and_accept_version(client, seeded, two_versions):
    alice, bob = two_versions
    login(client, "rita")
    article_id = seed_article_id(seeded)
    client.get(f"/review/{article_id}")
    gold = store.find_set(seeded, article_id, "gold")
    token = {**HX, "X-CSRF-Token": csrf_of(client)}
    client.post(f"/review/{article_id}/merge", data={"version": gold.version}, headers=token)
    merged = store.load_annotation(seeded, gold.id)
    agreed = {(e.start, e.end, e.label) for e in alice.entities} & {(e.start, e.end, e.label) for e in bob.entities}
    assert {(e.start, e.end, e.label) for e in merged.entities} == agreed
    bob_set = store.find_set(seeded, article_id, "annotator", store.get_user_by_name(seeded, "bob").id)
    client.post(f"/review/{article_id}/accept", data={"version": gold.version + 1, "set": bob_set.id}, headers=token)
    assert {(e.start, e.end, e.label) for e in store.load_annotation(seeded, gold.id).entities} == {
        (e.start, e.end, e.label) for e in bob.entities
    }
    # stale: an edit made on an old gold version that touches what changed since is refused, changing nothing
    alice_set = store.find_set(seeded, article_id, "annotator", store.get_user_by_name(seeded, "alice").id)
    before = store.load_annotation(seeded, gold.id)
    response = client.post(
        f"/review/{article_id}/accept", data={"version": gold.version, "set": alice_set.id}, headers=token
    )
    assert response.status_code == 409 and store.load_annotation(seeded, gold.id) == before


def test_review_reviewer_edits_gold_with_the_item_routes(client, seeded, two_versions):
    login(client, "rita")
    article_id = seed_article_id(seeded)
    html = client.get(f"/review/{article_id}").get_data(as_text=True)
    gold_id = int(re.search(r'data-base="/sets/(\d+)"', html).group(1))
    assert store.get_set(seeded, gold_id).kind == "gold"
    response = client.post(
        f"/sets/{gold_id}/items",
        data={"version": 1, "layer": "entity", "start": 0, "end": 4, "label": "GPE"},
        headers={**HX, "X-CSRF-Token": csrf_of(client)},
    )
    assert response.status_code == 200
    assert [(e.start, e.end, e.label) for e in store.load_annotation(seeded, gold_id).entities] == [(0, 4, "GPE")]
    # an annotator cannot touch gold
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login(client, "alice")
    response = client.post(
        f"/sets/{gold_id}/items/t1/delete", data={"version": 2}, headers={**HX, "X-CSRF-Token": csrf_of(client)}
    )
    assert response.status_code == 404


def test_review_agreement_cli_prints_the_hand_computed_values(db_path, project, tmp_path):
    """Two annotators on "Rashid visited Tehran today": both PERSON on Rashid, only A has GPE on Tehran.

    Tokens (units) and values: Rashid (P, P), visited (n, n), Tehran (G, n), today (n, n).
    Coincidences: o_PP = 2, o_nn = 4, o_Gn = o_nG = 1; n_P = 2, n_n = 5, n_G = 1, n = 8.
    D_o = 2/8; D_e = (64 - 4 - 25 - 1) / (8 * 7) = 34/56; alpha = 1 - (2/8) / (34/56) = 10/17.
    Kappa: p_o = 3/4, p_e = 1/4 * 1/4 + 2/4 * 3/4 = 7/16, kappa = (12/16 - 7/16) / (9/16) = 5/9.
    Exact span F1: A has 2 spans, B 1, 1 shared: 2 * 1 / (2 + 1) = 2/3.
    """
    text = "Rashid visited Tehran today"
    person = {"id": "t1", "start": 0, "end": 6, "label": "PERSON"}
    gpe = {"id": "t2", "start": 15, "end": 21, "label": "GPE"}
    records = [
        {
            "id": "hand",
            "text": text,
            "source": "annotator",
            "annotator": "a",
            "status": "submitted",
            "entities": [person, gpe],
        },
        {
            "id": "hand",
            "text": text,
            "source": "annotator",
            "annotator": "b",
            "status": "submitted",
            "entities": [person],
        },
    ]
    source = tmp_path / "hand.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    assert _run(db_path, "init").exit_code == 0  # only init creates a database
    assert _run(db_path, "import", str(source)).exit_code == 0
    report = json.loads(_run(db_path, "agreement", "--json", "--layer", "entity").output)
    assert report["documents"] == 1 and report["tokens"] == 4
    assert abs(report["token_alpha"] - 10 / 17) < 1e-9
    assert abs(report["kappa"]["mean"] - 5 / 9) < 1e-9
    assert abs(report["span_f1"]["exact"] - 2 / 3) < 1e-9


def test_review_gold_cannot_be_skipped(client, seeded, two_versions):
    login(client, "rita")
    article_id = seed_article_id(seeded)
    html = client.get(f"/review/{article_id}").get_data(as_text=True)
    assert 'id="skip"' not in html
    gold = store.find_set(seeded, article_id, "gold")
    response = client.post(
        f"/sets/{gold.id}/skip", data={"version": gold.version}, headers={**HX, "X-CSRF-Token": csrf_of(client)}
    )
    assert response.status_code == 422 and store.get_set(seeded, gold.id).status == "draft"
