"""The `annotator` command: thin click wrappers over the library's plain functions."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from sqlite_utils import Database
from werkzeug.security import generate_password_hash

from . import (
    ROOT,
    SetupError,
    __version__,
    create_app,
    default_config_path,
    default_db_path,
    exporting,
    formats,
    importing,
    reviewing,
    store,
)
from . import config as project_config
from . import db as database
from .agreement import LayerReport
from .errors import AnnotatorError
from .model import ROLES


@dataclass
class Paths:
    db: Path
    config: Path

    def project(self) -> project_config.Project:
        try:
            return project_config.load(self.config)
        except project_config.ConfigError as exc:
            raise click.ClickException(str(exc)) from None

    @contextmanager
    def database(self) -> Iterator[Database]:
        """The database, closed when the command is done with it."""
        db = database.connect(self.db)
        try:
            yield db
        finally:
            db.close()


pass_paths = click.make_pass_decorator(Paths)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ANNOTATOR_DB",
    help="The database file (default: annotator.db here, or $ANNOTATOR_DB).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ANNOTATOR_CONFIG",
    help="The project file (default: annotator.toml beside the database, or $ANNOTATOR_CONFIG).",
)
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, config_path: Path | None) -> None:
    """Correct spaCy pre-annotations of news articles, keep gold labels, export, review agreement."""
    db_path = db_path or default_db_path()
    ctx.obj = Paths(db_path, config_path or default_config_path(db_path))


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing project file.")
@pass_paths
def init(paths: Paths, force: bool) -> None:
    """Create the database and a project file with a random secret key."""
    if paths.config.exists() and not force:
        click.echo(f"{paths.config} exists already; kept it (use --force to write a new one).")
    else:
        project_config.write_new(paths.config)
        click.echo(f"Wrote {paths.config} (label schemes and a new secret key).")
    with paths.database():
        pass
    click.echo(f"Database ready: {paths.db}")


@cli.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *formats.readers()]),
    help="The files' format; auto guesses from the name.",
)
@click.option("--annotator", help="Annotator name for records that do not carry one.")
@click.option("--preannotate", is_flag=True, help="Run the spaCy pipeline and store its output as predictions.")
@click.option("--model", help="spaCy pipeline (name or path) instead of the project's.")
@pass_paths
def import_(paths: Paths, sources, fmt, annotator, preannotate, model) -> None:
    """Import articles and annotations (files or folders), all or nothing."""
    try:
        with paths.database() as db:
            report = importing.import_paths(
                db, paths.project(), sources, fmt=fmt, annotator=annotator, preannotate=preannotate, model=model
            )
    except importing.ImportFailed as exc:
        raise click.ClickException(f"{exc}\nNothing was imported.") from None
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Imported: {report.summary()}.")


@cli.command()
@click.option("--model", help="spaCy pipeline (name or path) instead of the project's.")
@click.option("--n-process", default=1, show_default=True, type=click.IntRange(1), help="Worker processes.")
@pass_paths
def preannotate(paths: Paths, model, n_process) -> None:
    """Run the spaCy pipeline over every article, replacing the stored predictions."""
    with paths.database() as db:
        done, warning = importing.preannotate(db, paths.project(), model=model, n_process=n_process)
    if warning:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Pre-annotated {done} article(s).")


@cli.command()
@click.option("--format", "fmt", required=True, type=click.Choice(formats.writers()), help="Output format.")
@click.option(
    "--from",
    "source",
    default="gold",
    show_default=True,
    type=click.Choice(list(exporting.SOURCES)),
    help="Which annotation sets: gold, annotators' annotations, or model predictions.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Output file; a folder for brat, and for spacy unless it ends in .spacy (shards).",
)
@click.option("--submitted-only", is_flag=True, help="Only annotations their annotator submitted.")
@pass_paths
def export(paths: Paths, fmt, source, out, submitted_only) -> None:
    """Export annotation sets, streamed record by record."""
    try:
        with paths.database() as db:
            count = exporting.export(db, fmt, source, out, submitted_only=submitted_only)
    except exporting.ExportFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {count} record(s) to {out}.")


@cli.command()
@click.option("--per-article", type=click.IntRange(1, 50), help="How many annotators each article gets (k).")
@pass_paths
def assign(paths: Paths, per_article) -> None:
    """Show or set how many annotators each article gets."""
    with paths.database() as db:
        if per_article is not None:
            store.set_annotators_per_article(db, per_article)
        click.echo(f"Each article goes to {store.annotators_per_article(db)} annotator(s).")


@cli.command()
@click.option(
    "--layer",
    type=click.Choice(project_config.LAYERS),
    multiple=True,
    help="Only this layer (repeatable; default all three).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per layer, one per line.")
@click.option(
    "--touched-only",
    is_flag=True,
    help="Count only items a person touched (accepted, changed or added), not suggestions submitted unseen.",
)
@pass_paths
def agreement(paths: Paths, layer: tuple[str, ...], as_json: bool, touched_only: bool) -> None:
    """Inter-annotator agreement over articles with two or more submitted annotations."""
    with paths.database() as db:
        found = reviewing.reports(db, paths.project(), layer or project_config.LAYERS, touched_only=touched_only)
    if as_json:
        for report in found:
            click.echo(json.dumps(report.to_json(), ensure_ascii=False))
        return
    for report in found:
        click.echo(_agreement_summary(report))


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _agreement_summary(report: LayerReport) -> str:
    """A few lines a person reads at the terminal; --json has everything."""
    lines = [
        f"{report.layer}: {report.documents} document(s), {report.documents_skipped} with fewer than two "
        f"annotations left out; annotators: {', '.join(report.annotators) or 'none'}",
        f"  token alpha {_figure(report.token_alpha)} · kappa (mean) {_figure(report.kappa.mean)} · "
        f"span F1 exact {_figure(report.span_f1.exact)}, overlap {_figure(report.span_f1.overlap)}",
    ]
    for label, scores in sorted(report.per_label.items()):
        if scores.support:
            lines.append(f"    {label:<12} F1 {_figure(scores.f1)}  (support {scores.support})")
    return "\n".join(lines)


@cli.group()
def users() -> None:
    """Manage the people who sign in."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.password_option(help="Their password (asked for when omitted).")
@pass_paths
def users_add(paths: Paths, name, role, password) -> None:
    """Add a user with a role and a password."""
    name = name.strip()
    if not name:
        raise click.ClickException("the name is empty")
    try:
        with paths.database() as db:
            store.add_user(db, name, role, generate_password_hash(password))
    except AnnotatorError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Added {role} {name}.")


@users.command("list")
@pass_paths
def users_list(paths: Paths) -> None:
    """List the users and their roles."""
    with paths.database() as db:
        found = store.list_users(db)
    for user in found:
        note = "" if user.password_hash else "  (no password: imported, cannot sign in)"
        click.echo(f"{user.name}\t{user.role}{note}")


def _app(paths: Paths):
    try:
        return create_app({"DATABASE": paths.db, "PROJECT_FILE": paths.config})
    except (SetupError, project_config.ConfigError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--production", is_flag=True, help="Serve with gunicorn, several worker processes.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64), help="gunicorn workers.")
@pass_paths
def serve(paths: Paths, host, port, production, workers) -> None:
    """Serve the web app: Flask's threaded server, or gunicorn with --production."""
    app = _app(paths)  # checked here, so a bad set-up fails before any worker starts
    click.echo(f"Serving {paths.db} at http://{host}:{port}/" + (f" with {workers} workers" if production else ""))
    if production:
        from .production import serve as serve_production

        serve_production(paths.db, paths.config, host, port, workers)
    else:
        app.run(host=host, port=port, threaded=True, use_reloader=False)


@cli.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@pass_paths
def backup(paths: Paths, target: Path) -> None:
    """Write a consistent copy of the database to TARGET, even while the server runs."""
    if target.exists():
        raise click.ClickException(f"{target} exists already; choose a new file")
    pages, check = database.backup(paths.db, target)
    if check != "ok":
        raise click.ClickException(f"the copy at {target} failed its integrity check: {check}")
    click.echo(f"Backed up {paths.db} to {target} ({pages} pages, integrity ok).")


DEMO_USERS = (("admin", "admin"), ("alice", "annotator"), ("bob", "annotator"), ("rita", "reviewer"))


@cli.command()
@click.option(
    "--seeds",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=ROOT / "seeds",
    show_default=True,
    help="Folder of articles to load.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up only; do not start the server.")
@pass_paths
def demo(paths: Paths, seeds, host, port, no_serve) -> None:
    """Set up a demo here (project, seed articles pre-annotated, accounts) and serve it."""
    if not paths.config.exists():
        project_config.write_new(paths.config)
    with paths.database() as db:
        try:
            report = importing.import_paths(db, paths.project(), [seeds], preannotate=True, progress=False)
        except importing.ImportFailed as exc:
            raise click.ClickException(str(exc)) from None
        # Both demo annotators get every article, so the review pages have something to compare.
        store.set_annotators_per_article(db, 2)
        accounts = _demo_accounts(db)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Seed articles: {report.summary()}.")
    click.echo("\nDemo accounts (name / password):")
    for name, role, password in accounts:
        click.echo(f"  {name:<6} {password}   {role}")
    click.echo(f"\nOpen http://{host}:{port}/ and sign in.")
    if not no_serve:
        _app(paths).run(host=host, port=port, threaded=True, use_reloader=False)


def _demo_accounts(db: Database) -> list[tuple[str, str, str]]:
    """The demo users with fresh passwords (printed once; the database keeps only hashes)."""
    accounts = []
    for name, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        if store.get_user_by_name(db, name) is None:
            store.add_user(db, name, role, generate_password_hash(password))
        else:
            store.set_password(db, name, generate_password_hash(password))
        accounts.append((name, role, password))
    return accounts
