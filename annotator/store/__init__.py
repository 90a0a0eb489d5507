"""Every read and write of the database. Takes a Database; knows nothing of HTTP.

All SQL of the application lives in this package, so that another database could
replace SQLite behind these functions. Rows are read by column name. Modules:
`users` (people and sign-in failures), `articles`, `items` (the items of sets),
`sets` (annotation sets), `history` (saving an edit, undo, status), `queue`
(assignment and the queue), `export` (reading many sets at once, streamed).
"""

from ..errors import Conflict, NotFound, NothingToUndo, StaleVersion, UndoConflict
from .articles import (
    count_articles,
    ensure_article,
    find_article,
    get_article,
    get_article_text,
    iter_article_ids,
)
from .export import iter_sets, iter_submitted, stats
from .history import Saved, StatusEntry, changes_since, edit, history, last_change, set_status, status_history, undo
from .items import load_annotation, load_annotations
from .queue import (
    QueueRow,
    annotators_per_article,
    assign,
    assign_if_open,
    get_setting,
    holds,
    next_article,
    open_articles,
    progress,
    queue_page,
    release,
    set_annotators_per_article,
    set_setting,
)
from .sets import (
    AnnotationSet,
    find_set,
    get_set,
    gold_statuses,
    open_gold,
    open_set,
    put_set,
    sets_of_article,
    submitted_versions,
)
from .users import (
    User,
    add_user,
    clear_login_failures,
    get_user,
    get_user_by_name,
    list_users,
    recent_login_failures,
    record_login_failure,
    set_password,
    user_for_import,
)

__all__ = [
    "AnnotationSet",
    "Conflict",
    "NotFound",
    "NothingToUndo",
    "QueueRow",
    "Saved",
    "StatusEntry",
    "changes_since",
    "gold_statuses",
    "sets_of_article",
    "status_history",
    "StaleVersion",
    "UndoConflict",
    "User",
    "add_user",
    "annotators_per_article",
    "assign",
    "assign_if_open",
    "clear_login_failures",
    "count_articles",
    "edit",
    "ensure_article",
    "find_article",
    "find_set",
    "get_article",
    "get_article_text",
    "get_set",
    "get_setting",
    "get_user",
    "get_user_by_name",
    "history",
    "holds",
    "iter_article_ids",
    "iter_sets",
    "iter_submitted",
    "last_change",
    "list_users",
    "load_annotation",
    "load_annotations",
    "next_article",
    "open_articles",
    "open_gold",
    "open_set",
    "progress",
    "put_set",
    "queue_page",
    "recent_login_failures",
    "record_login_failure",
    "release",
    "set_annotators_per_article",
    "set_password",
    "set_setting",
    "set_status",
    "stats",
    "submitted_versions",
    "undo",
    "user_for_import",
]
