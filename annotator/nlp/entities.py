"""The entities of a parsed Doc as the quote speakers and the event actors look them up.

`Entities` indexes doc.ents (all of them, or those of some labels) in text order: the entity at a token,
the entities within a token range or before a token, and each entity's name key, with the first mention
of every name. Entities are referred to by their number in `Entities.ents`.

`PRONOUNS` says what each third-person pronoun can stand for; a component turns it into the labels it
accepts with `pronoun_labels`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping

from spacy.tokens import Doc, Span

# What a pronoun can stand for: one person (he), one organisation, country or people (it), several (they).
PERSON, GROUP, PLURAL = "person", "group", "plural"
# Its form: subject or object ("her" is listed once, here), possessive, reflexive.
PERSONAL, POSSESSIVE, REFLEXIVE = "personal", "possessive", "reflexive"
PRONOUNS: dict[str, tuple[str, str]] = {
    "he": (PERSON, PERSONAL),
    "him": (PERSON, PERSONAL),
    "she": (PERSON, PERSONAL),
    "her": (PERSON, PERSONAL),
    "his": (PERSON, POSSESSIVE),
    "hers": (PERSON, POSSESSIVE),
    "himself": (PERSON, REFLEXIVE),
    "herself": (PERSON, REFLEXIVE),
    "it": (GROUP, PERSONAL),
    "its": (GROUP, POSSESSIVE),
    "itself": (GROUP, REFLEXIVE),
    "they": (PLURAL, PERSONAL),
    "them": (PLURAL, PERSONAL),
    "their": (PLURAL, POSSESSIVE),
    "themselves": (PLURAL, REFLEXIVE),
}


def pronoun_labels(
    labels: Mapping[str, tuple[str, ...]], forms: Iterable[str] = (PERSONAL, POSSESSIVE, REFLEXIVE)
) -> dict[str, tuple[str, ...]]:
    """Pronoun → the entity labels it may refer to, given the labels of each referent (PERSON, GROUP,
    PLURAL), for the pronouns of `forms` only."""
    forms = frozenset(forms)
    return {word: labels[referent] for word, (referent, form) in PRONOUNS.items() if form in forms}


def name_key(ent: Span, *, letters_only: bool = False) -> str:
    """The last word of a name, lower-cased: mentions of one name share it ("Rashid", "Abdel Latif Rashid").

    By default the last word that is neither punctuation nor a possessive 's ("Iran’s" → "iran",
    "Robert O'Brien" → "o'brien", "Brigade 7" → "7"), else the last token. With `letters_only`, the last
    word made of letters ("Robert O'Brien" → "robert", "Brigade 7" → "brigade"), else the whole name
    ("U.S." → "u.s."). The quote speakers use `letters_only`, the event actors the default; the two
    agree on every name made of words of letters.
    """
    if letters_only:
        letters = [t.lower_ for t in ent if t.is_alpha]
        return letters[-1] if letters else ent.text.lower()
    words = [t for t in ent if not t.is_punct and t.lower_ not in ("'s", "’s")]
    return (words[-1] if words else ent[-1]).lower_


class Entities:
    """A Doc's entities (those with one of `labels`, or all) in text order, by token and by name.

    Each entity has a name key (`keys`, see `name_key`; `letters_only` is passed on) and a first mention
    (`first`): the first entity with its key, where an upper-case entity in brackets right after another
    ("Kataib Sayyid al-Shuhada (KSS)") is a name of that one. The quote speakers report each speaker as
    its first mention; the event actors compare name keys only (`same`).
    """

    def __init__(self, doc: Doc, labels: Iterable[str] | None = None, *, letters_only: bool = False):
        self.doc = doc
        wanted = None if labels is None else frozenset(labels)
        self.ents: list[Span] = [e for e in doc.ents if wanted is None or e.label_ in wanted]
        self.starts = [e.start for e in self.ents]
        self.keys = [name_key(e, letters_only=letters_only) for e in self.ents]
        self.first: list[int] = []  # the first mention of each entity's name
        self.by_name: dict[str, int] = {}  # name key → its first mention
        for n, key in enumerate(self.keys):
            first = self.by_name.setdefault(key, n)
            if n and self._acronym_of_previous(n):
                first = self.by_name[key] = self.first[n - 1]
            self.first.append(self.first[first] if first != n else n)

    def _acronym_of_previous(self, n: int) -> bool:
        """ "Kataib Sayyid al-Shuhada (KSS)": an upper-case entity in brackets right after another names it."""
        ent, previous, doc = self.ents[n], self.ents[n - 1], self.doc
        return (
            ent.start == previous.end + 1
            and doc[previous.end].text == "("
            and ent.end < len(doc)
            and doc[ent.end].text == ")"
            and ent.text.isupper()
        )

    def same(self, n: int, other: int | None) -> bool:
        """Whether two entities are mentions of one name (by name key alone, not by acronym)."""
        return other is not None and self.keys[n] == self.keys[other]

    def first_of_name(self, key: str, before: int) -> int | None:
        """The first mention of the name `key`, if it ends before token `before`."""
        n = self.by_name.get(key)
        return self.first[n] if n is not None and self.ents[n].end <= before else None

    def bisect(self, i: int) -> int:
        """How many entities start before token i."""
        return bisect.bisect_left(self.starts, i)

    def at(self, i: int) -> int | None:
        """The entity holding token i."""
        n = bisect.bisect_right(self.starts, i) - 1
        return n if n >= 0 and i < self.ents[n].end else None

    def within(self, start: int, end: int) -> list[int]:
        """The entities that lie wholly within tokens start … end (exclusive), in text order."""
        return [n for n in range(self.bisect(start), self.bisect(end)) if self.ents[n].end <= end]

    def before(self, i: int) -> Iterator[int]:
        """The entities that end before token i, nearest first."""
        for n in range(self.bisect(i) - 1, -1, -1):
            if self.ents[n].end <= i:
                yield n
