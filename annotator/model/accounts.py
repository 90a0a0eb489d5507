"""Who may have an account: user names people can read, and passwords as NIST SP 800-63B puts it.

Passwords: at least 12 characters, at most 256, any characters (Unicode normalised
to NFKC, so the same password typed on another keyboard still matches), no
composition rules; refused when they are among the 30,000 most common passwords
or easy to guess (zxcvbn's estimate: repeats, sequences, keyboard walks, words, the
user's own name). Hashes are scrypt with OWASP's parameters (N=2^15, r=8, p=3).
"""

from __future__ import annotations

import functools
import secrets
import unicodedata

from ..errors import Invalid

MAX_NAME = 64
MIN_PASSWORD, MAX_PASSWORD = 12, 256
# zxcvbn's score 3 ("safely unguessable"): at least 10^8 guesses, with sign-in throttled and a slow hash
MIN_GUESSES_LOG10 = 8
# zxcvbn refuses longer input (its matching grows fast); the rest of a longer password only adds to it
_ESTIMATED = 72
HASH_METHOD = "scrypt:32768:8:3"
# Look blank but are letters or symbols (Unicode categories do not give them away).
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


# zxcvbn is imported when a password is checked, not with the store: its word lists took 13 MB of
# every command's memory (an export's, which checks no password) and of every web worker's.
@functools.cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def user_name(raw: str) -> str:
    """The name as stored (NFC, trimmed); Invalid if empty, over 64 characters, or holding invisible ones."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise Invalid("a user needs a name")
    if len(name) > MAX_NAME:
        raise Invalid(f"a user name has at most {MAX_NAME} characters ({len(name)} given)")
    for char in name:
        # C*: control, format (zero-width, direction marks), unassigned; Z* but the space: other blanks, line breaks
        if (unicodedata.category(char)[0] in "CZ" and char != " ") or char in _BLANK_LOOKING:
            described = unicodedata.name(char, "a control character")
            raise Invalid(
                f"a user name may not hold invisible, control or line-break characters "
                f"(U+{ord(char):04X} {described.lower()})"
            )
    return name


def _normal(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_password(password: str, name: str = "") -> str:
    """The password as it is hashed (NFKC) if the policy allows it; Invalid saying why not."""
    normal = _normal(password)
    if not normal:
        raise Invalid("the user needs a password")
    if len(normal) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters ({len(normal)} given)")
    if len(normal) > MAX_PASSWORD:
        raise Invalid(f"a password has at most {MAX_PASSWORD} characters ({len(normal)} given)")
    common = _common()
    if normal.lower() in common or normal.lower().replace(" ", "") in common:
        raise Invalid("that is a common password (one of the 30,000 most used); choose another")
    from zxcvbn import zxcvbn

    found = zxcvbn(normal[:_ESTIMATED], user_inputs=[name, "annotator"], max_length=_ESTIMATED)
    if found["guesses_log10"] < MIN_GUESSES_LOG10:
        hint = found["feedback"]["warning"].rstrip(".")
        raise Invalid("that password is too easy to guess" + (f" ({hint})" if hint else "") + "; try a few words")
    return normal


# werkzeug is imported where a password is hashed or checked: its package import (its test
# client, server and HTTP wrappers) is 13 MB of every command, the export's processes included.


def password_hash(password: str, name: str = "") -> str:
    """The hash to store for a new password, once it passes `check_password`."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(check_password(password, name), method=HASH_METHOD)


@functools.cache
def _dummy_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_urlsafe(16), method=HASH_METHOD)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash (no such user), as slow as with one, and False."""
    from werkzeug.security import check_password_hash

    if stored_hash is None:
        # the same work as a real check, so that a wrong name answers no faster than a wrong password
        check_password_hash(_dummy_hash(), _normal(password))
        return False
    return check_password_hash(stored_hash, _normal(password))
