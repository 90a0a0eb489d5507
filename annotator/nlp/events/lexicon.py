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
# The words follow the codebook's definitions and its CAMEO-to-PLOVER table (bench/gold/plover_events.jsonl
# is the dev set they are measured on): "Ease ban on political parties" → "lift ... ban" under CONCEDE.
DEFAULT_TRIGGERS: dict[str, list[str]] = {
    "AGREE": ["agree", "pledge", "promise", "offer", "propose", "invite", "invitation", "commit", "commitment",
              "consent", "accept ... offer", "accept ... proposal", "accept ... invitation", "reach ... agreement",
              "reach ... deal", "reach ... accord"],
    "CONSULT": ["visit", "trip", "meet", "meeting", "talk", "negotiate", "negotiation", "discuss", "discussion",
                "host", "press conference", "summit", "consult", "consultation", "phone", "telephone",
                "mediate", "mediation", "confer", "convene", "receive ... delegation", "receive ... president",
                "receive ... minister"],
    "SUPPORT": ["sign ... agreement", "sign ... deal", "sign ... accord", "sign ... treaty", "sign ... pact",
                "sign ... memorandum", "praise", "endorse", "endorsement", "welcome", "commend", "applaud",
                "congratulate", "thank", "recognise", "recognize", "support", "ratify", "ratification",
                "defend ... decision", "defend ... conduct", "defend ... policy", "defend ... record",
                "restore ... tie", "restore ... relation", "establish ... tie", "establish ... relation", "back",
                "hail", "laud", "salute", "approve"],
    "CONCEDE": ["concede", "yield", "apologise", "apologize", "apology", "pardon", "amnesty", "accede",
                "back down", "lift ... sanction", "lift ... ban", "lift ... embargo", "lift ... blockade",
                "lift ... siege", "lift ... curfew", "ease ... restriction", "ease ... sanction",
                "suspend ... protest", "suspend ... strike", "relent", "relax", "regret", "waive", "loosen",
                "ease ... rule", "ease ... curb"],
    "COOPERATE": ["cooperate", "cooperation", "collaborate", "collaboration", "share ... intelligence",
                  "share ... information", "share ... data", "joint operation", "joint patrol", "joint exercise",
                  "joint military exercise", "joint venture", "extradite", "extradition", "resume ... trade",
                  "exchange ... intelligence", "exchange ... information"],
    "AID": ["aid", "assistance", "donate", "donation", "supply", "relief", "asylum", "rescue",
            "forgive ... debt", "forgive ... loan", "forgive", "provide ... loan", "deliver ... food",
            "deliver ... medicine",
            "send ... weapon", "send ... missile", "send ... arm", "grant ... loan", "bailout", "airlift"],
    "RETREAT": ["withdraw", "withdrawal", "pull out", "pull back", "retreat", "release", "ceasefire",
                "truce", "demobilise", "demobilize", "disarm", "resign", "resignation", "surrender",
                "repatriate", "repatriation", "hand ... weapon", "lay ... arm",
                "allow ... inspector", "allow ... observer", "return ... land", "return ... property",
                "return ... territory", "free", "step down"],
    "INVESTIGATE": ["investigate", "investigation", "probe", "inquiry", "inquest", "inspect", "inspection",
                    "audit", "look into", "examine", "scrutinise", "scrutinize", "inquire", "enquiry"],
    "DEMAND": ["demand", "call on", "call for", "urge", "appeal", "insist", "ask ... for", "request", "press ... for",
               "petition"],
    "DISAPPROVE": ["accuse", "accusation", "criticise", "criticize", "criticism", "condemn", "condemnation",
                   "denounce", "complain", "complaint", "blame", "deplore", "sue", "lawsuit", "rebuke",
                   "reprimand", "summon ... ambassador", "summon ... envoy", "slam", "lambast", "lambaste", "castigate",
                   "decry", "charge ... with", "indict", "indictment", "allege", "allegation"],
    "REJECT": ["reject", "rejection", "refuse", "refusal", "veto", "rebuff", "deny", "turn down", "vote down",
               "defy", "dismiss ... call", "dismiss ... demand", "decline ... invitation", "snub", "spurn",
               "say ... no"],
    "THREATEN": ["threaten", "threat", "warn", "warning", "ultimatum", "retaliate", "retaliation"],
    "SANCTION": ["sanction", "embargo", "freeze ... asset", "cut ... tie", "sever ... tie", "break ... tie",
                 "break ... relation", "expel ... diplomat", "expel ... ambassador", "suspend ... aid",
                 "recall ... ambassador", "recall ... envoy", "halt ... negotiation", "halt ... talk",
                 "suspend ... talk", "downgrade ... relation", "downgrade ... tie", "cut ... aid",
                 "suspend ... cooperation"],
    "PROTEST": ["protest", "demonstrate", "demonstration", "rally", "march", "boycott", "riot",
                "hunger strike", "general strike", "go on strike", "strike ... over", "sit-in",
                "block ... road", "block ... highway", "block ... street", "walkout", "picket"],
    "CRIME": ["kidnap", "kidnapping", "abduct", "abduction", "smuggle", "smuggling", "rob", "robbery",
              "loot", "looting", "hijack", "murder", "steal", "theft", "burglary", "embezzle", "embezzlement",
              "launder", "money laundering", "trafficking", "traffic ... migrant", "traffic ... drug",
              "traffic ... people", "traffic ... woman", "extortion", "extort", "bribery", "bribe", "fraud", "burgle",
              "poach", "poaching", "arson", "vandalise", "vandalize", "vandalism"],
    "MOBILIZE": ["deploy", "deployment", "reinforce", "reinforcement", "bolster", "mobilise", "mobilize",
                 "mobilisation", "mobilization", "buildup", "military exercise", "send ... troop",
                 "send ... warship", "send ... ship", "send ... soldier", "boost ... presence",
                 "increase ... presence", "alert", "mass ... troop", "mass ... tank", "call up",
                 "missile test", "test ... missile", "move ... troop", "station ... troop", "dispatch ... troop",
                 "dispatch ... warship", "call ... army", "call ... troop"],
    "COERCE": ["arrest", "detain", "detention", "seize", "seizure", "expel", "expulsion", "deport",
               "deportation", "ban", "raid", "imprison", "jail", "confiscate", "curfew", "crackdown",
               "crack down", "censor", "state of emergency", "martial law", "block ... access", "close ... strait",
               "close ... border", "shut down", "evict", "eviction", "house arrest"],
    "ASSAULT": ["attack", "strike", "airstrike", "air strike", "bomb", "bombing", "shell", "shelling",
                "fire ... missile", "fire ... rocket", "fire ... gas", "fire ... shot", "clash", "fight",
                "fighting", "assault", "invade", "invasion", "ambush", "assassinate", "assassination", "kill",
                "blow ... up", "beat", "torture", "massacre", "crush ... rebellion", "crush ... uprising",
                "gun down", "shoot", "shooting", "open ... fire", "stab", "stabbing", "rape", "behead", "execute",
                "execution", "take ... hostage"],
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
                       "provide", "send", "deliver", "lead", "join", "attend", "announce", "order", "lodge",
                       "grant"]
# An act announced as an intention is coded as announcing it (the PLOVER manual: future cooperation is
# AGREE, announced retreats CONCEDE, forceful acts threatened THREATEN): announcing type → act types.
DEFAULT_INTENTIONS: dict[str, list[str]] = {
    "THREATEN": ["ASSAULT", "COERCE", "SANCTION"],
    "AGREE": ["CONSULT", "SUPPORT", "COOPERATE", "AID"],
    "CONCEDE": ["RETREAT"],
}
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
