"""Production serving: gunicorn with several worker processes over one SQLite database in WAL mode.

Each worker builds its own app (and so its own connections); SQLite's write
lock, taken by BEGIN IMMEDIATE with a busy timeout, serialises the writes.
"""

from __future__ import annotations

from pathlib import Path

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, db: Path, config: Path, options: dict):
        self.db, self.config, self.options = db, config, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app({"DATABASE": self.db, "PROJECT_FILE": self.config})


def serve(db: Path, config: Path, host: str, port: int, workers: int) -> None:
    """Run gunicorn in the foreground until stopped."""
    _Server(
        db,
        config,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 60,
            "graceful_timeout": 10,
            "accesslog": "-",
        },
    ).run()
