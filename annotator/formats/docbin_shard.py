"""A DocBin filled from the stored tokens and the adapter's layout, without a Doc (imports spaCy: load it lazily).

The spaCy export used to build a Doc of each record (`Doc(vocab, words, spaces)`, `char_span`
for every span, `doc.ents`) and let `DocBin.add` read it back: a Python object and several
attribute reads a token, two thirds of the export's time. A DocBin holds only arrays and
strings, so a shard makes them itself: the ORTH column is each word's string id (cached by
word), the entity columns come from the entities' token ranges (found by `searchsorted` on the
token offsets), the spaces from the gaps between tokens, and the span groups are packed as
`SpanGroup.to_bytes` packs them. The Docs the export writes set only the token attributes in
ATTRS, so the strings a reader needs are the words, the entities' and spans' labels and ids,
and "" (the unset tag, lemma, morph and dependency). Everything else is `DocBin.add`'s own
bookkeeping in the same shapes, so `to_disk` and every reader (`spacy train` included) see a
DocBin: tests/test_formats_spacy.py checks that a shard, decompressed, is byte for byte the
DocBin spaCy makes of `formats.docbin.to_doc`'s Docs, every layer included, and that the same
spans are refused with the same messages. `to_bytes` is DocBin's with zlib's fastest level (a
third of the time for files 8 % larger).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence

import numpy
import srsly
from spacy.attrs import ENT_ID, ENT_IOB, ENT_TYPE, ORTH
from spacy.strings import get_string_id
from spacy.tokens import DocBin

from ..nlp.adapter import Placed

# The token attributes our docs set (a DocBin stores 12 by default, the others all zero here;
# no entity has a knowledge-base id, so ENT_KB_ID is left out too).
ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE", "ENT_ID")
# zlib's fastest level: a shard of 133 news articles compressed in 18 ms instead of DocBin's 43 ms
# (its default level, 6), into 0.62 MB instead of 0.57; any level reads back alike.
ZLIB_LEVEL = 1
# Token.ent_iob as spaCy stores it (0, the array's zeros, is unset: no `doc.ents` given).
INSIDE, OUTSIDE, BEGIN = 1, 2, 3
EMPTY_GROUPS = srsly.msgpack_dumps([])  # SpanGroups._EMPTY_BYTES
SPAN = struct.Struct(">QQQllll")  # SpanGroup.to_bytes: id, kb_id, label, start, end, start_char, end_char


class Shard(DocBin):
    """A DocBin of the attributes in ATTRS, filled by `add_placed` from tokens and spans."""

    def __init__(self) -> None:
        super().__init__(attrs=ATTRS, store_user_data=False)
        self._ids: dict[str, int] = {}  # string -> its id, as the StringStore gives it
        columns = self.attrs.index
        self._orth, self._iob, self._type, self._ent_id = (columns(a) for a in (ORTH, ENT_IOB, ENT_TYPE, ENT_ID))

    def _know(self, strings: Iterable[str]) -> None:
        """Give every string not seen yet its id, and the shard's string table the string."""
        new = set(strings).difference(self._ids)
        self._ids.update((string, get_string_id(string)) for string in new)
        self.strings.update(new)

    def add_placed(
        self,
        words: list[str],
        spaces: numpy.ndarray,
        starts: numpy.ndarray,
        ends: numpy.ndarray,
        ents: Sequence[Placed] | None,
        groups: Sequence[tuple[str, Sequence[Placed], dict]],
        *,
        where: str = "",
    ) -> None:
        """Add the Doc of these tokens (`words` at `starts`..`ends`, `spaces` after each) with `ents`
        as `doc.ents` (None: never set) and the span `groups` in order, as `DocBin.add` would add it.
        Raises ValueError, as `adapter.annotation_to_doc` does, for a span off the tokens."""
        count = len(words)
        ids = self._ids
        self._know(words)
        array = numpy.zeros((count, len(self.attrs)), dtype=numpy.uint64)
        array[:, self._orth] = numpy.fromiter(map(ids.__getitem__, words), dtype=numpy.uint64, count=count)
        self.strings.add("")  # the empty tag, lemma, norm, morph and dependency every token has here
        if ents is not None:
            array[:, self._iob] = OUTSIDE
            self._set_ents(array, ents, starts, ends, where)
        packed: dict[bytes, list[str]] = {}  # SpanGroups.to_bytes: each group's bytes -> its names
        for name, spans, attrs in groups:
            packs: list[bytes] = []
            if spans:
                first, last = _token_ranges(spans, starts, ends, where)
                self._know(p.label for p in spans)
                self._know(p.item_id for p in spans)
                packs = [
                    SPAN.pack(ids[p.item_id], 0, ids[p.label], s, e, p.start, p.end)
                    for p, s, e in zip(spans, first.tolist(), (last + 1).tolist())
                ]
            group = {"name": name, "attrs": attrs, "spans": packs}
            packed.setdefault(srsly.msgpack_dumps(group), []).append(name)
        # Only now, every span placed: a refused record adds nothing.
        self.tokens.append(array)
        self.spaces.append(numpy.asarray(spaces, dtype=bool).reshape((-1, 1)))
        self.flags.append({"has_unknown_spaces": False})
        self.cats.append({})
        self.span_groups.append(srsly.msgpack_dumps(packed) if packed else EMPTY_GROUPS)

    def _set_ents(self, array: numpy.ndarray, ents: Sequence[Placed], starts, ends, where: str) -> None:
        if not ents:
            return
        first, last = _token_ranges(ents, starts, ends, where)
        order = numpy.argsort(first, kind="stable")
        overlapping = numpy.flatnonzero(first[order][1:] <= last[order][:-1])
        if len(overlapping):
            a, b = ents[order[overlapping[0]]], ents[order[overlapping[0] + 1]]
            raise ValueError(f"{where}{a.what} {a.start}-{a.end} overlaps {b.what} {b.start}-{b.end}")
        lengths = last - first + 1
        # Every token of every entity: each entity's first token, counted on along its length.
        offsets = numpy.cumsum(lengths) - lengths
        tokens = numpy.arange(int(lengths.sum())) - numpy.repeat(offsets - first, lengths)
        array[tokens, self._iob] = INSIDE
        array[first, self._iob] = BEGIN
        labels, item_ids = [p.label for p in ents], [p.item_id for p in ents]
        self._know(labels)
        self._know(item_ids)
        types = numpy.fromiter(map(self._ids.__getitem__, labels), dtype=numpy.uint64, count=len(ents))
        ids = numpy.fromiter(map(self._ids.__getitem__, item_ids), dtype=numpy.uint64, count=len(ents))
        array[tokens, self._type] = numpy.repeat(types, lengths)
        array[tokens, self._ent_id] = numpy.repeat(ids, lengths)

    def to_bytes(self) -> bytes:
        """The DocBin's bytes as `DocBin.to_bytes` makes them (no user data), compressed at ZLIB_LEVEL."""
        return compress(self.packed())

    def packed(self) -> bytes:
        """The DocBin's message before compression (`compress` finishes it, in any thread)."""
        msg = {
            "version": self.version,
            "attrs": self.attrs,
            "tokens": (numpy.vstack(self.tokens) if self.tokens else numpy.asarray([])).tobytes("C"),
            "spaces": (numpy.vstack(self.spaces) if self.spaces else numpy.asarray([])).tobytes("C"),
            "lengths": numpy.asarray([len(tokens) for tokens in self.tokens], dtype="int32").tobytes("C"),
            "strings": sorted(self.strings),
            "cats": self.cats,
            "flags": self.flags,
            "span_groups": self.span_groups,
        }
        return srsly.msgpack_dumps(msg)


def compress(packed: bytes) -> bytes:
    """A shard's file from its `packed` message (zlib holds no lock on Python while it works)."""
    return zlib.compress(packed, ZLIB_LEVEL)


def _token_ranges(spans: Sequence[Placed], starts, ends, where: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The first and last token of each span; ValueError for one that starts or ends inside a token
    (or holds none), with `Doc.char_span(alignment_mode="strict")`'s verdict and the adapter's message."""
    count = len(starts)
    chars = numpy.array([(p.start, p.end) for p in spans], dtype=numpy.int64).reshape(-1, 2)
    first = numpy.searchsorted(starts, chars[:, 0])
    last = numpy.searchsorted(ends, chars[:, 1])
    found = (first < count) & (last < count)
    found[found] &= (starts[first[found]] == chars[found, 0]) & (ends[last[found]] == chars[found, 1])
    found &= last >= first
    if not found.all():
        bad = spans[int(numpy.flatnonzero(~found)[0])]
        raise ValueError(f"{where}{bad.what} {bad.start}-{bad.end} does not fall on token boundaries")
    return first, last
