"""Every read and write of the database. Takes a Database; knows nothing of HTTP.

All SQL of the application lives in this package, so that another database could
replace SQLite behind these functions. Rows are read by column name. Modules:
`users` (people and sign-in failures), `sessions` (who is signed in), `articles`, `items` (the items of sets),
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
from .history import Saved, edit, history, last_change, set_status, undo
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
from .sessions import Lifetimes, end_session, session_user, start_session
from .sets import (
    AnnotationSet,
    find_set,
    get_set,
    open_gold,
    open_set,
    put_set,
    submitted_versions,
)
from .users import (
    User,
    add_user,
    clear_login_failures,
    end_sessions,
    get_user,
    get_user_by_name,
    list_users,
    login_failures,
    record_login_failure,
    remove_user,
    set_password,
    set_role,
    user_for_import,
)

__all__ = [
    "AnnotationSet",
    "Conflict",
    "Lifetimes",
    "NotFound",
    "NothingToUndo",
    "QueueRow",
    "Saved",
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
    "end_session",
    "end_sessions",
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
    "login_failures",
    "next_article",
    "open_articles",
    "open_gold",
    "open_set",
    "progress",
    "put_set",
    "queue_page",
    "record_login_failure",
    "release",
    "remove_user",
    "set_annotators_per_article",
    "session_user",
    "set_password",
    "set_role",
    "set_setting",
    "set_status",
    "start_session",
    "stats",
    "submitted_versions",
    "undo",
    "user_for_import",
]
