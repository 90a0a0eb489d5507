"""Cues, content and sources in the parse: the reporting verbs, what they report and who speaks."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from .candidates import _Candidate, _Ranges

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


# --- a cue's content and source ----------------------------------------------------


def _reported(verb: Token, cue_set: set[int]) -> list[tuple[int, int]]:
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


def _parenthetical(verb: Token, speaking: set[int]) -> list[tuple[int, int]]:
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
        doc[first].text in _LINKING_PUNCT
        or (first > 0 and doc[first - 1].text in _LINKING_PUNCT)
        or doc[last].text in _LINKING_PUNCT
        or (last + 1 < len(doc) and doc[last + 1].text in _LINKING_PUNCT)
    )
    if not delimited:
        return []
    return [r for r in ((head.left_edge.i, first), (last + 1, head.right_edge.i + 1)) if r[0] < r[1]]


def _according_to(according: Token, cue_set: set[int]) -> _Candidate | None:
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


def _candidate(verb: Token, content: list[tuple[int, int]], cue: tuple[int, int]) -> _Candidate:
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
        clause, path = token.head, list[str]()
        while clause.head.i not in (clause.i, verb.i) and len(path) < 6:
            if clause.head.i in cue_set:
                break
            path.append(clause.dep_)
            clause = clause.head
        if clause.head.i == verb.i and clause.dep_ == "prep" and "dobj" not in path:
            return token.head
        return None
    return None


def _cue_near(doc: Doc, start: int, end: int, cue_set: set[int], inside: _Ranges) -> int | None:
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
