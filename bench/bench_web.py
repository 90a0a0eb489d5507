"""Server time of the annotation page and of a save, against serving the raw text; and how both scale.

Requests go through Flask's test client in this process; what is measured is the server's
time, inside a WSGI middleware around the app (`ServerTime`: the app's call and its body),
as MISSION's targets define it. The client's own work (building the request, encoding a
form, reading the answer) is left out: a POST pays more of it than a GET, so it read as the
save's cost. The notes give the times through the client too. Medians of alternating rounds.
"""

from __future__ import annotations

import re
import secrets
import statistics
import time

from annotator import create_app, store
from annotator import db as database
from annotator.web.cache import Caches

from .common import Row, scratch
from .generate import PASSWORD, build


class ServerTime:
    """WSGI middleware: the time the app spends on a request, its body included, as a server counts it."""

    last = 0.0  # of the latest request, in seconds (requests are made one at a time)

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        start = time.perf_counter()
        body = self.app(environ, start_response)
        try:
            chunks = list(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        ServerTime.last = time.perf_counter() - start
        return chunks


def _client(path, user="annotator00"):
    app = create_app({"DATABASE": path, "SECRET_KEY": secrets.token_urlsafe(32)})
    app.wsgi_app = ServerTime(app.wsgi_app)
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    client.post("/login", data={"name": user, "password": PASSWORD, "csrf_token": token})
    client.get("/queue")
    with client.session_transaction() as session:
        token = session["csrf"]
    return client, token


class Editor:
    """Saves that keep an article's size constant: relabel one entity back and forth."""

    def __init__(self, client, token, article_id):
        self.client, self.token = client, token
        html = client.get(f"/articles/{article_id}").get_data(as_text=True)
        self.base = re.search(r'data-base="([^"]+)"', html).group(1)
        self.version = int(re.search(r'data-version="(\d+)"', html).group(1))
        self.entity = re.search(r'data-id="(t\d+)" data-layer="entity"', html).group(1)
        self.flip = False

    def save(self):
        self.flip = not self.flip
        response = self.client.post(
            f"{self.base}/items/{self.entity}/label",
            data={"version": self.version, "label": "ORG" if self.flip else "PERSON"},
            headers={"X-CSRF-Token": self.token, "HX-Request": "true"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        self.version += 1


def _median_ms(fn, n: int) -> tuple[float, float]:
    """The median server time of n calls of fn (each one request), and the median through the client."""
    server, client = [], []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        client.append(time.perf_counter() - start)
        server.append(ServerTime.last)
    return statistics.median(server) * 1000, statistics.median(client) * 1000


def _rounds(named: dict, rounds: int, n: int, through_client: dict | None = None) -> dict:
    """Median of per-round medians of server time, the named calls taking turns each round
    (`through_client` gets the same medians of the time through the test client)."""
    server: dict = {name: [] for name in named}
    client: dict = {name: [] for name in named}
    for _ in range(rounds):
        for name, fn in named.items():
            at_server, at_client = _median_ms(fn, n)
            server[name].append(at_server)
            client[name].append(at_client)
    if through_client is not None:
        through_client.update({name: statistics.median(values) for name, values in client.items()})
    return {name: statistics.median(values) for name, values in server.items()}


def page_cost(quick: bool) -> list[Row]:
    path = scratch("web") / "page.db"
    info = build(path, articles=20, words=100, annotators=2, entities=5, big=(5000, 500))
    client, token = _client(path)
    big = info["big"]
    db = database.connect(path)
    store.assign_if_open(db, big, store.get_user_by_name(db, "annotator00").id)
    editor = Editor(client, token, big)
    app = client.application

    def cold_page():
        # the first view of a version in a worker: nothing cached, everything rendered
        app.extensions["annotator.caches"] = Caches()
        client.get(f"/articles/{big}")

    whole: dict[str, float] = {}
    times = _rounds(
        {
            "raw": lambda: client.get(f"/raw/{big}"),
            "page": lambda: client.get(f"/articles/{big}"),
            "save": editor.save,
            "cold": cold_page,
        },
        rounds=3 if quick else 7,
        n=10 if quick else 30,
        through_client=whole,
    )
    note = (
        f"server: raw {times['raw']:.2f} ms, page {times['page']:.2f} ms, save {times['save']:.2f} ms; "
        f"through the test client {whole['raw']:.2f}, {whole['page']:.2f} and {whole['save']:.2f} ms "
        f"(save {whole['save'] / whole['raw']:.2f}x); a version's first view in a worker (nothing cached) "
        f"{times['cold']:.2f} ms = {times['cold'] / times['raw']:.1f}x"
    )
    return [
        Row("annotation page vs raw text (5,000 words, 500 spans)", times["page"] / times["raw"], 3.0, note=note),
        Row("save vs raw text (5,000 words, 500 spans)", times["save"] / times["raw"], 3.0, note=note),
    ]


def _scale_calls(articles: int) -> dict[str, object]:
    """The four requests measured on a pool of `articles` (built first), as calls."""
    path = scratch("web") / f"scale-{articles}.db"
    build(path, articles=articles, words=120, annotators=20, entities=8)
    db = database.connect(path)
    user = store.get_user_by_name(db, "annotator00").id
    article = store.next_article(db, user)  # the next one for them: an article in the middle of the pool
    client, token = _client(path)
    editor = Editor(client, token, article)
    return {
        "queue": lambda: client.get("/queue"),
        "page": lambda: client.get(f"/articles/{article}"),
        "save": editor.save,
        "next": lambda: client.get("/next"),
    }


def scale(quick: bool) -> list[Row]:
    small_n, large_n = (1_000, 10_000) if quick else (1_000, 100_000)
    # Both pools are built first and then measured in turns, each round taking every request on
    # both: the machine is shared, and measuring one size a minute after the other (the large
    # build takes that long) once read 1.5x for every request alike, from the machine's drift.
    by_size = {size: _scale_calls(size) for size in (small_n, large_n)}
    calls = {(size, name): by_size[size][name] for name in by_size[small_n] for size in by_size}
    times = _rounds(calls, rounds=3 if quick else 5, n=10 if quick else 30)
    rows = []
    for name in ("queue", "page", "save", "next"):
        small, large = times[small_n, name], times[large_n, name]
        rows.append(
            Row(
                f"{name} at {large_n:,} vs {small_n:,} articles (20 annotators)",
                large / small,
                1.2,
                note=f"{small:.2f} ms vs {large:.2f} ms",
            )
        )
    return rows


def run(quick: bool) -> list[Row]:
    return page_cost(quick) + scale(quick)
