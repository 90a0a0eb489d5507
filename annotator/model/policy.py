"""Who may do what: the roles, who may read a set, and what may be done to a set in each state.

`check` is the one rule for changing a set: every edit route (through the one edit
path), undo, submit, skip and reopen ask it. A set is changed by its annotator
(gold by reviewers and admins; nobody changes the model's), and only while it is
a draft: a submitted set is read-only until its owner reopens it, a skipped one
for good (its slot went back to the pool).
"""

from __future__ import annotations

from typing import Protocol

from ..errors import Forbidden, Invalid, ReadOnly

ROLES = ("annotator", "reviewer", "admin")
REVIEWERS = frozenset(("reviewer", "admin"))  # see everyone's work, make gold

# What may be done to a set.
EDIT, SUBMIT, SKIP, REOPEN = "edit", "submit", "skip", "reopen"
# The states each action starts from.
ALLOWED_FROM = {EDIT: "draft", SUBMIT: "draft", SKIP: "draft", REOPEN: "submitted"}
# Why a set in a state refuses an action that needs another state.
REFUSED = {
    ("submitted", EDIT): "this annotation is submitted, so it is read-only: reopen it to change it",
    ("submitted", SUBMIT): "this annotation is submitted already",
    ("submitted", SKIP): "this annotation is submitted; it can no longer be skipped",
    ("skipped", EDIT): "you skipped this article, so your annotation of it is read-only",
    ("skipped", SUBMIT): "you skipped this article; a skipped article cannot be submitted",
    ("skipped", SKIP): "this article is skipped already",
    ("skipped", REOPEN): "a skipped article is not reopened: its place went to someone else",
    ("draft", REOPEN): "this annotation is open for changes already",
}


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

    @property
    def status(self) -> str: ...


def can_read(user: Person, found: OwnedSet) -> bool:
    """Annotators read only their own sets; reviewers and admins read every set."""
    return found.user_id == user.id or user.role in REVIEWERS


def can_edit(user: Person, found: OwnedSet) -> bool:
    """A set is edited by its annotator; gold by reviewers and admins; nobody edits the model's."""
    return found.user_id == user.id or (found.kind == "gold" and user.role in REVIEWERS)


def check(user: Person, found: OwnedSet, action: str) -> None:
    """Raise unless `user` may do `action` to the set now: Forbidden when it is not theirs to change,
    ReadOnly when its state does not allow it, Invalid for skipping gold."""
    if not can_edit(user, found):
        raise Forbidden("this is someone else's annotation; you can read it but not change it")
    if action == SKIP and found.kind == "gold":
        raise Invalid("gold is not skipped: leave the page, or submit it when it is right")
    if found.status != ALLOWED_FROM[action]:
        refused = REFUSED.get((found.status, action), f"this annotation is {found.status}: not now")
        raise ReadOnly(refused)


def allows(user: Person, found: OwnedSet, action: str) -> bool:
    """Whether `check` would let the action through (what the page offers)."""
    try:
        check(user, found, action)
    except (Forbidden, Invalid):
        return False
    return True
