"""The annotator's pages: the queue, the annotation page and the edits it sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from .. import edits, store
from ..db import get_db
from ..formats import jsonl
from ..model import Annotation, Change, Checked, InvalidAnnotation, Record, Tokens
from . import htmx
from .cache import Caches, Snapshot
from .render import Renderer, counts, labels_css
from .security import login_required

bp = Blueprint("annotate", __name__)


def _project():
    return current_app.config["PROJECT"]


@bp.get("/")
def index():
    """Home: the queue for anyone signed in."""
    return redirect(url_for("annotate.queue"))


@bp.get("/labels.css")
def label_styles():
    """The project's label colours as a stylesheet (no inline style under the CSP)."""
    response = Response(labels_css(_project().schemes), mimetype="text/css")
    response.cache_control.max_age = 300
    return response


@bp.get("/queue")
@login_required
def queue():
    """The user's articles with their status, a progress bar and the next one to do."""
    db = get_db()
    after = request.args.get("after", 0, type=int)
    rows = store.queue_page(db, g.user.id, after=after, limit=50)
    done, total = store.progress(db, g.user.id)
    return render_template(
        "queue.html",
        rows=rows,
        done=done,
        total=total,
        next_after=rows[-1].article_id if len(rows) == 50 else None,
        after=after,
    )


@bp.get("/next")
@login_required
def next_article():
    """Straight to the next article to annotate, or the done page."""
    after = request.args.get("after", 0, type=int)
    found = store.next_article(get_db(), g.user.id, after=after)
    if found is None:
        return redirect(url_for("annotate.done"))
    return redirect(url_for("annotate.article", article_id=found))


@bp.get("/done")
@login_required
def done():
    """Nothing left in the queue."""
    finished, total = store.progress(get_db(), g.user.id)
    return render_template("done.html", done=finished, total=total)


@bp.get("/articles/<int:article_id>")
@login_required
def article(article_id: int):
    """The annotation page; opening it starts the user's own set from the model's suggestions."""
    db = get_db()
    try:
        if not store.assign_if_open(db, article_id, g.user.id):
            abort(403, "This article has all the annotators it needs (or you skipped it); take the next one from your queue.")
        found = store.open_set(db, article_id, g.user.id)
    except store.NotFound as exc:
        abort(404, str(exc))
    done, total = store.progress(db, g.user.id)
    return render_template("annotate.html", **doc_context(found), done=done, total=total)


def _caches() -> Caches:
    return current_app.extensions["annotator.caches"]


def cached_article(article_id: int):
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
        renderer = Renderer(article.text, annotation, _project().schemes)
        cached = Snapshot(annotation, tuple(renderer.every_paragraph()))
        _caches().snapshots.put(key, cached)
    return cached


def doc_context(found: store.AnnotationSet, selected: str | None = None, saved: bool = False) -> dict:
    """What the article widget templates need, for one set at its version."""
    snap = snapshot(found)
    return dict(
        article=cached_article(found.article_id),
        set=found,
        set_base=f"{request.script_root}/sets/{found.id}",
        annotation=snap.annotation,
        counts=counts(snap.annotation),
        text_html=Markup("".join(snap.paragraphs)),
        schemes=_project().schemes,
        selected=selected,
        saved=saved,
    )


def oob(paragraph: str) -> str:
    """A rendered paragraph marked for htmx to swap by its id."""
    return paragraph.replace('<span class="para"', '<span class="para" hx-swap-oob="true"', 1)


def saved_response(found: store.AnnotationSet, expected_version: int, saved: store.Saved, selected: str | None):
    """Answer a save with only the paragraphs it changed; keep the new version's snapshot for the next page."""
    article = cached_article(found.article_id)
    renderer = Renderer(article.text, saved.annotation, _project().schemes)
    changed = renderer.changed(saved.change)
    fresh = {i: renderer.paragraph(i) for i in changed}
    new = replace(found, version=saved.version)
    before = _caches().snapshots.get((found.id, expected_version))
    if before is not None:
        paragraphs = tuple(fresh.get(i, html) for i, html in enumerate(before.paragraphs))
        _caches().snapshots.put((found.id, saved.version), Snapshot(saved.annotation, paragraphs))
    return render_template(
        "_doc_update.html",
        paragraphs=[Markup(oob(fresh[i])) for i in changed],
        set=new,
        set_base=f"{request.script_root}/sets/{found.id}",
        counts=counts(saved.annotation),
        selected=selected,
        saved=True,
    )


def _own_set(set_id: int, *, write: bool) -> store.AnnotationSet:
    """The set if the user may open it: annotators only their own; others 404 to them."""
    try:
        found = store.get_set(get_db(), set_id)
    except store.NotFound:
        abort(404, f"There is no annotation set {set_id}.")
    if found.user_id == g.user.id:
        return found
    if found.kind == "gold" and g.user.role in ("reviewer", "admin"):
        return found  # gold is the reviewers' to edit
    if g.user.role == "annotator":
        abort(404, f"There is no annotation set {set_id}.")
    if write:
        abort(403, "This is someone else's annotation; you can read it but not change it.")
    return found


@bp.get("/sets/<int:set_id>.json")
@login_required
def set_json(set_id: int):
    """One annotation set as a native JSONL record."""
    found = _own_set(set_id, write=False)
    db = get_db()
    article = store.get_article(db, found.article_id)
    record = Record(
        article.ext_id, article.text, article.meta, found.kind, found.user_name, found.status,
        store.load_annotation(db, set_id),
    )
    return {**jsonl.to_json(record), "version": found.version}


def _version() -> int:
    raw = request.form.get("version", "")
    if not raw.isdigit():
        abort(400, "The request does not say which version it edits; reload the page.")
    return int(raw)


def _edit(set_id: int, make: Callable[[Annotation, Tokens, str], tuple[Change, str | None]]):
    """Apply one edit with the version check, answering with the paragraphs it changed."""
    found = _own_set(set_id, write=True)
    article = cached_article(found.article_id)
    tokens = cached_tokens(found.article_id)
    version = _version()
    cached = _caches().snapshots.get((set_id, version))
    selected: dict[str, str | None] = {}

    def change_of(annotation: Annotation) -> Checked:
        change, selected["id"] = make(annotation, tokens, article.text)
        return edits.validated(change, annotation, article.text, _project().schemes)

    try:
        saved = store.edit(get_db(), set_id, version, change_of, g.user.id,
                           current=cached.annotation if cached else None)
    except store.StaleVersion as exc:
        return htmx.error(f"Not saved: {exc}. Reload to see the latest version.", 409)
    except InvalidAnnotation as exc:
        return htmx.error(f"Not saved: {exc}.", 422)
    return saved_response(found, version, saved, selected.get("id"))


def _offset(name: str) -> int:
    raw = request.form.get(name, "")
    if not raw.lstrip("-").isdigit():
        abort(422, f"The selection's {name} offset is missing or not a number.")
    return int(raw)


def _field(name: str, allowed: tuple[str, ...]) -> str:
    value = request.form.get(name, "")
    if value not in allowed:
        abort(422, f"{name} must be one of {', '.join(allowed)}.")
    return value


@bp.post("/sets/<int:set_id>/items")
@login_required
def add_item(set_id: int):
    """Mark the selected text (snapped to whole tokens) as an entity, a quote or an event."""
    layer = request.form.get("layer", "entity")
    label = request.form.get("label") or None
    if layer not in _project().schemes:
        abort(422, f"Unknown layer {layer!r}.")
    if label is None and layer != "quote":
        abort(422, f"Pick a label for the new {layer}.")
    start, end = _offset("start"), _offset("end")
    return _edit(set_id, lambda a, t, text: edits.add_item(a, t, text, layer, start, end, label))


def _action_label(a, t, item_id):
    return edits.relabel(a, item_id, request.form.get("label", "")), item_id


def _action_boundary(a, t, item_id):
    side = _field("side", ("start", "end"))
    delta = int(_field("delta", ("1", "-1")))
    role = request.form.get("role") or None
    return edits.move_boundary(a, t, item_id, side, delta, role), item_id


def _action_span(a, t, item_id):
    role = _field("role", ("content", "cue", "source", "trigger"))
    return edits.set_span(a, t, item_id, role, _offset("start"), _offset("end")), item_id


def _action_clear(a, t, item_id):
    role = _field("role", ("content", "cue", "source", "speaker", "source_actor", "target_actor"))
    return edits.clear_part(a, item_id, role, request.form.get("index", 0, type=int)), item_id


def _action_link(a, t, item_id):
    role = _field("role", ("speaker", "source_actor", "target_actor"))
    return edits.set_link(a, item_id, role, request.form.get("target") or None), item_id


# What each item action does; every layer's items share them (a layer's own rules live in edits).
ITEM_ACTIONS = {
    "label": _action_label,
    "confirm": lambda a, t, item_id: (edits.confirm(a, item_id), item_id),
    "delete": lambda a, t, item_id: (edits.delete(a, item_id), None),
    "boundary": _action_boundary,
    "span": _action_span,
    "clear": _action_clear,
    "link": _action_link,
}


@bp.post("/sets/<int:set_id>/items/<item_id>/<action>")
@login_required
def item_action(set_id: int, item_id: str, action: str):
    """One edit of one item: relabel, confirm, delete, move a boundary, set a part or a link."""
    do = ITEM_ACTIONS.get(action)
    if do is None:
        abort(404, f"There is no item action {action!r}.")
    return _edit(set_id, lambda a, t, _text: do(a, t, item_id))


@bp.post("/sets/<int:set_id>/undo")
@login_required
def undo(set_id: int):
    """Revert the user's latest edit of this set."""
    found = _own_set(set_id, write=True)
    version = _version()
    try:
        saved = store.undo(get_db(), set_id, version, g.user.id)
    except store.StaleVersion as exc:
        return htmx.error(f"Not undone: {exc}. Reload to see the latest version.", 409)
    except store.NothingToUndo as exc:
        return htmx.error(f"{str(exc).capitalize()}.", 409 if "cannot" in str(exc) else 422)
    ids = [item.id for item in saved.change.after]
    return saved_response(found, version, saved, ids[0] if ids else None)


def _finish(set_id: int, status: str):
    found = _own_set(set_id, write=True)
    if found.kind == "gold" and status == "skipped":
        return htmx.error("Gold is not skipped: leave the page, or submit it when it is right.", 422)
    try:
        store.set_status(get_db(), set_id, _version(), status, g.user.id)
    except store.StaleVersion as exc:
        return htmx.error(f"Not {status}: {exc}. Reload to see the latest version.", 409)
    if status == "skipped" and found.kind == "annotator":
        store.release(get_db(), found.article_id, g.user.id)
    if found.kind == "gold":
        target = url_for("review.dashboard")
    else:
        target = url_for("annotate.next_article", after=found.article_id)
    return htmx.redirect(target) if htmx.is_htmx() else redirect(target)


@bp.post("/sets/<int:set_id>/submit")
@login_required
def submit(set_id: int):
    """Mark the annotation finished and go to the next article."""
    return _finish(set_id, "submitted")


@bp.post("/sets/<int:set_id>/skip")
@login_required
def skip(set_id: int):
    """Leave this article out and go to the next one."""
    return _finish(set_id, "skipped")


@bp.get("/raw/<int:article_id>")
@login_required
def raw_text(article_id: int):
    """The article's bare text (the baseline the page-cost benchmark compares with)."""
    try:
        return Response(store.get_article_text(get_db(), article_id), mimetype="text/plain")
    except store.NotFound as exc:
        abort(404, str(exc))

