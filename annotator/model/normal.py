"""Texts that differ only by whitespace or Unicode composition are one article.

Tools disagree on a text's bytes: one stores CRLF, another LF; one NFD, another NFC; one keeps
trailing spaces, another strips them. The *normal form* of a text is its NFC composition with
every run of whitespace made one space and the ends stripped; two texts with the same normal
form are the same article, and spans move from one to the other through it (`remap`).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import replace

from ..errors import Invalid
from .annotation import Annotation
from .items import Span


def normal_form(text: str) -> str:
    """NFC, whitespace runs as one space, ends stripped (fast: used for every imported article)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normal_hash(text: str) -> str:
    return hashlib.sha256(normal_form(text).encode("utf-8")).hexdigest()


def _aligned(text: str) -> tuple[str, list[int], list[int]]:
    """The normal form with, for each of its characters, the start and end of what it came from."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
            if out and j < n:  # inner whitespace: one space; at either end: nothing
                out.append(" ")
                starts.append(i)
                ends.append(j)
            i = j
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for ch in unicodedata.normalize("NFC", text[i:j]):
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), starts, ends


def remap(annotation: Annotation, source: str, target: str) -> Annotation:
    """The annotation's spans moved from `source` onto `target`, two texts of one normal form."""
    form, source_starts, source_ends = _aligned(source)
    other, target_starts, target_ends = _aligned(target)
    if form != other:
        raise Invalid("the texts differ by more than whitespace and Unicode composition")
    # The normal character each source offset falls in (or the first after it).
    first_at = [0] * (len(source) + 1)
    last_before = [0] * (len(source) + 1)
    k = 0
    for offset in range(len(source) + 1):
        while k < len(source_ends) and source_ends[k] <= offset:
            k += 1
        first_at[offset] = k
    k = len(source_starts) - 1
    for offset in range(len(source), -1, -1):
        while k >= 0 and source_starts[k] >= offset:
            k -= 1
        last_before[offset] = k

    def move(span: Span) -> Span:
        first, last = first_at[span.start], last_before[span.end]
        if first > last:
            raise Invalid(f"the span {span.start}-{span.end} holds only whitespace")
        return Span(target_starts[first], target_ends[last])

    items = [replace(item, spans=tuple((role, move(span)) for role, span in item.spans)) for item in annotation.items()]
    return Annotation.of(items)
