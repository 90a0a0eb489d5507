"""Articles: stored once per text, never changed after import."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from ..errors import Conflict, NotFound
from ..model import Article
from ..model.normal import normal_hash
from ..model.text import Offsets
from ._sql import now, row, text_hash, value
from .queue import count_open

ARTICLE_COLUMNS = "id, ext_id, text, meta, tokens"
# For readers that need no tokens (the JSONL export): the column is neither read nor decoded.
ARTICLE_COLUMNS_WITHOUT_TOKENS = "id, ext_id, text, meta"

# Token offsets are stored as one BLOB, this module the only one that encodes or decodes it: a
# byte naming the width, then each token's gap after the previous token's end, then each token's
# length, as little-endian integers of that width. Prose has gaps of 0 or 1 and lengths under
# 256, so a token takes 2 bytes (the JSON pairs this replaces took 11-12, and 8 as uint32 starts
# and ends); decoding is two numpy passes (cumsum), no Python object per token. Wider widths
# keep any list whole: long tokens take 2 or 4 bytes, and out-of-order offsets (never written by
# the import, which stores a text's tokens in order) signed 4.
_WIDTHS: tuple[tuple[bytes, np.dtype], ...] = (
    (b"B", np.dtype("<u1")),
    (b"H", np.dtype("<u2")),
    (b"I", np.dtype("<u4")),
    (b"i", np.dtype("<i4")),
)
_DTYPES: dict[bytes, np.dtype] = dict(_WIDTHS)


def encode_tokens(offsets: Offsets) -> bytes:
    """Token offsets [(start, end), ...] as the stored BLOB."""
    pairs = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    ends = pairs[:, 1]
    gaps = pairs[:, 0] - np.concatenate(([0], ends[:-1]))
    values = np.concatenate((gaps, ends - pairs[:, 0]))
    low, high = (int(values.min()), int(values.max())) if len(values) else (0, 0)
    code, dtype = next((c, d) for c, d in _WIDTHS if np.iinfo(d).min <= low and high <= np.iinfo(d).max)
    return code + values.astype(dtype).tobytes()


def decode_tokens(blob: bytes) -> np.ndarray:
    """The stored BLOB as an (n, 2) array of token (start, end) offsets."""
    values = np.frombuffer(blob, dtype=_DTYPES[blob[:1]], offset=1).astype(np.int64)
    gaps, lengths = values.reshape(2, -1)
    ends = np.cumsum(gaps + lengths)
    return np.column_stack((ends - lengths, ends))


def article_of(found: sqlite3.Row, *, with_tokens: bool = True) -> Article:
    """An Article from a row of ARTICLE_COLUMNS (without_tokens: of ARTICLE_COLUMNS_WITHOUT_TOKENS, tokens empty)."""
    return Article(
        ext_id=found["ext_id"],
        text=found["text"],
        meta=json.loads(found["meta"]),
        tokens=decode_tokens(found["tokens"]).tolist() if with_tokens else [],
        id=found["id"],
    )


def ensure_article(db: Database, article: Article, tokens: Offsets | None = None) -> tuple[int, bool]:
    """The id of the stored article with this id or else this exact text, storing it if new.

    Returns (id, created). Refuses an id that exists already with another text. `tokens`, when
    given, are stored instead of the article's (the import's (n, 2) array, never made into pairs).
    """
    digest = text_hash(article.text)
    found = row(db, "SELECT id, text_hash FROM articles WHERE ext_id = ?", [article.ext_id])
    if found is not None:
        if found["text_hash"] != digest:
            raise Conflict(f"article {article.ext_id!r} exists already with a different text")
        return found["id"], False
    same_text = value(db, "SELECT id FROM articles WHERE text_hash = ? ORDER BY id LIMIT 1", [digest])
    if same_text is not None:
        return same_text, False
    return insert_article(db, article, tokens), True


# The text's hash, its normal form's, the tokens encoded: a plain tuple, which crosses a process's pipe
# cheaper than a NamedTuple (the import sends one an article).
Derived = tuple[str, str, bytes]


def derive(text: str, tokens: Offsets) -> Derived:
    """What an article's row derives from its text and tokens: the text's hash, its normal form's, the
    tokens encoded."""
    return (*hashes(text), encode_tokens(tokens))


def hashes(text: str) -> tuple[str, str]:
    """The text's hash and its normal form's (what finds an article stored before)."""
    return text_hash(text), normal_hash(text)


@dataclass(frozen=True)
class ArticleRow:
    """A new article as the row `articles` keeps: its hashes and its tokens encoded, which an import
    makes before it takes the write lock (they were a fifth of its time under it)."""

    ext_id: str
    text: str
    meta: str  # JSON
    text_hash: str
    norm_hash: str
    tokens: bytes

    @classmethod
    def of(cls, article: Article, tokens: Offsets | None = None, derived: Derived | None = None) -> ArticleRow:
        """The article's row; `tokens` (the import's (n, 2) array) stored instead of the article's, and
        what the row derives from text and tokens, when made already (`derived`, by another process)."""
        text = article.text
        meta = json.dumps(article.meta, ensure_ascii=False, sort_keys=True)
        return cls(article.ext_id, text, meta, *(derived or derive(text, article.tokens if tokens is None else tokens)))

    @property
    def hashes(self) -> tuple[str, str]:
        return self.text_hash, self.norm_hash


def insert_article(db: Database, article: Article | ArticleRow, tokens: Offsets | None = None) -> int:
    """Store a new article and return its id: for a caller that knows, under the write lock, that no
    stored article has its id or text (the import, after locate_article found none)."""
    new = article if isinstance(article, ArticleRow) else ArticleRow.of(article, tokens)
    cur = db.execute(
        "INSERT INTO articles (ext_id, text, text_hash, norm_hash, meta, tokens, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [new.ext_id, new.text, new.text_hash, new.norm_hash, new.meta, new.tokens, now()],
    )
    count_open(db, +1)
    return int(cur.lastrowid or 0)


def locate_article(db: Database, ext_id: str, text: str, hashes: tuple[str, str] | None = None) -> Article | None:
    """The stored article an imported record belongs to: the one with its id, else its exact text,
    else its text up to whitespace and Unicode composition (see model.normal); None if new.

    Refuses an id that exists already with a text that is not the same up to that. `hashes` are the
    text's (ArticleRow.hashes), when the caller has them.
    """
    digest, normal = hashes or (text_hash(text), normal_hash(text))
    found = row(db, f"SELECT {ARTICLE_COLUMNS}, text_hash, norm_hash FROM articles WHERE ext_id = ?", [ext_id])
    if found is not None:
        if digest != found["text_hash"] and normal != found["norm_hash"]:
            raise Conflict(f"article {ext_id!r} exists already with a different text")
        return article_of(found)
    for column, key in (("text_hash", digest), ("norm_hash", normal)):
        found = row(db, f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {column} = ? ORDER BY id LIMIT 1", [key])
        if found is not None:
            return article_of(found)
    return None


def find_article(db: Database, ext_id: str) -> int | None:
    """The id of the article with this external id."""
    found = value(db, "SELECT id FROM articles WHERE ext_id = ?", [ext_id])
    return None if found is None else int(found)


def get_article(db: Database, article_id: int) -> Article:
    found = row(db, f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id])
    if found is None:
        raise NotFound(f"there is no article {article_id}")
    return article_of(found)


def get_article_text(db: Database, article_id: int) -> str:
    found = value(db, "SELECT text FROM articles WHERE id = ?", [article_id])
    if found is None:
        raise NotFound(f"there is no article {article_id}")
    return str(found)


def count_articles(db: Database) -> int:
    return int(value(db, "SELECT count(*) FROM articles"))


def iter_article_ids(db: Database, batch: int = 500) -> Iterator[int]:
    """Every article id in order, fetched in keyset pages."""
    last = 0
    while True:
        ids = [r[0] for r in db.execute("SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", [last, batch])]
        if not ids:
            return
        yield from ids
        last = ids[-1]


def get_article_offsets(db: Database, article_id: int) -> tuple[Article, np.ndarray]:
    """The article without its token list, and its token offsets as the (n, 2) array they decode to:
    what the web's snapping needs (a Python list of pairs cost more than the rest of a first opening)."""
    found = row(db, f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id])
    if found is None:
        raise NotFound(f"there is no article {article_id}")
    return article_of(found, with_tokens=False), decode_tokens(found["tokens"])
