"""The web app's blueprints, security hooks and error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from .. import db as database
from . import admin, annotate, auth, htmx, review, security
from .cache import Caches


def init_app(app: Flask) -> None:
    database.init_app(app)
    app.extensions["annotator.caches"] = Caches()
    security.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(annotate.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(review.bp)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _http_error(exc: HTTPException):
    """A 4xx/5xx as a message: in the page's status line for htmx, as a page otherwise."""
    message = exc.description or exc.name
    if exc.code == 413:
        message = "The request is too large (at most 1 MB); nothing was saved."
    if htmx.is_htmx():
        return htmx.error(message, exc.code or 500)
    if request.path.endswith(".json"):
        return {"error": message}, exc.code
    return render_template("error.html", code=exc.code, title=exc.name, message=message), exc.code


def _unexpected_error(exc: Exception):
    """Never a stack trace to the browser; the log keeps it."""
    from flask import current_app

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    if htmx.is_htmx():
        return htmx.error("Something went wrong on the server; nothing was saved. Reload and try again.", 500)
    return render_template("error.html", code=500, title="Server error", message="Something went wrong."), 500
