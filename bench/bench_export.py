"""Export memory: peak RSS of exporting 10× the articles stays within 1.3× (MISSION: exports stream).

Generates news-like articles (seeded: ~300 words, 30 entities, up to 2 quotes and 2 events each)
into fresh databases under bench/out/export/ (1.3 GB at 100,000; kept, and reused by later runs),
then exports their gold sets in a subprocess per run and reads the child's own peak RSS (VmHWM),
for JSONL and for spaCy (a folder of DocBin shards). 10,000 vs 100,000 articles; 1,000 vs 10,000
with --quick. The note gives each export's CPU seconds. The full run is bound by the
100,000-article spaCy export (~3 ms of CPU per article, half of it inside spaCy's DocBin.add):
about 5 minutes on two idle cores with the databases kept, a minute more when it builds them.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .common import Row, scratch

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("jsonl", "spacy")
SEED = 20240429
POOL = 1_000  # distinct generated articles; copies of them differ by a closing line

FIRST = ["Ali", "Abdel", "Lloyd", "Mohamed", "Sara", "Leila", "John", "Maria", "Hassan", "Nadia", "Omar", "Elena"]
LAST = ["Khamenei", "Rashid", "Austin", "Sudani", "Haddad", "Karimi", "Smith", "Novak", "Aziz", "Petrov"]
PLACES = ["Iran", "Iraq", "Tehran", "Baghdad", "Kuwait", "Washington", "Syria", "Beirut", "Cairo", "Ankara"]
ORGS = ["Kataib Sayyid al-Shuhada", "Ashab al-Kahf", "the Pentagon", "the United Nations", "Reuters", "NATO"]
DATES = ["29 April", "Monday", "last month", "23 April", "2023", "this week"]
WORDS = (
    "the a of to in and that is was for on with as by at from it this be has have are not will its "
    "government troops base forces officials talks visit presence country region security attack "
    "statement minister president leader resistance group faction spokesman negotiations agreement "
    "airspace intelligence equipment personnel election allies friends period time recent current "
    "bolstering reinforcing boosted allow remain manage stressing comes secure done particularly"
).split()
CUES = ["said", "told", "warned", "added", "stressed", "claimed"]
TRIGGERS = [("visit", "CONSULT"), ("attacked", "ASSAULT"), ("demanded", "DEMAND"), ("criticised", "DISAPPROVE")]


class _Writer:
    """Builds one article's text and its token offsets (whitespace tokens included) side by side."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.tokens: list[tuple[int, int]] = []
        self.length = 0

    def add(self, word: str, space_before: bool = True) -> tuple[int, int]:
        if space_before and self.parts:
            self.parts.append(" ")
            self.length += 1
        start = self.length
        self.parts.append(word)
        self.length += len(word)
        self.tokens.append((start, self.length))
        return start, self.length

    def add_words(self, words: str) -> tuple[int, int]:
        spans = [self.add(w) for w in words.split()]
        return spans[0][0], spans[-1][1]

    def paragraph(self) -> None:
        start = self.length
        self.parts.append("\n")
        self.length += 1
        self.tokens.append((start, self.length))  # spaCy keeps a newline as a whitespace token

    @property
    def text(self) -> str:
        return "".join(self.parts)


def article(rng: random.Random, n: int) -> tuple[str, list[tuple[int, int]], dict]:
    """One generated article: text, tokens, and a native-JSON gold annotation of it."""
    w = _Writer()
    entities, quotes, events = [], [], []

    def entity() -> str:
        kind = rng.random()
        if kind < 0.35:
            name, label = f"{rng.choice(FIRST)} {rng.choice(LAST)}", "PERSON"
        elif kind < 0.7:
            name, label = rng.choice(PLACES), "GPE"
        elif kind < 0.85:
            name, label = rng.choice(ORGS), "ORG"
        else:
            name, label = rng.choice(DATES), "DATE"
        start, end = w.add_words(name)
        entities.append({"id": f"t{len(entities) + 1}", "start": start, "end": end, "label": label})
        return entities[-1]["id"]

    words = 0
    while words < 300:
        sentence_words = rng.randint(12, 22)
        speaker = entity() if len(entities) < 30 else None
        if speaker and len(quotes) < 2 and rng.random() < 0.5:
            cue = w.add(rng.choice(CUES))
            first = w.add(rng.choice(WORDS))
            for _ in range(sentence_words - 3):
                last = w.add(rng.choice(WORDS))
            quotes.append(
                {
                    "id": f"q{len(quotes) + 1}",
                    "type": "INDIRECT",
                    "speaker": speaker,
                    "source": None,
                    "cue": {"start": cue[0], "end": cue[1]},
                    "content": [{"start": first[0], "end": last[1]}],
                }
            )
        else:
            for i in range(sentence_words):
                if len(entities) < 30 and rng.random() < 0.09:
                    entity()
                elif len(events) < 2 and i == 3 and rng.random() < 0.3:
                    trigger, kind = rng.choice(TRIGGERS)
                    start, end = w.add(trigger)
                    events.append(
                        {
                            "id": f"v{len(events) + 1}",
                            "type": kind,
                            "trigger": {"start": start, "end": end},
                            "source_actor": speaker,
                            "target_actor": None,
                        }
                    )
                else:
                    w.add(rng.choice(WORDS))
        w.add(".", space_before=False)
        words += sentence_words
        if rng.random() < 0.25:
            w.paragraph()
            w.add(rng.choice(WORDS).capitalize(), space_before=False)
    gold = {
        "id": f"bench-{n}",
        "text": w.text,
        "source": "gold",
        "status": "submitted",
        "entities": entities,
        "quotes": quotes,
        "events": events,
    }
    return w.text, w.tokens, gold


def build(path: Path, count: int) -> None:
    """A database of `count` articles, each with a gold set, written in one transaction.

    Straight SQL into the schema that annotator.db.connect makes (the store's per-article calls
    would take minutes at 100,000): the same rows store.ensure_article and store.create_set write,
    without the creation entries in history, which exports do not read.
    """
    import hashlib

    from annotator import db as database
    from annotator.formats.jsonl import from_json
    from annotator.store import ItemRows
    from annotator.store.articles import encode_tokens

    partial = path.with_name(path.name + ".partial")
    for stale in path.parent.glob(partial.name + "*"):
        stale.unlink()
    db = database.connect(partial)
    rng = random.Random(SEED)
    pool = []
    for n in range(POOL):
        text, tokens, gold = article(rng, n)
        found = ItemRows.of(from_json(gold).annotation.items())  # the rows the store writes
        pool.append((text, tokens, len(text), found.items, found.spans, found.links))
    stamp = "2024-04-29T00:00:00.000+00:00"
    conn = db.conn
    # A throwaway file: no WAL (which would write the gigabyte twice); exports reopen it in WAL mode.
    conn.execute("PRAGMA journal_mode = MEMORY")
    conn.execute("PRAGMA synchronous = OFF")
    with database.write(db):
        for first in range(0, count, POOL):
            rows: dict[str, list] = {"articles": [], "sets": [], "items": [], "spans": [], "links": []}
            for n in range(first, min(count, first + POOL)):
                text, tokens, end, items, spans, links = pool[n % POOL]
                tail = f"Report {n}"  # keeps every text distinct, as ensure_article would
                text += f"\n{tail}."
                ends = [(end, end + 1), (end + 1, end + 7), (end + 8, end + 8 + len(str(n)))]
                ends.append((end + len(tail) + 1, end + len(tail) + 2))
                encoded = encode_tokens(tokens + ends)  # as store.ensure_article stores them
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                key = n + 1  # article id and set id alike
                rows["articles"].append(
                    (key, f"bench-{n}", text, digest, json.dumps({"title": f"Article {n}"}), encoded, stamp)
                )
                rows["sets"].append((key, key, "gold", None, "submitted", 1, stamp, stamp))
                rows["items"].extend((key, *row) for row in items)
                rows["spans"].extend((key, *row) for row in spans)
                rows["links"].extend((key, *row) for row in links)
            conn.executemany(
                "INSERT INTO articles (id, ext_id, text, text_hash, meta, tokens, created) VALUES (?,?,?,?,?,?,?)",
                rows["articles"],
            )
            conn.executemany(
                "INSERT INTO annotation_sets (id, article_id, kind, user_id, status, version, created,"
                " updated) VALUES (?,?,?,?,?,?,?,?)",
                rows["sets"],
            )
            conn.executemany(
                "INSERT INTO items (set_id, key, layer, label, origin, attrs, start_char, end_char) "
                "VALUES (?,?,?,?,?,?,?,?)",
                rows["items"],
            )
            conn.executemany(
                "INSERT INTO spans (set_id, item, role, ord, start_char, end_char) VALUES (?,?,?,?,?,?)", rows["spans"]
            )
            conn.executemany("INSERT INTO links (set_id, item, role, target) VALUES (?,?,?,?)", rows["links"])
    db.close()
    partial.rename(path)


CHILD = """
import resource, sys
from pathlib import Path
from annotator import db, exporting
count = exporting.export(db.connect(sys.argv[1], migrate=False), sys.argv[2], "gold", Path(sys.argv[3]))
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(count, peak, round(usage.ru_utime + usage.ru_stime, 1))
"""


def export_peak(db_path: Path, fmt: str, out: Path) -> tuple[int, float, float]:
    """(records, peak RSS in MB, CPU seconds) of one export run in a child process of its own."""
    shutil.rmtree(out, ignore_errors=True)
    out.unlink(missing_ok=True)
    target = out if fmt == "spacy" else out.with_suffix(".jsonl")  # spacy: a folder of shards
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db_path), fmt, str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    count, peak_kb, seconds = done.stdout.split()
    shutil.rmtree(target, ignore_errors=True)
    target.unlink(missing_ok=True)
    return int(count), int(peak_kb) / 1024, float(seconds)


def _current(path: Path) -> bool:
    """Whether a kept database can be reused: it exists and has every migration of today's schema
    (the exports open it without migrating)."""
    from sqlite_utils import Database

    from annotator.migrations import MIGRATIONS

    if not path.exists():
        return False
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return not MIGRATIONS.pending(Database(conn))


def run(quick: bool) -> list[Row]:
    small, large = (1_000, 10_000) if quick else (10_000, 100_000)
    folder = scratch("export")
    paths = {n: folder / f"articles-{n}.db" for n in (small, large)}
    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: two child processes at a time
        list(pool.map(lambda n: _current(paths[n]) or _build_in_child(paths[n], n), (small, large)))
        # Longest first, so the other core works through the rest meanwhile.
        order = [("spacy", large), ("jsonl", large), ("spacy", small), ("jsonl", small)]
        jobs = {
            key: pool.submit(export_peak, paths[key[1]], key[0], folder / f"out-{key[0]}-{key[1]}") for key in order
        }
        results = {key: job.result() for key, job in jobs.items()}
    rows = []
    for fmt in FORMATS:
        (count_s, peak_s, secs_s), (count_l, peak_l, secs_l) = results[fmt, small], results[fmt, large]
        assert (count_s, count_l) == (small, large), (fmt, count_s, count_l)
        rows.append(
            Row(
                f"export memory {large // 1000}k vs {small // 1000}k articles ({fmt})",
                peak_l / peak_s,
                1.3,
                note=f"peak RSS {peak_s:.0f} vs {peak_l:.0f} MB; {secs_s:.0f} vs {secs_l:.0f} s CPU",
            )
        )
    return rows


def _build_in_child(path: Path, count: int) -> bool:
    code = f"from pathlib import Path; from bench.bench_export import build; build(Path({str(path)!r}), {count})"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return True


if __name__ == "__main__":
    print(json.dumps([row.__dict__ for row in run(quick="--quick" in sys.argv)], indent=1))
