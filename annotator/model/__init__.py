"""The domain: articles, annotation sets, the items of the three layers, and their rules.

Every span is a pair of character offsets into the article text. `items` defines
the one item shape and the layers; `annotation` an annotation set's content and
its changes; `checks` the rules; `text` articles, records and tokens; `policy`
who may do what; `keys` the annotation page's key bindings.
"""

from ..errors import Invalid
from .annotation import Annotation, Change, Checked, as_suggestions
from .checks import Schemes, check, check_change
from .items import (
    ACCEPTED,
    ADDED,
    CHANGED,
    HUMAN,
    LAYER_NAMES,
    LAYERS,
    LINK_ROLES,
    LINK_TARGET,
    MODEL,
    ORIGINS,
    SPAN_ROLES,
    Item,
    Layer,
    Span,
    guess_quote_type,
    item_from_dict,
    item_to_dict,
    layer_of,
    origin_of,
)
from .policy import REVIEWERS, ROLES, can_edit, can_read
from .text import SET_KINDS, STATUSES, TRAINING_SOURCES, Article, Record, Tokens, paragraphs

__all__ = [
    "ACCEPTED",
    "ADDED",
    "CHANGED",
    "HUMAN",
    "ORIGINS",
    "origin_of",
    "paragraphs",
    "LAYERS",
    "REVIEWERS",
    "ROLES",
    "can_edit",
    "can_read",
    "LAYER_NAMES",
    "LINK_ROLES",
    "LINK_TARGET",
    "MODEL",
    "SET_KINDS",
    "TRAINING_SOURCES",
    "SPAN_ROLES",
    "STATUSES",
    "Annotation",
    "Article",
    "Change",
    "Checked",
    "Invalid",
    "Item",
    "Layer",
    "Record",
    "Schemes",
    "Span",
    "Tokens",
    "as_suggestions",
    "check",
    "check_change",
    "guess_quote_type",
    "item_from_dict",
    "item_to_dict",
    "layer_of",
]
