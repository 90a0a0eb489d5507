"""The production server (gunicorn, several workers) and a backup taken while it serves."""

import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from annotator import db as database
from annotator import store

from .conftest import PASSWORD, SECRET_KEY

BIN = Path(sys.executable).parent / "annotator"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def production(seeded_path, tmp_path):
    project = tmp_path / "annotator.toml"
    project.write_text(f'[project]\nsecret_key = "{SECRET_KEY}"\n')
    port = _free_port()
    proc = subprocess.Popen(
        [BIN, "--db", seeded_path, "--config", project, "serve", "--production", "--workers", "2", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/login", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the production server did not start: " + proc.stdout.read().decode()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def _browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_production_serves_saves_and_backs_up(production, seeded_path, tmp_path):
    client = _browser()
    html = client.open(f"{production}/login").read().decode()
    form = urllib.parse.urlencode({"name": "alice", "password": PASSWORD, "csrf_token": _csrf(html)}).encode()
    page = client.open(f"{production}/login", data=form).read().decode()  # follows the redirect to the queue
    assert "Your queue" in page
    db = database.connect(seeded_path)
    start = urllib.parse.urlencode({"csrf_token": _csrf(page)}).encode()
    page = client.open(f"{production}/next", data=start).read().decode()  # Start: claims the seed article
    set_id = int(re.search(r'data-base="/sets/(\d+)"', page).group(1))
    body = urllib.parse.urlencode({"version": 1, "layer": "entity", "start": 0, "end": 4, "label": "LOC"}).encode()
    request = urllib.request.Request(
        f"{production}/sets/{set_id}/items", data=body, headers={"X-CSRF-Token": _csrf(page), "HX-Request": "true"}
    )
    try:
        assert client.open(request).status == 200
    except urllib.error.HTTPError as exc:
        pytest.fail(exc.read().decode())
    assert (0, 4, "LOC") in {(e.start, e.end, e.label) for e in store.load_annotation(db, set_id).entities}

    copy = tmp_path / "backup.db"
    result = subprocess.run([BIN, "--db", seeded_path, "backup", copy], capture_output=True, text=True)
    assert result.returncode == 0 and "integrity ok" in result.stdout, result.stdout + result.stderr
    backed_up = database.connect(copy)
    assert (0, 4, "LOC") in {(e.start, e.end, e.label) for e in store.load_annotation(backed_up, set_id).entities}
    assert (
        backed_up.execute("SELECT count(*) FROM history").fetchone()
        == db.execute("SELECT count(*) FROM history").fetchone()
    )


def test_production_backup_refuses_to_overwrite(seeded_path, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("x")
    result = subprocess.run([BIN, "--db", seeded_path, "backup", target], capture_output=True, text=True)
    assert result.returncode == 1 and "exists already" in result.stderr
    assert target.read_text() == "x"
