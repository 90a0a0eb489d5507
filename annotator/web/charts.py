"""Heatmaps and bars drawn server-side as SVG: no chart library, no script.

Every cell and bar also prints its number, so nothing is told by colour alone,
in dark or white ink, whichever contrasts more with the cell's shade. The
pictures scale down to their column (CSS) and keep their numbers. Labels are
untrusted text and are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .colours import fill, text_on

CELL, LABEL_W, HEAD_H = 46, 130, 90


def _shade(value: float) -> str:
    """White to deep blue as value goes 0 → 1 (a mid blue a shade lighter, so its number reads)."""
    t = max(0.0, min(1.0, value))
    r, g, b = (int(255 + (c - 255) * t) for c in (31, 78, 160))
    return fill(f"#{r:02x}{g:02x}{b:02x}")


def heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    matrix: Sequence[Sequence[float | None]],
    *,
    title: str,
    scale_max: float | None = None,
    fmt: str = "{:.2f}",
) -> Markup:
    """A labelled grid, each cell shaded by its value (relative to scale_max) and printed."""
    top = max((v for row in matrix for v in row if v is not None), default=1) or 1
    top = scale_max or top
    # the column labels lean right by up to their length: room for the last one's
    width, height = LABEL_W + CELL * len(cols) + HEAD_H, HEAD_H + CELL * len(rows) + 10
    out = [
        f'<svg class="chart heatmap" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for j, col in enumerate(cols):
        x = LABEL_W + j * CELL + CELL / 2
        out.append(
            f'<text class="col" x="{x}" y="{HEAD_H - 6}" transform="rotate(-45 {x} {HEAD_H - 6})">{escape(col)}</text>'
        )
    for i, row in enumerate(rows):
        y = HEAD_H + i * CELL
        out.append(f'<text class="row" x="{LABEL_W - 6}" y="{y + CELL / 2 + 4}" text-anchor="end">{escape(row)}</text>')
        for j, value in enumerate(matrix[i]):
            x = LABEL_W + j * CELL
            share = 0 if value is None else value / top
            fill = "#eceff3" if value is None else _shade(share)
            ink = " light" if text_on(fill) == "#ffffff" else ""
            text = "–" if value is None else fmt.format(value)
            out.append(
                f'<rect x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}" fill="{fill}" rx="3">'
                f"<title>{escape(row)} × {escape(col)}: {escape(text)}</title></rect>"
                f'<text x="{x + CELL / 2 - 1}" y="{y + CELL / 2 + 4}" text-anchor="middle" data-fill="{fill}" '
                f'class="cell on-shade{ink}">{escape(text)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def bars(items: Sequence[tuple[str, float | None, str]], *, title: str, scale_max: float = 1.0) -> Markup:
    """Horizontal bars: (label, value, note) each, value printed beside its bar."""
    row_h, bar_w = 24, 260
    width, height = LABEL_W + bar_w + 120, row_h * len(items) + 10
    out = [
        f'<svg class="chart bars" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, value, note) in enumerate(items):
        y = 5 + i * row_h
        length = 0 if value is None else max(0.0, min(1.0, value / scale_max)) * bar_w
        text = "n/a" if value is None else f"{value:.2f}"
        out.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" class="row">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" fill="#eceff3" rx="2"/>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{length:.1f}" height="{row_h - 8}" fill="{_shade(0.8)}" rx="2"/>'
            f'<text x="{LABEL_W + bar_w + 6}" y="{y + 15}" class="cell">{escape(text)} {escape(note)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
