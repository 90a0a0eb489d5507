"""Every label colour of the default schemes reads at WCAG AA: computed, not judged by eye."""

import re

import pytest

from annotator import config
from annotator.web import charts, colours

DEFAULT = config.load(None)
LABELS = [(layer, label) for layer, scheme in DEFAULT.schemes.items() for label in scheme.labels]


def test_colours_contrast_is_wcag_2():
    assert colours.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert colours.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the well-known near miss
    assert colours.contrast("#f3a712", "#ffffff") == pytest.approx(2.0, abs=0.05)  # NORP, as text on white


@pytest.mark.parametrize("layer, label", LABELS, ids=[f"{layer}-{label.name}" for layer, label in LABELS])
def test_colours_every_default_label_reads_at_aa(layer, label):
    colour = label.colour
    assert colours.fill(colour) == colour  # the defaults need no adjusting: they are drawn as given
    on = colours.text_on(colour)
    assert colours.contrast(on, colour) >= colours.AA  # a badge's label on the colour
    for ink, paper in ((colours.INK, colours.PAPER), (colours.DARK_INK, colours.DARK_PAPER)):
        assert colours.contrast(colours.ink(colour, paper), paper) >= colours.AA  # a suggestion's badge text
        assert colours.contrast(ink, colours.mix(colour, paper, colours.TINT)) >= colours.AA  # text in an entity


def test_colours_any_colour_a_project_gives_is_drawn_readably():
    for colour in ("#ffff00", "#00ff00", "#808080", "#2e86ab", "#f9a825", "#0000ff", "#ff00ff"):
        fill = colours.fill(colour)
        assert colours.contrast(colours.text_on(fill), fill) >= colours.AA
        assert colours.contrast(colours.ink(colour, colours.PAPER), colours.PAPER) >= colours.AA
        assert colours.contrast(colours.ink(colour, colours.DARK_PAPER), colours.DARK_PAPER) >= colours.AA


def test_colours_labels_css_carries_the_computed_colours(client):
    css = client.get("/labels.css").get_data(as_text=True)
    norp = DEFAULT.schemes["entity"].names.index("NORP")
    found = re.search(rf"\.l{norp} {{ --c: (#\w+); --on-c: (#\w+); --c-ink: (#\w+); }}", css)
    assert found.groups() == ("#f3a712", colours.INK, colours.ink("#f3a712", colours.PAPER))
    assert "@media (prefers-color-scheme: dark)" in css


def test_colours_chart_cells_print_their_numbers_readably_on_every_shade():
    for step in range(101):
        shade = charts._shade(step / 100)
        assert colours.contrast(colours.text_on(shade), shade) >= colours.AA, shade
    svg = charts.heatmap(["a", "b"], ["a", "b"], [[0, 5], [9, 10]], title="t", fmt="{:.0f}")
    for fill, ink in re.findall(r'data-fill="(#\w+)" class="cell on-shade( light)?"', svg):
        assert colours.text_on(fill) == ("#ffffff" if ink else colours.INK)
