"""Per-process caches of what never changes once written.

An article's text and tokens never change after import, and an annotation set
at a given version is a fixed snapshot (any save makes a new version). So a
worker may keep both and reuse them without asking anyone: a stale entry can
only be one for a version nobody asks for any more.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from threading import Lock

from markupsafe import Markup

from ..model import Annotation, Article, Tokens
from .render import counts, paragraph_html


@dataclass(frozen=True)
class Snapshot:
    """One set at one version: its annotation and the rendered inside of each paragraph."""

    annotation: Annotation
    paragraphs: tuple[str, ...]

    @cached_property
    def html(self) -> Markup:
        """The whole text as the page shows it, joined once a version (a long article has hundreds of paragraphs)."""
        return Markup("".join(paragraph_html(i, body) for i, body in enumerate(self.paragraphs)))

    @cached_property
    def html_bytes(self) -> bytes:
        """`html` as the page sends it (document.render_page splices it in, never encoding it again)."""
        return self.html.encode("utf-8")

    @cached_property
    def counts(self) -> dict[str, int]:
        """The status line's figures."""
        return counts(self.annotation)


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class Caches:
    def __init__(self, articles: int = 64, snapshots: int = 128):
        self.articles: LRU = LRU(articles)  # article id -> (Article, Tokens)
        self.snapshots: LRU = LRU(snapshots)  # (set id, version) -> Snapshot
        self.reports: LRU = LRU(4)  # last history id -> agreement reports
        self.fragments: dict[str, str] = {}  # template name -> its HTML, the same on every page

    def article(self, article_id: int, load) -> tuple[Article, Tokens]:
        """The article (without its token list) and its snapping tokens, loaded once; `load` gives
        the article and its token offsets."""
        found = self.articles.get(article_id)
        if found is None:
            article, offsets = load(article_id)
            found = (article, Tokens(offsets, article.text))
            self.articles.put(article_id, found)
        return found
