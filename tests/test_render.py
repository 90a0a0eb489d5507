"""The article's HTML escapes everything that comes from data, as markupsafe would."""

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from annotator import config
from annotator.model import Annotation, Item
from annotator.web.render import _escaped, article_html


@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'é\n\U0001f600")), max_size=20))
def test_text_is_escaped_as_markupsafe_escapes_it(text):
    assert _escaped(text) == str(escape(text))


def test_text_and_labels_with_markup_are_shown_not_read_as_html():
    text = 'Anna said "<b>yes</b>" & left, it\'s <script>x</script>.'
    start = text.index("<b>")
    item = Item.entity("t1", start, start + 10, "<i>ORG")
    html = str(article_html(text, Annotation.of([item]), config.load(None).schemes))
    assert "<b>" not in html and "<script>" not in html and "<i>" not in html
    assert "&lt;b&gt;yes&lt;/b&gt;" in html and "&amp; left, it&#39;s &lt;script&gt;" in html
    assert 'data-label="&lt;i&gt;ORG"' in html


def test_the_status_line_escapes_its_message_and_says_what_a_reader_may_do():
    from annotator.web.render import doc_meta, status_line

    counts = {"entities": 3, "quotes": 1, "events": 0, "suggestions": 1}
    draft = str(status_line("draft", 4, counts, "Not saved: <b>x</b> & y", "/sets/7", reopenable=True))
    assert "Not saved: &lt;b&gt;x&lt;/b&gt; &amp; y" in draft and "<b>" not in draft
    assert "read-only" not in draft and "reopen" not in draft
    assert "3 entities · 1 quotes · 0 events" in draft and ">1 untouched suggestion</span> · version 4" in draft
    submitted = str(status_line("submitted", 5, {**counts, "suggestions": 2}, "", "/sets/7", reopenable=True))
    assert '<span class="msg">Submitted</span>' in submitted and "Submitted: read-only." in submitted
    assert 'hx-post="/sets/7/reopen"' in submitted and "2 untouched suggestions</span>" in submitted
    assert "reopen" not in str(status_line("submitted", 5, counts, "", "/sets/7", reopenable=False))
    assert 'class="status-line saved"' in str(status_line("draft", 6, counts, "Saved", "/sets/7", False))
    meta = str(doc_meta("draft", 6, "/sets/7", editable=False, oob=True))
    assert 'data-base="/sets/7" data-version="6" data-status="draft" data-editable="false" hx-swap-oob="true"' in meta
    assert 'id="doc-version" name="version" value="6" hx-swap-oob="true"' in meta


_WORDS = "Anna said it was late .\nBob replied that the talks would go on .\nThe mayor agreed .".split(" ")


@given(st.data())
def test_a_paragraph_rendered_alone_is_the_one_the_whole_page_shows(data):
    """A save renders only the paragraphs it changed, finding their items one paragraph at a time; the
    page files every item at once. Both show the same paragraph, quotes whose parts lie in other
    paragraphs included."""
    from annotator.model import Span
    from annotator.web.render import Renderer

    text = " ".join(_WORDS)
    starts = [sum(len(w) + 1 for w in _WORDS[:i]) for i in range(len(_WORDS))]
    spans = st.tuples(st.integers(0, len(_WORDS) - 1), st.integers(1, 3)).map(
        lambda p: Span(starts[p[0]], min(len(text), starts[p[0]] + len(_WORDS[p[0]]) * p[1]))
    )
    quotes = data.draw(st.lists(st.lists(spans, min_size=1, max_size=3, unique=True), max_size=4))
    items = [Item.quote(f"q{n}", "DIRECT", parts[:-1] or parts, cue=parts[-1]) for n, parts in enumerate(quotes)]
    items += [Item.event(f"v{n}", "SAY", span) for n, span in enumerate(data.draw(st.lists(spans, max_size=3)))]
    annotation, schemes = Annotation.of(items), config.load(None).schemes
    whole = Renderer(text, annotation, schemes).every_body()
    assert [Renderer(text, annotation, schemes).body(i) for i in range(len(whole))] == whole
