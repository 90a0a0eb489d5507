"""Actors: which entities of the article an event's trigger links to, by the dependency parse."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

if TYPE_CHECKING:  # only in annotations: the recognizer imports this module
    from . import EventRecognizer

_TARGET_PREPS = {"to", "with", "against", "on", "at", "into", "toward", "towards", "between"}
_PERSON, _GROUP = ("PERSON",), ("ORG", "GPE", "NORP")
_PRONOUNS = {
    **dict.fromkeys(("he", "him", "his", "himself", "she", "her", "hers", "herself"), _PERSON),
    **dict.fromkeys(("it", "its", "itself"), ("ORG", "GPE")),
    **dict.fromkeys(("they", "them", "their", "themselves"), _GROUP),
}
_SHORT_CVC = re.compile(r"[a-z]?[^aeiou][aeiou][^aeiouwxy]")  # doubles its last letter: ban → banned
_RELATIVES = {"who", "whom", "whose", "which", "that"}
# A trigger word inside one of these entities is a name ("Operation Support"), not an event.
_NAME_LABELS = {"PERSON", "ORG", "GPE", "FAC", "LOC", "WORK_OF_ART", "LAW", "EVENT", "PRODUCT"}




class _Entities:
    """The doc's entities, looked up by token and by position."""

    def __init__(self, doc: Doc):
        self.ents = list(doc.ents)
        self.starts = [e.start for e in self.ents]
        self.names = {(e.start, e.end): _name(e) for e in self.ents}

    def name(self, ent: Span) -> str:
        return self.names[ent.start, ent.end]

    def same(self, ent: Span, other: Span | None) -> bool:
        """Whether two mentions are of one entity, as far as names tell."""
        return other is not None and self.name(ent) == self.name(other)

    def at(self, tok: Token) -> Span | None:
        i = bisect.bisect_right(self.starts, tok.i) - 1
        if i >= 0 and self.ents[i].end > tok.i:
            return self.ents[i]
        return None

    def within(self, start: int, end: int) -> list[Span]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.ents) and self.ents[i].end <= end:
            out.append(self.ents[i])
            i += 1
        return out

    def before(self, tok: Token) -> Iterator[Span]:
        """Entities ending before the token, nearest first."""
        i = bisect.bisect_left(self.starts, tok.i) - 1
        while i >= 0:
            if self.ents[i].end <= tok.i:
                yield self.ents[i]
            i -= 1


def _name(ent: Span) -> str:
    """The last word of a name, for telling two mentions of one entity: "Rashid" ≡ "Abdel Latif Rashid"."""
    words = [t for t in ent if not t.is_punct and t.lower_ not in ("'s", "’s")]
    return (words[-1] if words else ent[-1]).lower_


class _Actors:
    """Source and target of one trigger, by dependency rules, linked to entities."""

    def __init__(self, component: EventRecognizer, ents: _Entities, span: Span):
        self.c = component
        self.ents = ents
        self.span = span

    def find(self) -> tuple[Span | None, Span | None]:
        root = self.span.root
        if root.pos_ in ("VERB", "AUX"):
            source_tokens, target_tokens = self._verbal(root, self.span)
        else:
            source_tokens, target_tokens = self._nominal(root)
        source_token, source = self._first(source_tokens, exclude=None)
        # A pronoun object is not the subject ("Raisi invited him"), so the target excludes the source.
        _, target = self._first(target_tokens, exclude=source)
        if target is None and source_token is not None:
            # "Rashid and the supreme leader discussed …": the second of a pair is the target.
            _, target = self._first(_conjuncts(source_token), exclude=source)
        return source, target

    def _first(self, tokens: Sequence[Token], exclude: Span | None) -> tuple[Token | None, Span | None]:
        for tok in tokens:
            ent = self.resolve(tok, exclude)
            if ent is not None:
                return tok, ent
        return None, None

    # --- where the actors are ----------------------------------------------------------

    def _verbal(self, verb: Token, span: Span | None = None) -> tuple[list[Token], list[Token]]:
        """Verbs: subject (or passive agent) → source; object, dative or to/with/against/on X → target."""
        sources: list[Token] = []
        targets: list[Token] = []
        for child in verb.children:
            if child.dep_ == "agent":
                sources.extend(g for g in child.children if g.dep_ == "pobj")
            elif child.dep_ == "nsubjpass":
                targets.append(child)
        for child in verb.children:
            if child.dep_ in ("dobj", "dative"):
                targets.append(child)
        if span is not None and len(span) > 1 and span[-1].dep_ == "prep":
            targets.extend(g for g in span[-1].children if g.dep_ == "pobj")  # "called on Baghdad"
        targets.extend(_prep_objects(verb, _TARGET_PREPS))
        for obj in [c for c in verb.children if c.dep_ == "dobj"]:
            targets.extend(_prep_objects(obj, _TARGET_PREPS))  # "signed an agreement with Tokyo"
        if not sources:
            sources.extend(self._subject(verb))
        return sources, targets

    def _subject(self, verb: Token) -> list[Token]:
        """The subject of a verb, inherited through xcomp (its controller), acomp and conj chains."""
        tok = verb
        for _ in range(8):
            subjects = [c for c in tok.children if c.dep_ in ("nsubj", "csubj")]
            if subjects:
                return subjects
            if tok.dep_ in ("acl", "relcl") and tok.head is not tok:
                return [tok.head]  # "a decision calling for …"
            participle = tok.dep_ == "advcl" and tok.tag_ == "VBG"  # "shelled Odesa, killing three"
            if (tok.dep_ not in ("xcomp", "acomp", "conj") and not participle) or tok.head is tok:
                return []
            if tok.dep_ == "xcomp":
                objects = [c for c in tok.head.children if c.dep_ == "dobj"]
                if objects:
                    return objects  # object control: "urged Iran to withdraw"
            tok = tok.head
        return []

    def _nominal(self, noun: Token) -> tuple[list[Token], list[Token]]:
        """Nouns: possessor, "by X" or a name before it → source; to/against/with/between X → target."""
        sources = [c for c in noun.children if c.dep_ == "poss"]
        sources += _prep_objects(noun, {"by"})
        # A name before the noun is its agent: "US withdrawal", "Iranian strikes".
        sources += [c for c in noun.lefts if c.dep_ in ("compound", "amod", "nmod") and self.ents.at(c) is not None]
        targets: list[Token] = []
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ in _TARGET_PREPS:
                objects = [g for g in prep.children if g.dep_ == "pobj"]
                if prep.lower_ == "between" and objects and not sources:
                    sources.append(objects[0])  # "negotiations between Sudani and the resistance"
                    targets.extend(_conjuncts(objects[0]))
                else:
                    targets.extend(objects)
        verb = _governing_light_verb(noun, self.c.light_verbs)
        if verb is None and noun.dep_ == "pobj" and noun.head.lower_ == "during" and noun.head.head.pos_ == "VERB":
            verb = noun.head.head  # "during a visit to the country, Austin vowed …": Austin visits
        if verb is not None:
            verb_sources, verb_targets = self._verbal(verb)
            sources += verb_sources
            targets += [t for t in verb_targets if t is not noun]
        return sources, targets

    # --- from a word to an entity ------------------------------------------------------

    def resolve(self, tok: Token, exclude: Span | None) -> Span | None:
        """The entity a word refers to: its own, a name in its phrase, or an antecedent."""
        ent = self.ents.at(tok)
        if ent is not None:
            return ent if ent.label_ in self.c.actor_labels and not self.ents.same(ent, exclude) else None
        lower = tok.lower_
        if tok.pos_ == "PRON":
            if lower in _RELATIVES and tok.head.dep_ == "relcl":
                return self.resolve(tok.head.head, exclude)
            labels = _PRONOUNS.get(lower)
            return self._antecedent(tok, labels, exclude) if labels else None
        for child in tok.children:
            if child.dep_ == "appos":
                ent = self.ents.at(child)
                if ent is not None and ent.label_ in self.c.actor_labels and not self.ents.same(ent, exclude):
                    return ent
        # A name inside the phrase ("US bases", "The KSS spokesman"), nearest to its head.
        for ent in reversed(self.ents.within(tok.left_edge.i, tok.i)):
            if ent.label_ in self.c.actor_labels and _is_name(ent) and not self.ents.same(ent, exclude):
                return ent
        for obj in _prep_objects(tok, {"of"}):  # "the port city of Odesa", "the leader of Hezbollah"
            ent = self.ents.at(obj)
            if ent is not None and ent.label_ in self.c.actor_labels and not self.ents.same(ent, exclude):
                return ent
        if tok.pos_ == "NOUN" and tok.tag_ == "NN" and any(c.lower_ == "the" for c in tok.children):
            label = self.c.descriptions.get(tok.lemma_.lower())
            if label:
                return self._antecedent(tok, (label,), exclude)
            return self._titled(tok, exclude)
        if tok.pos_ in ("PROPN", "NOUN") and tok.text[:1].isupper():
            # A name the NER missed, mentioned before in full: "Rashid’s visit".
            return next((e for e in self.ents.before(tok) if e.label_ in self.c.actor_labels
                         and self.ents.name(e) == lower and not self.ents.same(e, exclude)), None)
        return None

    def _antecedent(self, tok: Token, labels: Sequence[str], exclude: Span | None) -> Span | None:
        return next((e for e in self.ents.before(tok) if e.label_ in labels and not self.ents.same(e, exclude)), None)

    def _titled(self, tok: Token, exclude: Span | None) -> Span | None:
        """ "the supreme leader" → the latest mention of the entity once introduced as "Supreme Leader …"."""
        doc = tok.doc
        for ent in self.ents.before(tok):
            if ent.label_ not in ("PERSON", "ORG") or ent.start == 0:
                continue
            title = doc[ent.start - 1]  # "Leader" in "Supreme Leader Ayatollah Ali Khamenei"
            if title.lower_ == tok.lower_ and title.dep_ == "compound" and ent.start <= title.head.i < ent.end:
                name = self.ents.name(ent)
                latest = next((e for e in self.ents.before(tok) if self.ents.name(e) == name), ent)
                return None if self.ents.same(latest, exclude) else latest
        return None


def _is_name(ent: Span) -> bool:
    """A real name, not a mislabelled adjective ("the supreme leader" → "supreme" as ORG)."""
    return ent.label_ == "NORP" or any(t.pos_ == "PROPN" for t in ent)


def _conjuncts(tok: Token) -> list[Token]:
    return [c for c in tok.children if c.dep_ == "conj"]


def _prep_objects(tok: Token, preps: set[str]) -> list[Token]:
    return [g for c in tok.children if c.dep_ == "prep" and c.lower_ in preps for g in c.children if g.dep_ == "pobj"]


def _governing_light_verb(noun: Token, light_verbs: frozenset[str]) -> Token | None:
    """The light verb whose object the trigger noun is ("held a press conference"), if any."""
    if noun.dep_ in ("dobj", "nsubjpass") and noun.head.lemma_ in light_verbs:
        return noun.head
    return None
