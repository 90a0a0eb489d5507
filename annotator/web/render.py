"""The article text as HTML with its entity marks, built in one pass.

Plain string building rather than a template loop: this runs on every page
load and every save, over articles of thousands of words. Everything that
comes from data is escaped.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..config import Scheme
from ..model import MODEL, Annotation


def article_html(text: str, annotation: Annotation, scheme: Scheme) -> Markup:
    """Text with one <mark> per entity; offsets live in data-s/data-e for the page's script."""
    colours = {name: i for i, name in enumerate(scheme.names)}
    parts: list[str] = []
    pos = 0
    for entity in annotation.entities:
        parts.append(escape(text[pos : entity.start]))
        classes = f"ent l{colours.get(entity.label, 'x')}" + (" suggested" if entity.origin == MODEL else "")
        parts.append(
            f'<mark class="{classes}" data-id="{escape(entity.id)}" data-label="{escape(entity.label)}" '
            f'data-s="{entity.start}" data-e="{entity.end}">'
        )
        parts.append(escape(text[entity.start : entity.end]))
        parts.append("</mark>")
        pos = entity.end
    parts.append(escape(text[pos:]))
    return Markup("".join(parts))


def labels_css(schemes: dict[str, Scheme]) -> str:
    """One colour class per label (l0, l1, ...): colours from the project, no inline style needed."""
    rules = []
    for layer, scheme in schemes.items():
        prefix = {"entity": "l", "quote": "q", "event": "v"}[layer]
        rules.extend(f".{prefix}{i} {{ --c: {label.colour}; }}" for i, label in enumerate(scheme.labels))
    return "\n".join(rules) + "\n"
