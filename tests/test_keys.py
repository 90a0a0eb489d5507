"""The annotation page's keys come from one table: the help dialog, the script's keymap and the README."""

import html
import json
import re
from pathlib import Path

from annotator import config
from annotator.model import keys

from .conftest import login, start

README = Path(__file__).resolve().parent.parent / "README.md"


def test_keys_readme_table_is_the_one_the_domain_renders():
    assert keys.markdown() in README.read_text("utf-8")


def test_keys_page_carries_the_keymap_and_lists_every_binding_in_its_help(client, seeded):
    login(client, "alice")
    page = client.get(start(client)).get_data(as_text=True)
    keymap = json.loads(html.unescape(re.search(r'id="keymap" hidden data-keys="([^"]*)"', page).group(1)))
    assert keymap == keys.chords() and keymap["Ctrl+z"] == "undo" and keymap["Enter"] == "submit"
    help_dialog = html.unescape(page[page.index('<dialog id="help"') :])
    for binding in keys.BINDINGS:
        assert binding.does in help_dialog


def test_keys_a_label_may_not_take_a_command_key(tmp_path):
    bad = tmp_path / "annotator.toml"
    bad.write_text('[entity]\nlabels = [{name = "X", colour = "#123456", hotkey = "k"}]\n', "utf-8")
    try:
        config.load(bad)
    except config.ConfigError as exc:
        assert "reserved key 'k'" in str(exc)
    else:
        raise AssertionError("a label took the speaker key")
