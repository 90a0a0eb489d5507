"""Every error a request can meet, answered in one place: a status code and a message.

The domain and the store raise the typed errors of `annotator.errors`; HTTP
errors come from `abort`. For htmx the message goes into the page's status
line; other requests get a page (or JSON for `.json` paths). Nothing is told
apart by its message text, and no stack trace reaches the browser.
"""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import AnnotatorError, Conflict, Forbidden, Invalid, NotFound, NothingToUndo, StaleVersion
from . import htmx

# The status code of each kind of error (the first match along its class's ancestry).
STATUS: dict[type[AnnotatorError], int] = {
    StaleVersion: 409,
    Conflict: 409,
    Forbidden: 403,
    NotFound: 404,
    Invalid: 422,
    NothingToUndo: 422,
}
TOO_LARGE = "The request is too large (at most 1 MB); nothing was saved."
BUSY = (
    "The database stayed busy (an import is writing, or another long write); nothing was saved. Try again in a moment."
)
BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def status_of(exc: AnnotatorError) -> int:
    return next((STATUS[k] for k in type(exc).__mro__ if k in STATUS), 400)


def init_app(app: Flask) -> None:
    app.register_error_handler(AnnotatorError, _annotator_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(sqlite3.OperationalError, _database_error)
    app.register_error_handler(Exception, _unexpected_error)


def _sentence(message: str, capital: bool = True) -> str:
    message = message.strip()
    if capital:
        message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def _annotator_error(exc: AnnotatorError):
    code = status_of(exc)
    if isinstance(exc, (Invalid, Conflict)) and request.method == "POST":
        message = f"Not saved: {_sentence(str(exc), capital=False)}"
        if isinstance(exc, StaleVersion):
            message += " Reload to see the latest version."
    else:
        message = _sentence(str(exc))
    return _answer(message, code, exc.__class__.__name__)


def _http_error(exc: HTTPException):
    message = TOO_LARGE if exc.code == 413 else exc.description or exc.name
    return _answer(message, exc.code or 500, exc.name)


def _answer(message: str, code: int, title: str):
    """A 4xx/5xx as a message: in the page's status line for htmx, as a page otherwise."""
    if htmx.is_htmx():
        return htmx.error(message, code)
    if request.path.endswith(".json"):
        return {"error": message}, code
    return render_template("error.html", code=code, title=title, message=message), code


def _database_error(exc: sqlite3.OperationalError):
    """A write that waited out the busy timeout behind another (an import holds the write lock while it
    reads): 503, to be tried again; any other database error is unexpected."""
    if getattr(exc, "sqlite_errorcode", None) not in BUSY_CODES:
        return _unexpected_error(exc)
    current_app.logger.warning("database busy on %s %s: %s", request.method, request.path, exc)
    response = current_app.make_response(_answer(BUSY, 503, "Busy"))
    response.headers["Retry-After"] = "5"
    return response


def _unexpected_error(exc: Exception):
    """Never a stack trace to the browser; the log keeps it."""
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    if htmx.is_htmx():
        return htmx.error("Something went wrong on the server; nothing was saved. Reload and try again.", 500)
    return render_template("error.html", code=500, title="Server error", message="Something went wrong."), 500
