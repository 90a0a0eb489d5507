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
