"""Sign in and out, with throttling that slows password guessing without locking anyone out.

Failed sign-ins are counted per address and per name (OWASP's guidance): after
`FREE_FAILURES` within the hour, each next try must wait a delay that doubles with
every failure, up to `MAX_DELAY` seconds; a try during the wait is answered 429
without looking at the password. A browser that has signed in as a name before
carries a signed device cookie for it and is counted on its own instead, so the
real user is never held back by someone guessing their password from elsewhere
(or from the same office). An unknown name costs a password hash like a known
one, so that the answer's timing does not tell which names exist.
"""

from __future__ import annotations

import ipaddress
import math
import re
import secrets
import unicodedata

from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import store
from ..db import get_db
from ..model import accounts
from . import security
from .security import sign_in, sign_out

bp = Blueprint("auth", __name__)
# A path on this site, in printable ASCII only: a browser drops tabs and newlines and reads a
# backslash as a slash, so "/\t/evil.example" or "/\\evil.example" would leave the site.
_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")
FREE_FAILURES, MAX_DELAY, WINDOW_SECONDS = 5, 60, 3600
DEVICE_COOKIE, DEVICE_DAYS = "annotator_device", 90


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success, back where the user was going."""
    if request.method == "GET":
        if g.user is not None:
            return redirect(url_for("annotate.queue"))
        return render_template("login.html", name="")
    db, moment = get_db(), security.clock()
    name = unicodedata.normalize("NFC", request.form.get("name", "")).strip()
    device = _device_of(name)
    keys = [f"device:{device}"] if device else [f"addr:{_address()}", f"name:{name.casefold()}"]
    wait = _wait(store.login_failures(db, keys, moment - WINDOW_SECONDS), moment)
    if wait > 0:
        seconds = math.ceil(wait)
        flash(f"Too many failed sign-ins from here or for this name; try again in {_seconds(seconds)}.")
        response = make_response(render_template("login.html", name=name), 429)
        response.headers["Retry-After"] = str(seconds)
        return response
    user = store.get_user_by_name(db, name)
    if not accounts.verify(user.password_hash if user else None, request.form.get("password", "")) or user is None:
        store.record_login_failure(db, keys, moment, moment - WINDOW_SECONDS)
        flash("Unknown name or wrong password.")
        return render_template("login.html", name=name), 401
    if device:
        store.clear_login_failures(db, keys)  # this browser proved itself; address and name counts stay
    sign_in(user)
    onward = redirect(local_target(request.args.get("next")))
    _remember_device(onward, user.name, device)
    return onward


def _wait(failures: dict[str, tuple[int, float]], moment: float) -> float:
    """Seconds still to wait before the next try: the longest any key asks for."""
    wait = 0.0
    for count, last in failures.values():
        if count >= FREE_FAILURES:
            delay = min(2.0 ** (count - FREE_FAILURES), MAX_DELAY)
            wait = max(wait, last + delay - moment)
    return wait


def _seconds(n: int) -> str:
    return "1 second" if n == 1 else f"{n} seconds"


def _address() -> str:
    """The client's address (behind trusted proxies, as they report it); an IPv6 client by its /64."""
    raw = request.remote_addr or "unknown"
    try:
        found = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if found.version == 6:
        return str(ipaddress.ip_network(f"{found}/64", strict=False))
    return str(found)


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="annotator-device")  # type: ignore[arg-type]


def _device_of(name: str) -> str | None:
    """The id of this browser if it has signed in as `name` before (its signed device cookie says so)."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        found = _devices().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(found, dict) or found.get("name") != name.casefold():
        return None
    device = found.get("device")
    return device if isinstance(device, str) else None


def _remember_device(response, name: str, device: str | None) -> None:
    token = _devices().dumps({"name": name.casefold(), "device": device or secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]) or request.is_secure,
    )


def local_target(asked: str | None) -> str:
    """Where to go after signing in: the page asked for if it is a plain path on this site, else the queue."""
    if asked and _LOCAL_PATH.fullmatch(asked):
        return asked
    return url_for("annotate.queue")


@bp.post("/logout")
def logout():
    """End the session, on the server too: a copy of the cookie opens nothing afterwards."""
    sign_out()
    return redirect(url_for("auth.login"))
