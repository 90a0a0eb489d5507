"""Sessions, roles, CSRF tokens and the security headers of every response.

A session is a row on the server (`store.sessions`); the signed cookie only carries
its token, so logging out, a new password, a new role or removal ends it, and so do
the project's idle and absolute lifetimes. Cookies are `Secure` whenever the request
came over HTTPS (or `secure_cookies` says always); behind `trusted_proxies` reverse
proxies, their X-Forwarded-For and X-Forwarded-Proto are believed.
"""

from __future__ import annotations

import functools
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import store
from ..config import Project
from ..db import get_db
from . import htmx

# Strict: no inline script or style anywhere, nothing from other origins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_ENDED = "Your session ended (signed out elsewhere, changed by an admin, or idle too long); sign in again."
# The server's clock, one place for the tests to move.
clock: Callable[[], float] = time.time


class _SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    project: Project = app.config["PROJECT"]
    if project.trusted_proxies:
        n = project.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.session_interface = _SessionCookies()
    # the cookie's signature expires with the session's absolute lifetime too
    app.permanent_session_lifetime = timedelta(hours=project.session_hours)
    app.before_request(_load_user)
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def lifetimes() -> store.Lifetimes:
    """The project's session lifetimes, in seconds."""
    project: Project = current_app.config["PROJECT"]
    return store.Lifetimes(idle=project.session_idle_minutes * 60, absolute=project.session_hours * 3600)


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def sign_in(user: store.User) -> None:
    """Start a new session for the user: a new cookie, a new token, a new CSRF token."""
    session.clear()
    session["sid"] = store.start_session(get_db(), user.id, clock(), lifetimes())


def sign_out() -> None:
    """End this session on the server and forget the cookie."""
    token = session.get("sid")
    if isinstance(token, str):
        store.end_session(get_db(), token)
    session.clear()


def _load_user() -> None:
    token = session.get("sid")
    g.user = store.session_user(get_db(), token, clock(), lifetimes()) if isinstance(token, str) else None
    if token is not None and g.user is None:
        session.pop("sid")
        g.session_ended = True


def _check_csrf() -> None:
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf")
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        abort(400, "The form's security token is missing or out of date; reload the page and try again.")


def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    response.vary.add("HX-Request")
    if g.get("user") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def login_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            if htmx.is_htmx():  # an edit from an open page: say so in its status line, save nothing
                return htmx.error(f"Not saved: {SESSION_ENDED} Reload the page to sign in.", 401)
            if g.get("session_ended"):
                flash(SESSION_ENDED)
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable:
    """Signed-in users with one of `roles` only; others get 403."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if g.user.role not in roles:
                abort(403, "Your role does not allow this page.")
            return view(*args, **kwargs)

        return wrapped

    return decorator
