"""Accessibility checked by a real tool: axe-core (from the npm registry, see the Makefile) run on each page."""

from pathlib import Path

import pytest

from annotator import edits, store

from .conftest import hold, seed_article_id
from .pages import sign_in
from .test_review import _entity_at, _submit

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SERIOUS = """async () => {
    const found = await axe.run(document, {resultTypes: ["violations"]});
    return found.violations.filter(v => ["serious", "critical"].includes(v.impact))
        .map(v => `${v.id} (${v.impact}): ${v.help} — ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


@pytest.fixture
def axe_page(page):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (it copies axe-core from node_modules)")
    # an init script is the browser's own, so the pages' Content-Security-Policy does not block it
    page.context.add_init_script(path=str(AXE))
    return page


@pytest.fixture
def reviewed(seeded):
    """Two submitted versions that disagree, so the review pages show everything they can."""
    store.set_annotators_per_article(seeded, 2)
    _submit(seeded, "alice", [lambda a: edits.relabel(a, _entity_at(1387)(a).id, "PERSON")])
    _submit(seeded, "bob", [lambda a: edits.delete(a, _entity_at(7)(a).id)])
    return seed_article_id(seeded)


PAGES = [
    ("alice", "/queue"),
    ("carol", "/articles/{article}"),
    ("rita", "/review/"),
    ("rita", "/review/{article}"),
    ("admin", "/admin/"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, path", PAGES)
def test_browser_axe_finds_no_serious_violation(axe_page, live_server, seeded, reviewed, name, path, scheme):
    page = axe_page
    page.emulate_media(color_scheme=scheme)
    if name == "carol":  # a third annotator, on a fresh annotation page full of suggestions
        from werkzeug.security import generate_password_hash

        from .conftest import PASSWORD

        store.add_user(seeded, "carol", "annotator", generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
        store.set_annotators_per_article(seeded, 3)
        hold(seeded, reviewed, "carol")  # as the queue's Start would
    sign_in(page, live_server, name)
    page.goto(live_server + path.format(article=reviewed))
    if path.startswith("/articles"):
        page.keyboard.press("ArrowRight")  # with an item selected and its panel shown
        page.locator("#selection .field").first.wait_for()
    assert page.evaluate(SERIOUS) == []


@pytest.mark.parametrize("name, path", [("alice", "/articles/{article}"), ("rita", "/review/{article}")])
def test_browser_axe_finds_no_serious_violation_at_phone_width(axe_page, live_server, seeded, reviewed, name, path):
    """At 390 px wide tables and texts scroll: they take the keyboard focus too."""
    page = axe_page
    page.set_viewport_size({"width": 390, "height": 900})
    if name == "alice":
        store.set_annotators_per_article(seeded, 3)
    sign_in(page, live_server, name)
    page.goto(live_server + path.format(article=reviewed))
    assert page.evaluate(SERIOUS) == []
