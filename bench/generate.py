"""Seeded generators of articles and annotation states for the benchmarks (never committed)."""

from __future__ import annotations

import random
from pathlib import Path

from werkzeug.security import generate_password_hash

from annotator import db as database
from annotator import store
from annotator.model import MODEL, Annotation, Article, Item, Span

WORDS = (
    "the minister said that talks with the delegation will resume next week in the capital while "
    "officials warned of new sanctions and the president visited troops near the border after attacks on "
    "bases"
).split()
NAMES = ["Rashid", "Austin", "Raisi", "Khamenei", "Sudani", "Tehran", "Baghdad", "Washington", "Kuwait", "Iraq"]
LABELS = ["PERSON", "PERSON", "PERSON", "PERSON", "PERSON", "GPE", "GPE", "GPE", "GPE", "GPE"]
PASSWORD = "bench-password"


def article_text(rng: random.Random, words: int) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, str]]]:
    """Text of about `words` words in paragraphs, its tokens, and candidate entity spans (the names)."""
    parts, tokens, names = [], [], []
    pos = 0
    for i in range(words):
        is_name = rng.random() < 0.12
        word = rng.choice(NAMES) if is_name else rng.choice(WORDS)
        if is_name:
            names.append((pos, pos + len(word), LABELS[NAMES.index(word)]))
        tokens.append((pos, pos + len(word)))
        parts.append(word)
        pos += len(word)
        if i % 40 == 39:
            tokens.append((pos, pos + 1))  # the full stop
            parts.append(".\n")
            tokens.append((pos + 1, pos + 2))  # the newline is a token of its own, as spaCy makes it
            pos += 2
        else:
            parts.append(" ")
            pos += 1
    return "".join(parts), tokens, names


def annotation_for(
    rng: random.Random, text: str, tokens, names, n_entities: int, n_quotes: int = 0, n_events: int = 0
) -> Annotation:
    """Entities on names, quotes over word runs (speaker an entity), events on single words."""
    chosen = sorted(rng.sample(names, min(n_entities, len(names))))
    entities = [Item.entity(f"t{i}", s, e, label, MODEL) for i, (s, e, label) in enumerate(chosen, 1)]
    words = [t for t in tokens if not text[t[0] : t[1]].isspace() and text[t[0] : t[1]] != "."]
    items: list = list(entities)
    used = {(e.start, e.end) for e in entities}
    for i in range(1, n_quotes + 1):
        a = rng.randrange(0, len(words) - 12)
        content = Span(words[a][0], words[a + 8][1])
        speaker = rng.choice(entities).id if entities else None
        items.append(Item.quote(f"q{i}", "INDIRECT", (content,), Span(*words[a + 9]), None, speaker, MODEL))
    free = [w for w in words if w not in used]
    for i, (s, e) in enumerate(rng.sample(free, min(n_events, len(free))), 1):
        items.append(Item.event(f"v{i}", "CONSULT", Span(s, e), None, None, (), MODEL))
    return Annotation.of(items)


def build(
    path: Path,
    *,
    articles: int,
    words: int,
    annotators: int,
    entities: int,
    done_each: int = 50,
    seed: int = 7,
    big: tuple[int, int] | None = None,
) -> dict:
    """A database of generated articles with model sets, users, and `done_each` finished articles per
    annotator (two annotators per article), the same at every size: only the pool grows.

    `big` = (words, items) adds one long article with that many items (the page-cost benchmark's).
    """
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    db = database.connect(path)
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    info: dict = {}
    with database.write(db):
        users = [store.add_user(db, f"annotator{i:02d}", "annotator", password_hash).id for i in range(annotators)]
        store.set_annotators_per_article(db, 2)
        finished = set(rng.sample(range(articles), min(articles, annotators * done_each // 2)))
        for n in range(articles):
            text, tokens, names = article_text(rng, words)
            article_id, _ = store.ensure_article(db, Article(f"gen-{n:06d}", text, {"title": f"Generated {n}"}, tokens))
            model = annotation_for(rng, text, tokens, names, entities)
            store.put_set(db, article_id, "model", None, model, action="preannotate")
            if n in finished:
                for user in rng.sample(users, 2):
                    store.assign(db, article_id, user)
                    store.put_set(db, article_id, "annotator", user, model, status="submitted", by=user)
        if big is not None:
            text, tokens, names = article_text(rng, big[0])
            article_id, _ = store.ensure_article(db, Article("big", text, {"title": "Big"}, tokens))
            n_items = big[1]
            model = annotation_for(rng, text, tokens, names, int(n_items * 0.8), n_items // 10, n_items // 10)
            store.put_set(db, article_id, "model", None, model, action="preannotate")
            info["big"] = article_id
        info["users"] = users
    db.close()
    return info
