"""Colours that stay readable: WCAG 2 contrast, and the text and ink colours drawn with a label colour.

A project may give any label any colour, so the text drawn on it (a badge's label)
and the label colour used as text on the page are computed, never picked by eye:
black or white text on the colour, whichever contrasts more, and the colour
darkened (on the light page) or lightened (on the dark one) until it reads as text.
"""

from __future__ import annotations

AA = 4.5  # WCAG 2 level AA for normal text
# The page's own colours (static/app.css), light and dark.
INK, PAPER = "#1d2433", "#ffffff"
DARK_INK, DARK_PAPER = "#e6e9ef", "#1b1f27"
# How much of a label's colour tints the text under an entity (static/app.css mark.ent).
TINT = 0.22


def rgb(colour: str) -> tuple[int, int, int]:
    """#rrggbb as three 0-255 numbers."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def hex_of(channels: tuple[float, float, float]) -> str:
    """Three 0-255 numbers (rounded, clipped) as #rrggbb."""
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in channels)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(colour: str, other: str, share: float) -> str:
    """`share` of `colour` over `other` (what color-mix(in srgb, …) draws)."""
    return hex_of(tuple(share * c + (1 - share) * o for c, o in zip(rgb(colour), rgb(other))))  # type: ignore[arg-type]


def text_on(colour: str) -> str:
    """The page's dark ink or white, whichever reads better on `colour`."""
    return max((INK, "#ffffff"), key=lambda text: contrast(text, colour))


def ink(colour: str, background: str, target: float = AA) -> str:
    """`colour` moved towards black (or white, on a dark background) until it reads on `background`."""
    towards = "#000000" if luminance(background) > 0.5 else "#ffffff"
    share = 1.0
    found = colour
    while contrast(found, background) < target and share > 0:
        share = round(share - 0.05, 2)
        found = mix(colour, towards, share)
    return found


def fill(colour: str, target: float = AA) -> str:
    """`colour`, or the nearest shade of it (lighter under dark text, darker under white) on which
    `text_on` reads at `target`: what a label's badge is filled with."""
    text = text_on(colour)
    towards = "#ffffff" if text == INK else "#000000"
    share = 1.0
    found = colour
    while contrast(text_on(found), found) < target and share > 0:
        share = round(share - 0.02, 2)
        found = mix(colour, towards, share)
    return found
