"""A person's first session on the seed article, in real chromium."""

import pytest

from annotator import importing, store

from .conftest import PASSWORD, hold, seed_article_id

pytestmark = pytest.mark.browser


def sign_in(page, base, name="alice"):
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/queue")


def select_text(page, start: int, end: int) -> None:
    """Drag the mouse over article characters start..end, as a person selects text."""
    box = page.evaluate(
        """([start, end]) => {
            const root = document.getElementById('text');
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            const at = (offset) => {
                let node, seen = 0;
                while ((node = walker.nextNode())) {
                    if (seen + node.length > offset) return [node, offset - seen];
                    seen += node.length;
                }
            };
            const rect = (offset, scroll) => {
                walker.currentNode = root;
                const [node, inner] = at(offset);
                if (scroll) node.parentElement.scrollIntoView({block: 'center'});
                const range = document.createRange();
                range.setStart(node, inner); range.setEnd(node, inner + 1);
                return range.getClientRects()[0];
            };
            rect(start, true);  // bring the selection into view first; then read both rects
            const a = rect(start), b = rect(end - 1);
            return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
        }""",
        [start, end],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def wait_version(page, version: int) -> None:
    page.locator(f"#doc-meta[data-version='{version}']").wait_for(state="attached")


def marks(page):
    return page.eval_on_selector_all(
        "#text mark.ent", "els => els.map(m => [+m.dataset.s, +m.dataset.e, m.dataset.label])"
    )


def test_browser_annotator_corrects_entities_and_submits(page, live_server, seeded, project, tmp_path):
    second = tmp_path / "second.txt"
    second.write_text("Tehran has long called on Baghdad to secure its borders.", "utf-8")
    importing.import_paths(seeded, project, [second], preannotate=True, progress=False)
    article_id = seed_article_id(seeded)
    text = store.get_article(seeded, article_id).text
    model = store.load_annotation(seeded, store.find_set(seeded, article_id, "model").id)
    expected = {e.start: (e.start, e.end, e.label) for e in model.entities}

    sign_in(page, live_server)
    hold(seeded, article_id, "alice")
    page.goto(f"{live_server}/articles/{article_id}")
    assert len(marks(page)) == len(model.entities)
    assert page.locator("#text mark.ent.suggested").count() == len(model.entities)
    version = int(page.get_attribute("#doc-meta", "data-version"))

    # 1. Select "Kataib Sayyid al-Shuhada" with the mouse and label it ORG (key 2).
    kss = text.index("Kataib Sayyid al-Shuhada")
    select_text(page, kss, kss + len("Kataib Sayyid al-Shuhada"))
    page.keyboard.press("2")
    version += 1
    wait_version(page, version)
    expected[kss] = (kss, kss + 24, "ORG")
    assert page.locator("#status").inner_text().startswith("Saved")
    assert page.locator("#text mark.ent.selected").inner_text().startswith("Kataib Sayyid al-Shuhada")

    # 2. The model's wrong "Sudani" (GPE): reach it with the arrow keys, relabel it PERSON (key 1).
    sudani = text.index("Sudani and the resistance")
    assert expected[sudani][2] == "GPE"
    while page.locator("#text mark.ent.selected").get_attribute("data-s") != str(sudani):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("1")
    version += 1
    wait_version(page, version)
    expected[sudani] = (sudani, sudani + 6, "PERSON")

    # 3. Delete the model's "Supreme" (ORG) span, then undo the delete.
    page.click("#text mark.ent[data-s='7']")
    page.keyboard.press("Delete")
    version += 1
    wait_version(page, version)
    assert page.locator("#text mark.ent[data-s='7']").count() == 0
    page.keyboard.press("Control+z")
    version += 1
    wait_version(page, version)
    assert page.locator("#text mark.ent[data-s='7']").count() == 1

    # 4. Reload: exactly those spans, the edited ones confirmed, the rest still suggestions.
    page.reload()
    assert sorted(map(tuple, marks(page))) == sorted(expected.values())
    classes = page.locator(f"#text mark.ent[data-s='{kss}']").get_attribute("class").split()
    assert classes == ["ent", "l1", "first", "last"]
    assert "suggested" in page.locator("#text mark.ent[data-s='7']").get_attribute("class")

    # 5. Enter asks first (untouched suggestions would be accepted unseen); Enter again submits: the next article.
    page.keyboard.press("Enter")
    assert "suggestions were never looked at" in page.locator("#ask[open]").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/articles/{store.find_article(seeded, 'second')}")
    assert page.locator("#text").inner_text().startswith("Tehran has long called on Baghdad")
    mine = store.find_set(seeded, article_id, "annotator", store.get_user_by_name(seeded, "alice").id)
    assert mine.status == "submitted"
    assert page.errors == []
