"""Our side: the `annotator` command for import and export, `annotator serve --production` for the pages.

Two annotators sign in. `bench` holds every article (assigned with the store as set-up, untimed),
so its /queue has as many pages as Label Studio's task list; `labeler` holds only what it opens,
as a typical annotator does (each article gets two annotators). The requests are what the
annotation page sends (htmx headers, the CSRF token, the set's version), over one kept-alive
connection per annotator, as a browser's.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import requests

from .peers_procs import HOST, Proc, free_port, wait_until

BIN = Path(sys.executable).parent / "annotator"
HOLDER, LABELER = "bench", "labeler"
PASSWORD = "bench-password-ours"
WORKERS = 4  # `serve --production`'s default
# The accept-all of the annotation page: one POST that confirms every suggestion of a
# set, e.g. "/confirm-all" (appended to the set's base, /sets/<id>); None: 40 POSTs of .../confirm.
CONFIRM_ALL: str | None = "/confirm-all"


def _attr(html: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]+)"', html)
    if found is None:
        raise RuntimeError(f"no {name} in the page; has the page changed?")
    return found.group(1)


class Page:
    """An opened annotation set: where its edits go and the version the next one must name."""

    def __init__(self, html: str):
        self.base = _attr(html, "data-base")
        self.version = int(_attr(html, "data-version"))
        self.flip = False


class Ours:
    """One project folder (database and project file) and, while started, its server."""

    def __init__(self, folder: Path, log: Path):
        self.folder, self.log = folder, log
        self.db, self.config = folder / "annotator.db", folder / "annotator.toml"
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.server: Proc | None = None
        self.holder, self.labeler = Annotator(self.base, HOLDER), Annotator(self.base, LABELER)

    def command(self, *args: str, name: str = "annotator") -> Proc:
        argv = [str(BIN), "--db", str(self.db), "--config", str(self.config), *args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
        return Proc(name, argv, env=env, cwd=self.folder, log=self.log).start()

    def init(self) -> None:
        """A new project and its two annotators."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.command("init").wait(300)
        for name in (HOLDER, LABELER):
            self.command("users", "add", name, "--role", "annotator", "--password", PASSWORD).wait(300)

    def assign_all(self, labeled: list[str]) -> dict[str, int]:
        """Give `bench` every article and `labeler` the `labeled` ones (external ids), two annotators an
        article (set-up, untimed); article ids by external id. A URL opens only what its user holds
        (claims are made by the queue's Start, a POST): the labeler is given what it will open."""
        from annotator import db as database
        from annotator import store

        db = database.connect(self.db)
        try:
            user = store.get_user_by_name(db, HOLDER).id
            ids = {r["ext_id"]: r["id"] for r in db.query("SELECT id, ext_id FROM articles ORDER BY id")}
            labeler = store.get_user_by_name(db, LABELER).id
            with database.write(db):
                for article_id in ids.values():
                    store.assign(db, article_id, user)
                for ext_id in labeled:
                    store.assign(db, ids[ext_id], labeler)
            store.set_annotators_per_article(db, 2)
        finally:
            db.close()
        return ids

    def start(self, timeout: float = 120) -> float:
        """Start the server; seconds to its first 200 (bench's /queue once signed in, else the sign-in page)."""
        argv = ["serve", "--production", "--workers", str(WORKERS), "--host", HOST, "--port", str(self.port)]
        self.server = self.command(*argv, name="annotator serve")
        path = "/queue" if self.holder.csrf else "/login"

        def ready() -> bool:
            return self.holder.status(path) == 200

        return wait_until(ready, self.server.started, timeout, "our first 200", self.server)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        for annotator in (self.holder, self.labeler):
            annotator.http.close()  # the next start opens new connections, as a browser would

    def export(self, fmt: str, out: Path) -> Proc:
        """`annotator export` of the predictions, started; the caller waits and samples its memory."""
        return self.command("export", "--format", fmt, "--from", "predictions", "--out", str(out), name=f"export {fmt}")


class Annotator:
    """One signed-in annotator's browser: a session cookie, the CSRF token, a kept-alive connection."""

    def __init__(self, base: str, name: str):
        self.base, self.name = base, name
        self.http = requests.Session()
        self.http.trust_env = False
        self.csrf = ""

    def status(self, path: str) -> int:
        try:
            return self.http.get(self.base + path, allow_redirects=False, timeout=5).status_code
        except requests.ConnectionError:
            return 0

    def sign_in(self) -> None:
        token = _attr(self._ok(self.http.get(f"{self.base}/login", timeout=30)).text, 'name="csrf_token" value')
        form = {"name": self.name, "password": PASSWORD, "csrf_token": token}
        self._ok(self.http.post(f"{self.base}/login", data=form, timeout=30))
        self.csrf = _attr(self._ok(self.http.get(f"{self.base}/queue", timeout=30)).text, 'name="csrf-token" content')

    def _ok(self, response: requests.Response) -> requests.Response:
        if response.status_code != 200:
            what = f"{response.request.method} {response.url}: {response.status_code}"
            raise RuntimeError(f"ours {what} {response.text[:300]}")
        return response

    def queue(self, after: int) -> None:
        self._ok(self.http.get(f"{self.base}/queue", params={"after": after} if after else None, timeout=60))

    def open(self, article_id: int) -> Page:
        return Page(self._ok(self.http.get(f"{self.base}/articles/{article_id}", timeout=60)).text)

    def _post(self, page: Page, path: str, form: dict) -> None:
        headers = {"X-CSRF-Token": self.csrf, "HX-Request": "true"}
        form = {**form, "version": page.version}
        answer = self.http.post(self.base + page.base + path, data=form, headers=headers, timeout=60)
        page.version = int(_attr(self._ok(answer).text, "data-version"))

    def save(self, page: Page) -> None:
        """One edit: relabel the first suggestion, back and forth (never to a label of the workload)."""
        page.flip = not page.flip
        self._post(page, "/items/t1/label", {"label": "MONEY" if page.flip else "QUANTITY"})

    def confirm(self, page: Page, spans: int) -> None:
        """Accept every suggestion: one POST of the accept-all when there is one, else one confirm each."""
        if CONFIRM_ALL is not None:
            self._post(page, CONFIRM_ALL, {})
            return
        for k in range(1, spans + 1):
            self._post(page, f"/items/t{k}/confirm", {})
