"""The annotation page's keys: one table, rendered into the page's script, its help and the README.

A binding maps chords to a command of the page's script. A chord is a
`KeyboardEvent.key` value, prefixed by the modifiers held, in the order Ctrl,
Alt, Shift ("Shift+ArrowRight", "Ctrl+z"); Shift is named for non-printable keys
and letters ("Shift+A"), not for the symbols it makes ("?", "%"), and a letter
without Shift is lower case whatever Caps Lock says. Label keys (1…0 and
letters) come from the project's label schemes; a label may not take a key
listed here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Binding:
    chords: tuple[str, ...]  # what the script matches
    command: str  # the script's command
    group: str  # where the help lists it
    does: str  # what the help and the README say
    shown: str = ""  # how the keys are written in the help, when not simply the chords


BINDINGS: tuple[Binding, ...] = (
    Binding(("a",), "confirm", "Suggestions", "accept the selected suggestion as it is"),
    Binding(("Shift+A",), "confirm_all", "Suggestions", "accept every suggestion of the article nobody looked at"),
    Binding(
        ("Shift+P",),
        "confirm_paragraph",
        "Suggestions",
        "accept the untouched suggestions of the selection's paragraph",
    ),
    Binding(
        ("ArrowDown", "ArrowUp"),
        "step_unconfirmed",
        "Suggestions",
        "select the next / previous untouched suggestion, in any layer",
        "↓ ↑",
    ),
    Binding(("ArrowLeft", "ArrowRight"), "step", "Moving", "select the previous / next item of the layer", "← →"),
    Binding(("Shift+L",), "switch_layer", "Moving", "switch layer: select the nearest quote, event or entity"),
    Binding(
        ("Shift+ArrowLeft", "Shift+ArrowRight"), "move_end", "Spans", "move the span's end one token", "Shift + ← →"
    ),
    Binding(
        ("Alt+Shift+ArrowLeft", "Alt+Shift+ArrowRight"),
        "move_start",
        "Spans",
        "move the span's start one token",
        "Alt + Shift + ← →",
    ),
    Binding(
        ("Ctrl+Shift+ArrowRight", "Ctrl+Shift+ArrowLeft"),
        "extend",
        "Spans",
        "select text by keyboard: a word more / less, starting after the selected item",
        "Ctrl + Shift + → ←",
    ),
    Binding(("Delete", "Backspace"), "delete", "Spans", "remove the selected span, quote or event"),
    Binding(("q",), "new_quote", "Quotes", "make the selected text a new quote (its content)"),
    Binding(("c",), "set_cue", "Quotes", "with a quote selected: the selected text becomes its cue"),
    Binding(("r",), "set_source", "Quotes", "with a quote selected: the selected text becomes its source"),
    Binding(("u",), "add_content", "Quotes", "with a quote selected: the selected text becomes another content span"),
    Binding(
        ("k",),
        "pick_speaker",
        "Quotes and events",
        "pick the quote's speaker or the event's source actor (type to filter, Enter to take)",
    ),
    Binding(("x",), "pick_target", "Events", "with an event selected: pick its target actor"),
    Binding(("e",), "arm_event", "Events", "then a type key: make the selected text a new event trigger"),
    Binding(("Ctrl+z",), "undo", "Everywhere", "undo your last change (repeatable)", "Ctrl + Z"),
    Binding(
        ("Enter",),
        "submit",
        "Everywhere",
        "submit and go to the next article (asks first when suggestions were never looked at)",
    ),
    Binding(("s",), "skip", "Everywhere", "skip this article (asks first: a skipped article is read-only)"),
    Binding(("Escape",), "clear", "Everywhere", "clear the selection", "Esc"),
    Binding(("?",), "help", "Everywhere", "show the keys"),
)

# Keys no label may take: the key of every chord ("z" of Ctrl+z too, to keep labels clear of commands).
RESERVED = frozenset(chord.rsplit("+", 1)[-1] or "+" for b in BINDINGS for chord in b.chords)


def shown(binding: Binding) -> str:
    return binding.shown or " / ".join(binding.chords)


def chords() -> dict[str, str]:
    """Chord → command, for the page's script."""
    return {chord: b.command for b in BINDINGS for chord in b.chords}


def groups() -> dict[str, list[Binding]]:
    """The bindings by the help's groups, in order."""
    out: dict[str, list[Binding]] = {}
    for binding in BINDINGS:
        out.setdefault(binding.group, []).append(binding)
    return out


def markdown() -> str:
    """The README's key table."""
    rows = [
        "| key | does |",
        "|---|---|",
        "| `1`…`0`, letters | label the selected text, or relabel the selected item "
        "(each label's key is listed beside it) |",
    ]
    rows += [f"| `{shown(b)}` | {b.does} |" for b in BINDINGS]
    return "\n".join(rows) + "\n"
