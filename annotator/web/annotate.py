"""The annotator's pages: the queue, the annotation page, the edits it sends and the fragments it asks for."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from .. import edits, store
from ..db import get_db
from ..errors import Forbidden, NotFound, StaleVersion
from ..formats import jsonl
from ..model import LAYERS, LINK_ROLES, MODEL, REVIEWERS, SPAN_ROLES, Record, paragraphs, policy
from . import document, forms, htmx
from .render import labels_css
from .security import login_required

bp = Blueprint("annotate", __name__)
QUEUE_PAGE = 50


@bp.get("/")
def index():
    """Home: the queue for anyone signed in."""
    return redirect(url_for("annotate.queue"))


@bp.get("/labels.css")
def label_styles():
    """The project's label colours as a stylesheet (no inline style under the CSP)."""
    response = Response(labels_css(document.project().schemes), mimetype="text/css")
    response.cache_control.max_age = 300
    return response


@bp.get("/queue")
@login_required
def queue():
    """The user's articles with their status, a progress bar and the next one to do."""
    db = get_db()
    after = forms.after()
    rows = store.queue_page(db, g.user.id, after=after, limit=QUEUE_PAGE)
    done, total = store.progress(db, g.user.id)
    next_after = rows[-1].article_id if len(rows) == QUEUE_PAGE else None
    return render_template("queue.html", rows=rows, done=done, total=total, next_after=next_after, after=after)


def _next_url(after: int, *, claim: bool) -> str:
    """The user's next unfinished article; with `claim` (a POST only), a new one from the pool if none."""
    found = store.next_article(get_db(), g.user.id, after=after, claim=claim)
    if found is not None:
        return url_for("annotate.article", article_id=found)
    return url_for("annotate.done" if claim else "annotate.queue")


@bp.get("/next")
@login_required
def next_article():
    """Back to the next article the user holds unfinished; a GET never claims one (the queue's Start does)."""
    return redirect(_next_url(forms.after(), claim=False))


@bp.post("/next")
@login_required
def claim_next():
    """The queue's Start button: the next unfinished article, or one newly claimed, in queue order."""
    return redirect(_next_url(forms.after(), claim=True), code=303)


@bp.get("/done")
@login_required
def done():
    """Nothing left in the queue."""
    finished, total = store.progress(get_db(), g.user.id)
    return render_template("done.html", done=finished, total=total)


@bp.get("/articles/<id:article_id>")
@login_required
def article(article_id: int):
    """The annotation page of an article the user holds; opening it starts their set from the model's suggestions."""
    db = get_db()
    _require_held(article_id)
    found = store.open_set(db, article_id, g.user.id)
    done, total = store.progress(db, g.user.id)
    predicted_by = store.prediction_model(db, article_id)
    return document.render_page("annotate.html", found, done=done, total=total, predicted_by=predicted_by)


def _require_held(article_id: int) -> None:
    """Only articles given to the user from the queue open by URL: a GET never claims one out of order."""
    document.cached_article(article_id)  # 404 for no such article
    held = store.holds(get_db(), article_id, g.user.id)
    if held is None:
        raise Forbidden("this article is not in your queue; press Start on your queue to be given the next one")
    if not held:
        raise Forbidden("you skipped this article, so it went back to the pool; take the next one from your queue")


@bp.get("/sets/<id:set_id>.json")
@login_required
def set_json(set_id: int):
    """One annotation set as a native JSONL record."""
    found = document.visible_set(set_id, write=False)
    db = get_db()
    article = store.get_article(db, found.article_id)
    record = Record(
        article.ext_id,
        article.text,
        article.meta,
        found.kind,
        found.user_name,
        found.status,
        store.load_annotation(db, set_id),
    )
    return {**jsonl.to_json(record), "version": found.version}


@bp.post("/sets/<id:set_id>/items")
@login_required
def add_item(set_id: int):
    """Mark the selected text (snapped to whole tokens) as an entity, a quote or an event."""
    found = document.visible_set(set_id, write=True)
    layer = request.form.get("layer", "entity")
    label = request.form.get("label") or None
    if layer not in LAYERS:
        abort(422, f"Unknown layer {layer!r}.")
    if label is None and LAYERS[layer].default_label is None:
        abort(422, f"Pick a label for the new {layer}.")
    start, end = forms.offset("start"), forms.offset("end")
    return document.edit(found, lambda a, t, text: edits.add_item(a, t, text, layer, start, end, label))


def _action_boundary(a, t, item_id):
    side = forms.choice("side", ("start", "end"))
    delta = int(forms.choice("delta", ("1", "-1")))
    role = request.form.get("role") or None
    return edits.move_boundary(a, t, item_id, side, delta, role), item_id


def _action_span(a, t, item_id):
    role = forms.choice("role", SPAN_ROLES)
    return edits.set_span(a, t, item_id, role, forms.offset("start"), forms.offset("end")), item_id


def _action_clear(a, t, item_id):
    role = forms.choice("role", (*SPAN_ROLES, *LINK_ROLES))
    return edits.clear_part(a, item_id, role, forms.number("index", 0, 1000, default=0)), item_id


def _action_link(a, t, item_id):
    role = forms.choice("role", LINK_ROLES)
    return edits.set_link(a, item_id, role, request.form.get("target") or None), item_id


# What each item action does; every layer's items share them (a layer's own rules live in its definition).
ITEM_ACTIONS = {
    "label": lambda a, t, item_id: (edits.relabel(a, item_id, request.form.get("label", "")), item_id),
    "confirm": lambda a, t, item_id: (edits.confirm(a, item_id), item_id),
    "delete": lambda a, t, item_id: (edits.delete(a, item_id), None),
    "boundary": _action_boundary,
    "span": _action_span,
    "clear": _action_clear,
    "link": _action_link,
}


@bp.post("/sets/<id:set_id>/items/<item_id>/<action>")
@login_required
def item_action(set_id: int, item_id: str, action: str):
    """One edit of one item: relabel, confirm, delete, move a boundary, set a part or a link."""
    do = ITEM_ACTIONS.get(action)
    if do is None:
        raise NotFound(f"there is no item action {action!r}")
    found = document.visible_set(set_id, write=True)
    return document.edit(found, lambda a, t, _text: do(a, t, item_id))


@bp.post("/sets/<id:set_id>/undo")
@login_required
def undo(set_id: int):
    """Revert the user's latest edit of this set."""
    return document.undo(document.visible_set(set_id, write=True))


@bp.post("/sets/<id:set_id>/confirm-all")
@login_required
def confirm_all(set_id: int):
    """Accept every suggestion nobody looked at: of the article, or of one paragraph (`paragraph`, its index)."""
    found = document.visible_set(set_id, write=True)
    bounds = None
    if request.form.get("paragraph") is not None:
        every = paragraphs(document.cached_article(found.article_id).text)
        bounds = every[forms.number("paragraph", 0, len(every) - 1)]
    return document.edit(found, lambda a, t, _text: (edits.confirm_all(a, bounds), None))


def _ask(found: store.AnnotationSet, action: str, title: str, text: str, button: str, values: dict) -> Response:
    """Ask once before a step that cannot be taken back; the answer posts `values` along."""
    question = render_template(
        "_ask.html",
        title=title,
        text=text,
        button=button,
        action=action,
        values=values,
        set_base=document.set_base(found),
    )
    return htmx.swap_into("#ask", question, event="annotator:ask")


def _finish(set_id: int, action: str):
    """Submit or skip: asked first (submitting accepts the untouched suggestions, skipping is final)."""
    found = document.visible_set(set_id)
    policy.check(g.user, found, action)
    version = forms.version()
    if version != found.version:
        raise StaleVersion(found.version, version)
    details = None
    if action == policy.SUBMIT:
        untouched = sum(1 for item in document.snapshot(found).annotation.items() if item.origin == MODEL)
        if untouched and forms.number("accept_untouched", 0, forms.MAX_ID, default=-1) != untouched:
            return _ask(
                found,
                "submit",
                f"Submit with {untouched} suggestion{'s' if untouched != 1 else ''} nobody looked at?",
                f"{untouched} of the model's suggestions were never looked at. Submitting accepts them as they are; "
                "they stay marked as never looked at, so a reviewer can tell.",
                "Submit and accept them",
                {"accept_untouched": str(untouched)},
            )
        details = {"untouched": untouched}
    elif not forms.flag("confirmed"):
        return _ask(
            found,
            "skip",
            "Skip this article?",
            "A skipped article goes back to the pool for someone else; your annotation of it becomes read-only.",
            "Skip it",
            {"confirmed": "1"},
        )
    status = "submitted" if action == policy.SUBMIT else "skipped"
    store.set_status(get_db(), set_id, version, status, g.user.id, details=details)
    if status == "skipped":
        store.release(get_db(), found.article_id, g.user.id)
    if found.kind == "gold":
        target = url_for("review.dashboard")
    else:
        target = _next_url(found.article_id, claim=True)  # a POST: the next one may be claimed
    return htmx.redirect(target) if htmx.is_htmx() else redirect(target)


@bp.post("/sets/<id:set_id>/submit")
@login_required
def submit(set_id: int):
    """Mark the annotation finished and go to the next article."""
    return _finish(set_id, policy.SUBMIT)


@bp.post("/sets/<id:set_id>/skip")
@login_required
def skip(set_id: int):
    """Leave this article out and go to the next one."""
    return _finish(set_id, policy.SKIP)


@bp.post("/sets/<id:set_id>/reopen")
@login_required
def reopen(set_id: int):
    """Open a submitted annotation for changes again (its history and status show it to reviewers)."""
    found = document.visible_set(set_id)
    policy.check(g.user, found, policy.REOPEN)
    store.set_status(get_db(), set_id, forms.version(), "draft", g.user.id, action="reopened")
    if htmx.is_htmx():
        return htmx.refresh()
    if found.kind == "gold":
        return redirect(url_for("review.adjudicate", article_id=found.article_id))
    return redirect(url_for("annotate.article", article_id=found.article_id))


@bp.get("/sets/<id:set_id>/panel")
@login_required
def panel(set_id: int):
    """The side panel for one item of the set: its label, parts, links and origin."""
    found = document.visible_set(set_id)
    return render_template("_panel.html", **document.panel_context(found, request.args.get("item", "")))


@bp.get("/sets/<id:set_id>/items/<item_id>/picker")
@login_required
def picker(set_id: int, item_id: str):
    """The entities one link of an item can point at, the current one first, then by label and distance."""
    found = document.visible_set(set_id)
    role = forms.choice("role", LINK_ROLES, values=request.args)
    text = document.cached_article(found.article_id).text
    choices = edits.link_choices(document.snapshot(found).annotation, text, item_id, role)
    return render_template("_picker.html", choices=choices, role=role, item_id=item_id, text=text)


@bp.get("/sets/<id:set_id>/changes")
@login_required
def changes(set_id: int):
    """What a page at `version` lacks (204 when it is up to date): how a stale tab learns of changes."""
    found = document.visible_set(set_id)
    return document.changes_since(found, forms.version(request.args)) or Response(status=204)


@bp.get("/raw/<id:article_id>")
@login_required
def raw_text(article_id: int):
    """The article's bare text (the page-cost benchmark's baseline): for who holds it, and reviewers."""
    if g.user.role not in REVIEWERS:  # reviewers read every article's text on the adjudication page anyway
        _require_held(article_id)
    return Response(store.get_article_text(get_db(), article_id), mimetype="text/plain")
