"""Project settings and label schemes, read from a TOML file."""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .files import write_private
from .model import LAYER_NAMES as LAYERS
from .model.keys import RESERVED as RESERVED_KEYS

PLACEHOLDER_SECRET = "CHANGE-ME"
# A session-signing key needs at least 32 random bytes (256 bits).
SECRET_BITS = 256
_HEX = frozenset("0123456789abcdefABCDEF")
_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# The scheme table of each layer and the key its labels are listed under.
_SCHEME_KEYS = {"entity": "labels", "quote": "types", "event": "types"}


class ConfigError(Exception):
    """The project file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Label:
    name: str
    colour: str
    hotkey: str
    guideline: str


@dataclass(frozen=True)
class Scheme:
    """The labels of one layer, in display order."""

    layer: str
    labels: tuple[Label, ...]
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _known: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # computed once: membership is checked for every item on every save
        object.__setattr__(self, "names", tuple(label.name for label in self.labels))
        object.__setattr__(self, "_known", frozenset(self.names))

    def __contains__(self, name: object) -> bool:
        return name in self._known


@dataclass(frozen=True)
class Project:
    name: str
    model: str
    secret_key: str
    schemes: dict[str, Scheme] = field(default_factory=dict)
    path: Path | None = None
    # Send cookies only over HTTPS even when a request came over HTTP (they always are over HTTPS).
    secure_cookies: bool = False
    # A session ends after this long without a request, and this long after sign-in whatever happens.
    session_idle_minutes: int = 30
    session_hours: float = 8
    # How many reverse proxies stand in front of the app (their X-Forwarded-For/-Proto are believed).
    trusted_proxies: int = 0
    # Pre-annotation lexicons; None keeps the components' own defaults.
    quote_cues: tuple[str, ...] | None = None
    event_triggers: dict[str, tuple[str, ...]] | None = None

    @property
    def has_real_secret(self) -> bool:
        return secret_problem(self.secret_key) is None


def secret_problem(key: str | None) -> str | None:
    """Why `key` cannot sign sessions (missing, the placeholder, blank, under 32 random bytes), or None.

    Randomness cannot be measured from one string; the bits are estimated from the
    characters the key is written in (4 a character for hex, 6 for base64, 6.5 for
    any printable text), and a key of few different characters is refused outright.
    """
    if not key or key == PLACEHOLDER_SECRET:
        return "no secret key set (or still the placeholder)"
    if not key.strip():
        return "the secret key is only whitespace"
    if len(set(key)) < 8:
        return "the secret key repeats too few different characters to be random"
    alphabet = set(key)
    per_char = 4.0 if alphabet <= _HEX else 6.0 if alphabet <= _BASE64 else 6.5
    if len(key) * per_char < SECRET_BITS:
        return (
            f"the secret key is too short: it needs at least 32 random bytes (about {len(key) * per_char / 8:.0f} "
            "given); make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return None


def default_text() -> str:
    """The packaged default project file, as text."""
    return resources.files("annotator").joinpath("default_project.toml").read_text("utf-8")


def load(path: Path | None) -> Project:
    """Read a project file; with no file, the packaged defaults."""
    if path is not None and path.exists():
        text, where = path.read_text("utf-8"), str(path)
    else:
        text, where = default_text(), "default project"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return parse(data, where, path if path is not None and path.exists() else None)


def parse(data: dict, where: str, path: Path | None = None) -> Project:
    """Build a Project from parsed TOML, checking every label.

    A file may set only part of the settings: a missing [project] key, or a
    missing layer table, takes the packaged default.
    """
    defaults = tomllib.loads(default_text())
    project = {**defaults["project"], **data.get("project", {})}
    data = {**defaults, **{layer: data[layer] for layer in LAYERS if layer in data}}
    schemes = {}
    for layer in LAYERS:
        entries = data.get(layer, {}).get(_SCHEME_KEYS[layer], [])
        schemes[layer] = Scheme(layer, tuple(_label(entry, f"{where}: [{layer}]") for entry in entries))
        _check_unique(schemes[layer], f"{where}: [{layer}]")
    return Project(
        name=str(project.get("name", "annotator")),
        model=str(project.get("model", "en_core_web_sm")),
        secret_key=str(project.get("secret_key", "")),
        schemes=schemes,
        path=path,
        secure_cookies=bool(project.get("secure_cookies", False)),
        **_session_settings(project, f"{where}: [project]"),
        quote_cues=_words(data.get("quote", {}).get("cue_lemmas"), f"{where}: [quote] cue_lemmas"),
        event_triggers=_triggers(data.get("event", {}).get("triggers"), f"{where}: [event.triggers]", schemes["event"]),
    )


def _session_settings(project: dict, where: str) -> dict:
    """Session lifetimes and trusted proxies, each a number in its range."""
    found = {
        "session_idle_minutes": _number(project, "session_idle_minutes", 1, 24 * 60, where),
        "session_hours": _number(project, "session_hours", 0.1, 24 * 30, where),
        "trusted_proxies": _number(project, "trusted_proxies", 0, 5, where),
    }
    if found["session_idle_minutes"] > found["session_hours"] * 60:
        raise ConfigError(f"{where} session_idle_minutes is longer than session_hours")
    return found


def _number(table: dict, key: str, low: float, high: float, where: str):
    found = table[key]  # the packaged defaults have every key
    if isinstance(found, bool) or not isinstance(found, int | float) or not low <= found <= high:
        raise ConfigError(f"{where} {key} must be a number from {low} to {high}")
    return found


def _words(value, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of words")
    return tuple(value)


def _triggers(value, where: str, scheme: Scheme) -> dict[str, tuple[str, ...]] | None:
    """The event trigger lexicon: {TYPE: [word or pattern, ...]}, every type in the scheme."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of TYPE = [patterns]")
    out: dict[str, tuple[str, ...]] = {}
    for event_type, patterns in value.items():
        if event_type not in scheme:
            raise ConfigError(f"{where}: {event_type!r} is not one of the event types")
        out[event_type] = _words(patterns, f"{where} {event_type}") or ()
    return out


def _label(entry: dict, where: str) -> Label:
    name = str(entry.get("name", "")).strip()
    if not name:
        raise ConfigError(f"{where}: a label has no name")
    colour = str(entry.get("colour", "#888888"))
    if not _COLOUR.match(colour):
        raise ConfigError(f"{where}: label {name!r} has colour {colour!r}; use #rrggbb")
    hotkey = str(entry.get("hotkey", ""))
    if hotkey in RESERVED_KEYS:
        raise ConfigError(f"{where}: label {name!r} takes the reserved key {hotkey!r}")
    if len(hotkey) > 1:
        raise ConfigError(f"{where}: label {name!r} has hotkey {hotkey!r}; use one character")
    return Label(name, colour.lower(), hotkey, str(entry.get("guideline", "")))


def _check_unique(scheme: Scheme, where: str) -> None:
    seen_names: set[str] = set()
    seen_keys: dict[str, str] = {}
    for label in scheme.labels:
        if label.name in seen_names:
            raise ConfigError(f"{where}: label {label.name!r} is listed twice")
        seen_names.add(label.name)
        if label.hotkey and label.hotkey in seen_keys:
            raise ConfigError(
                f"{where}: labels {seen_keys[label.hotkey]!r} and {label.name!r} share hotkey {label.hotkey!r}"
            )
        if label.hotkey:
            seen_keys[label.hotkey] = label.name


def write_new(path: Path) -> None:
    """Write the default project file with a fresh random secret key, readable by its owner only."""
    text = default_text().replace(f'"{PLACEHOLDER_SECRET}"', f'"{secrets.token_urlsafe(32)}"', 1)
    write_private(path, text)


# Colours for labels an import adds: distinct, readable on white, taken in turn.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip
# Keys an added label may take, in order of preference: digits, then letters (RESERVED_KEYS excluded).
KEY_CANDIDATES = "1234567890abcdefghijklmnopqrstuvwxyz"


def add_labels(path: Path, added: dict[str, list[str]]) -> list[Label]:
    """Add labels to the layers' schemes in the project file (comments and layout kept), each
    with a colour and a free key; returns the labels added. The file is written whole, at once."""
    import tomlkit

    document = tomlkit.parse(path.read_text("utf-8")) if path.exists() else tomlkit.parse(default_text())
    current = parse(tomlkit.parse(document.as_string()).unwrap(), str(path))
    made: list[Label] = []
    for layer, names in added.items():
        scheme = current.schemes[layer]
        missing = layer not in document or _SCHEME_KEYS[layer] not in document[layer]
        table = document.setdefault(layer, tomlkit.table())
        entries = table.setdefault(_SCHEME_KEYS[layer], tomlkit.array())
        if missing:
            # a file that left the layer out uses the defaults: write them out before adding
            for label in scheme.labels:
                entries.append(_entry(label))
        used_keys = {label.hotkey for label in scheme.labels}
        used_colours = {label.colour for label in scheme.labels}
        for name in dict.fromkeys(names):
            if name in scheme:
                continue
            key = next((k for k in KEY_CANDIDATES if k not in used_keys and k not in RESERVED_KEYS), "")
            colour = next((c for c in PALETTE if c not in used_colours), PALETTE[len(made) % len(PALETTE)])
            label = Label(name, colour, key, "Added by an import.")
            entries.append(_entry(label))
            entries.multiline(True)
            used_keys.add(key)
            used_colours.add(colour)
            made.append(label)
    text = tomlkit.dumps(document)
    parse(tomllib.loads(text), str(path))  # what is written must read back
    # Written beside and renamed over it, readable as the file was (it holds the secret key).
    temporary = path.with_name(path.name + ".tmp")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, mode)
    temporary.replace(path)
    return made


def _entry(label: Label):
    import tomlkit

    entry = tomlkit.inline_table()
    entry.update({"name": label.name, "colour": label.colour, "hotkey": label.hotkey, "guideline": label.guideline})
    return entry
