"""Label Studio's side: its own server (Django's, as `label-studio start` runs it), SQLite, on 127.0.0.1 only.

Installed pinned by `make bench-peers` into bench/peers/.venv-labelstudio (never a project
dependency). Telemetry, error reporting and the version check are off, found in its settings
(label_studio/core/settings/base.py and label_studio.py of 1.23.2):
`COLLECT_ANALYTICS=false` (usage logs sent to Heartex, and the front end's analytics),
`SENTRY_DSN=` and `FRONTEND_SENTRY_DSN=` (empty: `init_sentry` is skipped; the defaults are
Heartex's DSNs), `LATEST_VERSION_CHECK=false` (the PyPI query). As a safety net every outgoing
HTTP(S) request of its process goes to a proxy at 127.0.0.1:9, where nothing listens.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import requests

from .peers_procs import HOST, Proc, free_port, wait_until
from .peers_workload import Task, label_config, ls_result

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "bench" / "peers" / ".venv-labelstudio"
VERSION = "1.23.2"
USER = "admin@bench.local"
PASSWORD = "bench-password-ls"
TOKEN = "b3nch0000000000000000000000000000000000a"  # a legacy API token, loopback only, a throwaway data dir
QUIET = {
    "COLLECT_ANALYTICS": "false",
    "LATEST_VERSION_CHECK": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "DJANGO_DB": "sqlite",
    "LOG_LEVEL": "WARNING",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
PAGE = 50  # tasks per list page, as our queue's


def installed() -> str:
    """The version in the venv; raises when `make bench-peers` has not installed it."""
    from importlib.metadata import PathDistribution

    found = list((VENV / "lib").glob("python3*/site-packages/label_studio-*.dist-info"))
    if not found:
        raise RuntimeError(f"Label Studio is not installed in {VENV}; run `make bench-peers`")
    return PathDistribution(found[0]).version


class LabelStudio:
    """One data dir; `start` measures the seconds to its first authenticated 200."""

    def __init__(self, data_dir: Path, log: Path):
        self.data_dir, self.log = data_dir.resolve(), log  # absolute: Label Studio runs in another folder
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.http = requests.Session()
        self.http.trust_env = False  # our own requests go straight to the loopback
        self.http.headers["Authorization"] = f"Token {TOKEN}"
        self.proc: Proc | None = None
        self.project: int | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "HEARTEX_"))}
        return {**env, **QUIET, "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir), "DATABASE_NAME": str(self.db)}

    @property
    def db(self) -> Path:
        return self.data_dir / "label_studio.sqlite3"

    def start(self, *, create_user: bool = False, timeout: float = 300) -> float:
        argv = [str(VENV / "bin" / "label-studio"), "start", "--no-browser", "--internal-host", HOST]
        argv += ["--port", str(self.port), "--data-dir", str(self.data_dir)]
        if create_user:  # only the first start: the user, its token, and an organisation that accepts it
            argv += ["--username", USER, "--password", PASSWORD, "--user-token", TOKEN, "--enable-legacy-api-token"]
        self.proc = Proc("label-studio", argv, env=self.env(), cwd=self.data_dir.parent, log=self.log).start()
        return wait_until(self._ready, self.proc.started, timeout, "Label Studio's first 200", self.proc)

    def _ready(self) -> bool:
        try:
            return self.http.get(f"{self.base}/api/projects/", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None
        self.http.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None, "Label Studio is not running"
        return self.proc.pid

    # --- set-up -------------------------------------------------------------------------------------

    @classmethod
    def template(cls, folder: Path, log: Path) -> Path:
        """A migrated data dir with the user and token (made once per run: migrations take about a minute)."""
        data = folder / "ls-template"
        if not (data / "label_studio.sqlite3").exists():
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir(parents=True)
            ls = cls(data, log)
            try:
                ls.start(create_user=True, timeout=900)
            finally:
                ls.stop()
        return data

    def create_project(self) -> int:
        answer = self._ok(
            self.http.post(f"{self.base}/api/projects/", json={"title": "bench", "label_config": label_config()})
        )
        self.project = int(answer.json()["id"])
        return self.project

    def _ok(self, response: requests.Response, status: int | tuple = (200, 201)) -> requests.Response:
        expected = status if isinstance(status, tuple) else (status,)
        if response.status_code not in expected:
            raise RuntimeError(
                f"Label Studio {response.request.method} {response.url}: {response.status_code} {response.text[:300]}"
            )
        return response

    # --- the workload -----------------------------------------------------------------------------

    def import_batches(self, bodies: list[bytes]) -> list[int]:
        """POST every batch (tasks with their prediction) to the import API; the new task ids in order."""
        ids: list[int] = []
        for body in bodies:
            answer = self.http.post(
                f"{self.base}/api/projects/{self.project}/import",
                params={"return_task_ids": "true"},
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=600,
            )
            ids.extend(self._ok(answer, 201).json()["task_ids"])
        return ids

    def list_page(self, page: int) -> None:
        """The data manager's task list, as its table asks for a page."""
        params = {"project": self.project, "page": page, "page_size": PAGE}
        found = self._ok(self.http.get(f"{self.base}/api/tasks/", params=params, timeout=60)).json()
        assert len(found["tasks"]) == PAGE, len(found["tasks"])

    def open_task(self, task_id: int) -> None:
        """What the labelling view fetches to show a task: the task with its predictions and annotations."""
        found = self._ok(
            self.http.get(f"{self.base}/api/tasks/{task_id}/", params={"project": self.project}, timeout=60)
        )
        assert found.json()["predictions"], task_id

    def save(self, task_id: int, task: Task, spans: int) -> None:
        """Submit an annotation of the task with its first `spans` predicted regions as the result."""
        body = {"result": ls_result(task, task.spans[:spans]), "project": self.project, "lead_time": 1.0}
        self._ok(self.http.post(f"{self.base}/api/tasks/{task_id}/annotations/", json=body, timeout=60), 201)

    def export(self) -> bytes:
        """A snapshot export with full predictions, waited for and downloaded."""
        base = f"{self.base}/api/projects/{self.project}/exports"
        options = {"serialization_options": {"predictions": {"only_id": False}}}
        snapshot = self._ok(self.http.post(f"{base}/", json=options, timeout=3600), 201).json()
        while snapshot["status"] not in ("completed", "failed"):
            time.sleep(0.2)
            snapshot = self._ok(self.http.get(f"{base}/{snapshot['id']}", timeout=60)).json()
        if snapshot["status"] != "completed":
            raise RuntimeError(f"Label Studio's export failed: {snapshot}")
        params = {"exportType": "JSON"}
        return self._ok(self.http.get(f"{base}/{snapshot['id']}/download", params=params, timeout=3600)).content
