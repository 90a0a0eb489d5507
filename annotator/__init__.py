"""annotator: correct machine pre-annotations of news articles and turn them into gold data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import config as project_config
from . import db as database

# Flask is imported by the web app, not by every command: 8 MB of each export process and
# import at the start (the spaCy export's forked processes each carried it).
if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"
ROOT = Path(__file__).resolve().parent.parent
MAX_REQUEST_BYTES = 1024 * 1024


class SetupError(RuntimeError):
    """The app cannot start as configured; the message says what to do."""


def default_db_path() -> Path:
    return Path(os.environ.get("ANNOTATOR_DB", "annotator.db"))


def default_config_path(db_path: Path) -> Path:
    env = os.environ.get("ANNOTATOR_CONFIG")
    return Path(env) if env else db_path.with_name("annotator.toml")


def create_app(test_config: dict | None = None) -> Flask:
    """The web app over one database and one project file."""
    from flask import Flask

    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    settings = dict(test_config or {})
    db_path = Path(settings.pop("DATABASE", default_db_path()))
    project = project_config.load(Path(settings.pop("PROJECT_FILE", default_config_path(db_path))))
    secret = settings.pop("SECRET_KEY", None) or project.secret_key
    problem = project_config.secret_problem(secret)
    if problem is not None:
        where = project.path or default_config_path(db_path)
        advice = "" if project.path else " Run `annotator init` to write a project file with a random one."
        raise SetupError(f"{where}: {problem}.{advice}")
    app.config.update(
        SECRET_KEY=secret,
        DATABASE=str(db_path),
        PROJECT=project,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=project.secure_cookies,
        # Edits are small forms; anything bigger is refused with a 413 and a message.
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    app.config.update(settings)
    try:
        database.require(db_path)
    except database.NoDatabase as exc:
        raise SetupError(str(exc)) from None
    database.connect(db_path).close()  # brings the schema up to date once, at start

    from . import web

    web.init_app(app)
    return app
