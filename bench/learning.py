"""python -m bench.learning [--quick] [--max-minutes N] [--record]: the quote model learned from PolNeAR.

1. PolNeAR's `train` split (840 articles) is imported as gold: `annotator import DIR --format brat
   --as gold` over a folder of NAME.txt and NAME.ann, one annotator's attributions per article
   (the first by annotator code, as the issue's reference measurement did). Only `train` and `dev`
   are read from the mirror; `test` is reserved for independent evaluation and never extracted.
2. `annotator train --layer quote` trains a version on it (held-out share for model selection).
3. The `dev` split's texts (84 articles) are imported with `--preannotate`, once with the rules
   (the project's en_core_web_sm pipeline) and once with the trained version, each into its own
   database; both are scored against dev's gold attributions.
4. Pre-annotation speed: the import with the trained version against bare en_core_web_sm
   `nlp.pipe` over the same texts, in turns.

Scores (one to one, largest overlap first): a predicted quote matches a gold one when the content
characters they share are at least half of the shorter content's; precision, recall and F1 of
that; of the matched, the share whose cue overlaps the gold cue (both absent counts as right), and
the same for the source. `--quick` takes 120 training articles, 30 dev articles and a 6-minute
budget, so that `make bench` can run it (its figures are lower: less data, less training); the
full run's table is written to bench/LEARNING.md with --record.

`--train-jsonl A --dev-jsonl B` runs the same on any corpus already in native JSONL (gold sets).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import spacy

from annotator import db as database
from annotator import store
from annotator.cli import cli
from annotator.model import Annotation
from annotator.nlp.pipeline import installed_name

from .common import Row, scratch

MIRROR = Path("/work/.mirror/networkdynamics+PolNeAR/repo")
HERE = Path(__file__).resolve().parent
SPLITS = ("train", "dev")  # never "test"
VERSION = "polnear-quote"


@dataclass
class Scores:
    """Quote scores of one prediction run against gold."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    same: dict[str, int] = field(default_factory=lambda: {"cue": 0, "source": 0})

    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0

    def share(self, role: str) -> float:
        return self.same[role] / self.matched if self.matched else 0.0


def _chars(quote) -> set[int]:
    return {i for span in quote.parts("content") for i in range(span.start, span.end)}


def _same(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a.overlaps(b))


def score(gold: Annotation, predicted: Annotation, into: Scores) -> None:
    """Add one article's quotes to the scores (see the module docstring)."""
    gold_quotes, predicted_quotes = gold.quotes, predicted.quotes
    into.gold += len(gold_quotes)
    into.predicted += len(predicted_quotes)
    g_chars, p_chars = [_chars(q) for q in gold_quotes], [_chars(q) for q in predicted_quotes]
    pairs = sorted(
        (
            (len(g & p), i, j)
            for i, g in enumerate(g_chars)
            for j, p in enumerate(p_chars)
            if g & p and len(g & p) >= 0.5 * min(len(g), len(p))
        ),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    for _, i, j in pairs:
        if i in used_gold or j in used_predicted:
            continue
        used_gold.add(i)
        used_predicted.add(j)
        into.matched += 1
        for role in ("cue", "source"):
            into.same[role] += _same(gold_quotes[i].span(role), predicted_quotes[j].span(role))


# --- the corpus ------------------------------------------------------------------------------


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(MIRROR), *args], capture_output=True, text=True, check=True).stdout


def polnear_split(split: str, folder: Path, limit: int | None = None) -> Path:
    """A brat folder of one PolNeAR split: NAME.txt and NAME.ann (one annotator's), `limit` articles at most."""
    if split not in SPLITS:
        raise ValueError(f"only {', '.join(SPLITS)} are read from PolNeAR")
    if not (MIRROR / "HEAD").exists():
        raise SystemExit(f"PolNeAR is not mirrored at {MIRROR}")
    out = folder / split
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    annotations = sorted(_git("ls-tree", "-r", "--name-only", "HEAD", f"data/{split}/attributions").split())
    chosen: dict[str, str] = {}
    for path in annotations:
        chosen.setdefault(Path(path).stem.rsplit("_", 1)[0], path)
    for name in sorted(chosen)[:limit]:
        (out / f"{name}.txt").write_text(_git("show", f"HEAD:data/{split}/text/{name}.txt"), "utf-8")
        (out / f"{name}.ann").write_text(_git("show", f"HEAD:{chosen[name]}"), "utf-8")
    return out


def _run(db_path: Path, *args: object) -> str:
    """One `annotator` command in this process; its output, or SystemExit with it when it fails."""
    out = io.StringIO()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    try:
        cli.main(["--db", str(db_path), *map(str, args)], standalone_mode=False)
    except Exception as exc:
        raise SystemExit(f"annotator {' '.join(map(str, args))} failed: {exc}\n{out.getvalue()[-2000:]}") from None
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    return out.getvalue()


def _fresh(path: Path) -> Path:
    """A new, empty database at `path` (only `annotator init` creates one), without old models."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(path.parent / "models", ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(path, "init")
    return path


def _sets_by_text(db_path: Path, kind: str) -> dict[str, Annotation]:
    """Every set of `kind` in the database, by its article's text (the key both runs share)."""
    db = database.connect(db_path)
    try:
        return {article.text: annotation for article, _, annotation in store.iter_sets(db, kind)}
    finally:
        db.close()


def _gold_by_text(db_path: Path) -> dict[str, Annotation]:
    return _sets_by_text(db_path, "gold")


def _predictions(db_path: Path) -> dict[str, Annotation]:
    return _sets_by_text(db_path, "model")


def _plain(gold: dict[str, Annotation], path: Path) -> Path:
    path.write_text("".join(json.dumps({"id": f"dev-{n}", "text": t}) + "\n" for n, t in enumerate(gold)), "utf-8")
    return path


def _scores(gold: dict[str, Annotation], predicted: dict[str, Annotation]) -> Scores:
    found = Scores()
    for text, annotation in gold.items():
        score(annotation, predicted.get(text, Annotation()), found)
    return found


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run measured."""

    rules: Scores
    trained: Scores
    minutes: float  # the version's training, corpus analysis included
    bare_seconds: float  # en_core_web_sm nlp.pipe over the dev texts
    import_seconds: float  # import --preannotate with the trained version, same texts
    train_articles: int
    dev_articles: int
    words: int


@dataclass
class Corpus:
    """Where the training and dev gold come from, and how `annotator import` reads them."""

    train: Path
    dev: Path
    import_args: tuple[str, ...]


def polnear(folder: Path, quick: bool) -> Corpus:
    """PolNeAR's train and dev splits as brat folders (subsets with --quick)."""
    train = polnear_split("train", folder / "polnear", 120 if quick else None)
    dev = polnear_split("dev", folder / "polnear", 30 if quick else None)
    return Corpus(train, dev, ("--format", "brat", "--as", "gold"))


def measure(folder: Path, corpus: Corpus, max_minutes: float, rounds: int = 2) -> Outcome:
    """Import, train, pre-annotate dev with the rules and with the version, score and time (see the module)."""
    train_db = _fresh(folder / "train" / "annotator.db")
    train_db.parent.mkdir(parents=True, exist_ok=True)
    print(_run(train_db, "import", corpus.train, *corpus.import_args).strip(), file=sys.stderr)
    print(_run(train_db, "train", "--layer", "quote", "--out", VERSION, "--max-minutes", max_minutes), file=sys.stderr)
    db = database.connect(train_db)
    version = store.get_model_version(db, VERSION)
    db.close()
    assert version is not None, "train registered no version"
    gold_db = _fresh(folder / "dev-gold" / "annotator.db")
    gold_db.parent.mkdir(parents=True, exist_ok=True)
    _run(gold_db, "import", corpus.dev, *corpus.import_args)
    gold = _gold_by_text(gold_db)
    texts = _plain(gold, folder / "dev-texts.jsonl")
    rules_db = _fresh(folder / "rules" / "annotator.db")
    rules_db.parent.mkdir(parents=True, exist_ok=True)
    _run(rules_db, "import", texts, "--preannotate")
    _run(train_db, "import", texts, "--preannotate", "--model", VERSION)  # loads the version once
    trained = _predictions(train_db)
    bare = spacy.load(installed_name("en_core_web_sm"))
    bare_times, import_times = [], []
    for _ in range(rounds):  # in turns, so that drift in machine speed hits both alike
        started = time.perf_counter()
        for _doc in bare.pipe(gold, batch_size=32):
            pass
        bare_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        _run(train_db, "import", texts, "--preannotate", "--model", VERSION)
        import_times.append(time.perf_counter() - started)
    return Outcome(
        rules=_scores(gold, _predictions(rules_db)),
        trained=_scores(gold, {text: trained[text] for text in gold if text in trained}),
        minutes=version.minutes,
        bare_seconds=statistics.median(bare_times),
        import_seconds=statistics.median(import_times),
        train_articles=version.train_documents + version.dev_documents,
        dev_articles=len(gold),
        words=sum(len(text.split()) for text in gold),
    )


def rows(outcome: Outcome, label: str = "") -> list[Row]:
    """The bench rows of the issue's targets."""
    t, r = outcome.trained, outcome.rules
    on = f"on dev ({outcome.dev_articles} articles){label}"
    counts = f"gold {t.gold}, predicted {t.predicted}, matched {t.matched}; P {t.precision():.3f}, R {t.recall():.3f}"
    return [
        Row(f"quotes, trained model: content F1 {on}", t.f1(), 0.72, "", counts, at_least=True),
        Row(f"quotes, trained model: cue accuracy {on}", t.share("cue"), 0.85, "", "of matched quotes", at_least=True),
        Row(f"quotes, trained model: source accuracy {on}", t.share("source"), 0.85, "", "", at_least=True),
        Row(
            f"quotes, rules alone: content F1 {on}",
            r.f1(),
            0.61,
            "",
            f"P {r.precision():.3f}, R {r.recall():.3f}; cue {r.share('cue'):.3f}, source {r.share('source'):.3f}",
            at_least=True,
        ),
        Row(
            f"training on {outcome.train_articles} articles (minutes){label}",
            outcome.minutes,
            30,
            " min",
            "corpus analysis included; quote layer",
        ),
        Row(
            "import with --preannotate by the trained version: speed vs bare en_core_web_sm nlp.pipe",
            outcome.bare_seconds / outcome.import_seconds,
            0.5,
            note=f"bare {outcome.bare_seconds:.1f} s, import {outcome.import_seconds:.1f} s, {outcome.words:,} words",
            at_least=True,
        ),
    ]


def table(found: Sequence[Row]) -> str:
    lines = ["| target | measured | limit | result | note |", "|---|---|---|---|---|"]
    for row in found:
        sign = "≥" if row.at_least else "≤"
        lines.append(
            f"| {row.target} | {row.measured:.3f}{row.unit} | {sign} {row.limit:g}{row.unit} | "
            f"{'pass' if row.ok else 'falls short'} | {row.note} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learning", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="120 training articles, 30 dev articles, 6 minutes")
    parser.add_argument("--max-minutes", type=float, help="training budget (default 30, quick 6)")
    parser.add_argument("--train-jsonl", type=Path, help="native JSONL gold to train on instead of PolNeAR train")
    parser.add_argument("--dev-jsonl", type=Path, help="native JSONL gold to score on instead of PolNeAR dev")
    parser.add_argument("--record", action="store_true", help="write the table to bench/LEARNING.md")
    args = parser.parse_args(argv)
    folder = scratch("learning")
    if args.train_jsonl and args.dev_jsonl:
        corpus = Corpus(args.train_jsonl, args.dev_jsonl, ("--format", "jsonl"))
    else:
        corpus = polnear(folder, args.quick)
    outcome = measure(folder, corpus, args.max_minutes or (6 if args.quick else 30))
    output = table(rows(outcome, " (quick run)" if args.quick else ""))
    print(output)
    if args.record:
        (HERE / "LEARNING.md").write_text(
            f"# Learning from PolNeAR\n\n{date.today().isoformat()}, `python -m bench.learning"
            f"{' --quick' if args.quick else ''}` (see its docstring for what is measured and how).\n\n{output}\n",
            "utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
