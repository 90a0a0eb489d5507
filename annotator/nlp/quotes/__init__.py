"""Quote attribution as a spaCy component: direct, indirect and mixed quotes with cue, source and speaker.

`nlp.add_pipe("annotator_quotes")` after "ner" in a pipeline with a parser. On each Doc it writes
  doc.spans["quote"]   the content spans, label DIRECT | INDIRECT | MIXED, span id "q1", "q2", … in text order
                       (an interrupted quote, “A,” she said, “B.”, is one id with two content spans);
  doc.spans["cue"]     the cue of each quote that has one (said, told, according to), same label and id;
  doc.spans["source"]  the source as written (“the supreme leader”), same label and id;
  doc.spans["quote"].attrs["speaker"]  {quote id: [start_char, end_char] of an entity of doc.ents, or None}.

With `parts` set to the span key of a trained `annotator_span_tagger` (annotator.nlp.training), the
quotes are assembled from the content, cue and source spans it tagged (parts.py) instead of found by the
rules below; their types and speakers follow the same rules. Pipelines without it keep the rules.

Conventions (the gold set in bench/gold/quotes.jsonl follows them):
- Content of a direct quote runs from its opening to its closing mark, marks included; a quote that runs
  over several paragraphs has one content span per paragraph. Reported content is the clausal complement
  without the complementiser "that" and without the reporting sentence's final full stop; a quoted
  fragment inside it is taken in whole, marks included (then the quote is MIXED).
- A mark left open is closed at the end of its paragraph, unless the next paragraph opens with a mark
  (the convention for quotes of several paragraphs); an unclosed single mark is taken for an apostrophe.
  Single marks inside double ones (or the reverse) stay inside the outer quote.
- Cues are verbs of DEFAULT_CUE_LEMMAS (or the project's list) with a clausal complement ("said that X",
  "“X,” he added"), a reporting clause set off by punctuation ("X, a statement read"), an infinitive for
  commitments ("vowed to stay"), or "according to". Directives ("urged X to …") are left to events.
- The source is the noun phrase of the cue's subject up to its head ("a spokesman", not "a spokesman for
  …"), the pobj of "according to", or the agent of a passive; a participle or coordinated cue with no
  subject of its own ("…, stressing that …") takes its governing verb's.

Speaker rules, first that applies (every entity is reported as the first mention of its name: a later
"Khamenei" is "Ayatollah Ali Khamenei", and "X (ACR)" makes ACR a name of X):
1. Pronoun (he, she, they, it): the latest earlier speaker of a compatible label (he/she: PERSON; it:
   ORG/GPE/NORP; they: any) or spoken of alike ("she", "the company"), unless a compatible entity has
   become the subject of a sentence since (then that one); with no earlier speaker, the nearest earlier
   compatible entity.
2. Name: the entity the source's head word lies in (or, for a mention the NER missed, the earlier entity
   of the same last name), or an entity in apposition ("The port operator, Selden Maritime,").
3. Document ("a presidential statement"): the earlier entity introduced with the matching title
   ("Iraqi President Abdel Latif Rashid"), else an entity named in the phrase.
4. Definite description ("the supreme leader", "The KSS spokesman"): the speaker of an earlier quote whose
   source had the same head noun; else the nearest earlier entity introduced with that noun as a title
   ("Supreme Leader Ayatollah Ali Khamenei").
5. Any description naming an entity within its phrase, up to the cue ("The KSS spokesman", "a spokesman for
   … (KSS)"): ORG first, then PERSON, GPE, NORP — an unnamed spokesman or official is resolved to the
   organisation they speak for, since the NER has no entity for them.
6. Definite description: by its head noun's class (leader, minister, spokesman…: PERSON; group, faction,
   government…: ORG/NORP/GPE), as for pronouns — but not to the nearest entity when the noun was used
   before for something unnamed ("the electoral commission" … "according to the commission").
Otherwise (an indefinite "a source", "officials") None. A quote with no cue takes the speaker of the quote
just before it when that one is in the same or the previous paragraph.

The package: marks (quotation marks, paragraph breaks), cues (cues, their content and source in the
parse), candidates (settling a quote's content and type; writing the span groups), speakers (the rules
above, over the shared index of annotator.nlp.entities), and here the finder that puts them together.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy
from spacy.attrs import LEMMA, LOWER, POS
from spacy.language import Language
from spacy.symbols import VERB
from spacy.tokens import Doc

from .candidates import _Candidate, _Ranges, _settle, _Text, _token_quotations, _words, _write
from .cues import _according_to, _candidate, _cue_end, _cue_near, _parenthetical, _reported
from .lexicon import DEFAULT_CUE_LEMMAS, DEFAULT_GROUP_NOUNS, DEFAULT_PERSON_NOUNS
from .marks import find_quotations, paragraph_breaks
from .parts import assemble
from .speakers import DOCUMENT_NOUNS, SPEAKER_LABELS, TITLE_ADJECTIVES, _Speakers

TYPES = ("DIRECT", "INDIRECT", "MIXED")


@Language.factory(
    "annotator_quotes",
    default_config={
        "cue_lemmas": list(DEFAULT_CUE_LEMMAS),
        "person_nouns": list(DEFAULT_PERSON_NOUNS),
        "group_nouns": list(DEFAULT_GROUP_NOUNS),
        "min_unattributed_words": 4,
        "parts": "",
    },
    requires=["token.dep", "token.lemma", "token.pos", "doc.ents"],
    assigns=["doc.spans"],
)
def make_quote_finder(
    nlp: Language,
    name: str,
    *,
    cue_lemmas: list[str],
    person_nouns: list[str],
    group_nouns: list[str],
    min_unattributed_words: int,
    parts: str,
) -> QuoteFinder:
    """Quotes with cue, source and speaker, as span groups; place it after "ner" (and after a trained tagger)."""
    return QuoteFinder(
        nlp,
        name,
        cue_lemmas=cue_lemmas,
        person_nouns=person_nouns,
        group_nouns=group_nouns,
        min_unattributed_words=min_unattributed_words,
        parts=parts,
    )


class QuoteFinder:
    """Finds the quotes of a parsed Doc; see the module docstring for what it writes."""

    def __init__(
        self,
        nlp: Language,
        name: str = "annotator_quotes",
        *,
        cue_lemmas: Iterable[str] = DEFAULT_CUE_LEMMAS,
        person_nouns: Iterable[str] = DEFAULT_PERSON_NOUNS,
        group_nouns: Iterable[str] = DEFAULT_GROUP_NOUNS,
        min_unattributed_words: int = 4,
        parts: str = "",
    ):
        self.name = name
        self.parts = parts
        self.cue_lemmas = frozenset(lemma.lower() for lemma in cue_lemmas)
        self.person_nouns = frozenset(noun.lower() for noun in person_nouns)
        self.group_nouns = frozenset(noun.lower() for noun in group_nouns)
        self.min_unattributed_words = min_unattributed_words
        strings = nlp.vocab.strings
        # Lemma hashes, so that cue verbs are found with one vectorised test over the Doc's array.
        self._cue_ids = numpy.array(sorted(strings.add(lemma) for lemma in self.cue_lemmas), dtype="uint64")
        self._according = strings.add("according")
        self._to = strings.add("to")

    def __call__(self, doc: Doc) -> Doc:
        text = _Text(doc.text)  # Doc.text joins every token anew: read it once
        quotations = _token_quotations(doc, text.text)
        if self.parts and self.parts in doc.spans:  # a trained tagger's parts, assembled
            quotes = assemble(doc, text, doc.spans[self.parts], _Ranges(quotations), self.min_unattributed_words)
        elif doc.has_annotation("DEP"):
            quotes = self._attributed(doc, text, quotations)
        else:  # no parse (a blank pipeline): the quotations alone, unattributed
            inside = _Ranges(quotations)
            quotes = [_Candidate([q]) for q in quotations if _words(doc, *q) >= self.min_unattributed_words]
            for quote in quotes:
                _settle(doc, text, quote, inside)
        quotes.sort(key=lambda c: c.content[0])
        if any(c.source is not None or c.cue is None for c in quotes):
            _Speakers(doc, text, person_nouns=self.person_nouns, group_nouns=self.group_nouns).resolve(quotes)
        _write(doc, quotes)
        return doc

    # --- finding quotes -----------------------------------------------------------------

    def _attributed(self, doc: Doc, text: _Text, quotations: list[tuple[int, int]]) -> list[_Candidate]:
        array = doc.to_array([LEMMA, LOWER, POS])
        cues = numpy.flatnonzero(numpy.isin(array[:, 0], self._cue_ids) & (array[:, 2] == VERB)).tolist()
        inside = _Ranges(quotations)
        cues = [i for i in cues if inside.find(i) < 0]  # a cue within a quotation belongs to its content
        cue_set = set(cues)
        reported = {i: _reported(doc[i], cue_set) for i in cues}
        speaking = {i for i, content in reported.items() if content}  # cues with content of their own
        by_cue: dict[int, _Candidate] = {}
        for i in cues:
            verb = doc[i]
            content = reported[i] or _parenthetical(verb, speaking)
            if content:
                by_cue[i] = _candidate(verb, content, (i, _cue_end(verb)))
        for i in numpy.flatnonzero(array[:, 1] == self._according).tolist():
            if i + 1 < len(doc) and array[i + 1, 1] == self._to and inside.find(i) < 0:
                candidate = _according_to(doc[i], cue_set)
                if candidate is not None:
                    by_cue[i] = candidate
        for candidate in by_cue.values():
            _settle(doc, text, candidate, inside)
        used = set().union(*(c.quotations for c in by_cue.values())) if by_cue else set()
        unattributed: list[_Candidate] = []
        for n, (start, end) in enumerate(quotations):
            if n in used:
                continue
            near = _cue_near(doc, start, end, cue_set, inside)
            if near is not None and near in by_cue:
                by_cue[near].content.append((start, end))
                _settle(doc, text, by_cue[near], inside)
            elif near is not None:
                by_cue[near] = _candidate(doc[near], [(start, end)], (near, _cue_end(doc[near])))
                _settle(doc, text, by_cue[near], inside)
            elif _words(doc, start, end) >= self.min_unattributed_words:
                unattributed.append(_Candidate([(start, end)]))
                _settle(doc, text, unattributed[-1], inside)
        seen: set[tuple] = set()
        quotes = []
        for candidate in [*by_cue.values(), *unattributed]:
            key = tuple(candidate.content)
            if candidate.content and key not in seen:
                seen.add(key)
                quotes.append(candidate)
        return quotes


__all__ = [
    "DEFAULT_CUE_LEMMAS",
    "DEFAULT_GROUP_NOUNS",
    "DEFAULT_PERSON_NOUNS",
    "DOCUMENT_NOUNS",
    "SPEAKER_LABELS",
    "TITLE_ADJECTIVES",
    "TYPES",
    "QuoteFinder",
    "find_quotations",
    "make_quote_finder",
    "paragraph_breaks",
]
