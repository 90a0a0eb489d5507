"""The reviewer's pages: the agreement dashboard and adjudication into gold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from markupsafe import Markup
from sqlite_utils import Database

from .. import adjudication, evaluation, reviewing, store
from ..agreement import LayerReport
from ..config import Project
from ..db import get_db
from ..errors import Invalid, NotFound
from ..model import LAYER_NAMES as LAYERS
from ..model import REVIEWERS, Annotation, Change
from . import charts, document, forms
from .render import ORIGIN_WORDS, article_html
from .security import role_required

bp = Blueprint("review", __name__, url_prefix="/review")
WORST_SHOWN = 50


@bp.get("/")
@role_required(*REVIEWERS)
def dashboard() -> str:
    """Agreement per layer, the annotator matrix, label confusion, per-label bars, documents worst first."""
    db = get_db()
    project = current_app.config["PROJECT"]
    layer = request.args.get("layer", "entity")
    if layer not in LAYERS:
        abort(404, f"There is no layer {layer!r}.")
    touched = request.args.get("touched") == "1"
    reports, origins = _reports(db, project, touched)
    report = reports[layer]
    pictures = _pictures(report) if report.documents else {}
    ids = [store.find_article(db, entry.id) for entry in report.per_document[:WORST_SHOWN]]
    gold = store.gold_statuses(db, [i for i in ids if i is not None])
    worst = [(entry, i, gold.get(i) if i else None) for entry, i in zip(report.per_document, ids)]
    return render_template(
        "review.html",
        reports=reports,
        report=report,
        layer=layer,
        pictures=pictures,
        worst=worst,
        layers=LAYERS,
        **_model_vs_gold(db),
        touched=touched,
        origins=origins,
        origin_words=ORIGIN_WORDS,
    )


def _model_vs_gold(db: Database) -> dict:
    """The latest model version and its stored evaluation (None until `annotator evaluate` ran), for the
    dashboard's "model vs gold"."""
    version = store.latest_model_version(db)
    scores = None if version is None or version.evaluation is None else evaluation.from_json(version.evaluation)
    return {"model_version": version, "model_scores": scores}


def _pictures(report: LayerReport) -> dict[str, Markup]:
    """The dashboard's charts of one layer: kappa and F1 per pair, label confusion, F1 per label."""
    names = report.annotators
    pictures = {
        "kappa": charts.heatmap(names, names, report.kappa.matrix, title="Cohen's kappa per pair", scale_max=1),
        "f1": charts.heatmap(names, names, report.f1_matrix.overlap, title="Span F1 (overlap) per pair", scale_max=1),
    }
    labels, matrix = _used(report.confusion.labels, report.confusion.matrix)
    pictures["confusion"] = charts.heatmap(labels, labels, matrix, title="Token label confusion (counts)", fmt="{:.0f}")
    per_label = sorted(report.per_label.items(), key=lambda kv: (kv[1].f1 is None, kv[1].f1 or 0))
    pictures["labels"] = charts.bars(
        [(label, s.f1, f"({s.support})") for label, s in per_label if s.support],
        title="Span F1 (overlap) per label",
    )
    return pictures


def _reports(db: Database, project: Project, touched: bool) -> tuple[dict[str, LayerReport], dict[str, Counter]]:
    """Agreement of every layer and each annotator's origins, read again only when some annotation changed."""
    caches = current_app.extensions["annotator.caches"]
    key = (store.last_change(db), touched)
    found = caches.reports.get(key)
    if found is None:
        docs = list(reviewing.documents(db))
        reports = {r.layer: r for r in reviewing.reports_of(docs, project, touched_only=touched)}
        found = (reports, reviewing.origins(docs))
        caches.reports.put(key, found)
    return found


def _used(labels: list[str], matrix: list[list[int]]) -> tuple[list[str], list[list[int]]]:
    """The confusion matrix without labels nobody used: a readable picture for big schemes."""
    keep = [i for i in range(len(labels)) if any(matrix[i]) or any(row[i] for row in matrix)]
    return [labels[i] for i in keep], [[matrix[i][j] for j in keep] for i in keep]


def _adjudication(article_id: int, gold: store.AnnotationSet) -> dict:
    """The annotators' versions beside gold: each item's agreement, origin and whether gold has it
    already; every annotator's status and history, so a reopened or skipped set shows too."""
    db = get_db()
    versions = store.submitted_versions(db, article_id)
    annotations = [a for _, a in versions]
    gold_now = document.snapshot(store.get_set(db, gold.id)).annotation
    in_gold = {adjudication.signature(item, gold_now) for item in gold_now.items()}
    everyone = store.sets_of_article(db, article_id)
    history = store.status_history(db, [s.id for s in everyone])
    panes = [
        _pane(found, annotation, count, len(versions), in_gold, history[found.id])
        for (found, annotation), count in zip(versions, adjudication.agreement_counts(annotations))
    ]
    first = annotations[0] if len(versions) > 1 else Annotation()
    agreed = set(adjudication.agreed_ids(annotations, 0)) if len(versions) > 1 else set()
    left = [i for i in first.items() if i.id in agreed and adjudication.signature(i, first) not in in_gold]
    return {
        "panes": panes,
        "agreed": len(left),
        "n_versions": len(versions),
        "others": [(s, history[s.id]) for s in everyone if s.status != "submitted"],
        "origin_words": ORIGIN_WORDS,
    }


def _pane(
    found: store.AnnotationSet,
    annotation: Annotation,
    count: dict[str, int],
    n: int,
    in_gold: set[tuple],
    history: list[store.StatusEntry],
) -> dict:
    """One annotator's submitted version: the text with each item's agreement, and its item rows."""
    text = document.cached_article(found.article_id).text
    agree = {i: "agree-all" if k == n else "agree-some" if k > 1 else "agree-none" for i, k in count.items()}
    rows = [
        {
            "item": item,
            "agree": count[item.id],
            "class": agree[item.id],
            "parts": [text[s.start : s.end] for _, s in item.spans],
            "in_gold": adjudication.signature(item, annotation) in in_gold,
        }
        for item in annotation.items()
    ]
    html = article_html(text, annotation, document.project().schemes, agree, ids=False)
    return {"set": found, "html": html, "items": rows, "history": history}


@bp.get("/<id:article_id>")
@role_required(*REVIEWERS)
def adjudicate(article_id: int):
    """The annotators' versions side by side with agreement per item, and the gold editor."""
    gold = store.open_gold(get_db(), article_id, g.user.id)
    return document.render_page("adjudicate.html", gold, **_adjudication(article_id, gold))


@bp.get("/<id:article_id>/versions")
@role_required(*REVIEWERS)
def versions_fragment(article_id: int):
    """The versions beside gold again, after gold changed (what was taken, what is left to merge)."""
    gold = store.find_set(get_db(), article_id, "gold")
    if gold is None:
        raise NotFound("open the article's adjudication page first")
    context = _adjudication(article_id, gold)
    return render_template("_versions.html", article=document.cached_article(article_id), oob=True, **context)


def _gold_edit(article_id: int, make: Callable[[Annotation], Change]) -> Response:
    """One change to the article's gold set, through the one edit path every set takes."""
    gold = store.find_set(get_db(), article_id, "gold")
    if gold is None:
        raise NotFound("open the article's adjudication page first")
    return document.edit(gold, lambda annotation, _tokens, _text: (make(annotation), None))


def _version_of(article_id: int) -> Annotation:
    """The submitted version named by the form's `set`."""
    wanted = forms.number("set", 1, forms.MAX_ID)
    for found, annotation in store.submitted_versions(get_db(), article_id):
        if found.id == wanted:
            return annotation
    raise Invalid("that annotator's version is not a submitted version of this article")


@bp.post("/<id:article_id>/accept")
@role_required(*REVIEWERS)
def accept(article_id: int):
    """Make gold one annotator's whole version."""
    version = _version_of(article_id)
    return _gold_edit(article_id, lambda gold: adjudication.accept_version(gold, version))


@bp.post("/<id:article_id>/take")
@role_required(*REVIEWERS)
def take(article_id: int):
    """Copy one item (with the entities it links to) from an annotator's version into gold."""
    version = _version_of(article_id)
    item_id = request.form.get("item", "")
    return _gold_edit(article_id, lambda gold: adjudication.take_items(gold, version, [item_id]))


@bp.post("/<id:article_id>/merge")
@role_required(*REVIEWERS)
def merge(article_id: int):
    """Take into gold every item all annotators agree on."""
    versions = [a for _, a in store.submitted_versions(get_db(), article_id)]
    return _gold_edit(article_id, lambda gold: adjudication.merge_agreed(gold, versions))
