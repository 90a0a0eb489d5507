"""Plain runs of our import and exports with their CPU time split by section (bench.peers_profile's).

Chosen functions are wrapped with CPU-time counters (`time.process_time`) for one run. Only
functions called once an article or a batch are wrapped, never one a token or an item, so the
run costs what it costs unwrapped, unlike under cProfile. Sections nest as the code does: a
section's seconds include those of the sections listed under it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


class Sections:
    """CPU seconds and calls of wrapped functions; `restore` puts the originals back."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def counted(*args, **kwargs):
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[label] += time.process_time() - start
                self.calls[label] += 1

        setattr(owner, name, counted)
        self._undo.append((owner, name, original))

    def wrap_iterator(self, owner: Any, name: str, label: str) -> None:
        """A function returning an iterator: the time of each step counts, not only the call's."""
        original = getattr(owner, name)

        def counted(*args, **kwargs) -> Iterator:
            found = original(*args, **kwargs)
            while True:
                start = time.process_time()
                try:
                    item = next(found)
                except StopIteration:
                    return
                finally:
                    self.cpu[label] += time.process_time() - start
                self.calls[label] += 1
                yield item

        setattr(owner, name, counted)
        self._undo.append((owner, name, original))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def run(self, title: str, fn: Callable[[], object]) -> str:
        """Run fn once with the wrappers on; a line per section with its share of the run's CPU time."""
        start, wall = time.process_time(), time.perf_counter()
        try:
            fn()
        finally:
            self.restore()
        total, wall = time.process_time() - start, time.perf_counter() - wall
        lines = [f"== {title}: {total:.1f} s CPU ({wall:.1f} s wall), by section:"]
        for label, seconds in self.cpu.items():
            share = f"{seconds:7.1f} s {100 * seconds / total:5.1f} %"
            lines.append(f"  {label:<58} {share}  ({self.calls[label]:,} calls)")
        return "\n".join(lines)


def import_sections(source: Path, folder: Path, fresh: Callable) -> str:
    """`annotator import` of the workload into a fresh database, by section."""
    from annotator import importing, store
    from annotator.nlp import pipeline
    from annotator.store import sets

    db, project = fresh(folder)
    found = Sections()
    found.wrap(pipeline, "load", "loading the spaCy pipeline")
    found.wrap_iterator(importing, "read_records", "reading and checking the JSONL records")
    found.wrap(pipeline, "tokenize", "tokenize (spaCy's tokenizer, then tokens to offsets)")
    found.wrap(pipeline, "token_offsets", "  tokens to offsets (doc.to_array)")
    found.wrap(importing, "Tokens", "Tokens(...) for snapping (word boundaries)")
    found.wrap(importing, "snap_all", "snap_all (every span to whole tokens)")
    found.wrap(importing, "check", "check (the layers' rules)")
    found.wrap(importing.ItemRows, "of", "ItemRows.of (a set's items as rows, to spool)")
    found.wrap(importing.ArticleRow, "of", "ArticleRow.of (a new article's row, to spool)")
    found.wrap(store, "locate_article", "locate_article (is the article stored already?)")
    found.wrap(store, "insert_article", "insert_article (INSERT)")
    found.wrap(store, "put_set", "put_set (set, items, spans, history)")
    found.wrap(sets, "insert_rows", "  insert_rows (rows of items and spans)")
    found.wrap(sets, "record", "  history.record (an item count for a new set)")
    try:
        return found.run("import", lambda: importing.import_paths(db, project, [source], progress=False))
    finally:
        db.close()


def export_sections(db_path: Path, fmt: str, target: Path) -> str:
    """`annotator export --from predictions` in one format, by section."""
    import srsly

    from annotator import db as database
    from annotator import exporting
    from annotator.formats import docbin, jsonl
    from annotator.formats.docbin_shard import Shard
    from annotator.nlp import adapter
    from annotator.store import export

    found = Sections()
    found.wrap_iterator(exporting, "records", "records (reading the sets and articles)")
    found.wrap(export, "load_annotations", "  load_annotations (items with their spans, links: Items)")
    found.wrap(export, "article_of", "  article_of (the article's text and meta)")
    found.wrap(export, "decode_tokens", "  decode_tokens (the stored tokens as an array)")
    if fmt == "jsonl":
        found.wrap(jsonl, "to_json", "to_json (a record as the native object)")
    else:
        found.wrap(docbin, "_tokens", "_tokens (the words as strings, spaces, the text rebuilt)")
        found.wrap(adapter, "doc_layout", "doc_layout (where each item goes in a Doc)")
        found.wrap(Shard, "add_placed", "Shard.add_placed (arrays, string ids, span groups packed)")
        found.wrap(srsly.msgpack.msgpack_encoders, "get_all", "  srsly's encoder registry scan (each msgpack call)")
        found.wrap(Shard, "packed", "Shard.packed (msgpack; zlib and the write are in a thread)")
    db = database.connect(db_path)
    try:
        return found.run(f"export {fmt}", lambda: exporting.export(db, fmt, "predictions", target))
    finally:
        db.close()
