"""The article widget of one annotation set, and the one path every edit of a set takes.

Annotators (their own sets) and reviewers (gold) share it. `edit` checks the
version the client saw, makes the change, validates it with the layers' rules
and saves it in one transaction; the answer is `_doc_update.html`: the
paragraphs the change touched, the status line and the new version, each
rendered as an htmx out-of-band fragment. Per-process caches keep articles and
each (set, version)'s rendered paragraphs, which never change once written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flask import current_app, g, render_template, request
from markupsafe import Markup

from .. import edits, store
from ..config import Project
from ..db import get_db
from ..errors import Forbidden, NotFound
from ..model import Annotation, Article, Change, Checked, Tokens, can_edit, can_read
from . import forms
from .cache import Caches, Snapshot
from .render import Renderer, counts, paragraph_html

# An edit: from the set's annotation, the article's tokens and text, the change and the item to select after.
MakeEdit = Callable[[Annotation, Tokens, str], tuple[Change, str | None]]


def project() -> Project:
    return current_app.config["PROJECT"]


def _caches() -> Caches:
    return current_app.extensions["annotator.caches"]


def cached_article(article_id: int) -> Article:
    """The article (text, meta, tokens): read once per process, since it never changes."""
    return _caches().article(article_id, lambda i: store.get_article(get_db(), i))[0]


def cached_tokens(article_id: int) -> Tokens:
    return _caches().article(article_id, lambda i: store.get_article(get_db(), i))[1]


def snapshot(found: store.AnnotationSet) -> Snapshot:
    """The set's annotation and rendered paragraphs at its version, rendered on first need."""
    key = (found.id, found.version)
    cached = _caches().snapshots.get(key)
    if cached is None:
        article = cached_article(found.article_id)
        annotation = store.load_annotation(get_db(), found.id)
        renderer = Renderer(article.text, annotation, project().schemes)
        cached = Snapshot(annotation, tuple(renderer.every_body()))
        _caches().snapshots.put(key, cached)
    return cached


def set_base(found: store.AnnotationSet) -> str:
    return f"{request.script_root}/sets/{found.id}"


def doc_context(found: store.AnnotationSet, selected: str | None = None, saved: bool = False) -> dict:
    """What the article widget templates need, for one set at its version."""
    snap = snapshot(found)
    return {
        "article": cached_article(found.article_id),
        "set": found,
        "set_base": set_base(found),
        "annotation": snap.annotation,
        "counts": counts(snap.annotation),
        "text_html": Markup("".join(paragraph_html(i, body) for i, body in enumerate(snap.paragraphs))),
        "schemes": project().schemes,
        "selected": selected,
        "saved": saved,
    }


def visible_set(set_id: int, *, write: bool) -> store.AnnotationSet:
    """The set if the user may read it (and, with `write`, edit it); others' sets 404 to annotators."""
    try:
        found = store.get_set(get_db(), set_id)
    except NotFound:
        raise NotFound(f"there is no annotation set {set_id}") from None
    if not can_read(g.user, found):
        raise NotFound(f"there is no annotation set {set_id}")
    if write and not can_edit(g.user, found):
        raise Forbidden("this is someone else's annotation; you can read it but not change it")
    return found


def edit(found: store.AnnotationSet, make: MakeEdit) -> str:
    """Apply one edit with the version check, answering with the paragraphs it changed."""
    article = cached_article(found.article_id)
    tokens = cached_tokens(found.article_id)
    version = forms.version()
    cached = _caches().snapshots.get((found.id, version))
    selected: dict[str, str | None] = {}

    def change_of(annotation: Annotation) -> Checked:
        change, selected["id"] = make(annotation, tokens, article.text)
        return edits.validated(change, annotation, article.text, project().schemes)

    saved = store.edit(get_db(), found.id, version, change_of, g.user.id, current=cached.annotation if cached else None)
    return saved_response(found, version, saved, selected.get("id"))


def undo(found: store.AnnotationSet) -> str:
    """Revert the user's latest edit of the set; answers like an edit."""
    version = forms.version()
    text = cached_article(found.article_id).text

    def check(change: Change, annotation: Annotation) -> Checked:
        return edits.validated(change, annotation, text, project().schemes)

    saved = store.undo(get_db(), found.id, version, g.user.id, check)
    ids = [item.id for item in saved.change.after]
    return saved_response(found, version, saved, ids[0] if ids else None)


def saved_response(found: store.AnnotationSet, expected_version: int, saved: store.Saved, selected: str | None) -> str:
    """Answer a save with only the paragraphs it changed; keep the new version's snapshot for the next page."""
    article = cached_article(found.article_id)
    renderer = Renderer(article.text, saved.annotation, project().schemes)
    changed = renderer.changed(saved.change)
    fresh = {i: renderer.body(i) for i in changed}
    new = replace(found, version=saved.version)
    before = _caches().snapshots.get((found.id, expected_version))
    if before is not None:
        paragraphs = tuple(fresh.get(i, html) for i, html in enumerate(before.paragraphs))
        _caches().snapshots.put((found.id, saved.version), Snapshot(saved.annotation, paragraphs))
    return render_template(
        "_doc_update.html",
        paragraphs=[Markup(renderer.wrap(i, fresh[i], oob=True)) for i in changed],
        set=new,
        set_base=set_base(found),
        counts=counts(saved.annotation),
        selected=selected,
        saved=True,
    )
