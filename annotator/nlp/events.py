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
        "threatened": "<type>"   a forceful act stated as a future intention ("will be ready to expel it")
                                 is typed as the threat (`threat_label`); this keeps the act's own type

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
a given mapping replaces them), `actor_labels`, `light_verbs`, `threat_label` ("" or a type missing from
the lexicon turns retyping off), `threatened_types`.

In a pipeline without a lemmatizer the lexicon is matched on word forms (with rough inflections); without
a parser the events have no actors and no attributes. Both are logged when the component is added.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

GROUP = "event"
GAP = "..."

# PLOVER (the default scheme of default_project.toml); a project with another scheme brings its own.
DEFAULT_TRIGGERS: dict[str, list[str]] = {
    "AGREE": ["agree", "pledge", "promise", "offer", "propose", "reach ... agreement", "reach ... deal",
              "reach ... accord"],
    "CONSULT": ["visit", "trip", "meet", "meeting", "talk", "negotiate", "negotiation", "discuss", "discussion",
                "host", "press conference", "summit", "invite", "consult", "consultation", "phone", "telephone",
                "mediate", "mediation", "confer"],
    "SUPPORT": ["sign ... agreement", "sign ... deal", "sign ... accord", "sign ... treaty", "sign ... pact",
                "sign ... memorandum", "praise", "endorse", "welcome", "commend", "applaud", "congratulate", "thank",
                "recognise", "recognize", "support"],
    "CONCEDE": ["concede", "yield", "apologise", "apologize", "apology", "lift ... sanction", "lift ... ban",
                "lift ... embargo", "lift ... blockade", "lift ... siege", "ease ... restriction",
                "ease ... sanction", "relent"],
    "COOPERATE": ["cooperate", "cooperation", "collaborate", "collaboration", "share ... intelligence",
                  "joint operation", "joint patrol", "extradite", "extradition"],
    "AID": ["aid", "assistance", "donate", "donation", "supply", "relief"],
    "RETREAT": ["withdraw", "withdrawal", "pull out", "pull back", "retreat", "release", "ceasefire",
                "truce", "demobilise", "demobilize", "disarm"],
    "INVESTIGATE": ["investigate", "investigation", "probe", "inquiry", "inspect", "inspection"],
    "DEMAND": ["demand", "call on", "call for", "urge", "appeal", "insist"],
    "DISAPPROVE": ["accuse", "accusation", "criticise", "criticize", "criticism", "condemn", "condemnation",
                   "denounce", "complain", "complaint", "blame", "deplore"],
    "REJECT": ["reject", "rejection", "refuse", "refusal", "veto", "rebuff", "deny"],
    "THREATEN": ["threaten", "threat", "warn", "warning", "ultimatum"],
    "SANCTION": ["sanction", "embargo", "freeze ... asset", "cut ... tie", "sever ... tie",
                 "expel ... diplomat", "expel ... ambassador", "suspend ... aid"],
    "PROTEST": ["protest", "demonstrate", "demonstration", "rally", "march", "boycott",
                "hunger strike", "general strike", "go on strike"],
    "CRIME": ["kidnap", "kidnapping", "abduct", "abduction", "smuggle", "smuggling", "rob", "robbery",
              "loot", "looting", "hijack", "murder"],
    "MOBILIZE": ["deploy", "deployment", "reinforce", "reinforcement", "bolster", "mobilise", "mobilize",
                 "mobilisation", "mobilization", "buildup", "military exercise", "send ... troop",
                 "boost ... presence", "increase ... presence"],
    "COERCE": ["arrest", "detain", "detention", "seize", "seizure", "expel", "expulsion", "deport",
               "deportation", "ban", "raid", "imprison", "confiscate", "curfew", "crackdown", "crack down"],
    "ASSAULT": ["attack", "strike", "airstrike", "air strike", "bomb", "bombing", "shell", "shelling",
                "fire ... missile", "fire ... rocket", "clash", "fight", "fighting", "assault", "invade",
                "invasion", "ambush", "assassinate", "assassination", "kill"],
}
# Entity labels an actor may have.
DEFAULT_ACTOR_LABELS = ["PERSON", "ORG", "GPE", "NORP", "FAC"]
# "the country" and the like refer to the nearest earlier entity of the label they stand for.
DEFAULT_DESCRIPTIONS: dict[str, list[str]] = {
    "GPE": ["country", "nation", "government", "capital", "city", "kingdom", "republic"],
    "ORG": ["group", "faction", "militia", "movement", "organisation", "organization", "party", "company",
            "bloc", "alliance", "union", "commission", "council", "committee", "agency", "ministry"],
}
# Verbs whose object noun is the event and whose subject is its source: "held talks", "launched attacks".
DEFAULT_LIGHT_VERBS = ["hold", "have", "conduct", "make", "launch", "carry", "stage", "begin", "start",
                       "continue", "resume", "open", "pay", "mount", "impose", "issue", "file", "give",
                       "provide", "send", "deliver", "lead", "join", "attend", "announce", "order"]
DEFAULT_THREATENED_TYPES = ["ASSAULT", "COERCE", "SANCTION"]

_MODALS = {"will": "will", "'ll": "will", "wo": "will", "would": "would", "'d": "would", "shall": "shall",
           "should": "should", "can": "can", "ca": "can", "could": "could", "may": "may", "might": "might",
           "must": "must"}
_FUTURE_MODALS = {"will", "would", "shall"}
_READY = {"ready", "prepared", "willing", "determined"}
_CONDITIONALS = {"if", "unless"}
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


@dataclass(frozen=True)
class _Pattern:
    type: str
    length: int  # tokens the trigger span covers
    tail: frozenset[str] = frozenset()  # for "head ... tail": lemmas the head's dependent may have


def _singular(word: str) -> set[str]:
    """The word and its singular, so "hold talks" also matches lemmas of "held talks"."""
    forms = {word}
    if word.endswith("ies") and len(word) > 4:
        forms.add(word[:-3] + "y")
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.add(word[:-1])
    return forms


def _inflections(word: str) -> set[str]:
    """Rough word forms of a lemma, for pipelines that have no lemmatizer: visit → visits, visited, visiting."""
    forms = _singular(word) | {word + ("es" if word.endswith(("s", "sh", "ch", "x", "z")) else "s")}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    elif word.endswith("y") and word[-2:-1] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    else:
        forms |= {word + "ed", word + "ing"}
        if _SHORT_CVC.fullmatch(word):
            forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # ban → banned, banning
    return forms


def parse_triggers(triggers: Mapping[str, Sequence[str]]) -> dict[str, _Pattern]:
    """The lexicon checked and keyed by pattern text; ValueError names a bad or repeated entry."""
    patterns: dict[str, _Pattern] = {}
    if not isinstance(triggers, Mapping):
        raise ValueError("annotator_events: triggers must map an event type to a list of patterns")
    for event_type, entries in triggers.items():
        if isinstance(entries, str) or not all(isinstance(e, str) for e in entries):
            raise ValueError(f"annotator_events: triggers.{event_type} must be a list of strings")
        for entry in entries:
            words = entry.lower().split()
            if not words or words.count(GAP) > 1 or words[0] == GAP or words[-1] == GAP:
                raise ValueError(f"annotator_events: trigger {entry!r} of {event_type} is not a pattern")
            if GAP in words and len(words) != 3:
                raise ValueError(f"annotator_events: trigger {entry!r}: use one word on each side of '...'")
            key = " ".join(words)
            if key in patterns:
                raise ValueError(
                    f"annotator_events: trigger {entry!r} is listed under {patterns[key].type} and {event_type}"
                )
            if GAP in words:
                patterns[key] = _Pattern(event_type, 1, frozenset(_singular(words[2])))
            else:
                patterns[key] = _Pattern(event_type, len(words))
    return patterns


def _build_matcher(nlp: Language, patterns: Mapping[str, _Pattern], attr: str) -> PhraseMatcher:
    """One PhraseMatcher for the whole lexicon, over lemmas (attr LEMMA) or word forms (attr LOWER)."""
    # A PhraseMatcher looks tokens up by hash, so its cost does not grow with the size of the lexicon.
    matcher = PhraseMatcher(nlp.vocab, attr=attr)
    forms = _singular if attr == "LEMMA" else _inflections
    for key, pattern in patterns.items():
        words = key.split()[:1] if pattern.tail else key.split()
        variants = [list(v) for v in itertools.islice(itertools.product(*(sorted(forms(w)) for w in words)), 64)]
        matcher.add(key, [Doc(nlp.vocab, words=v, lemmas=v) for v in variants])
    return matcher


@dataclass
class _Found:
    """One event while the component works on it."""

    span: Span
    type: str
    source: Span | None = None
    target: Span | None = None
    attrs: dict[str, str] = field(default_factory=dict)


def _offsets(ent: Span | None) -> list[int] | None:
    return None if ent is None else [ent.start_char, ent.end_char]


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
        threat_label: str,
        threatened_types: Sequence[str],
    ):
        self.name = name
        self.patterns = parse_triggers(triggers)
        # Built once here; per doc the work is one matcher pass plus rules around each match.
        self.lemma_matcher = _build_matcher(nlp, self.patterns, "LEMMA")
        self.lower_matcher = _build_matcher(nlp, self.patterns, "LOWER")
        self.actor_labels = frozenset(actor_labels)
        self.descriptions = {noun.lower(): label for label, nouns in descriptions.items() for noun in nouns}
        self.light_verbs = frozenset(light_verbs)
        types = {p.type for p in self.patterns.values()}
        # No retyping when the scheme has no threat type.
        self.threat_label = threat_label if threat_label in types else ""
        self.threatened_types = frozenset(threatened_types)

    def __call__(self, doc: Doc) -> Doc:
        parsed = doc.has_annotation("DEP")
        matcher = self.lemma_matcher if doc.has_annotation("LEMMA") else self.lower_matcher
        found = self._triggers(doc, matcher(doc), parsed)
        events = [_Found(doc[start:end], event_type) for start, end, event_type in found]
        if events and parsed:
            ents = _Entities(doc)
            for event in events:
                event.source, event.target = _Actors(self, ents, event.span).find()
                event.attrs = self._attributes(event.span)
            events = self._threats(events)
        doc.spans[GROUP] = [Span(doc, e.span.start, e.span.end, label=e.type, span_id=f"v{n}")
                            for n, e in enumerate(events, start=1)]
        group = doc.spans[GROUP]
        group.attrs["source_actor"] = {f"v{n}": _offsets(e.source) for n, e in enumerate(events, start=1)}
        group.attrs["target_actor"] = {f"v{n}": _offsets(e.target) for n, e in enumerate(events, start=1)}
        group.attrs["attrs"] = {f"v{n}": e.attrs for n, e in enumerate(events, start=1) if e.attrs}
        return doc

    def _threats(self, events: list[_Found]) -> list[_Found]:
        """Type forceful acts announced as intentions as threats; under a threat word they are part of it."""
        if not self.threat_label:
            return events
        by_token = {e.span.root.i: e for e in events}
        kept = []
        for event in events:
            if event.type in self.threatened_types and _is_threat(event.span, event.attrs):
                # "The Kremlin warned that it would strike …": one threat, on "warned".
                governor = next((by_token[t.i] for t in _up(event.span.root, ("ccomp", "xcomp", "acomp", "advcl"))
                                 if t.i in by_token and by_token[t.i].type == self.threat_label), None)
                if governor is not None:
                    governor.attrs.setdefault("threatened", event.type)
                    governor.target = governor.target or event.target
                    continue
                event.attrs["threatened"] = event.type
                event.type = self.threat_label
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
        modal = next((_MODALS[c.lower_] for tok in clause for c in tok.children
                      if c.dep_ == "aux" and c.lower_ in _MODALS), None)
        if modal:
            attrs["modality"] = modal
        if any(_is_conditional(tok) for tok in clause):
            attrs["conditional"] = "true"
        return attrs


def _is_modifier(span: Span) -> bool:
    """A trigger noun that only describes another noun ("aid workers", "attack helicopters") is no event."""
    root = span.root
    return root.dep_ == "compound" and root.pos_ != "VERB" and not span.start <= root.head.i < span.end


def _is_threat(span: Span, attrs: Mapping[str, str]) -> bool:
    """A forceful act announced as the actor's future intention: "will expel", "ready to strike"."""
    if "negated" in attrs:
        return False
    if attrs.get("modality") in _FUTURE_MODALS:
        return True
    return any(tok.lemma_.lower() in _READY for tok in _up(span.root, ("xcomp", "acomp")))


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


def _governing_light_verb(noun: Token, light_verbs: frozenset[str]) -> Token | None:
    """The light verb whose object the trigger noun is ("held a press conference"), if any."""
    if noun.dep_ in ("dobj", "nsubjpass") and noun.head.lemma_ in light_verbs:
        return noun.head
    return None


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


@Language.factory(
    "annotator_events",
    default_config={
        # null stands for the module defaults: spaCy merges a dict given in config into a dict
        # default, and a project's lexicon must replace ours, not extend it.
        "triggers": None,
        "actor_labels": DEFAULT_ACTOR_LABELS,
        "descriptions": None,
        "light_verbs": DEFAULT_LIGHT_VERBS,
        "threat_label": "THREATEN",
        "threatened_types": DEFAULT_THREATENED_TYPES,
    },
    assigns=["doc.spans"],
    requires=["token.lemma", "token.dep", "doc.ents"],
)
def make_event_recognizer(
    nlp: Language,
    name: str,
    *,
    triggers: Optional[Dict[str, List[str]]],
    actor_labels: List[str],
    descriptions: Optional[Dict[str, List[str]]],
    light_verbs: List[str],
    threat_label: str,
    threatened_types: List[str],
) -> EventRecognizer:
    """The event component; add it after "ner": nlp.add_pipe("annotator_events")."""
    if "parser" not in nlp.pipe_names:
        log.warning("%s: the pipeline has no parser, so events get no actors and no attributes", name)
    if "lemmatizer" not in nlp.pipe_names:
        log.warning("%s: the pipeline has no lemmatizer; triggers are matched on word forms", name)
    return EventRecognizer(
        nlp, name, triggers=DEFAULT_TRIGGERS if triggers is None else triggers, actor_labels=actor_labels,
        descriptions=DEFAULT_DESCRIPTIONS if descriptions is None else descriptions,
        light_verbs=light_verbs, threat_label=threat_label, threatened_types=threatened_types,
    )
