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


def refresh() -> Response:
    """Reload the whole page (after a change of state the page is built around)."""
    response = make_response("", 200)
    response.headers["HX-Refresh"] = "true"
    return response


def swap_into(target: str, html: str, event: str | None = None) -> Response:
    """Put `html` into `target` instead of the request's own target, then fire `event` there."""
    response = make_response(html, 200)
    response.headers["HX-Retarget"] = target
    response.headers["HX-Reswap"] = "innerHTML"
    if event:
        response.headers["HX-Trigger-After-Settle"] = event  # once its htmx attributes are live
    return response
