"""The errors a user can cause, one small type each.

Every layer raises these; the web app maps them to status codes in one place
(`web/errors.py`) and the command line to a one-line message (`cli.py`), so
nothing tells errors apart by their message text.
"""

from __future__ import annotations


class AnnotatorError(Exception):
    """A request the data or the rules do not allow; the message is for the user."""


class Invalid(AnnotatorError, ValueError):
    """An annotation, a request or a value breaks a rule; the message says which."""


class NotFound(AnnotatorError):
    """There is no such article, set, item or user."""


class Forbidden(AnnotatorError):
    """The user may not do this (their role, or the set is not theirs or not editable)."""


class ReadOnly(Forbidden):
    """The set may not be changed in its state (submitted until reopened, skipped for good)."""


class Conflict(AnnotatorError):
    """The request clashes with what is stored (a name taken, an article id with another text)."""


class StaleVersion(Conflict):
    """The set was saved by someone (or another tab) since the client loaded it."""

    def __init__(self, current: int, given: int, *, touched: bool = False):
        what = "this article was changed elsewhere"
        if touched:
            what += ", in the very items your edit changes"
        super().__init__(f"{what} (version {current} saved, yours is {given})")
        self.current = current


class UndoConflict(Conflict):
    """The edit to undo cannot be reverted: what it made has changed since."""


class NothingToUndo(AnnotatorError):
    """The user has no edit of this set left to undo."""
