"""Sign-in answers take as long for an unknown name as for a known name with a wrong password.

Otherwise the time of a refused sign-in tells which user names exist. Both go
through the app (Flask's test client) with real password hashes.
"""

from __future__ import annotations

import gc
import secrets
import time

from annotator import create_app, store
from annotator import db as database
from annotator.model import accounts
from annotator.web import auth

from .common import Row, scratch

PASSWORD = "a bench password of some length"


def _fastest_in_turns(a, b, rounds: int) -> tuple[float, float]:
    """The fastest of a's and of b's runs, taken in turns: a hash is CPU-bound, so the fastest run is the
    least disturbed by whatever else the machine is doing."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for fn, found in zip((a, b), times):
            gc.collect()
            start = time.perf_counter()
            fn()
            found.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def run(quick: bool) -> list[Row]:
    path = scratch("auth") / "auth.db"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    db = database.connect(path)
    store.add_user(db, "known", "annotator", accounts.password_hash(PASSWORD, "known"))
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": secrets.token_urlsafe(32)})
    auth.FREE_FAILURES = 10**9  # the throttle is not what is measured here: every try reaches the hash
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]

    def attempt(name: str):
        def go():
            response = client.post("/login", data={"name": name, "password": "wrong guess", "csrf_token": token})
            assert response.status_code == 401, response.status_code

        return go

    known, unknown = _fastest_in_turns(attempt("known"), attempt("nobody-by-this-name"), 5 if quick else 15)
    return [
        Row(
            "sign-in refused: unknown name vs known name, wrong password",
            max(known, unknown) / min(known, unknown),
            1.2,
            note=f"known {known * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms (the slower over the faster)",
        )
    ]
