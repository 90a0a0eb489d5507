"""Quote attribution as a spaCy component: direct, indirect and mixed quotes with cue, source and speaker.

`nlp.add_pipe("annotator_quotes")` after "ner" in a pipeline with a parser. On each Doc it writes
  doc.spans["quote"]   the content spans, label DIRECT | INDIRECT | MIXED, span id "q1", "q2", … in text order
                       (an interrupted quote, “A,” she said, “B.”, is one id with two content spans);
  doc.spans["cue"]     the cue of each quote that has one (said, told, according to), same label and id;
  doc.spans["source"]  the source as written (“the supreme leader”), same label and id;
  doc.spans["quote"].attrs["speaker"]  {quote id: [start_char, end_char] of an entity of doc.ents, or None}.

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
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy
from spacy.attrs import LEMMA, LOWER, POS
from spacy.language import Language
from spacy.symbols import VERB
from spacy.tokens import Doc, Span, Token

TYPES = ("DIRECT", "INDIRECT", "MIXED")

# Reporting verbs of news text, as lemmas; a project may replace the list ([quote] cue_lemmas).
DEFAULT_CUE_LEMMAS = (
    "say", "tell", "add", "warn", "stress", "vow", "reveal", "claim", "deny", "insist", "announce", "urge",
    "state", "declare", "explain", "note", "argue", "accuse", "confirm", "report", "read", "write", "assert",
    "affirm", "allege", "acknowledge", "admit", "emphasise", "emphasize", "underline", "underscore",
    "highlight", "reiterate", "repeat", "mention", "comment", "remark", "reply", "respond", "answer", "ask",
    "suggest", "propose", "predict", "promise", "pledge", "threaten", "caution", "demand", "maintain",
    "contend", "concede", "conclude", "recall", "disclose", "hint", "complain", "boast", "observe", "testify",
    "inform", "assure", "remind", "advise", "notify", "tweet", "point", "estimate", "forecast", "signal",
    "indicate", "agree", "protest", "charge", "counter", "retort", "quip", "joke", "shout", "brief",
)
# Heads of descriptions of people and of groups, for rules 4 and 6.
DEFAULT_PERSON_NOUNS = (
    "leader", "president", "minister", "premier", "spokesman", "spokeswoman", "spokesperson", "official",
    "secretary", "chief", "commander", "general", "ambassador", "envoy", "diplomat", "king", "queen", "prince",
    "cleric", "ayatollah", "director", "chairman", "chairwoman", "chair", "head", "mayor", "governor",
    "senator", "lawmaker", "legislator", "mp", "adviser", "advisor", "aide", "negotiator", "representative",
    "prosecutor", "judge", "lawyer", "attorney", "officer", "councillor", "councilor", "deputy", "founder",
    "executive", "manager", "counterpart", "emir", "sheikh", "colonel", "captain", "man", "woman",
)
DEFAULT_GROUP_NOUNS = (
    "group", "faction", "movement", "organisation", "organization", "party", "militia", "government",
    "ministry", "army", "military", "coalition", "alliance", "council", "agency", "company", "firm",
    "administration", "office", "embassy", "parliament", "court", "committee", "resistance", "union",
    "bank", "authority", "federation", "association", "department", "presidency", "cabinet", "regime",
    "country", "state", "force", "forces", "operator", "corporation", "board", "commission", "network",
    "club", "team", "league", "university", "school", "hospital", "police", "charity", "trust", "institute",
    "foundation", "newspaper", "broadcaster", "campaign", "organiser", "organizer", "service",
)
# Complements that are embedded questions ("explaining why …") are not reported content.
_QUESTION_WORDS = frozenset(("why", "how", "what", "whether", "if", "when", "where", "who", "which"))
_QUESTION_CUES = frozenset(("ask", "wonder", "question", "inquire", "enquire"))
# Cues whose content may be an infinitive: the speaker's own commitment, not an order to someone else.
_COMMITMENT_CUES = frozenset(("promise", "pledge", "vow", "threaten", "swear"))
# Cues whose object is the one spoken to.
_ADDRESSEE_CUES = frozenset(("tell", "inform", "assure", "remind", "warn", "advise", "notify", "brief"))
_SENTENCE_END = frozenset((".", "!", "?", ";", "…"))
_CLOSING_MARKS = frozenset(("”", '"', "’", "'", "»"))
_LINKING_PUNCT = frozenset((",", ":", "—", "–", "-", "“", "”", '"', "‘", "’", "'"))


from .marks import _LINE_BREAK_CHAR, find_quotations, paragraph_breaks
from .speakers import DOCUMENT_NOUNS, SPEAKER_LABELS, TITLE_ADJECTIVES, _Speakers


@dataclass
class _Candidate:
    """A quote being assembled: token ranges, end exclusive."""

    content: list[tuple[int, int]]
    cue: tuple[int, int] | None = None
    source: tuple[int, int] | None = None
    source_head: int | None = None
    region: tuple[int, int] | None = None  # the source with its modifiers, where rule 5 looks for names
    type: str = "INDIRECT"
    speaker: int | None = None  # number of the entity in _Speakers.ents
    speaker_chars: tuple[int, int] | None = None
    kind: str | None = None  # "person" or "group" when the source says so ("she", "the company")
    quotations: set[int] = field(default_factory=set)


@Language.factory(
    "annotator_quotes",
    default_config={
        "cue_lemmas": list(DEFAULT_CUE_LEMMAS),
        "person_nouns": list(DEFAULT_PERSON_NOUNS),
        "group_nouns": list(DEFAULT_GROUP_NOUNS),
        "min_unattributed_words": 4,
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
) -> "QuoteFinder":
    """Quotes with cue, source and speaker, as span groups; place it after "ner"."""
    return QuoteFinder(nlp, name, cue_lemmas=cue_lemmas, person_nouns=person_nouns, group_nouns=group_nouns,
                       min_unattributed_words=min_unattributed_words)


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
    ):
        self.name = name
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
        if doc.has_annotation("DEP"):
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

    def _attributed(self, doc: Doc, text: "_Text", quotations: list[tuple[int, int]]) -> list[_Candidate]:
        array = doc.to_array([LEMMA, LOWER, POS])
        cues = numpy.flatnonzero(numpy.isin(array[:, 0], self._cue_ids) & (array[:, 2] == VERB)).tolist()
        inside = _Ranges(quotations)
        cues = [i for i in cues if inside.find(i) < 0]  # a cue within a quotation belongs to its content
        cue_set = set(cues)
        reported = {i: self._reported(doc[i], cue_set) for i in cues}
        speaking = {i for i, content in reported.items() if content}  # cues with content of their own
        by_cue: dict[int, _Candidate] = {}
        for i in cues:
            verb = doc[i]
            content = reported[i] or self._parenthetical(verb, speaking)
            if content:
                by_cue[i] = self._candidate(verb, content, (i, _cue_end(verb)))
        for i in numpy.flatnonzero(array[:, 1] == self._according).tolist():
            if i + 1 < len(doc) and array[i + 1, 1] == self._to and inside.find(i) < 0:
                candidate = self._according_to(doc[i], cue_set)
                if candidate is not None:
                    by_cue[i] = candidate
        for candidate in by_cue.values():
            _settle(doc, text, candidate, inside)
        used = set().union(*(c.quotations for c in by_cue.values())) if by_cue else set()
        unattributed = []
        for n, (start, end) in enumerate(quotations):
            if n in used:
                continue
            i = _cue_near(doc, start, end, cue_set, inside)
            if i is not None and i in by_cue:
                by_cue[i].content.append((start, end))
                _settle(doc, text, by_cue[i], inside)
            elif i is not None:
                by_cue[i] = self._candidate(doc[i], [(start, end)], (i, _cue_end(doc[i])))
                _settle(doc, text, by_cue[i], inside)
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

    def _reported(self, verb: Token, cue_set: set[int]) -> list[tuple[int, int]]:
        """The clausal complements of a reporting verb: "said that X", "“X,” he added"."""
        ranges = []
        # Inside an adverbial clause ("…, hours after the commission declared X the winner") the content
        # follows the verb; a complement before it is the parser's mistake.
        subordinate = any(c.dep_ == "mark" and c.lower_ != "that" for c in verb.children)
        for child in verb.children:
            if child.dep_ != "ccomp" or (subordinate and child.i < verb.i) or child.pos_ not in ("VERB", "AUX"):
                continue  # a verbless complement is no statement: "declared Almeida the winner"
            first = child.left_edge
            if first.lower_ in _QUESTION_WORDS and verb.lemma_ not in _QUESTION_CUES:
                continue  # "explaining why these attacks have ceased"
            end = child.right_edge.i + 1
            for part in child.rights:  # “X” and left the room: the conjunct after the quotation is not said
                if part.dep_ == "cc" and verb.doc[part.i - 1].text in _CLOSING_MARKS:
                    end = min(end, part.i)
            ranges.append((first.i, end))
        if not ranges and verb.lemma_ in _COMMITMENT_CUES:  # "promised to govern for all Brazilians"
            ranges = [(c.left_edge.i, c.right_edge.i + 1) for c in verb.children if c.dep_ == "xcomp"]
        if ranges:
            return ranges
        clause = _misattached_that_clause(verb, cue_set)
        return [(clause.left_edge.i, clause.right_edge.i + 1)] if clause is not None else []

    def _parenthetical(self, verb: Token, speaking: set[int]) -> list[tuple[int, int]]:
        """A reporting clause hung on the clause it reports: "X, a statement read." / "“A,” she said, “B.”"."""
        head = verb.head
        if verb.dep_ not in ("ccomp", "parataxis", "advcl") or head.i in speaking or head.pos_ not in ("VERB", "AUX"):
            return []
        children = [c.dep_ for c in verb.children]
        if "nsubj" not in children and "nsubjpass" not in children:
            return []
        if "mark" in children or any(c.dep_ == "mark" and c.lower_ != "that" for c in head.children):
            return []  # a subordinate clause: "…, hours after the commission declared …"
        if "dobj" in children and verb.lemma_ not in _ADDRESSEE_CUES:
            return []  # "a diplomat told reporters" reports; "she conceded defeat" does not
        doc = verb.doc
        first, last = verb.left_edge.i, verb.right_edge.i
        delimited = (
            doc[first].text in _LINKING_PUNCT or (first > 0 and doc[first - 1].text in _LINKING_PUNCT)
            or doc[last].text in _LINKING_PUNCT or (last + 1 < len(doc) and doc[last + 1].text in _LINKING_PUNCT)
        )
        if not delimited:
            return []
        return [r for r in ((head.left_edge.i, first), (last + 1, head.right_edge.i + 1)) if r[0] < r[1]]

    def _according_to(self, according: Token, cue_set: set[int]) -> "_Candidate | None":
        """ "According to X, Y" and "Y, according to X": cue "according to", source X, content Y."""
        to = according.doc[according.i + 1]
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        clause = according.head
        while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
            clause = clause.head
        if clause.i == according.i or clause.i in cue_set:
            return None  # "according to X, Y said …" is Y's quote
        first, last = according.left_edge.i, according.right_edge.i
        content = [r for r in ((clause.left_edge.i, first), (last + 1, clause.right_edge.i + 1)) if r[0] < r[1]]
        if not content:
            return None
        candidate = _Candidate(content, cue=(according.i, according.i + 2))
        if pobj is not None:
            candidate.source = _noun_phrase(pobj)
            candidate.source_head = pobj.i
            candidate.region = (candidate.source[0], max(candidate.source[1], pobj.right_edge.i + 1))
        return candidate

    def _candidate(self, verb: Token, content: list[tuple[int, int]], cue: tuple[int, int]) -> _Candidate:
        candidate = _Candidate(list(content), cue=cue)
        subject = _subject(verb)
        if subject is not None:
            candidate.source = _noun_phrase(subject)
            candidate.source_head = subject.i
            end = max(candidate.source[1], subject.right_edge.i + 1)
            if subject.i < verb.i and not any(t.pos_ == "VERB" for t in verb.doc[end : verb.i]):
                end = max(end, verb.i)  # a misparsed post-modifier: "a spokesman for the group X (KSS) revealed"
            candidate.region = (candidate.source[0], end)
        return candidate


# --- the parse ------------------------------------------------------------------------


def _cue_end(verb: Token) -> int:
    end = verb.i + 1
    for child in verb.rights:
        if child.dep_ == "prt" and child.i == end:  # "pointed out"
            end += 1
    return end


def _subject(verb: Token) -> Token | None:
    """Who speaks: the passive agent, the subject, or, for a participle or conjunct, its governing verb's."""
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ == "agent":
                return next((c for c in child.children if c.dep_ == "pobj"), None)
        subject = next((c for c in current.children if c.dep_ == "nsubj"), None)
        if subject is not None:
            if subject.tag_ in ("WP", "WDT") and current.dep_ == "relcl":
                return current.head  # "Raisi, who said …"
            return subject
        if current.dep_ not in ("advcl", "conj", "xcomp") or current.head.i == current.i:
            return None
        current = current.head
    return None


def _noun_phrase(head: Token) -> tuple[int, int]:
    """The head's noun phrase up to the head word, with its conjuncts: "Iran’s Supreme Leader … Khamenei"."""
    doc = head.doc
    start, end = head.left_edge.i, head.i + 1
    for child in head.rights:
        if child.dep_ == "conj":
            end = child.i + 1
    for i in range(head.i - 1, start - 1, -1):
        if "\n" in doc[i].text:  # a headline the parser ran into the first sentence
            start = i + 1
            break
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return start, end


def _misattached_that_clause(verb: Token, cue_set: set[int]) -> Token | None:
    """A that-clause the parser hung inside an adjunct: "told Rashid during his visit … that Baghdad …"."""
    doc = verb.doc
    for i in range(verb.i + 1, verb.right_edge.i + 1):
        token = doc[i]
        if token.lower_ != "that" or token.dep_ != "mark":
            continue
        clause, path = token.head, []
        while clause.head.i not in (clause.i, verb.i) and len(path) < 6:
            if clause.head.i in cue_set:
                break
            path.append(clause.dep_)
            clause = clause.head
        if clause.head.i == verb.i and clause.dep_ == "prep" and "dobj" not in path:
            return token.head
        return None
    return None


def _cue_near(doc: Doc, start: int, end: int, cue_set: set[int], inside: "_Ranges") -> int | None:
    """The reporting verb next to a quotation: “…,” Khamenei added / He said: “…”."""
    closes_clause = end - start >= 2 and doc[end - 2].text in (",", "!", "?", "—", ".", "…")
    if closes_clause or (end < len(doc) and doc[end].text in (",", "—", "–")):
        for i in range(end, min(end + 8, len(doc))):
            token = doc[i]
            if "\n" in token.text or token.text in _SENTENCE_END or inside.find(i) >= 0:
                break
            if i in cue_set:
                return i
    lead = start - 1
    while lead >= 0 and doc[lead].is_space and "\n" not in doc[lead].text:
        lead -= 1
    if lead < 0 or not (doc[lead].text in (":", ",") or lead in cue_set or lead - 1 in cue_set):
        return None
    for i in range(lead, max(lead - 8, -1), -1):
        token = doc[i]
        if "\n" in token.text or token.text in _SENTENCE_END or inside.find(i) >= 0:
            break
        if i in cue_set:
            return i
    return None


# --- settling a quote's content and type ----------------------------------------------


class _Ranges:
    """Sorted, disjoint token ranges with a lookup of the one holding a token."""

    def __init__(self, ranges: Sequence[tuple[int, int]]):
        self.ranges = list(ranges)
        self.starts = [s for s, _ in self.ranges]

    def find(self, i: int) -> int:
        n = bisect.bisect_right(self.starts, i) - 1
        return n if n >= 0 and i < self.ranges[n][1] else -1

    def overlapping(self, start: int, end: int) -> range:
        first = bisect.bisect_right(self.starts, start) - 1
        if first < 0 or self.ranges[first][1] <= start:
            first += 1
        return range(first, bisect.bisect_left(self.starts, end))


def _token_quotations(doc: Doc, text: str) -> list[tuple[int, int]]:
    out = []
    for start, end in find_quotations(text):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span) and (not out or span.start >= out[-1][1]):
            out.append((span.start, span.end))
    return out


def _settle(doc: Doc, text: "_Text", candidate: _Candidate, inside: _Ranges) -> None:
    """Trim the content, take in the quotations it touches, keep it off cue and source, decide the type."""
    ranges = []
    for start, end in candidate.content:
        start, end = _trim(doc, start, end)
        if start >= end:
            continue
        for n in inside.overlapping(start, end):
            q_start, q_end = inside.ranges[n]
            start, end = min(start, q_start), max(end, q_end)
        ranges.append((start, end))
    ranges = _subtract(_merge(ranges), [r for r in (candidate.cue, candidate.source) if r is not None])
    ranges = [part for s, e in ranges for part in _paragraphs(doc, s, e)]
    if candidate.cue is not None:
        # Reported content stays in the cue's paragraph (the parser may run a headline or the next
        # paragraph into the cue's sentence); only a quotation runs on into other paragraphs.
        first, last = text.paragraph_of(doc[candidate.cue[0]].idx)
        ranges = [(s, e) for s, e in ranges if first <= doc[s].idx < last or len(inside.overlapping(s, e))]
    quotations = {n for start, end in ranges for n in inside.overlapping(start, end)}
    if not quotations:
        candidate.type = "INDIRECT"
    elif all(inside.find(t.i) >= 0 for s, e in ranges for t in doc[s:e] if not (t.is_punct or t.is_space)):
        candidate.type = "DIRECT"
        ranges = [inside.ranges[n] for n in sorted(quotations)]
    else:
        candidate.type = "MIXED"
    candidate.quotations = quotations
    candidate.content = [part for s, e in ranges for part in _paragraphs(doc, s, e)]
    source = candidate.source
    if source is not None and any(s < source[1] and source[0] < e for s, e in candidate.content):
        candidate.source = candidate.source_head = candidate.region = None  # the parse took a quoted word


class _Text:
    """A Doc's text and its line breaks."""

    def __init__(self, text: str):
        self.text = text
        self.breaks = [m.start() for m in _LINE_BREAK_CHAR.finditer(text)]

    def paragraph_of(self, at: int) -> tuple[int, int]:
        """Start and end offsets of the paragraph holding offset `at`."""
        n = bisect.bisect_left(self.breaks, at)
        return (self.breaks[n - 1] + 1 if n else 0), (self.breaks[n] if n < len(self.breaks) else len(self.text))

    def breaks_between(self, start: int, end: int) -> int:
        return bisect.bisect_left(self.breaks, end) - bisect.bisect_left(self.breaks, start)


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    if start < end and doc[start].lower_ == "that" and (doc[start].dep_ == "mark" or doc[start].tag_ == "IN"):
        start += 1
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _subtract(ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    for h_start, h_end in holes:
        ranges = [
            part for start, end in ranges
            for part in ((start, min(end, h_start)), (max(start, h_end), end)) if part[0] < part[1]
        ] if any(s < h_end and h_start < e for s, e in ranges) else ranges
    return ranges


def _paragraphs(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """A range cut at paragraph breaks, each piece without the whitespace around it."""
    parts, piece = [], start
    for token in doc[start:end]:
        if token.is_space and "\n" in token.text:
            parts.append((piece, token.i))
            piece = token.i + 1
    parts.append((piece, end))
    out = []
    for s, e in parts:
        while s < e and doc[s].is_space:
            s += 1
        while e > s and doc[e - 1].is_space:
            e -= 1
        if s < e and _words(doc, s, e):
            out.append((s, e))
    return out


def _words(doc: Doc, start: int, end: int) -> int:
    return sum(1 for t in doc[start:end] if not (t.is_punct or t.is_space))


# --- speakers -------------------------------------------------------------------------


def _write(doc: Doc, quotes: list[_Candidate]) -> None:
    content, cues, sources, speakers = [], [], [], {}
    for number, quote in enumerate(quotes, start=1):
        quote_id = f"q{number}"
        content.extend(Span(doc, s, e, label=quote.type, span_id=quote_id) for s, e in quote.content)
        if quote.cue is not None:
            cues.append(Span(doc, *quote.cue, label=quote.type, span_id=quote_id))
        if quote.source is not None:
            sources.append(Span(doc, *quote.source, label=quote.type, span_id=quote_id))
        speakers[quote_id] = list(quote.speaker_chars) if quote.speaker_chars is not None else None
    doc.spans["quote"] = content
    doc.spans["cue"] = cues
    doc.spans["source"] = sources
    doc.spans["quote"].attrs["speaker"] = speakers


__all__ = [
    "DEFAULT_CUE_LEMMAS", "DEFAULT_GROUP_NOUNS", "DEFAULT_PERSON_NOUNS", "DOCUMENT_NOUNS", "SPEAKER_LABELS",
    "TITLE_ADJECTIVES", "TYPES", "QuoteFinder", "find_quotations", "make_quote_finder", "paragraph_breaks",
]
