"""The admin's pages: users, counts and dataset downloads."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from .. import exporting, formats, store
from ..db import connect, get_db
from ..errors import Conflict, NotFound
from ..formats import jsonl
from ..model import ROLES, accounts
from . import forms
from .security import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required("admin")
def home():
    """Users, counts and the export form."""
    db = get_db()
    return render_template(
        "admin.html",
        users=store.list_users(db),
        stats=store.stats(db),
        formats=formats.writers(),
        sources=list(exporting.SOURCES),
        per_article=store.annotators_per_article(db),
    )


@bp.post("/users")
@role_required("admin")
def add_user():
    """Add a user with a role and a password, or give an existing one a new password."""
    name = accounts.user_name(request.form.get("name", ""))
    role = forms.choice("role", ROLES)
    hashed = accounts.password_hash(request.form.get("password", ""), name)
    db = get_db()
    if store.get_user_by_name(db, name) is None:
        store.add_user(db, name, role, hashed)
        flash(f"Added {role} {name}.")
    else:
        store.set_password(db, name, hashed)
        flash(f"{name} has a new password (their role is unchanged); their sessions have ended.")
    return redirect(url_for("admin.home"))


def _other_user(user_id: int) -> store.User:
    """A user an admin may change: anyone but themselves (so that no admin locks themselves out)."""
    found = store.get_user(get_db(), user_id)
    if found is None:
        raise NotFound(f"there is no user {user_id}")
    if found.id == g.user.id:
        raise Conflict("you cannot change your own role or access; ask another admin")
    return found


@bp.post("/users/<id:user_id>/role")
@role_required("admin")
def set_role(user_id: int):
    """Give a user another role; their sessions end."""
    found = _other_user(user_id)
    role = forms.choice("role", ROLES)
    store.set_role(get_db(), found.name, role)
    flash(f"{found.name} is now {role}; their sessions have ended.")
    return redirect(url_for("admin.home"))


@bp.post("/users/<id:user_id>/remove")
@role_required("admin")
def remove_user(user_id: int):
    """Take away a user's access; their annotations stay."""
    found = _other_user(user_id)
    store.remove_user(get_db(), found.name)
    flash(f"{found.name} can no longer sign in; their sessions have ended.")
    return redirect(url_for("admin.home"))


@bp.post("/assignment")
@role_required("admin")
def assignment():
    """Set how many annotators each article gets."""
    per_article = forms.number("per_article", 1, 50)
    store.set_annotators_per_article(get_db(), per_article)
    flash(f"Each article now goes to {per_article} annotator(s).")
    return redirect(url_for("admin.home"))


@bp.get("/export")
@role_required("admin")
def export():
    """Download one source in one format; JSONL streams record by record."""
    name, source = request.args.get("format", "jsonl"), request.args.get("from", "gold")
    if name not in formats.writers() or source not in exporting.SOURCES:
        choices = f"a format ({', '.join(formats.writers())}) and a source ({', '.join(exporting.SOURCES)})"
        abort(400, f"Choose {choices}.")
    fmt = formats.get(name)
    filename = f"annotator-{source}{fmt.download_suffix}"
    if fmt.name == "jsonl":
        response = Response(_jsonl_lines(current_app.config["DATABASE"], source), mimetype=fmt.media_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    scratch = Path(tempfile.mkdtemp(prefix="annotator-export-"))
    target = scratch / (fmt.name if fmt.writes_folder else f"export{fmt.download_suffix}")
    try:
        exporting.export(get_db(), fmt.name, source, target)
    except exporting.ExportFailed as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        abort(422, str(exc))
    if fmt.writes_folder:
        target = Path(shutil.make_archive(str(scratch / fmt.name), "zip", root_dir=target))

    @after_this_request
    def _cleanup(response):
        shutil.rmtree(scratch, ignore_errors=True)
        return response

    return send_file(target, mimetype=fmt.media_type, as_attachment=True, download_name=filename)


def _jsonl_lines(db_path: str, source: str):
    """Lines of the export; its own connection, since streaming outlives the request's."""
    db = connect(db_path, migrate=False)
    try:
        for record in exporting.records(db, source, tokens=False):  # JSONL writes no tokens
            yield jsonl.dumps(record) + "\n"
    finally:
        db.close()
