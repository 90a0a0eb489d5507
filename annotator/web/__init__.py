"""The web app's blueprints, request parsing, security hooks and error answers."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from markupsafe import Markup

from .. import db as database
from ..model import REVIEWERS, keys
from . import admin, annotate, auth, errors, forms, review, security
from .cache import Caches


def init_app(app: Flask) -> None:
    database.init_app(app)
    forms.init_app(app)  # before the blueprints: their routes use the `id` converter
    app.extensions["annotator.caches"] = Caches()
    security.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(annotate.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(review.bp)
    errors.init_app(app)
    # What templates render from the domain: who reviews, and the annotation page's keys.
    app.jinja_env.globals.update(
        REVIEWERS=REVIEWERS, key_groups=keys.groups(), key_chords=keys.chords(), fragment=fragment
    )


def fragment(name: str) -> Markup:
    """A template that depends only on the project (its label lists, the keys), rendered once a process:
    the annotation page's toolbar and keys dialog were half of its rendering."""
    fragments = current_app.extensions["annotator.caches"].fragments
    if name not in fragments:
        fragments[name] = render_template(name, schemes=current_app.config["PROJECT"].schemes)
    return Markup(fragments[name])
