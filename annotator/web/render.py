"""The article text as HTML with all three layers drawn over it, built in one sweep.

Plain string building rather than a template loop: this runs on every page load
and every save, over articles of thousands of words. The text is cut at every
span boundary of every layer; each piece is wrapped in the quote parts, event
trigger and entity covering it (outermost first), so layers may overlap freely.
Pieces of one item share its `data-id`; the first piece of an item carries
class `first`, the last `last` (where its label badge goes). Everything that
comes from data is escaped.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..config import Scheme
from ..model import MODEL, Annotation, Item

_ROLE_CLASS = {"content": "qc", "cue": "qcue", "source": "qsrc", "trigger": "trig", "entity": "ent"}
_PREFIX = {"entity": "l", "quote": "q", "event": "v"}
# Nesting order of a piece's wrappers, outermost first.
_DEPTH = {"content": 0, "source": 1, "cue": 2, "trigger": 3, "entity": 4}


def article_html(
    text: str, annotation: Annotation, schemes: dict[str, Scheme], classes: dict[str, str] | None = None
) -> Markup:
    """The text with every item's spans marked; offsets in data-s/data-e for the page's script.

    `classes` adds a class to an item's pieces by id (the review page marks agreement so).
    """
    classes = classes or {}
    colour = {layer: {n: i for i, n in enumerate(s.names)} for layer, s in schemes.items()}
    # (position, is_start, order key, part) for every span of every item
    marks: list[tuple[int, int, tuple, tuple]] = []
    for item in annotation.items():
        for index, (role, span) in enumerate(item.spans()):
            part = (item, role, span, index)
            marks.append((span.start, 1, (_DEPTH[role], item.id, index), part))
            marks.append((span.end, 0, (_DEPTH[role], item.id, index), part))
    marks.sort(key=lambda m: (m[0], m[1]))
    parts: list[str] = []
    active: dict[tuple, tuple] = {}
    pos = 0
    for at, is_start, key, part in marks:
        if at > pos:
            parts.append(_piece(text, pos, at, active, colour, classes))
            pos = at
        if is_start:
            active[key] = part
        else:
            active.pop(key, None)
    parts.append(escape(text[pos:]))
    return Markup("".join(parts))


def _piece(text: str, start: int, end: int, active: dict, colour: dict, extra: dict[str, str]) -> str:
    body = str(escape(text[start:end]))
    if not active:
        return body
    opened, closed = [], []
    for key in sorted(active):
        item, role, span, index = active[key]
        tag = "mark" if role == "entity" else "span"
        classes = [_ROLE_CLASS[role], f"{_PREFIX[item.layer]}{colour[item.layer].get(item.label, 'x')}"]
        if item.origin == MODEL:
            classes.append("suggested")
        if item.id in extra:
            classes.append(extra[item.id])
        if start == span.start:
            classes.append("first")
        if end == span.end:
            classes.append("last")
        opened.append(
            f'<{tag} class="{" ".join(classes)}" data-id="{escape(item.id)}" data-layer="{item.layer}" '
            f'data-role="{role}" data-label="{escape(item.label)}" data-s="{span.start}" data-e="{span.end}">'
        )
        closed.append(f"</{tag}>")
    return "".join(opened) + body + "".join(reversed(closed))


def doc_data(text: str, annotation: Annotation) -> dict:
    """What the page's script needs to show a selected item's parts and links."""

    def item_data(item: Item) -> dict:
        return {
            "id": item.id,
            "layer": item.layer,
            "label": item.label,
            "origin": item.origin,
            "parts": [
                {"role": role, "start": s.start, "end": s.end, "text": text[s.start : s.end]} for role, s in item.spans()
            ],
            "links": dict(item.links()),
        }

    return {"items": [item_data(item) for item in annotation.items()]}


def labels_css(schemes: dict[str, Scheme]) -> str:
    """One colour class per label (l0…, q0…, v0…): colours from the project, no inline style needed."""
    rules = []
    for layer, scheme in schemes.items():
        rules.extend(f".{_PREFIX[layer]}{i} {{ --c: {label.colour}; }}" for i, label in enumerate(scheme.labels))
    return "\n".join(rules) + "\n"
