"""Sign in and out."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash

from .. import store
from ..db import get_db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success, back where the user was going."""
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        user = store.get_user_by_name(get_db(), name)
        if user is None or not user.password_hash or not check_password_hash(
            user.password_hash, request.form.get("password", "")
        ):
            flash("Unknown name or wrong password.")
            return render_template("login.html", name=name), 401
        session.clear()
        session["uid"] = user.id
        target = request.args.get("next") or ""
        # Only paths on this site: never an open redirect.
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("annotate.queue")
        return redirect(target)
    if g.user is not None:
        return redirect(url_for("annotate.queue"))
    return render_template("login.html", name="")


@bp.post("/logout")
def logout():
    """Forget the session."""
    session.clear()
    return redirect(url_for("auth.login"))
