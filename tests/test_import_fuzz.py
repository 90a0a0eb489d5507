"""Property-based fuzzing of every reader (issue 14.9): any file gives a clean FILE:LINE error and
changes nothing, or imports into a valid state; never a traceback, never a half-write.

Examples are bounded (FUZZ_EXAMPLES each) so `make test` stays fast; each example imports into a
copy of an empty, migrated database.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zlib
from pathlib import Path

import pytest
import spacy
import srsly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import DocBin, Span

from annotator import db as database
from annotator import exporting, importing

FUZZ_EXAMPLES = 25
TEXT = "Iran's leader Khamenei told Rashid in Tehran: “leave.” Rashid said no."
TABLES = ("articles", "users", "annotation_sets", "items", "spans", "links", "history", "assignments")
fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    derandomize=True,  # the same examples on every run: a failure here is a bug, never luck
)


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "empty.db"
    database.connect(path).close()
    return path


def _snapshot(db) -> dict:
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def _import_cleanly(empty_db: Path, project, files: dict[str, bytes], fmt: str = "auto") -> None:
    """Write the files, import them; assert a FILE:LINE error with nothing written, or a valid state."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, body in files.items():
            (root / name).write_bytes(body)
        shutil.copy(empty_db, root / "t.db")
        db = database.connect(root / "t.db")
        try:
            before = _snapshot(db)
            paths = [root / name for name in files if not name.endswith((".txt", ".conf"))] or [root]
            try:
                importing.import_paths(db, project, paths, fmt=fmt, annotator="fuzz", progress=False)
            except importing.ImportFailed as exc:
                assert re.match(rf"^{re.escape(str(root))}/\S+:\d+: \S", str(exc)) or "--strict" in str(exc), exc
                assert _snapshot(db) == before, "a refused import wrote something"
            else:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert db.execute("PRAGMA foreign_key_check").fetchall() == []
                exporting.export(db, "jsonl", "annotations", root / "back.jsonl")  # what was stored reads back
        finally:
            db.close()


# --- JSON readers: native, Prodigy, doccano, Label Studio --------------------------------------

# Strings that break naive readers: lone surrogates, a BOM, control characters, very long words.
nasty = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["\ud800", "x\udfff", "\ufeff", "\x00", "\u2028", TEXT, " ", "", "PERSON", "QUOTE_DIRECT"]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=False), nasty)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty, inner, max_size=4))
offsets = st.integers(-2, len(TEXT) + 3)
span = st.fixed_dictionaries(
    {"start": offsets, "end": offsets, "label": st.sampled_from(["PERSON", "GPE", "CUE", "QUOTE", "EVENT_X", ""])},
    optional={"token_start": st.integers(-1, 20), "token_end": st.integers(-1, 20), "text": nasty},
)


def _record(extra: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {"text": st.one_of(st.just(TEXT), nasty, scalars)},
        optional={**extra, "meta": values, "id": scalars, "answer": st.sampled_from(["accept", "reject", "x"])},
    )


native = _record(
    {
        "source": st.sampled_from(["gold", "model", "annotator", "robot"]),
        "annotator": scalars,
        "entities": st.lists(st.fixed_dictionaries({"id": nasty, "start": offsets, "end": offsets, "label": nasty})),
        "quotes": st.lists(values, max_size=2),
        "events": st.lists(values, max_size=2),
    }
)
prodigy = _record(
    {
        "spans": st.lists(span, max_size=4),
        "relations": st.lists(
            st.fixed_dictionaries({"head": st.integers(-1, 9), "child": st.integers(-1, 9), "label": nasty}),
            max_size=3,
        ),
        "_input_hash": st.integers(-3, 3),
        "_session_id": scalars,
        "versions": st.lists(values, max_size=2),
    }
)
doccano = _record(
    {
        "label": st.lists(st.lists(st.one_of(offsets, nasty), min_size=3, max_size=3), max_size=3),
        "entities": st.lists(
            st.fixed_dictionaries(
                {"id": st.integers(0, 3), "label": nasty, "start_offset": offsets, "end_offset": offsets}
            ),
            max_size=3,
        ),
        "relations": st.lists(values, max_size=2),
        "user": scalars,
    }
)


def _lines(records: list) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=True) + "\n" for r in records).encode("utf-8")


@pytest.mark.parametrize("fmt, strategy", [("jsonl", native), ("prodigy", prodigy), ("doccano", doccano)])
def test_fuzz_json_lines_readers(empty_db, project, fmt, strategy):
    @fuzz
    @given(st.lists(strategy | values, min_size=1, max_size=4))
    def check(records):
        _import_cleanly(empty_db, project, {"in.jsonl": _lines(records)}, fmt)

    check()


def test_fuzz_a_json_line_nested_100000_deep_is_a_clean_error(empty_db, project):
    deep = b'{"text": "x", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    _import_cleanly(empty_db, project, {"deep.jsonl": deep}, "jsonl")
    _import_cleanly(empty_db, project, {"deep.json": b"[" + deep + b"]"}, "labelstudio")


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "doccano"])
def test_fuzz_a_lone_surrogate_in_the_text_is_a_clean_error(empty_db, project, fmt):
    record = {"text": "Tehran \ud800 said", "spans": [], "label": [], "answer": "accept"}
    _import_cleanly(empty_db, project, {"s.jsonl": _lines([record])}, fmt)


label_studio = st.fixed_dictionaries(
    {"data": st.one_of(st.fixed_dictionaries({"text": st.one_of(st.just(TEXT), nasty)}), values)},
    optional={
        "id": scalars,
        "annotations": st.lists(
            st.fixed_dictionaries(
                {
                    "result": st.lists(
                        st.fixed_dictionaries(
                            {
                                "id": st.sampled_from(["a", "b"]),
                                "type": st.sampled_from(["labels", "relation", "choices"]),
                                "value": st.fixed_dictionaries(
                                    {"start": offsets, "end": offsets, "labels": st.lists(nasty, max_size=2)}
                                ),
                            },
                            optional={"from_id": st.sampled_from(["a", "b"]), "to_id": st.sampled_from(["a", "b"])},
                        ),
                        max_size=3,
                    )
                },
                optional={"completed_by": values, "was_cancelled": scalars, "ground_truth": scalars},
            ),
            max_size=2,
        ),
        "predictions": st.lists(values, max_size=2),
    },
)


def test_fuzz_label_studio_reader(empty_db, project):
    @fuzz
    @given(st.lists(label_studio | values, max_size=3), st.booleans())
    def check(tasks, cut):
        body = json.dumps(tasks).encode("utf-8")
        _import_cleanly(empty_db, project, {"export.json": body[: len(body) // 2] if cut else body}, "labelstudio")

    check()


# --- line formats: CoNLL, brat, text -----------------------------------------------------------

conll_line = st.one_of(
    st.just(""),
    st.just("-DOCSTART- -X- O O"),
    st.sampled_from(["# id = a", "# set = gold", "# set = robot", "# annotator = x", "\ufeff-DOCSTART-"]),
    st.builds(
        lambda word, tag, extra: " ".join([word, *extra, tag]),
        st.text(alphabet="abcXYZ.,!\u00e9", min_size=1, max_size=6),
        st.sampled_from(["O", "B-PER", "I-PER", "I-ORG", "E-LOC", "S-X", "U-GPE", "L-GPE", "B-", "X-Y"]),
        st.lists(st.sampled_from(["NNP", "I-NP", "-X-"]), max_size=2),
    ),
    nasty,
)


def test_fuzz_conll_reader(empty_db, project):
    @fuzz
    @given(st.lists(conll_line, min_size=1, max_size=30))
    def check(lines):
        body = "\n".join(lines).encode("utf-8", "surrogatepass")
        _import_cleanly(empty_db, project, {"eng.conll": body}, "conll")

    check()


ids = st.sampled_from(["T1", "T2", "T3", "E1", "E2", "R1", "A1", "X"])
brat_line = st.one_of(
    st.builds(
        lambda i, label, s, e, txt: f"{i}\t{label} {s} {e}\t{txt}",
        ids,
        st.sampled_from(["PERSON", "GPE", "Content", "Cue", "Source", "Attribution", "Discard", "CONSULT"]),
        offsets,
        offsets,
        nasty,
    ),
    st.builds(
        lambda i, kind, t, args: f"{i}\t{kind}:{t} " + " ".join(args),
        ids,
        st.sampled_from(["Attribution", "Attribution-no-source", "CONSULT", "Gene_expression"]),
        ids,
        st.lists(st.builds(lambda r, t: f"{r}:{t}", st.sampled_from(["Content", "Cue", "Source", "Theme"]), ids)),
    ),
    st.builds(lambda i, a, b: f"{i}\tSpeaker Arg1:{a} Arg2:{b}", ids, ids, ids),
    st.builds(lambda i, t: f"{i}\tQuoteType {t} DIRECT", ids, ids),
    nasty,
)


def test_fuzz_brat_reader(empty_db, project):
    @fuzz
    @given(st.lists(brat_line, max_size=8), st.booleans())
    def check(lines, bom):
        ann = "\n".join(lines).encode("utf-8", "surrogatepass")
        txt = (("\ufeff" if bom else "") + TEXT).encode("utf-8")
        _import_cleanly(empty_db, project, {"a.txt": txt, "a_x.ann": ann}, "brat")

    check()


def test_fuzz_text_reader(empty_db, project):
    @fuzz
    @given(st.binary(max_size=200))
    def check(body):
        _import_cleanly(empty_db, project, {"a.txt": body}, "text")

    check()


# --- spaCy DocBin: damaged structures and bytes ------------------------------------------------


def _docbin_bytes(mutate_doc) -> bytes:
    nlp = spacy.blank("en")
    doc = nlp(TEXT)
    doc.ents = [Span(doc, 3, 4, "PERSON")]
    doc.spans["quote"] = [Span(doc, 11, 13, "DIRECT", span_id="q1")]
    doc.spans["quote"].attrs["speaker"] = {"q1": [14, 22]}
    doc.spans["annotation_set"] = []
    doc.spans["annotation_set"].attrs.update(id="a", meta={}, source="annotator", annotator="x", status="submitted")
    mutate_doc(doc)
    return DocBin(docs=[doc], store_user_data=False).to_bytes()


DOC_MUTATIONS = {
    "annotator as a list": lambda d: d.spans["annotation_set"].attrs.update(annotator=["x"]),
    "list-valued links": lambda d: d.spans["quote"].attrs.update(speaker=[[14, 22]]),
    "string attrs": lambda d: d.spans["quote"].attrs.update(attrs="modality"),
    "link to no entity": lambda d: d.spans["quote"].attrs.update(speaker={"q1": [0, 1]}),
    "meta not a dict": lambda d: d.spans["annotation_set"].attrs.update(meta=[1]),
    "nothing": lambda d: None,
}


def _damaged(data: bytes, how: str, cut: int) -> bytes:
    """The DocBin with one part of its msgpack body broken as `how` says."""
    body = srsly.msgpack_loads(zlib.decompress(data))
    if how == "emptied strings":
        body["strings"] = []
    elif how == "truncated tokens":
        body["tokens"] = body["tokens"][: max(0, len(body["tokens"]) - cut)]
    elif how == "truncated lengths":
        body["lengths"] = body["lengths"][: cut % 4]
    elif how == "truncated span groups":
        body["span_groups"] = [g[: len(g) // (cut + 1)] for g in body["span_groups"]]
    elif how == "bytes flipped":
        raw = bytearray(data)
        raw[cut % len(raw)] ^= 0xFF
        return bytes(raw)
    return zlib.compress(srsly.msgpack_dumps(body))


def test_fuzz_spacy_reader(empty_db, project):
    @fuzz
    @given(
        st.sampled_from(sorted(DOC_MUTATIONS)),
        st.sampled_from(["none", "emptied strings", "truncated tokens", "truncated lengths", "truncated span groups"])
        | st.just("bytes flipped"),
        st.integers(0, 600),
    )
    def check(doc_mutation, how, cut):
        data = _docbin_bytes(DOC_MUTATIONS[doc_mutation])
        _import_cleanly(empty_db, project, {"a.spacy": _damaged(data, how, cut)}, "spacy")

    check()
