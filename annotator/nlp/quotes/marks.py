"""Quotation marks: which characters open and close a quote, and line breaks as sentence ends."""

from __future__ import annotations

import bisect
import re

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

# Every character that may be a quotation mark, plus the paragraph break, scanned in one pass.
_MARKS = re.compile("[\"'\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb\n]")
_DOUBLE_OPEN, _DOUBLE_CLOSE = "\u201c\u201e\u00ab", "\u201d\u00bb"
_OPENING_CONTEXT = "([{\u2014\u2013-/\u201c\u2018\"'"


# --- paragraphs -----------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\n\s*")
_LINE_BREAK_CHAR = re.compile("\n")


@Language.component("annotator_paragraph_breaks", assigns=["token.is_sent_start"])
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break; place it before "parser", which then never runs a
    headline or a paragraph without a full stop into the next one."""
    text = doc.text  # a property that joins every token: read it once
    if doc.has_annotation("DEP") or "\n" not in text:
        return doc
    starts = doc.to_array(IDX).tolist()
    for match in _LINE_BREAK.finditer(text):
        i = bisect.bisect_left(starts, match.end())
        if 0 < i < len(doc):
            doc[i].is_sent_start = True
    return doc


# --- quotation marks ------------------------------------------------------------------


def find_quotations(text: str) -> list[tuple[int, int]]:
    """Character spans of the outermost quotations of `text`, marks included, in order."""
    found: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []  # (kind "d" or "s", offset) of the marks still open, outermost first
    inner: list[tuple[int, int]] = []  # closed quotations one level down, kept if the outer one is dropped
    continuation = -1  # offset of a paragraph-opening mark that carries on the quotation above
    size = len(text)

    def close_open_quotation(end: int) -> None:
        if stack and stack[0][0] == "d":
            start = stack[0][1]
            end = start + len(text[start:end].rstrip())
            if end > start + 1:
                found.append((start, end))
        else:  # an unclosed single mark was an apostrophe after all ('90s, rock 'n' roll)
            found.extend(inner)
        stack.clear()
        inner.clear()

    for match in _MARKS.finditer(text):
        i = match.start()
        char = text[i]
        if char == "\n":
            if stack:
                after = _next_visible(text, i)
                if after < size and _opens_like(text[after], stack[0][0]):
                    continuation = after
                    del stack[1:]
                else:
                    close_open_quotation(i)
            continue
        if i == continuation:
            continue
        before = text[i - 1] if i else " "
        following = text[i + 1] if i + 1 < size else " "
        kind, role = _classify(char, before, following, stack)
        if role == "open":
            if kind == "d" and any(k == "d" for k, _ in stack):
                close_open_quotation(i)  # a new opening mark: the one before lacked its closing mark
            elif kind == "s" and stack and stack[-1][0] == "s":
                stack.pop()  # two opening singles in a row: the first was an apostrophe
            stack.append((kind, i))
        elif role == "close":
            level = max(j for j, (k, _) in enumerate(stack) if k == kind)
            start = stack[level][1]
            del stack[level:]
            if not stack:
                found.append((start, i + 1))
                inner.clear()
            elif len(stack) == 1:
                inner.append((start, i + 1))
    close_open_quotation(size)
    return found


def _classify(char: str, before: str, following: str, stack: list[tuple[str, int]]) -> tuple[str, str | None]:
    """Whether a mark opens or closes a quotation, or is neither (an apostrophe, a stray closing mark)."""
    open_double = any(k == "d" for k, _ in stack)
    open_single = any(k == "s" for k, _ in stack)
    opening_context = before.isspace() or before in _OPENING_CONTEXT
    if char in _DOUBLE_OPEN:
        return "d", "open"
    if char in _DOUBLE_CLOSE:
        return "d", "close" if open_double else None
    if char == '"':
        if open_double:
            return "d", "close"
        return "d", None if following.isspace() else "open"
    if before.isalnum() and following.isalnum():
        return "s", None  # Iran’s, don't
    if open_single and not before.isspace() and not following.isalnum():
        return "s", "close"
    if char == "\u2018" or char == "'":
        return "s", "open" if opening_context and not following.isspace() else None
    return "s", None


def _next_visible(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _opens_like(char: str, kind: str) -> bool:
    return char in (_DOUBLE_OPEN + '"' if kind == "d" else "\u2018'")
