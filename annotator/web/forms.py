"""One parser for what requests carry: ids in paths, versions, offsets and choices in forms.

Each value is range-checked, so a malformed or huge number gets a 4xx with a
message (never a 500 from SQLite's 64-bit integers); route ids use the `id`
converter, which answers 404 for anything but a positive 64-bit integer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from ..errors import Invalid

MAX_ID = 2**63 - 1
# No article is longer than this many characters; a bigger offset is refused before it reaches the text.
MAX_OFFSET = 10**9


class IdConverter(IntegerConverter):
    """A path segment that is a row id: 1 … 2**63 - 1, digits only."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter


def _digits(raw: str, limit: int) -> int | None:
    """The value of a string of ASCII digits (an optional leading minus) within ±limit, else None."""
    body = raw[1:] if raw.startswith("-") else raw
    if not body or len(body) > len(str(limit)) or not (body.isascii() and body.isdigit()):
        return None
    value = -int(body) if raw.startswith("-") else int(body)
    return value if -limit <= value <= limit else None


def after() -> int:
    """The keyset position of a page: `?after=` the last id seen (0 … MAX_ID, 0 when absent)."""
    value = _digits(request.args.get("after", "0"), MAX_ID)
    if value is None or value < 0:
        abort(400, "after= must be an article id.")
    return value


def version(values: Mapping[str, str] | None = None) -> int:
    """The version of the set the edit was made on (400 without one: the page is out of date)."""
    value = _digits((request.form if values is None else values).get("version", ""), MAX_ID)
    if value is None or value < 1:
        abort(400, "The request does not say which version it edits; reload the page.")
    return value


def offset(name: str) -> int:
    """A character offset of the selection: 0 … MAX_OFFSET."""
    value = _digits(request.form.get(name, ""), MAX_OFFSET)
    if value is None:
        raise Invalid(f"the selection's {name} offset is missing or not a number")
    if value < 0:
        raise Invalid(f"the selection's {name} offset {value} is before the start of the text")
    return value


def number(name: str, low: int, high: int, default: int | None = None) -> int:
    """A whole number in [low, high], or `default` when the field is absent."""
    raw = request.form.get(name)
    if raw is None and default is not None:
        return default
    value = _digits(raw or "", max(abs(low), abs(high)))
    if value is None or not low <= value <= high:
        raise Invalid(f"{name} must be a whole number from {low} to {high}")
    return value


def choice(name: str, allowed: Iterable[str], what: str | None = None, values: Mapping[str, str] | None = None) -> str:
    """A value that must be one of `allowed` (from the form, or the given `values`: the query string)."""
    allowed = tuple(allowed)
    value = (request.form if values is None else values).get(name, "")
    if value not in allowed:
        raise Invalid(f"{what or name} must be one of {', '.join(allowed)}")
    return value


def flag(name: str) -> bool:
    """A yes/no field: "1" is yes, "0" or absent no; anything else is refused."""
    value = request.form.get(name, "")
    if value not in ("", "0", "1"):
        raise Invalid(f"{name} must be 1 or 0")
    return value == "1"


def ref() -> str | None:
    """The client's name for what an edit makes (a new item), echoed back so it can select it."""
    value = request.form.get("ref", "")
    if not value:
        return None
    if len(value) > 16 or not value.isascii() or not value.isalnum():
        raise Invalid("ref must be a few letters and digits")
    return value
