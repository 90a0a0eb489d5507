"""A DocBin filled from the stored tokens and the adapter's layout, without a Doc and without spaCy.

The spaCy export used to build a Doc of each record (`Doc(vocab, words, spaces)`, `char_span`
for every span, `doc.ents`) and let `DocBin.add` read it back: a Python object and several
attribute reads a token, two thirds of the export's time. A DocBin holds only arrays and
strings, so a shard makes them itself: the ORTH column is each word's string id (cached by
word), the entity columns come from the entities' token ranges (found by `searchsorted` on the
token offsets), the spaces from the gaps between tokens, and the span groups are packed as
`SpanGroup.to_bytes` packs them. The Docs the export writes set only the token attributes in
ATTRS, so the strings a reader needs are the words, the entities' and spans' labels and ids,
and "" (the unset tag, lemma, morph and dependency). Everything else is `DocBin.add`'s own
bookkeeping in the same shapes, so every reader (`spacy train` included) sees a DocBin:
tests/test_formats_spacy.py checks that a shard, decompressed, is byte for byte the DocBin
spaCy makes of `formats.docbin.to_doc`'s Docs, every layer included, and that the same spans
are refused with the same messages. `to_bytes` is DocBin's with zlib's fastest level (a third
of the time for files 8 % larger).

spaCy itself is not imported: its import was 92 of the export's 117 MB and 0.8 s of its start.
A string's id is what spaCy's `get_string_id` gives (`string_id`): the symbol's number for one
of spaCy's symbols (read from `spacy.symbols`, loaded alone), else MurmurHash64A of its UTF-8
with seed 1, called in murmurhash's C library as spaCy's strings.pyx calls it (a test compares
the two on any string).
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import importlib.util
import struct
import sys
import zlib
from collections.abc import Collection, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy
import srsly

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
DOCBIN_VERSION = "0.1"  # DocBin.version
# The ids of strings seen in this process, shared by every shard (an export's shards see the same
# words again); a new shard drops them past this many, so a long export's vocabulary does not pile up.
KNOWN_MAX = 50_000


@cache
def _symbols() -> dict[str, int]:
    """spaCy's symbol table (`spacy.symbols.IDS`: attribute names, parts of speech, some labels).
    The compiled module imports nothing, so it is loaded on its own rather than with spaCy."""
    loaded = sys.modules.get("spacy.symbols")
    if loaded is None:
        package = importlib.util.find_spec("spacy")
        where = package.submodule_search_locations if package else None
        found = importlib.machinery.PathFinder.find_spec("spacy.symbols", where) if where else None
        if found is None or found.loader is None:
            raise ImportError("spaCy's symbols module is missing: reinstall spaCy (make setup)")
        loaded = importlib.util.module_from_spec(found)
        found.loader.exec_module(loaded)
    return dict(loaded.IDS)


@cache
def _hash64() -> Any:
    """murmurhash's `hash64(key, length, seed)`, the C function spaCy's strings.pyx cimports, through
    the capsule Cython exports it in (`__pyx_capi__`)."""
    from murmurhash import mrmr

    capsule = mrmr.__pyx_capi__["hash64"]
    pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
        ("PyCapsule_GetPointer", ctypes.pythonapi)
    )(capsule, b"uint64_t (void *, int, uint64_t)")
    return ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint64)(pointer)


def string_id(string: str) -> int:
    """The id spaCy's StringStore gives a string (`spacy.strings.get_string_id`)."""
    if not string:
        return 0
    symbol = _symbols().get(string)
    if symbol is not None:
        return symbol
    chars = string.encode("utf8")
    return int(_hash64()(chars, len(chars), 1))


_known: dict[str, int] = {}


class Shard:
    """A DocBin of the attributes in ATTRS (its fields, as `DocBin(attrs=ATTRS)` has them), filled by
    `add_placed` from tokens and spans."""

    def __init__(self) -> None:
        symbols = _symbols()
        orth, *others = (symbols[name] for name in ATTRS)
        self.version = DOCBIN_VERSION
        self.attrs = [orth, *sorted(others)]  # DocBin's order: ORTH first, the others by number
        self.tokens: list[numpy.ndarray] = []
        self.spaces: list[numpy.ndarray] = []
        self.cats: list[dict] = []
        self.span_groups: list[bytes] = []
        self.flags: list[dict] = []
        self.strings: set[str] = set()
        self._orth, self._iob, self._type, self._ent_id = (self.attrs.index(symbols[name]) for name in ATTRS)
        if len(_known) > KNOWN_MAX:
            _known.clear()

    def _know(self, strings: Collection[str]) -> None:
        """Give every string its id (once a process), and the shard's string table the string."""
        given = set(strings)
        self.strings |= given
        _known.update((string, string_id(string)) for string in given.difference(_known))

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
        ids = _known
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
                self._know([p.label for p in spans])
                self._know([p.item_id for p in spans])
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
        types = numpy.fromiter(map(_known.__getitem__, labels), dtype=numpy.uint64, count=len(ents))
        ids = numpy.fromiter(map(_known.__getitem__, item_ids), dtype=numpy.uint64, count=len(ents))
        array[tokens, self._type] = numpy.repeat(types, lengths)
        array[tokens, self._ent_id] = numpy.repeat(ids, lengths)

    def to_disk(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

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
