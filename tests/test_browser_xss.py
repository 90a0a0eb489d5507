"""Untrusted text everywhere a page shows it: shown literally, never run (real chromium)."""

import json

import pytest

from annotator import config as project_config
from annotator import create_app, importing, store

from .conftest import SECRET_KEY, hold, serving
from .test_browser_annotate import sign_in

pytestmark = pytest.mark.browser

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    '"><svg onload="window.__xss=3">',
    "';window.__xss=4;//",
    "</textarea><iframe src=javascript:window.__xss=5>",
]
EVIL_LABEL = '<b onmouseover="window.__xss=6">EVIL</b>'
EVIL_USER = '<img src=y onerror="window.__xss=7">'


def _article():
    text = "Report. " + " ".join(f"{p} said {p}." for p in PAYLOADS)
    start = text.index(PAYLOADS[0])
    speaker = (start, start + len(PAYLOADS[0]))
    said = text.index(" said ", start) + 1
    content_start = said + 5
    content = (content_start, content_start + len(PAYLOADS[0]))
    entity = {"id": "t1", "start": speaker[0], "end": speaker[1], "label": EVIL_LABEL}
    quote = {
        "id": "q1",
        "type": "DIRECT",
        "content": [{"start": content[0], "end": content[1]}],
        "cue": {"start": said, "end": said + 4},
        "source": {"start": speaker[0], "end": speaker[1]},
        "speaker": "t1",
    }
    base = {"id": PAYLOADS[1], "text": text, "meta": {"title": PAYLOADS[0]}}
    return [
        base,
        {**base, "source": "model", "entities": [entity], "quotes": [quote]},
        {
            **base,
            "source": "annotator",
            "annotator": EVIL_USER,
            "status": "submitted",
            "entities": [entity],
            "quotes": [quote],
        },
        {**base, "source": "annotator", "annotator": "bob", "status": "submitted", "entities": [entity]},
    ]


def test_browser_xss_payloads_are_shown_not_run(browser, seeded_path, tmp_path):
    labels = project_config.default_text().replace('name = "PERSON"', f"name = {json.dumps(EVIL_LABEL)}")
    project_file = tmp_path / "annotator.toml"
    project_file.write_text(labels.replace('"CHANGE-ME"', f'"{SECRET_KEY}"'), "utf-8")
    project = project_config.load(project_file)
    source = tmp_path / "evil.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _article()), "utf-8")
    from annotator import db as database

    db = database.connect(seeded_path)
    importing.import_paths(db, project, [source], progress=False)
    store.set_annotators_per_article(db, 3)
    article = store.find_article(db, PAYLOADS[1])
    hold(db, article, "admin")
    app = create_app({"DATABASE": seeded_path, "PROJECT_FILE": project_file})

    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serving(app) as base:
        sign_in(page, base, "admin")
        for path in [
            f"/articles/{article}",
            "/queue",
            "/review/",
            f"/review/{article}",
            "/admin/",
            "/review/?layer=quote",
            "/done",
        ]:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if path == f"/articles/{article}":
                page.click("#text [data-layer=quote]")  # the panel shows the speaker's (untrusted) name
                page.locator("#selection .field").first.wait_for()  # the panel is asked for on selection
                assert PAYLOADS[0] in page.locator("#selection").inner_text()
                page.hover("#text mark.ent")
            assert page.evaluate("window.__xss") is None, path
            body = page.locator("body").inner_text()
            if path in (f"/articles/{article}", f"/review/{article}"):
                assert PAYLOADS[2] in body and PAYLOADS[1] in body, path
            if path == "/admin/":
                assert EVIL_USER in body
            if path == "/queue":
                assert PAYLOADS[0] in body  # the article's title
            if path.startswith("/review/") and path != "/review/?layer=quote":
                assert EVIL_LABEL in body or EVIL_USER in body, path
    assert dialogs == []
    context.close()
