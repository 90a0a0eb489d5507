"""Actors: which entities of the article an event's trigger links to, by the dependency parse."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spacy.tokens import Span, Token

from ..entities import GROUP, PERSON, PLURAL, Entities, pronoun_labels

_TARGET_PREPS = {"to", "with", "against", "on", "at", "into", "toward", "towards", "between"}
# Every form of a pronoun: "his visit", "the country itself", "their strikes".
_PRONOUNS = pronoun_labels({PERSON: ("PERSON",), GROUP: ("ORG", "GPE"), PLURAL: ("ORG", "GPE", "NORP")})
_RELATIVES = {"who", "whom", "whose", "which", "that"}
# A trigger word inside one of these entities is a name ("Operation Support"), not an event.
_NAME_LABELS = {"PERSON", "ORG", "GPE", "FAC", "LOC", "WORK_OF_ART", "LAW", "EVENT", "PRODUCT"}


@dataclass(frozen=True)
class ActorSettings:
    """What the actor rules read of the component's configuration."""

    labels: frozenset[str]  # entity labels an actor may have
    descriptions: Mapping[str, str]  # "country" → GPE: a description stands for the nearest entity of its label
    light_verbs: frozenset[str]  # "held a press conference": the verb's actors are the noun's


class _Actors:
    """Source and target of one trigger, by dependency rules, linked to entities."""

    def __init__(self, settings: ActorSettings, ents: Entities, span: Span):
        self.settings = settings
        self.ents = ents  # all of the Doc's entities
        self.span = span

    def find(self) -> tuple[Span | None, Span | None]:
        """The source and target entities."""
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
        return self._span(source), self._span(target)

    def _span(self, n: int | None) -> Span | None:
        return None if n is None else self.ents.ents[n]

    def _first(self, tokens: Sequence[Token], exclude: int | None) -> tuple[Token | None, int | None]:
        for tok in tokens:
            n = self.resolve(tok, exclude)
            if n is not None:
                return tok, n
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
        sources += [c for c in noun.lefts if c.dep_ in ("compound", "amod", "nmod") and self.ents.at(c.i) is not None]
        targets: list[Token] = []
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ in _TARGET_PREPS:
                objects = [g for g in prep.children if g.dep_ == "pobj"]
                if prep.lower_ == "between" and objects and not sources:
                    sources.append(objects[0])  # "negotiations between Sudani and the resistance"
                    targets.extend(_conjuncts(objects[0]))
                else:
                    targets.extend(objects)
        verb = _governing_light_verb(noun, self.settings.light_verbs)
        if verb is None and noun.dep_ == "pobj" and noun.head.lower_ == "during" and noun.head.head.pos_ == "VERB":
            verb = noun.head.head  # "during a visit to the country, Austin vowed …": Austin visits
        if verb is not None:
            verb_sources, verb_targets = self._verbal(verb)
            sources += verb_sources
            targets += [t for t in verb_targets if t is not noun]
        return sources, targets

    # --- from a word to an entity ------------------------------------------------------

    def resolve(self, tok: Token, exclude: int | None) -> int | None:
        """The entity a word refers to: its own, a name in its phrase, or an antecedent; never one with
        the name of `exclude`."""
        ents = self.ents
        n = ents.at(tok.i)
        if n is not None:
            return n if self._actor(n, exclude) else None
        lower = tok.lower_
        if tok.pos_ == "PRON":
            if lower in _RELATIVES and tok.head.dep_ == "relcl":
                return self.resolve(tok.head.head, exclude)
            labels = _PRONOUNS.get(lower)
            return self._antecedent(tok, labels, exclude) if labels else None
        for child in tok.children:
            if child.dep_ == "appos":
                n = ents.at(child.i)
                if n is not None and self._actor(n, exclude):
                    return n
        # A name inside the phrase ("US bases", "The KSS spokesman"), nearest to its head.
        for n in reversed(ents.within(tok.left_edge.i, tok.i)):
            if self._actor(n, exclude) and _is_name(ents.ents[n]):
                return n
        for obj in _prep_objects(tok, {"of"}):  # "the port city of Odesa", "the leader of Hezbollah"
            n = ents.at(obj.i)
            if n is not None and self._actor(n, exclude):
                return n
        if tok.pos_ == "NOUN" and tok.tag_ == "NN" and any(c.lower_ == "the" for c in tok.children):
            label = self.settings.descriptions.get(tok.lemma_.lower())
            if label:
                return self._antecedent(tok, (label,), exclude)
            return self._titled(tok, exclude)
        if tok.pos_ in ("PROPN", "NOUN") and tok.text[:1].isupper():
            # A name the NER missed, mentioned before in full: "Rashid’s visit".
            return next((n for n in ents.before(tok.i) if self._actor(n, exclude) and ents.keys[n] == lower), None)
        return None

    def _actor(self, n: int, exclude: int | None) -> bool:
        """Whether entity n may be an actor: a label of the settings, and not the name of `exclude`."""
        return self.ents.ents[n].label_ in self.settings.labels and not self.ents.same(n, exclude)

    def _antecedent(self, tok: Token, labels: Sequence[str], exclude: int | None) -> int | None:
        ents = self.ents
        return next(
            (n for n in ents.before(tok.i) if ents.ents[n].label_ in labels and not ents.same(n, exclude)), None
        )

    def _titled(self, tok: Token, exclude: int | None) -> int | None:
        """ "the supreme leader" → the latest mention of the entity once introduced as "Supreme Leader …"."""
        doc, ents = tok.doc, self.ents
        for n in ents.before(tok.i):
            ent = ents.ents[n]
            if ent.label_ not in ("PERSON", "ORG") or ent.start == 0:
                continue
            title = doc[ent.start - 1]  # "Leader" in "Supreme Leader Ayatollah Ali Khamenei"
            if title.lower_ == tok.lower_ and title.dep_ == "compound" and ent.start <= title.head.i < ent.end:
                latest = next((m for m in ents.before(tok.i) if ents.keys[m] == ents.keys[n]), n)
                return None if ents.same(latest, exclude) else latest
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
