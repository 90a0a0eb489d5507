"""Speakers: which entity of the article a source refers to (the rules in the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy
from spacy.attrs import ENT_IOB, LEMMA
from spacy.tokens import Doc, Span, Token

from ..entities import GROUP, PERSON, PERSONAL, PLURAL, PRONOUNS, Entities, pronoun_labels
from .candidates import _Candidate, _Text

# Sources that are the message, not the messenger; their speaker is their author (rule 3).
DOCUMENT_NOUNS = frozenset(
    "statement report letter communique communiqué document declaration release note memo post message "
    "notice announcement survey study poll website".split()
)
# Adjectives that name the author's title: "a presidential statement" is the president's.
TITLE_ADJECTIVES = {
    "presidential": "president",
    "ministerial": "minister",
    "royal": "king",
    "governmental": "government",
    "parliamentary": "parliament",
    "military": "military",
    "mayoral": "mayor",
    "judicial": "court",
}
SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
_GROUP_LABELS = ("ORG", "NORP", "GPE")
# A source is a subject or object pronoun (he, she, him, her, it, they, them), never a possessive or reflexive.
_PRONOUN_LABELS = pronoun_labels({PERSON: ("PERSON",), GROUP: _GROUP_LABELS, PLURAL: SPEAKER_LABELS}, (PERSONAL,))
# What a pronoun source says of its speaker: "she" is a person, "it" a group (rule 6 and "spoken of alike").
_KINDS = {PERSON: "person", GROUP: "group"}
_PRONOUN_KINDS = {
    word: _KINDS[referent] for word, (referent, form) in PRONOUNS.items() if form == PERSONAL and referent in _KINDS
}
_ENTITY_PRIORITY = {"ORG": 0, "PERSON": 1, "GPE": 2, "NORP": 3}
_DEFINITE = frozenset(("the", "this", "that", "these", "those", "its", "his", "her", "their"))


class _Speakers:
    """Resolves sources to the Doc's PERSON/ORG/NORP/GPE entities, each reported as the first mention of its name."""

    def __init__(self, doc: Doc, text: _Text, *, person_nouns: frozenset[str], group_nouns: frozenset[str]):
        self.doc = doc
        self.text = text
        self.person_nouns = person_nouns
        self.group_nouns = group_nouns
        self.ents = Entities(doc, SPEAKER_LABELS, letters_only=True)
        self.titles = [_titles(ent) for ent in self.ents.ents]  # the titles each entity was introduced with
        self._array: numpy.ndarray | None = None  # lemma and entity-IOB columns, when a rule needs them

    def resolve(self, quotes: list[_Candidate]) -> None:
        """Set each quote's speaker, in text order, so that later sources can refer back to earlier ones."""
        by_head: dict[str, int | None] = {}
        for k, quote in enumerate(quotes):
            if quote.source_head is not None:
                head = self.doc[quote.source_head]
                quote.kind = self._kind(head)
                quote.speaker = self._speaker(quote, head, quotes[:k], by_head)
                if head.pos_ == "NOUN":
                    by_head.setdefault(head.lemma_.lower(), quote.speaker)
            elif quote.cue is None and k and quotes[k - 1].speaker is not None:
                previous = quotes[k - 1]
                gap = (self.doc[previous.content[-1][1] - 1].idx, self.doc[quote.content[0][0]].idx)
                if self.text.breaks_between(*gap) <= 1:  # the same or the next paragraph
                    quote.speaker = previous.speaker
        for quote in quotes:
            if quote.speaker is not None:
                quote.speaker_entity = self.ents.ents[quote.speaker]

    def _speaker(self, quote: _Candidate, head: Token, earlier: list[_Candidate], by_head: dict) -> int | None:
        assert quote.source is not None  # only quotes with a source are resolved here
        source_start = quote.source[0]
        lower = head.lower_
        if head.pos_ == "PRON":
            labels = _PRONOUN_LABELS.get(lower)
            return self._recent(quote, labels, earlier) if labels else None
        named = self._entity_at(head.i)
        if named is None and head.pos_ == "PROPN":  # a name the NER missed this time: "Almeida, 61, promised"
            named = self.ents.first_of_name(head.lower_, source_start)
        if named is None:
            named = next((self._entity_at(c.i) for c in head.children if c.dep_ == "appos"), None)
            if named is None and head.dep_ == "appos":
                named = self._entity_at(head.head.i)
        if named is not None:
            return named
        lemma = head.lemma_.lower()
        definite = any(c.dep_ == "poss" or (c.dep_ == "det" and c.lower_ in _DEFINITE) for c in head.lefts)
        if lemma in DOCUMENT_NOUNS:
            for child in head.children:
                title = TITLE_ADJECTIVES.get(child.lower_)
                if title is not None and child.i < head.i:
                    found = self._titled(title, source_start)
                    if found is not None:
                        return found
            return self._named_in(quote.region)
        if definite:
            if by_head.get(lemma) is not None:
                return by_head[lemma]
            found = self._titled(lemma, source_start)
            if found is not None:
                return found
        found = self._named_in(quote.region)
        if found is not None or not definite:
            return found
        if lemma in self.person_nouns:
            return self._recent(quote, ("PERSON",), earlier, lemma)
        if lemma in self.group_nouns:
            return self._recent(quote, _GROUP_LABELS, earlier, lemma)
        return None

    def _entity_at(self, i: int) -> int | None:
        n = self.ents.at(i)
        return None if n is None else self.ents.first[n]

    def _kind(self, head: Token) -> str | None:
        word = head.lower_ if head.pos_ == "PRON" else head.lemma_.lower()
        kind = _PRONOUN_KINDS.get(word)
        if kind == "person" or (head.pos_ == "NOUN" and word in self.person_nouns):
            return "person"
        if kind == "group" or (head.pos_ == "NOUN" and word in self.group_nouns):
            return "group"
        return None

    def _recent(
        self, quote: _Candidate, labels: Sequence[str], earlier: list[_Candidate], noun: str = ""
    ) -> int | None:
        """The latest earlier speaker with one of `labels` (or spoken of alike), else the nearest such entity.

        A compatible entity that became the subject of a sentence since that speaker spoke wins over them
        ("Almeida promised … “…,” he said"); a description whose noun was used earlier for something unnamed
        ("the electoral commission" … "the commission") is not resolved to the nearest entity.
        """
        assert quote.source is not None
        before = quote.source[0]
        for other in reversed(earlier):
            if other.speaker is None:
                continue
            if self.ents.ents[other.speaker].label_ in labels or (quote.kind is not None and other.kind == quote.kind):
                since = max(other.content[-1][1], other.source[1] if other.source else 0)
                newer = self._subject_between(since, before, labels, quote.content)
                return newer if newer is not None else other.speaker
        if noun and self._unnamed_before(noun, before):
            return None
        for n in self.ents.before(before):
            if self.ents.ents[n].label_ in labels:
                return self.ents.first[n]
        return None

    def _subject_between(self, start: int, end: int, labels: Sequence[str], content: list) -> int | None:
        """The latest entity with one of `labels` that is a subject between two tokens, outside `content`."""
        for n in reversed(self.ents.within(start, end)):
            ent = self.ents.ents[n]
            if (
                ent.label_ in labels
                and ent.root.dep_ in ("nsubj", "nsubjpass")
                and not any(s <= ent.start < e for s, e in content)
            ):
                return self.ents.first[n]
        return None

    def _unnamed_before(self, noun: str, before: int) -> bool:
        """Whether `noun` heads an earlier phrase outside every entity."""
        if self._array is None:
            self._array = self.doc.to_array([LEMMA, ENT_IOB])
        array = self._array
        lemmas, iob = array[:before, 0], array[:before, 1]
        return bool(numpy.any((lemmas == self.doc.vocab.strings.add(noun)) & (iob != 1) & (iob != 3)))

    def _titled(self, title: str, before: int) -> int | None:
        """The nearest earlier entity introduced with `title` ("Supreme Leader Ayatollah Ali Khamenei")."""
        for n in range(self.ents.bisect(before) - 1, -1, -1):  # entities starting before the source
            if title in self.titles[n]:
                return self.ents.first[n]
        return None

    def _named_in(self, region: tuple[int, int] | None) -> int | None:
        if region is None:
            return None
        inside = self.ents.within(*region)
        if not inside:
            return None
        return self.ents.first[min(inside, key=lambda n: (_ENTITY_PRIORITY[self.ents.ents[n].label_], n))]


def _titles(ent: Span) -> frozenset[str]:
    """The nouns an entity was introduced with: its own words, the compounds before it, its appositions."""
    words = {t.lower_ for t in ent}
    root = ent.root
    stack = [c for c in root.children if c.dep_ in ("compound", "appos", "amod") and not ent.start <= c.i < ent.end]
    if root.dep_ == "appos":
        stack.append(root.head)
    while stack:
        token = stack.pop()
        words.add(token.lemma_.lower())
        stack.extend(c for c in token.children if c.dep_ in ("compound", "amod") and c.i < token.i)
    return frozenset(words)
