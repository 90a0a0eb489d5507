import tomllib

import pytest

from annotator import config

from .conftest import SECRET_KEY


def test_config_default_schemes_cover_the_three_layers(project):
    assert len(project.schemes["entity"].labels) == 18
    assert project.schemes["quote"].names == ("DIRECT", "INDIRECT", "MIXED")
    assert len(project.schemes["event"].labels) == 18
    assert "CONSULT" in project.schemes["event"] and "ASSAULT" in project.schemes["event"]
    for scheme in project.schemes.values():
        for label in scheme.labels:
            assert label.colour.startswith("#") and label.hotkey and label.guideline


def test_config_default_secret_is_refused_as_real(project):
    assert not project.has_real_secret


def test_config_write_new_has_random_secret(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    config.write_new(first)
    config.write_new(second)
    a, b = config.load(first), config.load(second)
    assert a.has_real_secret and b.has_real_secret
    assert a.secret_key != b.secret_key


@pytest.mark.parametrize(
    "labels, message",
    [
        (
            '{ name = "A", colour = "#000000", hotkey = "1" }, { name = "B", colour = "#000000", hotkey = "1" }',
            "share hotkey",
        ),
        ('{ name = "A", colour = "#000000", hotkey = "s" }', "reserved key"),
        ('{ name = "A", colour = "red", hotkey = "1" }', "#rrggbb"),
        ('{ name = "A", colour = "#000000", hotkey = "1" }, { name = "A", colour = "#000000", hotkey = "2" }', "twice"),
    ],
)
def test_config_bad_labels_are_refused_with_the_file_named(tmp_path, labels, message):
    path = tmp_path / "p.toml"
    path.write_text(f"[entity]\nlabels = [{labels}]\n")
    with pytest.raises(config.ConfigError, match=message) as info:
        config.load(path)
    assert str(path) in str(info.value)


def test_config_broken_toml_names_the_file(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[entity\n")
    with pytest.raises(config.ConfigError, match=str(path)):
        config.load(path)


def test_config_default_file_is_valid_toml():
    assert tomllib.loads(config.default_text())["project"]["model"] == "en_core_web_sm"


def test_config_partial_file_keeps_default_schemes(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        f'[project]\nsecret_key = "{SECRET_KEY}"\n\n'
        '[quote]\ntypes = [{ name = "QUOTE", colour = "#000000", hotkey = "1" }]\n'
    )
    project = config.load(path)
    assert project.has_real_secret and project.model == "en_core_web_sm"
    assert len(project.schemes["entity"].labels) == 18 and project.schemes["quote"].names == ("QUOTE",)
