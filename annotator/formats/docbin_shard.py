"""A DocBin that takes our export's Docs without a Python step a token (imports spaCy: load it lazily).

spaCy's `DocBin.add` collects the strings a reader needs with nine `Token` attribute reads a
token (text, tag, lemma, norm, morph, dep and three entity strings): on the spaCy export that
loop was a quarter of the CPU time, more than building the Docs. The Docs the export writes set
only the attributes in `ATTRS`, so their strings are the words, the entities' labels and ids and
the span groups' labels and ids, collected here in bulk. Everything else is `DocBin.add`'s own
bookkeeping, the same fields in the same shapes, so `to_disk` and every reader (`spacy train`
included) see a DocBin. `to_bytes` is DocBin's with zlib's fastest level (a third of the time
for files 8 % larger). tests/test_formats_spacy.py checks that a shard, decompressed, is byte
for byte the DocBin spaCy makes of the same Docs.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy
import srsly
from spacy.attrs import IDS, SPACY
from spacy.tokens import Doc, DocBin

# The token attributes our docs set (a DocBin stores 12 by default, the others all zero here;
# no entity has a knowledge-base id, so ENT_KB_ID is left out too).
ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE", "ENT_ID")
STRING_ATTRS = ("ENT_TYPE", "ENT_ID")
# zlib's fastest level: a shard of 133 news articles compressed in 18 ms instead of DocBin's 43 ms
# (its default level, 6), into 0.62 MB instead of 0.57; any level reads back alike.
ZLIB_LEVEL = 1


class Shard(DocBin):
    """A DocBin of the attributes in ATTRS, for Docs whose other token attributes are unset."""

    def __init__(self) -> None:
        super().__init__(attrs=ATTRS, store_user_data=False)
        # The columns of the token array that hold strings' hashes (ORTH's come from the words).
        self._string_columns = [self.attrs.index(IDS[name]) for name in STRING_ATTRS]

    def add(self, doc: Doc, words: Iterable[str] = ()) -> None:
        """Add a Doc as `DocBin.add` does; `words`, when the caller holds them, spare reading them back."""
        attrs: list[int | str] = list(self.attrs)  # ints, as DocBin keeps them (its stub says str)
        array = doc.to_array(attrs)
        self.tokens.append(array)
        self.spaces.append(numpy.asarray(doc.to_array(SPACY).reshape((-1, 1)), dtype=bool))
        self.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
        strings = self.strings
        strings.update(words or (token.text for token in doc))
        strings.add("")  # the empty tag, lemma, norm, morph and dependency every token has here
        # The entity labels and ids, from their hashes in the array: doc.ents would make a Token
        # object for every token.
        vocab_strings = doc.vocab.strings
        for column in self._string_columns:
            strings.update(vocab_strings[key] for key in numpy.unique(array[:, column]).tolist())
        self.cats.append(doc.cats)
        self.span_groups.append(doc.spans.to_bytes())
        for group in doc.spans.values():
            for span in group:
                strings.add(span.label_)
                if span.kb_id in vocab_strings:
                    strings.add(span.kb_id_)
                if span.id in vocab_strings:
                    strings.add(span.id_)

    def to_bytes(self) -> bytes:
        """The DocBin's bytes as `DocBin.to_bytes` makes them (no user data), compressed at ZLIB_LEVEL."""
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
        return zlib.compress(srsly.msgpack_dumps(msg), ZLIB_LEVEL)
