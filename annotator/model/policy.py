"""Who may do what: the roles, and the rule for reading and editing an annotation set."""

from __future__ import annotations

from typing import Protocol

ROLES = ("annotator", "reviewer", "admin")
REVIEWERS = frozenset(("reviewer", "admin"))  # see everyone's work, make gold


class Person(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...


class OwnedSet(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def user_id(self) -> int | None: ...


def can_read(user: Person, found: OwnedSet) -> bool:
    """Annotators read only their own sets; reviewers and admins read every set."""
    return found.user_id == user.id or user.role in REVIEWERS


def can_edit(user: Person, found: OwnedSet) -> bool:
    """A set is edited by its annotator; gold by reviewers and admins; nobody edits the model's."""
    return found.user_id == user.id or (found.kind == "gold" and user.role in REVIEWERS)
