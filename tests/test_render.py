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
