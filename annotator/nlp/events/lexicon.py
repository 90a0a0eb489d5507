"""The trigger lexicon: default PLOVER triggers, how a pattern is written, and the matcher built from it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

GROUP = "event"
GAP = "..."

# fmt: off
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
# fmt: on


_SHORT_CVC = re.compile(r"[a-z]?[^aeiou][aeiou][^aeiouwxy]")  # doubles its last letter: ban → banned


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
