"""The article text as HTML with all three layers drawn over it.

The text is cut into paragraphs (each keeps its trailing newline), and each
paragraph at every span boundary of every layer; each piece is wrapped in the
quote parts, event trigger and entity covering it (outermost first), so layers
may overlap freely. Pieces of one item share its `data-id`; the first piece of
each span has class `first`, the last `last`. Each item has one handle: an
empty `span.tag` (its label drawn by CSS, so the text's characters stay the
article's) with a role, a name and focus, at the start of a quote and the end
of an entity or trigger, inside the item's own piece and outside any other
item's, so no control nests in another. A save re-renders only the paragraphs
its change touches. Plain string building rather than a template loop: this
runs on every page load and save. Everything from data is escaped.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from operator import attrgetter

from markupsafe import Markup, escape

from ..config import Scheme
from ..model import ACCEPTED, ADDED, CHANGED, MODEL, Annotation, Change, Item, paragraphs
from . import colours

_ROLE_CLASS = {"content": "qc", "cue": "qcue", "source": "qsrc", "trigger": "trig", "entity": "ent"}
_PREFIX = {"entity": "l", "quote": "q", "event": "v"}
# Nesting order of a piece's wrappers, outermost first.
_DEPTH = {"content": 0, "source": 1, "cue": 2, "trigger": 3, "entity": 4}
# Where each layer's handle sits: where a quote begins, where an entity or a trigger ends.
_HANDLE_AT_START = {"entity": False, "quote": True, "event": False}
# What each origin is called, where a person reads it.
ORIGIN_WORDS = {
    MODEL: "suggestion, never looked at",
    ACCEPTED: "suggestion, accepted as it was",
    CHANGED: "suggestion, then changed",
    ADDED: "added by a person",
}


# What HTML escaping replaces (markupsafe's escape: & < > " '); text without any is returned as it is.
_SPECIAL = re.compile("[&<>\"']").search


def _escaped(value: str) -> str:
    """`value` escaped for HTML, as markupsafe escapes it; most pieces of text, every id and most labels
    need nothing, and are not copied (a save renders a paragraph of some seventy of them)."""
    return value if _SPECIAL(value) is None else str(escape(value))


_OOB = ' hx-swap-oob="true"'  # htmx swaps the element by its id, wherever it is


def status_line(
    status: str, version: int, counts: dict[str, int], message: str, set_base: str, reopenable: bool, oob: bool = False
) -> Markup:
    """The status line: what the last request did, the set's state (read-only unless a draft) and its
    figures. Built here, not by a template, for the same reason as the paragraphs: every save sends it."""
    state = status.capitalize()
    readonly = ""
    if status != "draft":
        reopen = (
            f'<button type="button" class="small" id="reopen" hx-post="{_escaped(set_base)}/reopen">'
            "Reopen to change it</button>"
            if reopenable
            else ""
        )
        readonly = f'<span class="readonly">{state}: read-only. {reopen}</span>'
    untouched = counts["suggestions"]
    return Markup(
        f'<div id="status" class="status-line{" saved" if message.startswith("Saved") else ""}" role="status" '
        f'aria-live="polite"{_OOB if oob else ""}><span class="msg">{_escaped(message or state)}</span> {readonly}'
        f'<span class="counts">{counts["entities"]} entities · {counts["quotes"]} quotes · {counts["events"]} events · '
        f'<span id="untouched" data-count="{untouched}">{untouched} untouched suggestion{"" if untouched == 1 else "s"}'
        f"</span> · version {version}</span></div>"
    )


def doc_meta(status: str, version: int, set_base: str, editable: bool, oob: bool = False) -> Markup:
    """What the page's script reads of the set (its address, version, status, whether it may be edited),
    and the version its forms send."""
    swap = _OOB if oob else ""
    return Markup(
        f'<div id="doc-meta" hidden data-base="{_escaped(set_base)}" data-version="{version}" '
        f'data-status="{_escaped(status)}" data-editable="{"true" if editable else "false"}"{swap}></div>'
        f'<input type="hidden" id="doc-version" name="version" value="{version}"{swap}>'
    )


def paragraph_html(index: int, body: str, *, ids: bool = True, oob: bool = False) -> str:
    """A paragraph's body in its <span class="para">; `oob` marks it for htmx to swap by its id."""
    ident = f' id="p{index}"' if ids else ""
    swap = ' hx-swap-oob="true"' if oob else ""
    return f'<span class="para"{ident}{swap}>{body}</span>'


@functools.lru_cache(maxsize=64)
def _paragraphs(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """A text's paragraphs and their starts, found once: a save renders with the cached article's
    text, whose hash the string keeps, so this is a lookup instead of a walk over the text."""
    bounds = tuple(paragraphs(text))
    return bounds, tuple(start for start, _ in bounds)


class Renderer:
    """Renders one article's paragraphs for one annotation."""

    def __init__(
        self,
        text: str,
        annotation: Annotation,
        schemes: dict[str, Scheme],
        classes: dict[str, str] | None = None,
        ids: bool = True,
    ):
        self.text, self.annotation, self.classes, self.ids = text, annotation, classes or {}, ids
        self.colour = {layer: {n: i for i, n in enumerate(s.names)} for layer, s in schemes.items()}
        self.bounds, self._starts = _paragraphs(text)
        self._filed: list[list[tuple]] | None = None

    def _parts(self, index: int) -> list[tuple]:
        """Every span of every item touching paragraph `index`: filed all at once for a whole
        page, looked up one paragraph at a time for a save (which renders one or two)."""
        if self._filed is not None:
            return self._filed[index]
        p_start, p_end = self.bounds[index]
        entities = self.annotation.entities
        # entities never overlap, so their ends are as sorted as their starts
        lo = bisect.bisect_right(entities, p_start, key=attrgetter("end"))
        hi = bisect.bisect_left(entities, p_end, key=attrgetter("start"))
        found = [(e, "entity", e.main, 0) for e in entities[lo:hi]]
        for item in (*self.annotation.quotes, *self.annotation.events):
            first, last = item.reach
            if first >= p_end or last <= p_start:
                continue
            for i, (role, span) in enumerate(item.spans):
                if span.start < p_end and p_start < span.end:
                    found.append((item, role, span, i))
        return found

    def _file_all(self) -> None:
        self._filed = [[] for _ in self.bounds]
        for item in self.annotation.items():
            for index, (role, span) in enumerate(item.spans):
                for p in self.touched(span.start, span.end):
                    self._filed[p].append((item, role, span, index))

    def touched(self, start: int, end: int) -> range:
        """Indexes of the paragraphs a character range touches."""
        first = bisect.bisect_right(self._starts, start) - 1
        last = bisect.bisect_right(self._starts, max(start, end - 1)) - 1
        return range(max(first, 0), last + 1)

    def all(self) -> Markup:
        return Markup("".join(self.wrap(i, body) for i, body in enumerate(self.every_body())))

    def every_body(self) -> list[str]:
        """The inside of every paragraph, all rendered at once."""
        self._file_all()
        return [self.body(i) for i in range(len(self.bounds))]

    def wrap(self, index: int, body: str, oob: bool = False) -> str:
        return paragraph_html(index, body, ids=self.ids, oob=oob)

    def paragraph(self, index: int, oob: bool = False) -> str:
        return self.wrap(index, self.body(index), oob)

    def body(self, index: int) -> str:
        """The inside of one paragraph: its pieces wrapped in the items covering them."""
        p_start, p_end = self.bounds[index]
        events: list[tuple[int, int, tuple, tuple]] = []
        for part in self._parts(index):
            _, role, span, i = part
            key = (_DEPTH[role], part[0].id, i)
            events.append((max(span.start, p_start), 1, key, part))
            events.append((min(span.end, p_end), 0, key, part))
        events.sort(key=lambda e: (e[0], e[1]))
        out: list[str] = []
        active: dict[tuple, tuple] = {}
        pos = p_start
        for at, is_start, key, part in events:
            if at > pos:
                out.append(self._piece(pos, at, active))
                pos = at
            if is_start:
                active[key] = part
            else:
                active.pop(key, None)
        out.append(_escaped(self.text[pos:p_end]))
        return "".join(out)

    def _piece(self, start: int, end: int, active: dict) -> str:
        body = _escaped(self.text[start:end])
        if not active:
            return body
        opened, closed = [], []
        for key in sorted(active):
            item, role, span, index = active[key]
            tag = "mark" if role == "entity" else "span"
            classes = [_ROLE_CLASS[role], f"{_PREFIX[item.layer]}{self.colour[item.layer].get(item.label, 'x')}"]
            if item.origin == MODEL:
                classes.append("suggested")
            if item.id in self.classes:
                classes.append(self.classes[item.id])
            if start == span.start:
                classes.append("first")
            if end == span.end:
                classes.append("last")
            at_start = _HANDLE_AT_START[item.layer]
            handle = self.handle(item) if index == 0 and (start == span.start if at_start else end == span.end) else ""
            opened.append(
                f'<{tag} class="{" ".join(classes)}" data-id="{_escaped(item.id)}" data-layer="{item.layer}" '
                f'data-role="{role}" data-label="{_escaped(item.label)}" data-s="{span.start}" data-e="{span.end}">'
                + (handle if at_start else "")
            )
            closed.append(("" if at_start else handle) + f"</{tag}>")
        return "".join(opened) + body + "".join(reversed(closed))

    def handle(self, item: Item) -> str:
        """The item's one handle: its label badge, a button a person (or a screen reader) can focus."""
        suggested = item.origin == MODEL
        name = f"{item.label} {item.layer}{', suggestion' if suggested else ''}"
        focus = f' role="button" tabindex="-1" aria-label="{_escaped(name)}"' if self.ids else ' aria-hidden="true"'
        return (
            f'<span class="tag{" suggested" if suggested else ""}" data-id="{_escaped(item.id)}" '
            f'data-layer="{item.layer}" data-s="{item.start}" data-label="{_escaped(item.label)}"{focus}></span>'
        )

    def changed(self, *changes: Change) -> list[int]:
        """The paragraphs changes touch (where their removed or added items were or are)."""
        found: set[int] = set()
        for change in changes:
            for item in (*change.before, *change.after):
                for _, span in item.spans:
                    found.update(self.touched(span.start, span.end))
        return sorted(found)


def article_html(
    text: str,
    annotation: Annotation,
    schemes: dict[str, Scheme],
    classes: dict[str, str] | None = None,
    ids: bool = True,
) -> Markup:
    """The whole text with every item's spans marked (`classes` adds a class to an item's pieces)."""
    return Renderer(text, annotation, schemes, classes, ids).all()


def label_class(schemes: dict[str, Scheme], layer: str, label: str) -> str:
    """The colour class of a label (l0…, q0…, v0…), or "" for a label the scheme does not have."""
    names = schemes[layer].names
    return f"{_PREFIX[layer]}{names.index(label)}" if label in names else ""


def item_fields(item: Item, annotation: Annotation, text: str) -> list[tuple[str, str]]:
    """What the side panel lists of an item: each span role's text and each link's entity."""
    kind = item.kind
    fields = [(role, " … ".join(text[s.start : s.end] for s in item.parts(role))) for role in kind.roles]
    for role in kind.links:
        target = annotation.get(item.link(role) or "")
        fields.append((role.replace("_", " "), f"{text[target.start : target.end]} ({target.label})" if target else ""))
    return fields


def labels_css(schemes: dict[str, Scheme]) -> str:
    """One colour class per label (l0…, q0…, v0…): the colour (--c), the text drawn on it (--on-c) and
    the colour as readable text on the page (--c-ink), light and dark; no inline style needed."""
    light: list[str] = []
    dark: list[str] = []
    for layer, scheme in schemes.items():
        for i, label in enumerate(scheme.labels):
            name, colour = f".{_PREFIX[layer]}{i}", label.colour
            on = colours.text_on(colour)
            light.append(f"{name} {{ --c: {colour}; --on-c: {on}; --c-ink: {colours.ink(colour, colours.PAPER)}; }}")
            dark.append(f"  {name} {{ --c-ink: {colours.ink(colour, colours.DARK_PAPER)}; }}")
    return "\n".join(light) + "\n@media (prefers-color-scheme: dark) {\n" + "\n".join(dark) + "\n}\n"


def counts_after(before: dict[str, int], annotation: Annotation, changes: Iterable[Change]) -> dict[str, int]:
    """`counts(annotation)`, from the counts of the version the `changes` were made on: a save
    counts the suggestions among the items it changed, not among all of them."""
    suggestions = before["suggestions"]
    for change in changes:
        suggestions += sum(item.origin == MODEL for item in change.after)
        suggestions -= sum(item.origin == MODEL for item in change.before)
    return {
        "entities": len(annotation.entities),
        "quotes": len(annotation.quotes),
        "events": len(annotation.events),
        "suggestions": suggestions,
    }


def counts(annotation: Annotation) -> dict[str, int]:
    """The status line's figures."""
    items: Iterable[Item] = annotation.items()
    return {
        "entities": len(annotation.entities),
        "quotes": len(annotation.quotes),
        "events": len(annotation.events),
        "suggestions": sum(1 for item in items if item.origin == MODEL),
    }
