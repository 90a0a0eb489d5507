"""htmx helpers in one place: recognising its requests and answering them."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def error(message: str, status: int) -> Response:
    """Show `message` in the page's status line instead of swapping the widget."""
    response = make_response(render_template("_status.html", message=message, level="error", code=status), status)
    response.headers["HX-Retarget"] = "#status"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def redirect(url: str) -> Response:
    """A full-page navigation from an htmx request."""
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    return response
