"""spaCy DocBin (.spacy), ready for `python -m spacy train`.

Each record is a Doc with exactly the stored tokens, its layers written by the one spaCy
adapter (`annotator.nlp.adapter`, the same layout our pipeline components write): entities in
`doc.ents` (entity id as `Span.id`); quotes in the span groups `quote` (content), `cue` and
`source`, events in `event` (trigger), all spans of one item sharing its id as `Span.id`; links
(speaker, actors) in the groups' `attrs` as the linked entity's [start_char, end_char], event
attrs there too, so nothing depends on user data. The empty group `annotation_set` carries the
record itself in its attrs: article id, meta, kind, annotator and status.

Writing does not build the Docs: a `docbin_shard.Shard` takes each record's stored tokens and
the adapter's layout of its layers (`adapter.doc_layout`) straight into a DocBin's arrays, the
bytes spaCy's DocBin makes of `to_doc`'s Doc (which tests and other callers still get).

Streaming: a DocBin is built in memory and written at once, so `--out PATH` that is a folder (or
any name not ending in .spacy) gets shards `PATH/part-0000.spacy`, `part-0001.spacy`, … of at
most SHARD_SIZE docs or SHARD_TOKENS tokens (about 70 articles of 700 words; some 10 MB of memory at
most), each with a fresh vocabulary: memory stays flat however many articles are exported, and
`spacy train --paths.train PATH` reads the folder (sub-folders too). The folder must hold no
.spacy files yet. `--out file.spacy` writes one file and holds the whole export in memory: meant
for small exports.

Reading takes a .spacy file (a folder of them is read file by file) through the same adapter:
`doc.ents` become entities, and our groups quotes and events (by `Span.id`, links from `attrs`;
links written as entity ids, as version 0.1 did, are read too); a DocBin from elsewhere gives
its entities. Without `annotation_set` a doc is an annotator's set (named by
--annotator). A doc's position in the file stands in for the line number in messages (FILE:N).

Not carried: nothing of the three layers is lost; a span that does not fall on the stored tokens
cannot be written (stored spans always do).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..model import SET_KINDS, STATUSES, Annotation, Item, Record
from ..processes import forked_pool
from .base import Format, FormatError, Reading, tokens_of

# spaCy is imported when a DocBin is read (writing needs none of it), not with the format registry: importing it
# took 0.8 s of every command's and every web worker's start (the JSONL export's, the server's).
if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from .docbin_shard import Shard

# A shard ends at whichever comes first: memory follows the tokens held, so long articles make smaller shards.
# 50,000: the spaCy export's peak memory 8 MB lower than with 100,000 (bench.peers_profile's workload).
SHARD_SIZE = 1000
SHARD_TOKENS = 50_000
SET_GROUP = "annotation_set"


def _our_groups() -> frozenset[str]:
    from ..nlp.adapter import GROUPS

    return frozenset(GROUPS.values()) | {SET_GROUP}


def to_doc(record: Record, vocab: Vocab) -> Doc:
    """A Doc with exactly the stored tokens, carrying every layer of the record (what the export's
    shards hold, made without a Doc: `_add`)."""
    from spacy.tokens import Doc

    from ..nlp.adapter import annotation_to_doc

    _, _, words, spaces = _tokens(record)
    doc = Doc(vocab, words=words, spaces=spaces.tolist())
    doc.spans[SET_GROUP] = []
    doc.spans[SET_GROUP].attrs.update(_set_attrs(record))
    if record.annotation is not None:
        try:
            annotation_to_doc(record.annotation, doc, where=f"{record.ext_id}: ")
        except ValueError as exc:
            raise FormatError(str(exc)) from None
    return doc


def _add(shard: Shard, record: Record) -> int:
    """Add to_doc's Doc of the record to the shard without making it (docbin_shard says how); returns its tokens."""
    from ..nlp.adapter import doc_layout

    starts, ends, words, spaces = _tokens(record)
    ents, groups = (None, []) if record.annotation is None else doc_layout(record.annotation)
    try:
        groups = [(SET_GROUP, [], _set_attrs(record)), *groups]
        shard.add_placed(words, spaces, starts, ends, ents, groups, where=f"{record.ext_id}: ")
    except ValueError as exc:
        raise FormatError(str(exc)) from None
    return len(words)


def _set_attrs(record: Record) -> dict:
    """The attrs of the empty group SET_GROUP: the record itself."""
    return {
        "id": record.ext_id,
        "meta": record.meta,
        "source": record.source,
        "annotator": record.annotator,
        "status": record.status,
    }


def _tokens(record: Record) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """The stored tokens' starts and ends, words and trailing spaces (booleans), checked to rebuild the text."""
    text = record.text
    starts, ends = token_arrays(record)
    # Words are slices of the text and spaces one comparison of arrays: no Python object a token
    # beyond the word itself, and no text rebuilt to check them.
    following = np.append(starts[1:], len(text))
    if not _rebuild_text(text, starts, ends, following):
        raise FormatError(f"{record.ext_id}: stored tokens do not rebuild the text")
    words = [text[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
    return starts, ends, words, following > ends


def token_arrays(record: Record) -> tuple[np.ndarray, np.ndarray]:
    """The record's token starts and ends as integer arrays (stored tokens come decoded as one)."""
    given = record.stored_tokens
    found = given if given is not None and len(given) else tokens_of(record)
    pairs = np.asarray(found, dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def _rebuild_text(text: str, starts: np.ndarray, ends: np.ndarray, following: np.ndarray) -> bool:
    """Whether the words with their single trailing spaces (spaCy's only whitespace) give the text back:
    the first token at 0, each word non-empty, at most one character between tokens, and that a space."""
    if not len(starts) or starts[0] != 0 or not (ends > starts).all():
        return False
    gaps = following - ends
    if not ((gaps == 0) | (gaps == 1)).all():
        return False
    spaced = ends[gaps == 1]
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return bool((codes[spaced] == ord(" ")).all())


def write(
    records: Iterable[Record], out: Path, *, shard_size: int = SHARD_SIZE, shard_tokens: int = SHARD_TOKENS
) -> int:
    """Write records to one .spacy file, or to shards in a folder; returns how many."""
    if _one_file(out):
        return _write_one(records, out)
    with _shard_folder(out):
        return _write_shards(records, out, shard_size, shard_tokens)


def _one_file(out: Path) -> bool:
    return out.suffix.lower() == ".spacy" and not out.is_dir()


@contextlib.contextmanager
def _shard_folder(out: Path) -> Iterator[None]:
    """The folder for shards, made; a file, and a folder that holds .spacy files already, refused.
    An error while the shards are written removes the ones written: the folder holds none again."""
    if out.exists() and not out.is_dir():
        raise FormatError(f"{out}: not a folder; name a folder for shards, or a .spacy file")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.glob("*.spacy")):
        raise FormatError(f"{out}: holds .spacy files already; spacy train would read them too")
    try:
        yield
    except BaseException:
        for shard in out.glob("*.spacy"):
            shard.unlink(missing_ok=True)
        raise


def _write_shards(records: Iterable[Record], out: Path, shard_size: int, shard_tokens: int) -> int:
    # Each record becomes a Doc in the shard's DocBin as it comes (arrays and strings): holding the
    # shard's records instead kept a list a token alive, and the garbage collector walked them all.
    count = shard = held = tokens = 0
    docs = _new_shard()
    with _msgpack_with_registries_read_once(), _ShardWriter() as writer:
        for record in records:
            tokens += _add(docs, record)
            held += 1
            if held >= shard_size or tokens >= shard_tokens:
                writer.write(docs, out / f"part-{shard:04d}.spacy")
                count, shard, held, tokens = count + held, shard + 1, 0, 0
                docs = _new_shard()
        if held:
            writer.write(docs, out / f"part-{shard:04d}.spacy")
    return count + held


# The runs of records the forked processes of `write_parts` write, and the size of their shards:
# left here before the pool forks (a run is a closure, which cannot cross the pipe).
_PARTS: Sequence[Callable[[], Iterable[Record]]] = ()
_SHARDS = (SHARD_SIZE, SHARD_TOKENS)
STAGING = ".part-"  # a forked run's shards wait in OUT/.part-N (spaCy's corpus reader skips dot-folders)


def write_parts(
    parts: Sequence[Callable[[], Iterable[Record]]],
    out: Path,
    *,
    shard_size: int = SHARD_SIZE,
    shard_tokens: int = SHARD_TOKENS,
) -> int:
    """Write runs of records as `write` writes them one after the other, each run in a process of its own
    at once: the first here, the others forked, into OUT/.part-N until every run is done; then their
    shards are numbered on after this run's, in the runs' order. The folder ends as `write` would leave
    it but that each run's last shard may hold fewer docs. A .spacy file, or no second core or fork,
    is written here, run after run. On an error no shard is left, staged or not."""
    global _PARTS, _SHARDS
    pool = None if _one_file(out) else forked_pool(len(parts) - 1)
    if pool is None:
        return write(
            (record for part in parts for record in part()), out, shard_size=shard_size, shard_tokens=shard_tokens
        )
    staged = [out / f"{STAGING}{n}" for n in range(1, len(parts))]
    _PARTS, _SHARDS = parts, (shard_size, shard_tokens)
    try:
        with _shard_folder(out), pool:  # on an error, leaving waits for the forked runs to end
            for folder in staged:
                shutil.rmtree(folder, ignore_errors=True)  # left by an export that was killed
            waiting = [pool.submit(_write_part, n, folder) for n, folder in enumerate(staged, start=1)]
            count = _write_shards(parts[0](), out, shard_size, shard_tokens)
            count += sum(_finished(future) for future in waiting)
            number = len(list(out.glob("part-*.spacy")))
            for folder in staged:
                for shard in sorted(folder.glob("part-*.spacy")):
                    shard.rename(out / f"part-{number:04d}.spacy")
                    number += 1
        return count
    finally:
        _PARTS, _SHARDS = (), (SHARD_SIZE, SHARD_TOKENS)
        for folder in staged:
            shutil.rmtree(folder, ignore_errors=True)


def _write_part(number: int, folder: Path) -> int:
    """In a forked process: one run of `write_parts`, into its staging folder."""
    folder.mkdir()
    return _write_shards(_PARTS[number](), folder, *_SHARDS)


def _finished(future: Future) -> int:
    try:
        return int(future.result())
    except BrokenProcessPool:
        raise FormatError("a process writing the shards stopped before it finished; its shards were removed") from None


class _ShardWriter:
    """Compresses and writes each full shard in a thread while the next one fills: zlib and the
    file's write let go of Python's lock, so they run on the second core (a tenth of the export's
    time on one core before). One shard at a time waits there: memory holds at most two."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="spacy-shards")
        self._pending: Future | None = None

    def write(self, docs: Shard, path: Path) -> None:
        packed = docs.packed()
        self._wait()
        self._pending = self._pool.submit(_compress_to, packed, path)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # the thread's error (a full disk) is the export's

    def __enter__(self) -> _ShardWriter:
        return self

    def __exit__(self, *failed: object) -> None:
        try:
            if failed[0] is None:
                self._wait()
        finally:
            self._pool.shutdown(wait=True)


def _compress_to(packed: bytes, path: Path) -> None:
    from .docbin_shard import compress

    path.write_bytes(compress(packed))


def _new_shard() -> Shard:
    """A fresh DocBin: each shard's strings are its own."""
    from .docbin_shard import Shard

    return Shard()


def _write_one(records: Iterable[Record], out: Path) -> int:
    docs = _new_shard()
    count = 0
    with _msgpack_with_registries_read_once():
        for record in records:
            _add(docs, record)
            count += 1
    docs.to_disk(out)
    return count


@contextlib.contextmanager
def _msgpack_with_registries_read_once():
    """srsly looks up its msgpack extensions on each object it packs: among every installed package's
    entry points (about 1 ms a Doc), then through catalogue's whole registry, which spaCy fills with
    thousands of functions (0.1 ms a call, six calls a Doc). Nothing registers an extension while an
    export runs, so the entry points are not scanned and the registry is read once, meanwhile."""
    import srsly

    registries = (srsly.msgpack_encoders, srsly.msgpack_decoders)
    before = [registry.entry_points for registry in registries]
    for registry in registries:
        registry.entry_points = False
        found = registry.get_all()
        registry.get_all = lambda found=found: found
    try:
        yield
    finally:
        for registry, flag in zip(registries, before):
            registry.entry_points = flag
            del registry.get_all  # the class's own again


# --- reading --------------------------------------------------------------------------


def read(path: Path, reading: Reading) -> Iterator[tuple[str, Record]]:
    """Records of a .spacy file, one per Doc."""
    # A DocBin is untrusted binary: zlib, msgpack, numpy and spaCy each raise their own kinds of
    # error on a damaged one (KeyError for an emptied string table, ValueError or IndexError for
    # truncated arrays), so every error while decoding is this file's error, not a crash.
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    try:
        docs = DocBin().from_disk(path)
        found = docs.get_docs(Vocab())
    except Exception as exc:
        raise FormatError(f"{path}:1: not a spaCy DocBin ({type(exc).__name__}: {exc})") from None
    number = 0
    while True:
        number += 1
        where = f"{path}:{number}"
        try:
            doc = next(found, None)
            if doc is None:
                return
            record = from_doc(doc, where, reading)
        except Exception as exc:  # see above: a damaged doc, whatever it raises, is this doc's error
            raise FormatError(f"{where}: {_reason(exc)}") from None
        yield where, record


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, (ValueError, TypeError)) else f"damaged document ({type(exc).__name__}: {exc})"


def from_doc(doc: Doc, where: str = "", reading: Reading | None = None) -> Record:
    """A record from a Doc as to_doc makes them (or any Doc with entities or spancat spans)."""
    reading = reading or Reading()
    if not doc.text.strip():
        raise ValueError("the document has no text")
    info = doc.spans[SET_GROUP].attrs if SET_GROUP in doc.spans else {}
    if not isinstance(info, dict):
        raise ValueError(f"span group {SET_GROUP!r}: attrs must be a dict")
    ext_id = info.get("id") or ""
    meta = info.get("meta") or {}
    if not isinstance(ext_id, (str, int)) or not isinstance(meta, dict):
        raise ValueError(f"span group {SET_GROUP!r}: id must be a string and meta a dict")
    record = Record(ext_id=str(ext_id), text=doc.text, meta=dict(meta), tokens=token_offsets(doc))
    source = info.get("source")
    if SET_GROUP in doc.spans and source is None:
        return record  # exported as a plain article
    record.source = source if source in SET_KINDS else "annotator"
    annotator = info.get("annotator")
    if annotator is not None and not isinstance(annotator, str):
        raise ValueError(f"span group {SET_GROUP!r}: annotator must be a string, not {annotator!r}")
    record.annotator = annotator if record.source == "annotator" else None
    status = info.get("status")
    record.status = status if status in STATUSES else ("draft" if record.source == "model" else "submitted")
    from ..nlp.adapter import annotation_from_doc

    record.annotation = _with_span_groups(annotation_from_doc(doc), doc, where, reading)
    return record


def token_offsets(doc: Doc) -> list[tuple[int, int]]:
    return [(t.idx, t.idx + len(t.text)) for t in doc]


def _with_span_groups(annotation: Annotation, doc: Doc, where: str, reading: Reading) -> Annotation:
    """Span groups that are not ours (spancat's "sc" and others): their spans become entities when
    the doc has no `doc.ents` and they do not overlap; otherwise they are reported, never dropped silently."""
    ours = _our_groups()
    others = [name for name in doc.spans if name not in ours]
    if not others:
        return annotation
    items = list(annotation.items())
    taken = sorted((e.start, e.end) for e in annotation.entities)
    for name in others:
        for span in doc.spans[name]:
            start, end = span.start_char, span.end_char
            if annotation.entities or any(start < e and s < end for s, e in taken):
                reading.notes.skip(f"span in group {name!r} overlapping an entity (not imported)", where)
                continue
            taken.append((start, end))
            items.append(Item.entity(f"t{len(taken)}-{name}", start, end, span.label_))
    return Annotation.of(items)


FORMAT = Format(
    "spacy",
    "spaCy DocBin (.spacy), for spacy train",
    suffixes=(".spacy",),
    read=read,
    write=write,
    write_parts=write_parts,
    download_suffix=".spacy",
    training=True,
)
