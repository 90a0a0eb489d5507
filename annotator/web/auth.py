"""Sign in and out."""

from __future__ import annotations

import re
import time

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import store
from ..db import get_db
from ..model import accounts
from .security import sign_in, sign_out

bp = Blueprint("auth", __name__)
# A path on this site, in printable ASCII only: a browser drops tabs and newlines and reads a
# backslash as a slash, so "/\t/evil.example" or "/\\evil.example" would leave the site.
_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")
# At most this many failed sign-ins per name and address within the window.
MAX_FAILURES, WINDOW_SECONDS = 5, 300


def _throttle_key(name: str) -> str:
    return f"{request.remote_addr}|{name.lower()}"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success, back where the user was going."""
    if request.method == "POST":
        db = get_db()
        name = request.form.get("name", "").strip()
        key, moment = _throttle_key(name), time.time()
        if store.recent_login_failures(db, key, moment - WINDOW_SECONDS) >= MAX_FAILURES:
            flash(f"Too many failed sign-ins for {name!r}; wait {WINDOW_SECONDS // 60} minutes and try again.")
            return render_template("login.html", name=name), 429
        user = store.get_user_by_name(db, name)
        if not accounts.verify(user.password_hash if user else None, request.form.get("password", "")) or user is None:
            store.record_login_failure(db, key, moment, moment - WINDOW_SECONDS)
            flash("Unknown name or wrong password.")
            return render_template("login.html", name=name), 401
        store.clear_login_failures(db, key)
        sign_in(user)
        return redirect(local_target(request.args.get("next")))
    if g.user is not None:
        return redirect(url_for("annotate.queue"))
    return render_template("login.html", name="")


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
