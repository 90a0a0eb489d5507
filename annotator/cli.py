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

from . import (
    ROOT,
    SetupError,
    __version__,
    create_app,
    default_config_path,
    default_db_path,
    exporting,
    files,
    formats,
    labels,
    processes,
    reviewing,
    store,
)
from . import cli_learning as learning_commands
from . import config as project_config
from . import db as database
from .agreement import LayerReport
from .cli_users import users
from .errors import AnnotatorError
from .formats.conll import DOCS_EVERY as conll_docs_every
from .model import accounts


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
    def database(self, *, create: bool = False) -> Iterator[Database]:
        """The database, closed when the command is done with it; only `create` makes a new one."""
        if not create:
            self.require_db()
        db = database.connect(self.db)
        try:
            yield db
        finally:
            db.close()

    def require_db(self) -> None:
        try:
            database.require(self.db)
        except database.NoDatabase as exc:
            raise click.ClickException(str(exc)) from None


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


cli.add_command(users)


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing project file.")
@pass_paths
def init(paths: Paths, force: bool) -> None:
    """Create the database and a project file with a random secret key, both readable by you only."""
    if paths.config.exists() and not force:
        click.echo(f"{paths.config} exists already; kept it (use --force to write a new one).")
    else:
        project_config.write_new(paths.config)
        click.echo(f"Wrote {paths.config} (label schemes and a new secret key).")
    with paths.database(create=True):
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
    help="The files' format; auto knows it from the name, and from the content where names are shared.",
)
@click.option("--annotator", help="Annotator name for records that do not carry one.")
@click.option(
    "--as",
    "kind",
    type=click.Choice(["model", "annotator", "gold"]),
    help="Store every set as this kind (default: what each record says; an annotator's set).",
)
@click.option(
    "--labels",
    "labels_mode",
    default="strict",
    show_default=True,
    type=click.Choice(labels.MODES),
    help="Labels the project lacks: refuse them (strict), or add them to the project file (extend).",
)
@click.option("--label-map", help="Rename labels on the way in: FROM=TO,FROM2=TO2 (an empty TO drops the label).")
@click.option("--strict", is_flag=True, help="Fail when anything in the files is skipped (unmodelled annotations).")
@click.option(
    "--docs-every",
    type=click.IntRange(1),
    help=f"CoNLL files without -DOCSTART-: sentences per article (default {conll_docs_every}).",
)
@click.option("--preannotate", is_flag=True, help="Run the spaCy pipeline and store its output as predictions.")
@click.option("--model", help="A registered model version or a spaCy pipeline (name or path); default the project's.")
@pass_paths
def import_(
    paths: Paths, sources, fmt, annotator, kind, labels_mode, label_map, strict, docs_every, preannotate, model
):
    """Import articles and annotations (files or folders), all or nothing."""
    from . import importing  # spaCy is loaded where the import tokenizes (in a second process, as it reads)

    try:
        options = importing.Options(
            fmt, annotator, kind, labels_mode, labels.parse_map(label_map), strict, docs_every, preannotate, model
        )
    except AnnotatorError as exc:
        raise click.ClickException(str(exc)) from None
    if labels_mode == "extend" and not paths.config.exists():
        project_config.write_new(paths.config)
        click.echo(f"Wrote {paths.config} (the labels an import adds are kept there).", err=True)
    try:
        with paths.database() as db:
            report = importing.import_paths(db, paths.project(), sources, options=options)
    except importing.ImportFailed as exc:
        raise click.ClickException(f"{exc}\nNothing was imported.") from None
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if report.skipped:
        click.echo("Skipped (not modelled here; --strict makes this an error):", err=True)
        for line in report.skipped:
            click.echo(f"  {line}", err=True)
    for layer, added in report.labels_added.items():
        click.echo(f"Added {layer} label(s) to {paths.config}: {', '.join(added)}", err=True)
    click.echo(f"Imported: {report.summary()}.")


@cli.command()
@click.option("--model", help="A registered model version or a spaCy pipeline (name or path); default the project's.")
@click.option("--n-process", default=1, show_default=True, type=click.IntRange(1), help="Worker processes.")
@pass_paths
def preannotate(paths: Paths, model, n_process) -> None:
    """Pre-annotate every article nobody has opened yet, replacing its predictions; human work is never touched."""
    from . import preannotating

    try:
        with paths.database() as db:
            run = preannotating.preannotate(db, paths.project(), model=model, n_process=n_process)
    except AnnotatorError as exc:
        raise click.ClickException(str(exc)) from None
    if run.warning:
        click.echo(f"Warning: {run.warning}", err=True)
    click.echo(f"Pre-annotated {run.done} article(s) with {run.model}; {run.kept} already opened kept theirs.")


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
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=min(2, processes.cores()),
    show_default="2, or 1 on one core",
    help="Processes writing spacy shards at once, each a run of the sets (other formats: one).",
)
@pass_paths
def export(paths: Paths, fmt, source, out, submitted_only, jobs) -> None:
    """Export annotation sets, streamed record by record."""
    try:
        with paths.database() as db:
            count = exporting.export(db, fmt, source, out, submitted_only=submitted_only, jobs=jobs)
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
    """Serve the web app: Flask's threaded server, or gunicorn with --production.

    Warns when the database or the project file can be read by other users.
    """
    app = _app(paths)  # checked here, so a bad set-up fails before any worker starts
    for warning in files.exposed([*files.database_files(paths.db), paths.config]):
        click.echo(f"Warning: {warning}", err=True)
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
    """Write a consistent copy of the database to a new file TARGET (yours only), even while serving."""
    paths.require_db()
    try:
        pages, check = database.backup(paths.db, target)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
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
    from . import importing

    if not paths.config.exists():
        project_config.write_new(paths.config)
    with paths.database(create=True) as db:
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
    made = []
    for name, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        if store.get_user_by_name(db, name) is None:
            store.add_user(db, name, role, accounts.password_hash(password, name))
        else:
            store.set_password(db, name, accounts.password_hash(password, name))
        made.append((name, role, password))
    return made


# `train` and `evaluate` live beside the code they drive.
cli.add_command(learning_commands.train)
cli.add_command(learning_commands.evaluate)
