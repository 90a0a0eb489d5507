"""The article widget of one annotation set, and the one path every edit of a set takes.

Annotators (their own sets) and reviewers (gold) share it. `edit` asks the policy
whether the set may be changed now, makes the change on the version the client
saw, validates it with the layers' rules and saves it in one transaction; an
edit made on an older version is saved on top of the newer one when it touches
nothing changed since, and one that changes nothing writes nothing. The answer
is the paragraphs that changed, the status line and the new version (render.py's
strings, as the page has them), each an htmx out-of-band fragment, with an `annotator:saved` event
(HX-Trigger) that hands the client the item a new item or an undo selected.
Per-process caches keep articles and each (set, version)'s rendered paragraphs,
which never change once written.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from flask import Response, current_app, g, make_response, render_template, request
from markupsafe import Markup

from .. import edits, store
from ..config import Project
from ..db import get_db
from ..errors import NotFound
from ..model import MODEL, Annotation, Article, Change, Checked, Tokens, can_read, policy
from . import forms
from .cache import Caches, Snapshot
from .render import ORIGIN_WORDS, Renderer, counts, counts_after, doc_meta, item_fields, label_class, status_line

# An edit: from the set's annotation, the article's tokens and text, the change and the item to select after.
MakeEdit = Callable[[Annotation, Tokens, str], tuple[Change, str | None]]


def project() -> Project:
    return current_app.config["PROJECT"]


def _caches() -> Caches:
    return current_app.extensions["annotator.caches"]


def cached_article(article_id: int) -> Article:
    """The article (text, meta; its tokens are cached_tokens): read once per process, since it never changes."""
    return _caches().article(article_id, lambda i: store.get_article_offsets(get_db(), i))[0]


def cached_tokens(article_id: int) -> Tokens:
    return _caches().article(article_id, lambda i: store.get_article_offsets(get_db(), i))[1]


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


def doc_context(found: store.AnnotationSet, message: str = "") -> dict:
    """What the article widget templates need, for one set at its version."""
    snap = snapshot(found)
    base, editable = set_base(found), policy.allows(g.user, found, policy.EDIT)
    reopenable = policy.allows(g.user, found, policy.REOPEN)
    return {
        "article": cached_article(found.article_id),
        "set": found,
        "set_base": base,
        "annotation": snap.annotation,
        "counts": snap.counts,
        "text_html": snap.html,
        "schemes": project().schemes,
        "editable": editable,
        "reopenable": reopenable,
        "message": message,
        "doc_meta": doc_meta(found.status, found.version, base, editable),
        "status_line": status_line(found.status, found.version, snap.counts, message, base, reopenable),
    }


# Where a page's template puts the article text; render_page puts the snapshot's bytes there. No
# rendered data can hold it: escaping turns every "<" of data into "&lt;", and the token is random.
_TEXT_SLOT = f"<!--text-{secrets.token_hex(8)}-->"


def render_page(template: str, found: store.AnnotationSet, **context) -> Response:
    """A page with the article widget of `found` (doc_context, and `context`). The text, hundreds of
    kilobytes for a long article, is spliced in as the version's cached UTF-8 bytes: neither copied
    into the page's string by the template nor encoded again on each view (half the page's time)."""
    page = render_template(template, **{**doc_context(found), "text_html": Markup(_TEXT_SLOT)}, **context)
    head, slot, tail = page.partition(_TEXT_SLOT)
    body = b"".join((head.encode("utf-8"), snapshot(found).html_bytes, tail.encode("utf-8"))) if slot else page
    return Response(body, mimetype="text/html")


def visible_set(set_id: int, *, write: bool = False) -> store.AnnotationSet:
    """The set if the user may read it (and, with `write`, change it now); others' sets 404 to annotators."""
    try:
        found = store.get_set(get_db(), set_id)
    except NotFound:
        raise NotFound(f"there is no annotation set {set_id}") from None
    if not can_read(g.user, found):
        raise NotFound(f"there is no annotation set {set_id}")
    if write:
        policy.check(g.user, found, policy.EDIT)
    return found


def edit(found: store.AnnotationSet, make: MakeEdit) -> Response:
    """Apply one edit with the policy and version checks, answering with the paragraphs it changed.

    An edit made on an older version is refused (409), unless the request asks for `rebase=1`
    (the page does): then it is saved on top of the newer version when it touches nothing
    changed since, and the answer brings the page up to date.
    """
    policy.check(g.user, found, policy.EDIT)
    article = cached_article(found.article_id)
    tokens = cached_tokens(found.article_id)
    version, ref = forms.version(), forms.ref()
    cached = _caches().snapshots.get((found.id, version))
    selected: dict[str, str | None] = {}

    def change_of(annotation: Annotation) -> Checked:
        change, selected["id"] = make(annotation, tokens, article.text)
        return edits.validated(change, annotation, article.text, project().schemes)

    saved = store.edit(
        get_db(),
        found.id,
        version,
        change_of,
        g.user.id,
        current=cached.annotation if cached else None,
        rebase=forms.flag("rebase"),
    )
    return saved_response(found, version, saved, selected.get("id"), ref)


def undo(found: store.AnnotationSet) -> Response:
    """Revert the user's latest edit of the set; answers like an edit."""
    policy.check(g.user, found, policy.EDIT)
    version, ref = forms.version(), forms.ref()
    text = cached_article(found.article_id).text

    def check(change: Change, annotation: Annotation) -> Checked:
        return edits.validated(change, annotation, text, project().schemes)

    saved = store.undo(get_db(), found.id, version, g.user.id, check)
    ids = [item.id for item in saved.change.after]
    return saved_response(found, version, saved, ids[0] if ids else None, ref)


def _message(saved: store.Saved) -> str:
    if saved.elsewhere:
        what = "Saved on top of" if not saved.change.empty else "Nothing changed by you; loaded"
        return f"{what} changes made elsewhere (now version {saved.version})"
    return "Nothing changed" if saved.change.empty else "Saved"


def saved_response(
    found: store.AnnotationSet, expected_version: int, saved: store.Saved, selected: str | None, ref: str | None
) -> Response:
    """Answer a save with the paragraphs that changed since the client's version; keep the new
    version's snapshot for the next page."""
    changes = (*saved.elsewhere, saved.change)
    return update_response(
        found, expected_version, saved.version, saved.annotation, changes, _message(saved), selected, ref
    )


def update_response(
    found: store.AnnotationSet,
    client_version: int,
    version: int,
    annotation: Annotation,
    changes: tuple[Change, ...],
    message: str,
    selected: str | None = None,
    ref: str | None = None,
) -> Response:
    """The paragraphs `changes` touched, the status line and `version`, for a client at `client_version`."""
    article = cached_article(found.article_id)
    renderer = Renderer(article.text, annotation, project().schemes)
    changed = renderer.changed(*changes)
    fresh = {i: renderer.body(i) for i in changed}
    before = _caches().snapshots.get((found.id, client_version))
    figures = counts(annotation) if before is None else counts_after(before.counts, annotation, changes)
    if before is not None and version != client_version:
        paragraphs = list(before.paragraphs)
        for i, html in fresh.items():
            paragraphs[i] = html
        after = Snapshot(annotation, tuple(paragraphs))
        after.__dict__["counts"] = figures  # its cached_property, known already
        _caches().snapshots.put((found.id, version), after)
    # the paragraphs, the status line and the version, each swapped by its id (built as strings: see render);
    # the set's status is `found`'s, since an edit never changes it (the policy saw to it)
    base = set_base(found)
    response = make_response(
        "".join(
            [
                *(renderer.wrap(i, fresh[i], oob=True) for i in changed),
                status_line(
                    found.status, version, figures, message, base, policy.allows(g.user, found, policy.REOPEN), True
                ),
                doc_meta(found.status, version, base, policy.allows(g.user, found, policy.EDIT), oob=True),
            ]
        )
    )
    saved = {"version": version, "selected": selected, "ref": ref}
    response.headers["HX-Trigger"] = json.dumps({"annotator:saved": saved})
    return response


def changes_since(found: store.AnnotationSet, client_version: int) -> Response | None:
    """What a client at `client_version` lacks of the set's current version, or None when it has it all."""
    if client_version == found.version:
        return None
    changes = store.changes_since(get_db(), found.id, client_version)
    annotation = snapshot(found).annotation
    message = f"Updated: this article was changed elsewhere (now version {found.version})"
    return update_response(found, client_version, found.version, annotation, changes, message)


def panel_context(found: store.AnnotationSet, item_id: str) -> dict:
    """What the side panel shows of one item of the set (nothing when it is gone)."""
    annotation = snapshot(found).annotation
    item = annotation.get(item_id)
    text = cached_article(found.article_id).text
    if item is None:
        return {"item": None}
    label = next((label for label in project().schemes[item.layer].labels if label.name == item.label), None)
    return {
        "item": item,
        "colour": label_class(project().schemes, item.layer, item.label),
        "guideline": label.guideline if label else "",
        "fields": item_fields(item, annotation, text),
        "origin": ORIGIN_WORDS[item.origin],
        "suggested": item.origin == MODEL,
        "editable": policy.allows(g.user, found, policy.EDIT),
    }
