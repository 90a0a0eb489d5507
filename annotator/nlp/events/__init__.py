"""Event pre-annotation: a spaCy component that finds event triggers and links their actors.

Triggers come from a lexicon (event type → lemmas and patterns) matched over lemmas; the
source and target actors come from dependency rules and are linked to entities of doc.ents.

What the component writes (the contract pre-annotation reads):

    doc.spans["event"]                        trigger spans in text order; label = event type,
                                              span.id_ = event id "v1", "v2", …; no two share a token
    doc.spans["event"].attrs["source_actor"]  {event id: [start_char, end_char] of an entity of doc.ents, or None}
    doc.spans["event"].attrs["target_actor"]  the same for the target
    doc.spans["event"].attrs["attrs"]         {event id: {name: value}}, only for events that have some:
        "negated": "true"        the trigger (or the verb whose object it is) has a `neg` child; a noun has "no"
        "modality": "<modal>"    the nearest modal auxiliary: will, would, shall, should, can, could, may, might, must
        "conditional": "true"    the trigger's clause is introduced by if/unless, or has an if/unless clause
        "intended": "<type>"     an act announced as the actor's intention (a future modal, or under "ready",
                                 "vowed", "plans" …) is typed as announcing it, as the PLOVER manual codes
                                 it (`intentions`): a forceful act as THREATEN ("will be ready to expel
                                 it"), a cooperative one as AGREE ("will sign an agreement"), a retreat as
                                 CONCEDE ("announced it would withdraw"); this keeps the act's own type.
                                 Under a word of that type ("warned that it would strike") the act is part
                                 of that word's event.

Lexicon entries (`triggers`, TOML-friendly: ``CONSULT = ["visit", "press conference", ...]``):
    "visit"                 a NOUN or VERB with that lemma
    "press conference"      consecutive lemmas (a plural word also matches its singular)
    "sign ... agreement"    the first lemma is the trigger, the second must be its dependent (object, or
                            object of its preposition); the trigger span is the first word only

Actors, by dependency rules, then linked to an entity of doc.ents (labels `actor_labels`):
    verbs   nsubj (through xcomp, acomp, conj and -ing adverbial chains; an xcomp takes its head's object,
            "urged Iran to withdraw"), or the passive agent → source; dobj, dative, nsubjpass, the object of
            to/with/against/on/at/into/toward(s)/between, or of the pattern's own preposition ("called on
            Baghdad") → target
    nouns   possessor ("his visit"), "by X", or a name modifying it ("US withdrawal") → source;
            to/against/with/on/… X → target; "between X and Y" → X source, Y target; a noun that is the
            object of a light verb ("held a press conference") or follows "during" ("during a visit …,
            Austin vowed") also takes that verb's actors
    no target, but a paired subject ("Rashid and the supreme leader discussed") → the second is the target
A word becomes an entity by: the entity it is part of; an apposition; the nearest name inside its
phrase ("US bases", "The KSS spokesman"); "the city of X"; a pronoun → the nearest earlier PERSON
(he, she) or ORG/GPE (it) or ORG/GPE/NORP (they); who/which → the noun the clause modifies; "the
country" and other `descriptions` → the nearest earlier entity of their label; "the supreme leader" →
the entity once introduced with that title ("Supreme Leader Ayatollah Ali Khamenei"), as its latest
mention; a capitalised word the NER missed → the nearest earlier entity with that last name. The target
never repeats the source ("Raisi … invited him" → him is not Raisi). Otherwise the actor stays None
("the two countries").

Config (all TOML-friendly): `triggers` and `descriptions` (null = DEFAULT_TRIGGERS, DEFAULT_DESCRIPTIONS;
a given mapping replaces them), `actor_labels`, `light_verbs`, `intentions` (announcing type → the act
types it covers; null = DEFAULT_INTENTIONS; a type missing from the lexicon is skipped, {} turns retyping
off), and `learned`: the span key of a trained
`annotator_span_tagger` of triggers (annotator.nlp.training), whose typed triggers are taken first, the
lexicon's only where they overlap none of them; actors and attributes follow the same rules for both.

In a pipeline without a lemmatizer the lexicon is matched on word forms (with rough inflections); without
a parser the events have no actors and no attributes. Both are logged when the component is added.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..adapter import encode_link
from ..entities import Entities
from .actors import _NAME_LABELS, ActorSettings, _Actors, _governing_light_verb
from .lexicon import (
    DEFAULT_ACTOR_LABELS,
    DEFAULT_DESCRIPTIONS,
    DEFAULT_INTENTIONS,
    DEFAULT_LIGHT_VERBS,
    DEFAULT_TRIGGERS,
    GROUP,
    _build_matcher,
    parse_triggers,
)

log = logging.getLogger(__name__)

_MODALS = {
    "will": "will",
    "'ll": "will",
    "wo": "will",
    "would": "would",
    "'d": "would",
    "shall": "shall",
    "should": "should",
    "can": "can",
    "ca": "can",
    "could": "could",
    "may": "may",
    "might": "might",
    "must": "must",
}
_FUTURE_MODALS = {"will", "would", "shall"}
# Words that make the act under them an intention: "ready to strike", "vowed to crush", "plans to visit".
_INTENT = {"ready", "prepared", "willing", "determined", "vow", "pledge", "promise", "plan", "intend", "threaten"}
INTENDED = "intended"  # the attribute keeping an announced act's own type
_CONDITIONALS = {"if", "unless"}


@dataclass
class _Found:
    """One event while the component works on it."""

    span: Span
    type: str
    source: Span | None = None
    target: Span | None = None
    attrs: dict[str, str] = field(default_factory=dict)


class EventRecognizer:
    """Finds event triggers from a lexicon and links source and target actors to doc.ents."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        triggers: Mapping[str, Sequence[str]],
        actor_labels: Sequence[str],
        descriptions: Mapping[str, Sequence[str]],
        light_verbs: Sequence[str],
        intentions: Mapping[str, Sequence[str]],
        learned: str = "",
    ):
        self.name = name
        self.learned = learned
        self.patterns = parse_triggers(triggers)
        # Built once here; per doc the work is one matcher pass plus rules around each match.
        self.lemma_matcher = _build_matcher(nlp, self.patterns, "LEMMA")
        self.lower_matcher = _build_matcher(nlp, self.patterns, "LOWER")
        self.actor_labels = frozenset(actor_labels)
        self.descriptions = {noun.lower(): label for label, nouns in descriptions.items() for noun in nouns}
        self.light_verbs = frozenset(light_verbs)
        types = {p.type for p in self.patterns.values()}
        # An act's type → the type of announcing it; none for a label the scheme does not have.
        self.intended = {act: label for label, acts in intentions.items() if label in types for act in acts}
        self.actor_settings = ActorSettings(self.actor_labels, self.descriptions, self.light_verbs)

    def __call__(self, doc: Doc) -> Doc:
        parsed = doc.has_annotation("DEP")
        matcher = self.lemma_matcher if doc.has_annotation("LEMMA") else self.lower_matcher
        found = self._triggers(doc, matcher(doc), parsed)
        if self.learned and self.learned in doc.spans:
            found = _merged([(s.start, s.end, s.label_) for s in doc.spans[self.learned]], found)
        events = [_Found(doc[start:end], event_type) for start, end, event_type in found]
        if events and parsed:
            ents = Entities(doc)
            for event in events:
                event.source, event.target = _Actors(self.actor_settings, ents, event.span).find()
                event.attrs = self._attributes(event.span)
            events = self._intentions(events)
        doc.spans[GROUP] = [
            Span(doc, e.span.start, e.span.end, label=e.type, span_id=f"v{n}") for n, e in enumerate(events, start=1)
        ]
        group = doc.spans[GROUP]
        group.attrs["source_actor"] = {f"v{n}": encode_link(e.source) for n, e in enumerate(events, start=1)}
        group.attrs["target_actor"] = {f"v{n}": encode_link(e.target) for n, e in enumerate(events, start=1)}
        group.attrs["attrs"] = {f"v{n}": e.attrs for n, e in enumerate(events, start=1) if e.attrs}
        return doc

    def _intentions(self, events: list[_Found]) -> list[_Found]:
        """Type acts announced as intentions as the announcing ("will strike": THREATEN; "will sign": AGREE;
        "would withdraw": CONCEDE); under a word of that type they are part of its event."""
        if not self.intended:
            return events
        by_token = {e.span.root.i: e for e in events}
        kept = []
        for event in events:
            label = self.intended.get(event.type)
            if label is not None and _is_intended(event.span, event.attrs):
                # "The Kremlin warned that it would strike …": one threat, on "warned".
                governor = next(
                    (
                        by_token[t.i]
                        for t in _up(event.span.root, ("ccomp", "xcomp", "acomp", "advcl"))
                        if t.i in by_token and by_token[t.i].type == label
                    ),
                    None,
                )
                if governor is not None:
                    governor.attrs.setdefault(INTENDED, event.type)
                    governor.target = governor.target or event.target
                    continue
                event.attrs[INTENDED] = event.type
                event.type = label
            kept.append(event)
        return kept

    def _triggers(self, doc: Doc, matches: list, parsed: bool) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, type) in text order; longer and two-word patterns win."""
        candidates = []  # (tokens taken, start, end, type)
        strings = doc.vocab.strings
        tagged = doc.has_annotation("POS")
        for match_id, start, end in matches:
            pattern = self.patterns[strings[match_id]]
            if doc[start].ent_type_ in _NAME_LABELS and doc[start].pos_ != "VERB":
                continue
            if parsed and _is_modifier(doc[start:end]):
                continue
            if tagged and pattern.length == 1 and not pattern.tail and doc[start].pos_ not in ("NOUN", "VERB"):
                continue  # "visit" the noun or verb, not "Visit" in a name or a stray tag
            taken = set(range(start, end))
            if pattern.tail:
                if not parsed:
                    continue
                tail = _tail(doc[start], pattern.tail)
                if tail is None:
                    continue
                taken.add(tail.i)
            candidates.append((taken, start, end, pattern.type))
        candidates.sort(key=lambda c: (-len(c[0]), c[1]))
        used: set[int] = set()
        chosen = []
        for taken, start, end, event_type in candidates:
            if taken.isdisjoint(used):
                used |= taken
                chosen.append((start, end, event_type))
        return sorted(chosen)

    def _attributes(self, span: Span) -> dict[str, str]:
        root = span.root
        verb = _governing_light_verb(root, self.light_verbs) if root.pos_ not in ("VERB", "AUX") else root
        attrs: dict[str, str] = {}
        if verb is None:
            if any(c.dep_ == "det" and c.lower_ == "no" for c in root.children):
                attrs["negated"] = "true"
            return attrs
        if any(c.dep_ == "neg" for tok in _up(verb, ("xcomp", "acomp")) for c in tok.children):
            attrs["negated"] = "true"
        clause = list(_up(verb, ("xcomp", "acomp", "conj")))
        modal = next(
            (_MODALS[c.lower_] for tok in clause for c in tok.children if c.dep_ == "aux" and c.lower_ in _MODALS), None
        )
        if modal:
            attrs["modality"] = modal
        if any(_is_conditional(tok) for tok in clause):
            attrs["conditional"] = "true"
        return attrs


def _merged(learned: list[tuple[int, int, str]], lexicon: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A trained tagger's triggers, and the lexicon's where they overlap none of them: what the team's gold
    taught wins, the lexicon covers what it never showed."""
    taken = {i for start, end, _ in learned for i in range(start, end)}
    kept = [t for t in lexicon if taken.isdisjoint(range(t[0], t[1]))]
    return sorted(learned + kept)


def _is_modifier(span: Span) -> bool:
    """A trigger noun that only describes another noun ("aid workers", "attack helicopters") is no event."""
    root = span.root
    return root.dep_ == "compound" and root.pos_ != "VERB" and not span.start <= root.head.i < span.end


def _is_intended(span: Span, attrs: Mapping[str, str]) -> bool:
    """An act announced as the actor's future intention: "will expel", "ready to strike", "vowed to crush"."""
    if "negated" in attrs:
        return False
    if attrs.get("modality") in _FUTURE_MODALS:
        return True
    return any(tok.lemma_.lower() in _INTENT for tok in _up(span.root, ("xcomp", "acomp")))


def _is_conditional(tok: Token) -> bool:
    for child in tok.children:
        if child.dep_ == "mark" and child.lower_ in _CONDITIONALS:
            return True
        if child.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in _CONDITIONALS for g in child.children):
            return True
    return False


def _up(tok: Token, deps: tuple[str, ...]) -> Iterator[Token]:
    """The token, then its heads as long as the arc is one of deps (a clause's verb chain)."""
    yield tok
    for _ in range(8):
        if tok.dep_ not in deps or tok.head is tok:
            return
        tok = tok.head
        yield tok


def _tail(head: Token, lemmas: frozenset[str]) -> Token | None:
    """The dependent of head (or of its preposition) with one of lemmas: "signed [an] agreement"."""
    for child in head.children:
        if child.lemma_.lower() in lemmas and child.dep_ not in ("nsubj", "conj"):
            return child
        if child.dep_ in ("prep", "prt"):
            for grandchild in child.children:
                if grandchild.lemma_.lower() in lemmas:
                    return grandchild
    return None


@Language.factory(
    "annotator_events",
    default_config={
        # null stands for the module defaults: spaCy merges a dict given in config into a dict
        # default, and a project's lexicon must replace ours, not extend it.
        "triggers": None,
        "actor_labels": DEFAULT_ACTOR_LABELS,
        "descriptions": None,
        "light_verbs": DEFAULT_LIGHT_VERBS,
        "intentions": None,
        "learned": "",
    },
    assigns=["doc.spans"],
    requires=["token.lemma", "token.dep", "doc.ents"],
)
def make_event_recognizer(
    nlp: Language,
    name: str,
    *,
    triggers: dict[str, list[str]] | None,
    actor_labels: list[str],
    descriptions: dict[str, list[str]] | None,
    light_verbs: list[str],
    intentions: dict[str, list[str]] | None,
    learned: str,
) -> EventRecognizer:
    """The event component; add it after "ner": nlp.add_pipe("annotator_events")."""
    if "parser" not in nlp.pipe_names:
        log.warning("%s: the pipeline has no parser, so events get no actors and no attributes", name)
    if "lemmatizer" not in nlp.pipe_names:
        log.warning("%s: the pipeline has no lemmatizer; triggers are matched on word forms", name)
    return EventRecognizer(
        nlp,
        name,
        triggers=DEFAULT_TRIGGERS if triggers is None else triggers,
        actor_labels=actor_labels,
        descriptions=DEFAULT_DESCRIPTIONS if descriptions is None else descriptions,
        light_verbs=light_verbs,
        intentions=DEFAULT_INTENTIONS if intentions is None else intentions,
        learned=learned,
    )


__all__ = [
    "DEFAULT_ACTOR_LABELS",
    "DEFAULT_DESCRIPTIONS",
    "DEFAULT_LIGHT_VERBS",
    "DEFAULT_INTENTIONS",
    "DEFAULT_TRIGGERS",
    "GROUP",
    "EventRecognizer",
    "make_event_recognizer",
    "parse_triggers",
]
