"""Load: simulated annotators saving concurrently against the production server (MISSION: Performance → Load).

    python -m bench.load [--annotators 50] [--seconds 60] [--workers 4]

Builds a fresh database under bench/out/load/ (seeded generated articles of ~300 words whose
entities are the model's suggestions, one annotator per article, each with a known password),
starts `annotator serve --production --workers N` on a free 127.0.0.1 port, and runs the
annotators concurrently with a small asyncio HTTP client (stdlib only; it keeps its own cookies
and CSRF token). Each annotator signs in, opens their own article and, until the time is up,
saves edits in a loop: add an entity over one word (overlapped entities give way) or relabel an
existing one, always with the version the previous answer carried. Now and then it saves from a
"stale tab" (the version before the current one), which must be refused with 409; after a 409 it
reloads the page and goes on.

Then the server is stopped and the database is checked against what the clients saw: every
acknowledged (2xx) save is the history row at the version it created, with the change it asked
for; no history row is unexplained or a second copy of one edit; the set's items equal the
history replayed and the client's last acknowledged state; `PRAGMA integrity_check` is ok.
Exit status 1 when anything was lost or duplicated, any 5xx came back, any check failed, or
anything else went wrong (a connection error or an unexpected 4xx: no faults are injected here).

bench/faults.py reuses everything here and kills the server while it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .common import scratch

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "annotator"
PASSWORD = "load-test password 1"
SEED = 20240501
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0  # seconds for one request (gunicorn's worker timeout is 60)
MAX_ATTEMPTS_PER_CLIENT = 50_000  # a hard bound on every client's loop besides its deadline
MAX_TRIES_PER_EDIT = 8  # an edit is retried (after a reload) at most this often
RECOVERY_GRACE = 30.0  # seconds past the deadline a client may still spend finding out where it stands

FIRST = ["Ali", "Abdel", "Lloyd", "Mohamed", "Sara", "Leila", "John", "Maria", "Hassan", "Nadia", "Omar"]
LAST = ["Khamenei", "Rashid", "Austin", "Sudani", "Haddad", "Karimi", "Smith", "Novak", "Aziz", "Petrov"]
PLACES = [
    ("Iran", "GPE"),
    ("Iraq", "GPE"),
    ("Tehran", "GPE"),
    ("Baghdad", "GPE"),
    ("the Gulf", "LOC"),
    ("Washington", "GPE"),
    ("Victory base", "FAC"),
]
ORGS = ["Kataib Sayyid al-Shuhada", "the Pentagon", "the United Nations", "Reuters", "NATO"]
DATES = ["29 April", "Monday", "last month", "2023", "this week"]
WORDS = (
    "the a of to in and that is was for on with as by at from it this be has have are not will its "
    "government troops base forces officials talks visit presence country region security attack "
    "statement minister president leader resistance group faction spokesman negotiations agreement "
    "airspace intelligence equipment personnel election allies friends period time recent current "
    "bolstering reinforcing boosted allow remain manage stressing comes secure done particularly said"
).split()


# --- the data: generated articles, their model suggestions, the annotators ------------------


def generate_article(
    rng: random.Random, words: int = 300
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, str]]]:
    """(text, tokens, entities): ~`words` words in sentences, ~10 % of positions a named entity."""
    parts: list[str] = []
    tokens: list[tuple[int, int]] = []
    entities: list[tuple[int, int, str]] = []
    length = 0

    def add(word: str, space: bool = True) -> tuple[int, int]:
        nonlocal length
        if space and parts:
            parts.append(" ")
            length += 1
        start = length
        parts.append(word)
        length += len(word)
        tokens.append((start, length))
        return start, length

    count = 0
    while count < words:
        for i in range(rng.randint(10, 20)):
            if rng.random() < 0.1:
                kind = rng.random()
                if kind < 0.4:
                    name, label = f"{rng.choice(FIRST)} {rng.choice(LAST)}", "PERSON"
                elif kind < 0.7:
                    name, label = rng.choice(PLACES)
                elif kind < 0.85:
                    name, label = rng.choice(ORGS), "ORG"
                else:
                    name, label = rng.choice(DATES), "DATE"
                spans = [add(w) for w in name.split()]
                entities.append((spans[0][0], spans[-1][1], label))
                count += len(spans)
            else:
                word = rng.choice(WORDS)
                add(word.capitalize() if i == 0 else word)
                count += 1
        add(".", space=False)
        if rng.random() < 0.2:
            start = length
            parts.append("\n\n")
            length += 2
            tokens.append((start, length))  # spaCy keeps the newlines as a whitespace token
    return "".join(parts), tokens, entities


@dataclass
class Annotator:
    name: str
    article_id: int
    words: list[tuple[int, int]]  # the article's word tokens: where a new entity may go


@dataclass
class Setup:
    folder: Path
    db: Path
    config: Path
    annotators: list[Annotator]
    labels: tuple[str, ...]


def build(folder: Path, annotators: int, seed: int = SEED, articles: int | None = None) -> Setup:
    """A fresh database: max(60, annotators) articles with model suggestions, annotators, k = 1."""
    from werkzeug.security import generate_password_hash

    from annotator import config, store
    from annotator import db as database
    from annotator.model import MODEL, Annotation, Article, Item

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "load.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    (folder / "server.log").unlink(missing_ok=True)
    project_file = folder / "annotator.toml"
    project_file.write_text(f'[project]\nsecret_key = "{secrets.token_urlsafe(32)}"\n', "utf-8")
    labels = config.load(project_file).schemes["entity"].names
    rng = random.Random(seed)
    db = database.connect(path)
    article_ids: list[int] = []
    words_of: dict[int, list[tuple[int, int]]] = {}
    with database.write(db):
        for n in range(max(articles or 60, annotators)):
            text, tokens, entities = generate_article(rng)
            article_id, created = store.ensure_article(
                db, Article(f"load-{n}", text, {"title": f"Load article {n}"}, tokens)
            )
            assert created, "generated articles must differ"
            suggestions = Annotation.of(
                Item.entity(f"t{i + 1}", s, e, label, MODEL) for i, (s, e, label) in enumerate(entities)
            )
            store.put_set(db, article_id, "model", None, suggestions, action="preannotate")
            article_ids.append(article_id)
            words_of[article_id] = [(s, e) for s, e in tokens if text[s:e].isalpha()]
    # Each article goes to one annotator: annotator i is given article i, as the queue's Start would.
    store.set_annotators_per_article(db, 1)
    # A cheap hash: signing 50 people in at once should not be the benchmark (the tests do the same).
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    people = []
    for i in range(annotators):
        name = f"load{i + 1:03d}"
        user = store.add_user(db, name, "annotator", password_hash)
        store.assign_if_open(db, article_ids[i], user.id)
        people.append(Annotator(name, article_ids[i], words_of[article_ids[i]]))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return Setup(folder, path, project_file, people, labels)


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """`annotator serve --production` in a process group of its own, so a kill takes every worker."""

    def __init__(self, setup: Setup, workers: int, port: int | None = None):
        self.setup, self.workers = setup, workers
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = setup.folder / "server.log"
        self.starts = 0

    def start(self, timeout: float = 90.0) -> float:
        """Start and wait until it answers; returns the seconds that took."""
        started = time.monotonic()
        command = [
            str(BIN),
            "--db",
            str(self.setup.db),
            "--config",
            str(self.setup.config),
            "serve",
            "--production",
            "--workers",
            str(self.workers),
            "--host",
            HOST,
            "--port",
            str(self.port),
        ]
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"\n=== start {self.starts + 1}: {' '.join(command)}\n")
            log.flush()
            self.proc = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.setup.folder,
                start_new_session=True,
            )
        self.starts += 1
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/login")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log_path}")

    def _group_alive(self, pgid: int) -> bool:
        """Any process of the group that is not a zombie."""
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, ...
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
        return False

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers) and wait until it is gone."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        limit = time.monotonic() + 15
        while self._group_alive(pgid) and time.monotonic() < limit:
            time.sleep(0.05)
        self.proc = None

    def stop(self) -> None:
        """SIGTERM (gunicorn finishes requests in flight), SIGKILL if it takes too long."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self.kill()


# --- a small HTTP client -----------------------------------------------------------------------


class ConnectionProblem(Exception):
    """No complete answer. `stage` is connect (nothing was sent), send or receive (outcome unknown)."""

    def __init__(self, stage: str, detail: str):
        super().__init__(f"{stage}: {detail}")
        self.stage = stage


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name.lower()), None)


def _dechunk(data: bytes) -> bytes:
    out, pos = bytearray(), 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2 : end + 2 + size]
        if len(data) < end + 2 + size:
            raise ValueError("truncated chunk")
        pos = end + 2 + size + 2


async def fetch(
    port: int,
    method: str,
    path: str,
    cookies: dict[str, str],
    form: dict | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Response:
    """One request on its own connection (Connection: close); cookies are read and updated."""
    body = urllib.parse.urlencode(form).encode() if form is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close", "Accept: text/html"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    except (TimeoutError, OSError) as exc:
        raise ConnectionProblem("connect", repr(exc)) from None
    try:
        try:
            writer.write(request)
            await writer.drain()
        except (TimeoutError, OSError) as exc:
            raise ConnectionProblem("send", repr(exc)) from None
        try:
            raw = await asyncio.wait_for(reader.read(), timeout)
        except (TimeoutError, OSError) as exc:
            raise ConnectionProblem("receive", repr(exc)) from None
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ConnectionProblem("receive", f"no complete answer ({len(raw)} bytes)")
    head_lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(head_lines[0].split()[1])
    except (IndexError, ValueError):
        raise ConnectionProblem("receive", f"bad status line {head_lines[0]!r}") from None
    parsed = []
    for line in head_lines[1:]:
        key, _, value = line.partition(":")
        parsed.append((key.strip().lower(), value.strip()))
    response = Response(status, parsed, "")
    if (response.header("transfer-encoding") or "").lower() == "chunked":
        try:
            rest = _dechunk(rest)
        except ValueError as exc:
            raise ConnectionProblem("receive", f"incomplete chunked body: {exc}") from None
    elif response.header("content-length") is not None:
        expected = int(response.header("content-length"))
        if len(rest) < expected:
            raise ConnectionProblem("receive", f"body cut short ({len(rest)} of {expected} bytes)")
        rest = rest[:expected]
    response.body = rest.decode("utf-8", "replace")
    for key, value in parsed:
        if key == "set-cookie":
            pair, *attrs = value.split(";")
            name, _, cookie = pair.strip().partition("=")
            expired = any(a.strip().lower() in ("max-age=0",) for a in attrs) or not cookie
            if expired:
                cookies.pop(name, None)
            else:
                cookies[name] = cookie
    return response


# --- one simulated annotator -------------------------------------------------------------------

ItemKey = tuple  # (id, layer, label, origin, ((role, start, end), ...), ((role, target), ...))
Entities = dict[str, tuple[int, int, str]]  # entity id -> (start, end, label)


def version_of(text: str) -> int:
    """The version the article widget (page or a save's answer) carries as data-version."""
    found = re.search(r'data-version="(\d+)"', text)
    if found is None:
        raise ValueError("no data-version in the answer")
    return int(found.group(1))


def selected_of(text: str) -> str | None:
    found = re.search(r'data-selected="([^"]*)"', text)
    return found.group(1) if found and found.group(1) else None


def next_entity_id(entities: Entities) -> str:
    """The id the store gives a new entity (model.Annotation.next_id; the articles hold entities only)."""
    n = 1 + sum(1 for key in entities if key.startswith("t"))
    while f"t{n}" in entities:
        n += 1
    return f"t{n}"


@dataclass
class Attempt:
    """One save request and what came of it."""

    client: int
    set_id: int
    intent: int  # retries of the same edit share it
    kind: str  # add | label
    detail: dict  # add: start, end, label; label: item, label
    sent_version: int
    stale: bool  # sent from a "stale tab" on purpose: must be refused
    t_sent: float
    outcome: str = ""  # ack | refused | unknown | not_sent | 5xx | error
    status: int | None = None
    latency: float = 0.0
    t_done: float = 0.0
    new_version: int | None = None
    shown: bool | None = None  # the answer's widget shows the change
    note: str = ""
    applied_later: bool | None = None  # for unknown outcomes: what the reload showed


@dataclass
class Stats:
    page_loads: int = 0
    page_errors: Counter = field(default_factory=Counter)
    responses_5xx: int = 0
    other_errors: list[str] = field(default_factory=list)
    in_flight: int = 0


class Client:
    def __init__(
        self,
        n: int,
        who: Annotator,
        labels: tuple[str, ...],
        port: int,
        rng: random.Random,
        stats: Stats,
        stale_rate: float,
        think: float,
    ):
        self.n, self.who, self.labels, self.port, self.rng = n, who, labels, port, rng
        self.stats, self.stale_rate, self.think = stats, stale_rate, think
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.set_id = 0
        self.version = 0
        self.state: Entities = {}
        self.attempts: list[Attempt] = []
        self.intents = 0
        self.last_ack_state: Entities | None = None
        self.state_known = False  # the last thing learnt about the set is what the server holds
        self.deadline = 0.0
        self.ready = False

    # requests ---------------------------------------------------------------------------

    async def _get(self, path: str) -> Response:
        self.stats.in_flight += 1
        try:
            response = await fetch(self.port, "GET", path, self.cookies)
        finally:
            self.stats.in_flight -= 1
        if response.status >= 500:
            self.stats.responses_5xx += 1
            self.stats.other_errors.append(f"{self.who.name}: GET {path} -> {response.status}: {response.body[:300]!r}")
        return response

    async def sign_in(self) -> None:
        page = await self._get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.body)
        if page.status != 200 or token is None:
            raise RuntimeError(f"{self.who.name}: the sign-in page answered {page.status}")
        self.stats.in_flight += 1
        try:
            answer = await fetch(
                self.port,
                "POST",
                "/login",
                self.cookies,
                form={"name": self.who.name, "password": PASSWORD, "csrf_token": token.group(1)},
            )
        finally:
            self.stats.in_flight -= 1
        if answer.status != 302:
            raise RuntimeError(f"{self.who.name}: signing in answered {answer.status}: {answer.body[:200]!r}")

    async def reload(self) -> None:
        """Open the article page (the set, its version, the CSRF token), then the set's JSON (its entities)."""
        page = await self._get(f"/articles/{self.who.article_id}")
        if page.status in (302, 303) and "/login" in (page.header("location") or ""):
            await self.sign_in()
            page = await self._get(f"/articles/{self.who.article_id}")
        if page.status != 200:
            self.stats.page_errors[page.status] += 1
            raise RuntimeError(f"{self.who.name}: the article page answered {page.status}: {page.body[:300]!r}")
        self.stats.page_loads += 1
        self.set_id = int(re.search(r'data-base="[^"]*/sets/(\d+)"', page.body).group(1))
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.body).group(1)
        version = version_of(page.body)
        record = await self._get(f"/sets/{self.set_id}.json")
        if record.status != 200:
            raise RuntimeError(f"{self.who.name}: the set's JSON answered {record.status}: {record.body[:300]!r}")
        data = json.loads(record.body)
        if data.get("version", version) != version:
            # One writer per set: the page and the JSON read just after it must agree.
            self.stats.other_errors.append(f"{self.who.name}: page version {version}, JSON version {data['version']}")
        self.version = version
        self.state = {e["id"]: (e["start"], e["end"], e["label"]) for e in data["entities"]}
        self.state_known = True

    async def recover(self, until: float) -> bool:
        """Reload until it works (the server may be restarting); False when `until` passes first."""
        while time.monotonic() < until:
            await asyncio.sleep(self.rng.uniform(0.1, 0.3))
            try:
                await self.reload()
                return True
            except ConnectionProblem:
                continue
            except RuntimeError as exc:
                self.stats.other_errors.append(str(exc))
                await asyncio.sleep(0.5)
        return False

    async def prepare(self, until: float) -> None:
        while time.monotonic() < until:
            try:
                await self.sign_in()
                await self.reload()
                self.ready = True
                return
            except ConnectionProblem:
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.who.name}: could not sign in and open the article in time")

    # edits ----------------------------------------------------------------------------------

    def choose(self) -> tuple[str, dict]:
        if self.state and self.rng.random() < 0.5:
            key = self.rng.choice(sorted(self.state))
            label = self.rng.choice([name for name in self.labels if name != self.state[key][2]])
            return "label", {"item": key, "label": label}
        existing = set(self.state.values())
        while True:
            start, end = self.rng.choice(self.who.words)
            label = self.rng.choice(self.labels)
            if (start, end, label) not in existing:
                return "add", {"start": start, "end": end, "label": label}

    @staticmethod
    def applied(kind: str, detail: dict, state: Entities) -> bool:
        if kind == "label":
            found = state.get(detail["item"])
            return found is not None and found[2] == detail["label"]
        return (detail["start"], detail["end"], detail["label"]) in state.values()

    @staticmethod
    def after(kind: str, detail: dict, state: Entities, new_id: str) -> Entities:
        """What the set holds once the edit is made: the client's own model of the store's rules."""
        state = dict(state)
        if kind == "label":
            start, end, _ = state[detail["item"]]
            state[detail["item"]] = (start, end, detail["label"])
            return state
        start, end = detail["start"], detail["end"]
        for key, (s, e, _) in list(state.items()):
            if s < end and start < e:  # overlapped entities give way
                del state[key]
        state[new_id] = (start, end, detail["label"])
        return state

    async def post_edit(
        self, kind: str, detail: dict, version: int, stale: bool, intent: int
    ) -> tuple[Attempt, Response | None]:
        if kind == "label":
            path, form = (
                f"/sets/{self.set_id}/items/{detail['item']}/label",
                {"version": version, "label": detail["label"]},
            )
        else:
            path = f"/sets/{self.set_id}/items"
            form = {
                "version": version,
                "layer": "entity",
                "start": detail["start"],
                "end": detail["end"],
                "label": detail["label"],
            }
        attempt = Attempt(self.n, self.set_id, intent, kind, detail, version, stale, time.monotonic())
        self.attempts.append(attempt)
        self.stats.in_flight += 1
        try:
            response = await fetch(
                self.port,
                "POST",
                path,
                self.cookies,
                form=form,
                headers={"X-CSRF-Token": self.csrf, "HX-Request": "true"},
            )
        except ConnectionProblem as problem:
            attempt.outcome = "not_sent" if problem.stage == "connect" else "unknown"
            attempt.note = str(problem)
            response = None
        finally:
            self.stats.in_flight -= 1
            attempt.t_done = time.monotonic()
            attempt.latency = attempt.t_done - attempt.t_sent
        if response is not None:
            attempt.status = response.status
            if 200 <= response.status < 300:
                attempt.outcome = "ack"
            elif response.status == 409:
                attempt.outcome = "refused"
            elif response.status >= 500:
                attempt.outcome = "5xx"
                self.stats.responses_5xx += 1
                self.stats.other_errors.append(
                    f"{self.who.name}: POST {path} -> {response.status}: {response.body[:300]!r}"
                )
            else:
                attempt.outcome = "error"
                self.stats.other_errors.append(
                    f"{self.who.name}: POST {path} -> {response.status}: {response.body[:300]!r}"
                )
        return attempt, response

    def take_ack(self, attempt: Attempt, response: Response) -> None:
        """An acknowledged save: its answer must carry the next version and show the item it changed."""
        try:
            attempt.new_version = version_of(response.body)
        except ValueError as exc:
            attempt.note = f"acknowledged, but {exc}"
            self.stats.other_errors.append(f"{self.who.name}: {attempt.note}: {response.body[:200]!r}")
            self.state_known = False
            return
        expected_id = attempt.detail["item"] if attempt.kind == "label" else next_entity_id(self.state)
        selected = selected_of(response.body)
        attempt.shown = f'data-id="{expected_id}"' in response.body and selected in (None, expected_id)
        if attempt.new_version != attempt.sent_version + 1 or not attempt.shown:
            self.stats.other_errors.append(
                f"{self.who.name}: save at version {attempt.sent_version} answered version {attempt.new_version}, "
                f"item {expected_id} shown: {attempt.shown} (selected {selected})"
            )
        if not self.state_known:  # acknowledged on top of a state this client does not know
            self.version, self.last_ack_state = attempt.new_version, None
            return
        self.version = attempt.new_version
        self.state = self.after(attempt.kind, attempt.detail, self.state, selected or expected_id)
        self.last_ack_state = dict(self.state)

    async def edit(self) -> None:
        """Make one edit: send it, and after a refusal or a lost connection reload and try again."""
        kind, detail = self.choose()
        self.intents += 1
        intent = self.intents
        for _ in range(MAX_TRIES_PER_EDIT):
            if time.monotonic() >= self.deadline:
                return
            base = self.version
            attempt, response = await self.post_edit(kind, detail, base, False, intent)
            if attempt.outcome == "ack":
                self.take_ack(attempt, response)
                return
            self.state_known = False
            if not await self.recover(self.deadline + RECOVERY_GRACE):
                return
            if attempt.outcome in ("unknown", "not_sent"):
                shown = self.applied(kind, detail, self.state)
                attempt.applied_later = self.version == base + 1 and shown
                if attempt.outcome == "not_sent" and self.version != base:
                    self.stats.other_errors.append(f"{self.who.name}: a save never sent moved the version")
                if self.version == base:
                    continue  # not saved: send it again on the reloaded version
                return  # saved after all (or something else happened: the checks will tell)
            if attempt.outcome == "refused":
                continue  # the reload brought the latest version; the same edit again on it
            return  # 5xx or another error: counted; go on with another edit

    async def stale_save(self) -> None:
        """A save from an old tab (one version behind): must be refused with 409, then reload."""
        kind, detail = self.choose()
        self.intents += 1
        attempt, response = await self.post_edit(kind, detail, self.version - 1, True, self.intents)
        if attempt.outcome == "ack":
            self.stats.other_errors.append(
                f"{self.who.name}: a stale save (version {attempt.sent_version}) was accepted"
            )
            self.take_ack(attempt, response)
            return
        self.state_known = False
        await self.recover(self.deadline + RECOVERY_GRACE)

    async def run(self, start: asyncio.Event, deadline_of) -> None:
        await start.wait()
        self.deadline = deadline_of()
        while time.monotonic() < self.deadline and len(self.attempts) < MAX_ATTEMPTS_PER_CLIENT:
            if self.version > 1 and self.rng.random() < self.stale_rate:
                await self.stale_save()
            else:
                await self.edit()
            if self.think:
                await asyncio.sleep(self.rng.uniform(0, 2 * self.think))


# --- a run -------------------------------------------------------------------------------------


@dataclass
class Run:
    setup: Setup
    workers: int
    seconds: float
    clients: list[Client]
    stats: Stats
    elapsed: float

    @property
    def attempts(self) -> list[Attempt]:
        return [a for c in self.clients for a in c.attempts]


async def drive(
    setup: Setup,
    server: Server,
    seconds: float,
    *,
    seed: int = SEED,
    stale_rate: float = 0.05,
    think: float = 0.0,
    background=(),
    stats: Stats | None = None,
) -> Run:
    """Sign everyone in, then let them save for `seconds`; `background` coroutines (given the run's
    start time) run alongside, e.g. the killer of bench/faults.py, and may read `stats`."""
    stats = stats if stats is not None else Stats()
    rng = random.Random(seed + 1)
    clients = [
        Client(i, who, setup.labels, server.port, random.Random(rng.getrandbits(64)), stats, stale_rate, think)
        for i, who in enumerate(setup.annotators)
    ]
    prepare_until = time.monotonic() + 120
    await asyncio.gather(*(c.prepare(prepare_until) for c in clients))
    start, deadline = asyncio.Event(), {}
    tasks = [asyncio.create_task(c.run(start, lambda: deadline["at"])) for c in clients]
    begun = time.monotonic()
    deadline["at"] = begun + seconds
    start.set()
    extra_tasks = [asyncio.create_task(job(begun)) for job in background]
    hard_limit = seconds + RECOVERY_GRACE + REQUEST_TIMEOUT + 30
    done, pending = await asyncio.wait(tasks + extra_tasks, timeout=hard_limit)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            raise task.exception()
    if pending:
        stats.other_errors.append(f"{len(pending)} task(s) did not finish within {hard_limit:.0f} s and were cancelled")
    last = max((a.t_done for c in clients for a in c.attempts), default=begun + seconds)
    elapsed = max(last - begun, 1e-9)
    return Run(setup, server.workers, seconds, clients, stats, elapsed)


# --- the checks --------------------------------------------------------------------------------


def _opened_from(db, set_id: int) -> list:
    """The items an annotator's set started from: the model's suggestions of its article."""
    from annotator import store
    from annotator.model import as_suggestions

    article_id = store.get_set(db, set_id).article_id
    model = store.find_set(db, article_id, "model")
    return [] if model is None else list(as_suggestions(store.load_annotation(db, model.id)).items())


def _norm_db_item(item) -> ItemKey:
    parts = tuple((role, span.start, span.end) for role, span in item.spans)
    links = tuple(sorted((role, target) for role, target in item.links if target is not None))
    return (item.id, item.layer, item.label, item.origin, parts, links)


def _matches(attempt: Attempt, change: dict) -> bool:
    after = change.get("after", [])
    if attempt.kind == "label":
        return any(d["id"] == attempt.detail["item"] and d["label"] == attempt.detail["label"] for d in after)
    span = [attempt.detail["start"], attempt.detail["end"]]
    return any(
        d["layer"] == "entity"
        and d.get("entity") == span
        and d["label"] == attempt.detail["label"]
        and d.get("origin") == "added"  # made by a person (before the origins of issue 12: "human")
        for d in after
    )


@dataclass
class Verdict:
    integrity: str = ""
    acknowledged: int = 0
    refused: int = 0
    unknown: int = 0
    not_sent: int = 0
    unknown_applied: int = 0
    lost: int = 0
    duplicated: int = 0
    unexplained: int = 0  # history rows no save asked for (counted as duplicated too)
    stale_written: int = 0
    inconsistent_sets: int = 0  # items differ from the history replayed
    final_mismatch: int = 0  # items differ from the client's last acknowledged state
    version_gaps: int = 0
    problems: list[str] = field(default_factory=list)


def check(
    db_path: Path, clients: list[Client], *, acked_before: float | None = None, final_state: bool = True
) -> Verdict:
    """Compare the database with what every client was told. With `acked_before`, only saves
    acknowledged before that moment count (for a backup copy taken then)."""
    from annotator import db as database
    from annotator import store
    from annotator.model import item_from_dict

    verdict = Verdict()
    plain = sqlite3.connect(str(db_path))
    verdict.integrity = "; ".join(row[0] for row in plain.execute("PRAGMA integrity_check"))
    fk = plain.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        verdict.problems.append(f"foreign key check: {fk[:5]}")
    plain.close()
    db = database.connect(db_path, migrate=False)
    for client in clients:
        attempts = client.attempts
        if acked_before is not None:
            attempts = [a for a in attempts if a.t_done < acked_before]
        acks = [a for a in attempts if a.outcome == "ack"]
        if acked_before is None:
            verdict.acknowledged += len(acks)
            verdict.refused += sum(a.outcome == "refused" for a in attempts)
            verdict.unknown += sum(a.outcome == "unknown" for a in attempts)
            verdict.not_sent += sum(a.outcome == "not_sent" for a in attempts)
        if not client.set_id:
            continue
        rows = db.execute(
            "SELECT version, action, change FROM history WHERE set_id = ? ORDER BY id", [client.set_id]
        ).fetchall()
        versions = [r[0] for r in rows]
        if versions != list(range(1, len(rows) + 1)):
            verdict.version_gaps += 1
            verdict.problems.append(f"{client.who.name}: history versions {versions[:20]}…")
        stored = db.execute("SELECT version FROM annotation_sets WHERE id = ?", [client.set_id]).fetchone()[0]
        if rows and stored != rows[-1][0]:
            verdict.problems.append(f"{client.who.name}: set version {stored}, last history version {rows[-1][0]}")
        by_target: dict[int, list[Attempt]] = defaultdict(list)
        for a in client.attempts:  # every attempt, also those after the cut: a row may be theirs
            by_target[a.sent_version + 1].append(a)
        rank = {"ack": 0, "unknown": 1, "not_sent": 2, "5xx": 3, "error": 4, "refused": 5}
        found: dict[int, dict] = {}
        rows_of_intent: Counter = Counter()
        for version, action, change_json in rows:
            change = json.loads(change_json)
            if action != "edit":
                if version != 1:
                    verdict.unexplained += 1
                    verdict.problems.append(f"{client.who.name}: a {action!r} row at version {version}")
                continue
            found[version] = change
            candidates = sorted(
                (a for a in by_target.get(version, []) if _matches(a, change)), key=lambda a: rank.get(a.outcome, 9)
            )
            if not candidates:
                verdict.unexplained += 1
                verdict.problems.append(
                    f"{client.who.name}: history row at version {version} matches no save: {change_json[:200]}"
                )
                continue
            chosen = candidates[0]
            rows_of_intent[chosen.intent] += 1
            if chosen.outcome == "refused":
                verdict.stale_written += 1
                verdict.problems.append(
                    f"{client.who.name}: a save refused with 409 is in the history (version {version})"
                )
            if chosen.outcome in ("5xx", "error"):
                verdict.problems.append(
                    f"{client.who.name}: a save answered {chosen.status} is in the history (version {version})"
                )
            if chosen.outcome in ("unknown", "not_sent") and acked_before is None:
                verdict.unknown_applied += 1
                if chosen.outcome == "not_sent":
                    verdict.problems.append(
                        f"{client.who.name}: a save never sent is in the history (version {version})"
                    )
        dups = sum(n - 1 for n in rows_of_intent.values() if n > 1)
        verdict.duplicated += dups
        if dups:
            verdict.problems.append(f"{client.who.name}: {dups} edit(s) written twice")
        for a in acks:
            change = found.get(a.sent_version + 1)
            if change is None or not _matches(a, change):
                verdict.lost += 1
                verdict.problems.append(
                    f"{client.who.name}: acknowledged save (version {a.sent_version} -> {a.new_version}, "
                    f"{a.kind} {a.detail}) not in the history"
                )
        # The items must be the history replayed: nothing half-written.
        current: dict[str, ItemKey] = {}
        for _version, _action, change_json in rows:
            change = json.loads(change_json)
            if "items" in change and "after" not in change:
                # a new set's first entry counts its items (issue 15): the set was opened from
                # the model's suggestions, read here from the model's set, not from this one
                current = {item.id: _norm_db_item(item) for item in _opened_from(db, client.set_id)}
            for d in change.get("before", []):
                current.pop(d["id"], None)
            for d in change.get("after", []):
                current[d["id"]] = _norm_db_item(item_from_dict(d))
        annotation = store.load_annotation(db, client.set_id)
        held_items = {item.id: _norm_db_item(item) for item in annotation.items()}
        held = {e.id: (e.start, e.end, e.label) for e in annotation.entities}
        if held_items != current:
            verdict.inconsistent_sets += 1
            verdict.problems.append(f"{client.who.name}: the set's items differ from its history replayed")
        if final_state and acked_before is None:
            # With nothing of unknown outcome after the last acknowledged save, the set must hold
            # exactly what that save's answer showed.
            last_ack = max((i for i, a in enumerate(client.attempts) if a.outcome == "ack"), default=-1)
            later_unknown = any(a.outcome in ("unknown", "not_sent") for a in client.attempts[last_ack + 1 :])
            if client.last_ack_state is not None and not later_unknown and held != client.last_ack_state:
                verdict.final_mismatch += 1
                verdict.problems.append(f"{client.who.name}: the stored items differ from the last acknowledged state")
            elif client.state_known and held != client.state:
                verdict.final_mismatch += 1
                verdict.problems.append(f"{client.who.name}: the stored items differ from the last page the client saw")
    db.close()
    verdict.duplicated += verdict.unexplained + verdict.stale_written
    return verdict


# --- the report --------------------------------------------------------------------------------


def latency_ms(run: Run) -> tuple[float, float]:
    times = sorted(a.latency * 1000 for a in run.attempts if a.outcome == "ack")
    if not times:
        return float("nan"), float("nan")
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    return statistics.median(times), p99


def table(headers: list[str], values: list) -> str:
    cells = [str(v) for v in values]
    widths = [max(len(h), len(c)) for h, c in zip(headers, cells)]
    line = lambda items: "| " + " | ".join(s.ljust(w) for s, w in zip(items, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", line(cells)])


@dataclass
class Summary:
    annotators: int
    workers: int
    seconds: float
    verdict: Verdict
    n5xx: int
    p50: float
    p99: float
    throughput: float
    errors: list[str]

    @property
    def ok(self) -> bool:
        v = self.verdict
        return (
            v.integrity == "ok"
            and v.lost == 0
            and v.duplicated == 0
            and self.n5xx == 0
            and v.inconsistent_sets == 0
            and v.final_mismatch == 0
            and v.version_gaps == 0
            and not v.problems
        )

    @property
    def clean(self) -> bool:
        """ok, and nothing else went wrong either (no connection errors, no unexpected 4xx)."""
        v = self.verdict
        return self.ok and not self.errors and v.unknown == 0 and v.not_sent == 0


def summarise(run: Run, verdict: Verdict) -> Summary:
    p50, p99 = latency_ms(run)
    return Summary(
        len(run.clients),
        run.workers,
        run.seconds,
        verdict,
        run.stats.responses_5xx,
        p50,
        p99,
        verdict.acknowledged / run.elapsed if run.elapsed else 0.0,
        list(run.stats.other_errors),
    )


def load_table(s: Summary) -> str:
    v = s.verdict
    return table(
        [
            "annotators",
            "workers",
            "seconds",
            "saves acknowledged",
            "saves refused (409)",
            "5xx",
            "lost",
            "duplicated",
            "p50 ms",
            "p99 ms",
            "throughput (saves/s)",
        ],
        [
            s.annotators,
            s.workers,
            f"{s.seconds:g}",
            v.acknowledged,
            v.refused,
            s.n5xx,
            v.lost,
            v.duplicated,
            f"{s.p50:.1f}",
            f"{s.p99:.1f}",
            f"{s.throughput:.1f}",
        ],
    )


def details(run: Run, s: Summary) -> str:
    v = s.verdict
    lines = [
        f"integrity_check: {v.integrity}; sets whose items differ from their history replayed: {v.inconsistent_sets}; "
        f"differ from the client's last acknowledged state: {v.final_mismatch}; version gaps: {v.version_gaps}",
        f"page loads: {run.stats.page_loads}; unknown outcomes: {v.unknown} "
        f"(of which found applied: {v.unknown_applied}); "
        f"connections refused (nothing sent): {v.not_sent}; other errors: {len(s.errors)}",
    ]
    for problem in (v.problems + s.errors)[:30]:
        lines.append(f"  ! {problem}")
    return "\n".join(lines)


def run_load(
    annotators: int = 50,
    seconds: float = 60,
    workers: int = 4,
    *,
    seed: int = SEED,
    stale_rate: float = 0.05,
    think: float = 0.0,
    folder: Path | None = None,
    quiet: bool = False,
) -> tuple[Run, Summary]:
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    setup = build(folder or scratch("load"), annotators, seed)
    say(f"built {setup.db} ({len(setup.annotators)} annotators)")
    server = Server(setup, workers)
    try:
        say(
            f"server up on {HOST}:{server.port} in {server.start():.1f} s; "
            f"{annotators} annotators save for {seconds:g} s"
        )
        run = asyncio.run(drive(setup, server, seconds, seed=seed, stale_rate=stale_rate, think=think))
    finally:
        server.stop()
    verdict = check(setup.db, run.clients)
    return run, summarise(run, verdict)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--stale-rate", type=float, default=0.05, help="share of saves sent from a stale tab (must get 409)"
    )
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds an annotator waits between saves")
    args = parser.parse_args(argv)
    run, summary = run_load(
        args.annotators, args.seconds, args.workers, seed=args.seed, stale_rate=args.stale_rate, think=args.think
    )
    print(load_table(summary))
    print(details(run, summary))
    print("result: " + ("pass" if summary.clean else "FAIL"))
    return 0 if summary.clean else 1


if __name__ == "__main__":
    sys.exit(main())
