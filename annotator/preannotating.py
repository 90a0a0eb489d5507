"""Pre-annotation of the articles in the database: the pipeline's predictions for every article nobody
has opened, made before the write lock is taken and written in one short transaction a batch."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from itertools import islice

from sqlite_utils import Database
from tqdm import tqdm

from . import store
from .config import Project
from .db import write
from .importing import BATCH, pipeline_for, snap_all
from .model import Tokens
from .nlp import pipeline as nlp_pipeline


@dataclass
class Preannotated:
    """What a pre-annotation run did."""

    done: int  # articles whose predictions were made anew
    kept: int  # articles left as they were: someone has opened them
    model: str  # the version (or pipeline) the predictions are recorded under
    warning: str | None = None


def preannotate(
    db: Database, project: Project, *, model: str | None = None, n_process: int = 1, progress: bool = True
) -> Preannotated:
    """Run the pipeline over every article nobody has opened yet, replacing its predictions (history keeps the
    old); articles with an annotator's set or gold keep theirs, since those sets started from them."""
    pipe, made_by = pipeline_for(db, project, model)
    total = store.count_unopened(db)
    kept = store.count_articles(db) - total
    ids = store.iter_unopened_ids(db)
    done = 0
    with tqdm(
        total=total, desc="preannotate", unit=" articles", file=sys.stderr, disable=None if progress else True
    ) as bar:
        while batch := list(islice(ids, BATCH * 4)):
            articles = [store.get_article(db, article_id) for article_id in batch]
            # spaCy runs before the write lock is taken; then one short transaction per batch.
            predictions = list(
                nlp_pipeline.predict(
                    pipe, project, [a.text for a in articles], n_process=n_process, given=[a.tokens for a in articles]
                )
            )
            with write(db):
                for article_id, article, (_, predicted) in zip(batch, articles, predictions):
                    if store.is_opened(db, article_id):  # opened while the batch ran
                        kept += 1
                        continue
                    predicted, _ = snap_all(predicted, Tokens(article.tokens, article.text))
                    store.put_set(db, article_id, "model", None, predicted, action="preannotate", model=made_by)
                    done += 1
            bar.update(len(batch))
    return Preannotated(done, kept, made_by, pipe.warning)
