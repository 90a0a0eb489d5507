"""The `train` and `evaluate` commands (registered on the `annotator` group in cli.py): thin wrappers over
`training.train` and `evaluating.evaluate`, imported when a command runs (they bring spaCy, which every
other command, `serve` first, does without)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from . import config as project_config
from . import evaluation
from .errors import AnnotatorError
from .model import TRAINING_SOURCES

if TYPE_CHECKING:
    from .cli import Paths


@click.command()
@click.option(
    "--layer",
    default="all",
    show_default=True,
    type=click.Choice([*project_config.LAYERS, "all"]),
    help="What to learn: entities, quotes (content, cue, source), events (typed triggers), or all three.",
)
@click.option(
    "--from",
    "source",
    default="gold",
    show_default=True,
    type=click.Choice(TRAINING_SOURCES),
    help="Learn from the gold sets, or from the annotators' submitted sets.",
)
@click.option("--base", help="The pipeline to start from: a spaCy pipeline, a registered version, or blank:en.")
@click.option("--out", "name", help="The new version's name (default LAYER-DATE-N).")
@click.option(
    "--max-minutes", default=30.0, show_default=True, type=click.FloatRange(0.5), help="Time budget for training."
)
@click.pass_obj
def train(paths: Paths, layer, source, base, name, max_minutes) -> None:
    """Train a model version on the team's annotations with spaCy's loop and register it by name."""
    from . import training

    project = paths.project()
    try:
        with paths.database() as db:
            trained = training.train(
                db, layer=layer, source=source, base=base or project.model, name=name, max_minutes=max_minutes
            )
    except AnnotatorError as exc:
        raise click.ClickException(str(exc)) from None
    version = trained.version
    for note in trained.notes:
        click.echo(f"Note: {note}.")
    scores = ", ".join(f"{key} {value:.3f}" for key, value in sorted(version.scores.items())) or "none"
    click.echo(
        f"Registered model version {version.name}: {', '.join(version.layers)} from {version.source}, "
        f"{version.train_documents} article(s) trained on, {version.dev_documents} held out "
        f"({version.split}); dev scores: {scores}; {version.minutes:.1f} min; {version.path}"
    )


@click.command()
@click.option("--model", "name", help="The registered model version (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@click.pass_obj
def evaluate(paths: Paths, name, as_json) -> None:
    """Score a model version on the gold articles it did not train on, the model as one more annotator."""
    from . import evaluating

    try:
        with paths.database() as db:
            result = evaluating.evaluate(db, paths.project(), name)
    except AnnotatorError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(result.to_json(), ensure_ascii=False) if as_json else evaluation.table(result))
