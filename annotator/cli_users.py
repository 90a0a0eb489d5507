"""`annotator users …`: the people who sign in. Every change to a user ends their sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from . import store
from .errors import AnnotatorError
from .model import ROLES, accounts

if TYPE_CHECKING:  # the group's object; cli.py imports this module, not the other way round
    from .cli import Paths

pass_paths = click.pass_obj


@click.group()
def users() -> None:
    """Manage the people who sign in."""


def _change(paths: Paths, name: str, change: Callable[..., object], *args) -> None:
    """Run one store change on the user, with the library's errors as one-line messages."""
    try:
        with paths.database() as db:
            change(db, accounts.user_name(name), *args)
    except AnnotatorError as exc:
        raise click.ClickException(str(exc)) from None


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.password_option(help="Their password, 12 characters or more (asked for when omitted).")
@pass_paths
def users_add(paths: Paths, name: str, role: str, password: str) -> None:
    """Add a user with a role and a password (not a common or easily guessed one)."""
    try:
        name = accounts.user_name(name)
        hashed = accounts.password_hash(password, name)
    except AnnotatorError as exc:
        raise click.ClickException(str(exc)) from None
    _change(paths, name, lambda db, checked: store.add_user(db, checked, role, hashed))
    click.echo(f"Added {role} {name}.")


@users.command("list")
@pass_paths
def users_list(paths: Paths) -> None:
    """List the users and their roles."""
    with paths.database() as db:
        found = store.list_users(db)
    for user in found:
        note = "" if user.password_hash else "  (no password: cannot sign in)"
        click.echo(f"{user.name}\t{user.role}{note}")


@users.command("passwd")
@click.argument("name")
@click.password_option(help="The new password (asked for when omitted).")
@pass_paths
def users_passwd(paths: Paths, name: str, password: str) -> None:
    """Give a user a new password; their sessions end."""
    try:
        hashed = accounts.password_hash(password, name)
    except AnnotatorError as exc:
        raise click.ClickException(str(exc)) from None
    _change(paths, name, store.set_password, hashed)
    click.echo(f"{name} has a new password; their sessions have ended.")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@pass_paths
def users_role(paths: Paths, name: str, role: str) -> None:
    """Give a user another role; their sessions end."""
    _change(paths, name, store.set_role, role)
    click.echo(f"{name} is now {role}; their sessions have ended.")


@users.command("remove")
@click.argument("name")
@pass_paths
def users_remove(paths: Paths, name: str) -> None:
    """Take away a user's access: their sessions end and no password signs in; their work stays."""
    _change(paths, name, store.remove_user)
    click.echo(f"{name} can no longer sign in; their sessions have ended.")
