"""Agreement: token alpha and kappa equal the reference packages; span F1, attribution and the report."""

from __future__ import annotations

import json
import math
import re
import warnings

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator import agreement
from annotator.agreement import Document, report
from annotator.agreement import tokens as token_metrics
from annotator.model import Annotation, Item, Span, Tokens

SEEDS = range(8)
PLOVER = ("AGREE", "CONSULT", "SUPPORT", "DEMAND", "DISAPPROVE", "THREATEN", "ASSAULT")
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP", "DATE", "CARDINAL", "LOC", "MONEY", "EVENT", "LAW")


def random_codes(seed: int) -> np.ndarray:
    """Annotators × units codes that mostly copy a skewed truth, with missing values (-1)."""
    rng = np.random.default_rng(seed)
    coders, units, values = int(rng.integers(2, 6)), int(rng.integers(200, 5000)), int(rng.integers(2, 40))
    p = 0.9 * rng.dirichlet(np.full(values, 0.2)) + 0.1 / values  # skewed: a few values dominate
    truth = rng.choice(values, size=units, p=p)
    noise = rng.choice(values, size=(coders, units), p=p)
    codes = np.where(rng.random((coders, units)) < rng.uniform(0.05, 0.6), noise, truth).astype(np.int32)
    codes[rng.random((coders, units)) < rng.uniform(0.0, 0.5)] = -1
    return codes


def with_nan(codes: np.ndarray) -> np.ndarray:
    return np.where(codes < 0, np.nan, codes.astype(np.float64))


@pytest.mark.parametrize("seed", SEEDS)
def test_agreement_alpha_matches_krippendorff(seed):
    codes = random_codes(seed)
    expected = krippendorff.alpha(reliability_data=with_nan(codes), level_of_measurement="nominal")
    assert agreement.alpha(codes) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_agreement_alpha_is_the_same_in_chunks(seed, monkeypatch):
    codes = random_codes(seed)
    whole = agreement.alpha(codes)
    monkeypatch.setattr(token_metrics, "CHUNK", 7)
    assert agreement.alpha(codes) == pytest.approx(whole, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_agreement_kappa_matches_sklearn(seed):
    codes = random_codes(seed)
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            a, b = codes[i], codes[j]
            both = (a >= 0) & (b >= 0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # sklearn warns where kappa is undefined
                expected = cohen_kappa_score(a[both], b[both]) if both.any() else math.nan
            ours = agreement.cohen_kappa(a, b)
            assert (math.isnan(ours) and math.isnan(expected)) or ours == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_agreement_document_alphas_match_krippendorff_per_document(seed):
    codes = random_codes(seed)
    rng = np.random.default_rng(seed)
    doc = np.sort(rng.integers(0, 5, size=codes.shape[1]))
    ours = agreement.document_alphas(codes, doc, 5, int(codes.max()) + 1)
    for k in range(5):
        part = with_nan(codes[:, doc == k])
        try:
            expected = krippendorff.alpha(reliability_data=part, level_of_measurement="nominal")
        except ValueError:  # too little data or a single value: undefined
            expected = math.nan
        assert (math.isnan(ours[k]) and math.isnan(expected)) or ours[k] == pytest.approx(expected, abs=1e-9)


def test_agreement_alpha_hand_computed():
    # Values none=0, GPE=1, ORG=2; carol (row 3) did not submit the second document (units 4, 5).
    #   unit      1 Tehran  2 hosts  3 Baghdad  4 Oil  5 rose
    #   alice     GPE       none     GPE        ORG    none
    #   bob       GPE       none     ORG        none   none
    #   carol     GPE       none     GPE        -      -
    # Coincidences o[c][k] = sum over units of (ordered coder pairs valued c, k) / (m_u - 1):
    #   unit 1: 3·2 GPE-GPE pairs / 2 = 3;  unit 2: none-none 3;
    #   unit 3: GPE-GPE 2/2 = 1, GPE-ORG 2/2 = 1, ORG-GPE 1;  unit 4: ORG-none 1, none-ORG 1;  unit 5: none-none 2.
    #          none GPE ORG
    #   none  [ 5,   0,  1 ]   n_none = 6
    #   GPE   [ 0,   4,  1 ]   n_GPE  = 5
    #   ORG   [ 1,   1,  0 ]   n_ORG  = 2,  n = 13
    # D_o = (13 - trace 9) / 13 = 4/13;  D_e = (13² - 6² - 5² - 2²) / (13·12) = 104/156 = 2/3
    # alpha = 1 - D_o / D_e = 1 - 12/26 = 7/13.
    codes = np.array([[1, 0, 1, 2, 0], [1, 0, 2, 0, 0], [1, 0, 1, -1, -1]])
    np.testing.assert_array_equal(agreement.tokens.coincidences(codes, 3), [[5, 0, 1], [0, 4, 1], [1, 1, 0]])
    assert agreement.alpha(codes) == pytest.approx(7 / 13, abs=1e-12)
    # Kappa alice-bob: agree on 3 of 5 (p_o = 15/25); marginals alice (2, 2, 1), bob (3, 1, 1):
    # p_e = (2·3 + 2·1 + 1·1) / 25 = 9/25; kappa = (15 - 9) / (25 - 9) = 0.375.
    assert agreement.cohen_kappa(codes[0], codes[1]) == pytest.approx(0.375, abs=1e-12)

    # The same through documents: the report pools both documents' word tokens.
    tehran = "Tehran hosts Baghdad"
    oil = "Oil rose"
    docs = [
        Document(
            "d1",
            tehran,
            [(0, 6), (7, 12), (13, 20)],
            {
                "alice": ents(("GPE", 0, 6), ("GPE", 13, 20)),
                "bob": ents(("GPE", 0, 6), ("ORG", 13, 20)),
                "carol": ents(("GPE", 0, 6), ("GPE", 13, 20)),
            },
        ),
        Document("d2", oil, [(0, 3), (4, 8)], {"alice": ents(("ORG", 0, 3)), "bob": ents()}),
    ]
    out = report(docs, "entity", labels=["GPE", "ORG"]).to_json()
    assert out["token_alpha"] == pytest.approx(7 / 13, abs=1e-12)
    assert out["kappa"]["matrix"][0][1] == pytest.approx(0.375, abs=1e-12)
    assert out["confusion"]["labels"] == ["none", "GPE", "ORG"]
    # alice-bob, alice-carol, bob-carol on units 1-3 plus alice-bob on units 4-5 (rows: first by name)
    assert out["confusion"]["matrix"] == [[4, 0, 0], [0, 4, 1], [1, 1, 0]]


def ents(*spans: tuple[str, int, int]) -> Annotation:
    return Annotation.of(Item.entity(f"t{n}", start, end, label) for n, (label, start, end) in enumerate(spans, 1))


def test_agreement_perfect_agreement_is_one():
    text = "Iran and Iraq met in Baghdad on Monday"
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    same = ents(("GPE", 0, 4), ("GPE", 9, 13), ("GPE", 21, 28), ("DATE", 32, 38))
    out = report([Document("d", text, tokens, {"alice": same, "bob": same})], "entity").to_json()
    assert out["token_alpha"] == 1.0
    assert out["kappa"]["mean"] == 1.0
    assert out["span_f1"] == {"exact": 1.0, "overlap": 1.0}
    assert out["per_label"]["GPE"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "exact_precision": 1.0,
        "exact_recall": 1.0,
        "exact_f1": 1.0,
        "support": 6,
    }


def test_agreement_alpha_undefined_without_variation():
    codes = np.zeros((2, 10), dtype=np.int32)
    with pytest.raises(ValueError):  # the reference refuses a single value
        krippendorff.alpha(reliability_data=codes.astype(float), level_of_measurement="nominal")
    assert math.isnan(agreement.alpha(codes))
    text = "nothing to see"
    out = report(
        [Document("d", text, [(0, 7), (8, 10), (11, 14)], {"a": Annotation(), "b": Annotation()})], "entity"
    ).to_json()
    assert out["token_alpha"] is None and out["kappa"]["mean"] is None and out["span_f1"]["overlap"] is None
    json.dumps(out, allow_nan=False)


def test_agreement_span_f1_exact_versus_overlap():
    text = "The supreme leader Ali Khamenei met the Iraqi prime minister in Tehran"
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    alice = ents(("PERSON", 19, 31), ("NORP", 40, 45), ("GPE", 64, 70))
    # bob: one exact (GPE), one overlapping with the same label (PERSON), one overlapping with another (NORP/GPE).
    bob = ents(("PERSON", 23, 31), ("GPE", 40, 45), ("GPE", 64, 70))
    out = report([Document("d", text, words, {"alice": alice, "bob": bob})], "entity").to_json()
    assert out["span_f1"]["exact"] == pytest.approx(1 / 3)
    assert out["span_f1"]["overlap"] == pytest.approx(2 / 3)
    assert out["per_label"]["PERSON"]["exact_f1"] == 0.0 and out["per_label"]["PERSON"]["f1"] == 1.0
    # alice is the reference: GPE has 1 of bob's 2 GPE spans right (precision), alice's 1 GPE found (recall).
    assert out["per_label"]["GPE"]["precision"] == 0.5 and out["per_label"]["GPE"]["recall"] == 1.0
    assert out["per_label"]["NORP"] == {
        "precision": None,
        "recall": 0.0,
        "f1": 0.0,
        "exact_precision": None,
        "exact_recall": 0.0,
        "exact_f1": 0.0,
        "support": 1,
    }
    assert out["pairs"] == [
        {
            "a": "alice",
            "b": "bob",
            "documents": 1,
            "tokens": 12,
            "kappa": out["kappa"]["matrix"][0][1],
            "precision": pytest.approx(2 / 3),
            "recall": pytest.approx(2 / 3),
            "f1": pytest.approx(2 / 3),
            "exact_f1": pytest.approx(1 / 3),
        }
    ]


def test_agreement_overlap_matching_is_one_to_one():
    a = [span_unit(0, 10, "X")]
    b = [span_unit(0, 4, "X"), span_unit(5, 10, "X")]
    t = agreement.spans.tally(a, b)
    assert t.scores() == (0.5, 1.0, pytest.approx(2 / 3))
    # the largest overlap wins
    assert agreement.spans.match([span_unit(0, 10, "X")], [span_unit(0, 2, "X"), span_unit(3, 10, "X")]) == [(0, 1)]


def span_unit(start: int, end: int, label: str) -> agreement.spans.Unit:
    return agreement.spans.Unit(((start, end),), label, Item.entity("t", start, end, label))


SEED_TEXT = (
    '"Even the presence of one American in Iraq is too much," Khamenei added. '
    "Ayatollah Ali Khamenei met Rashid. Rashid said Iraq would decide. He told reporters it was over."
)


def quote_doc() -> Document:
    t = SEED_TEXT
    at = t.index
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", t)]

    def span(s: str, start: int = 0) -> Span:
        i = at(s, start)
        return Span(i, i + len(s))

    content1 = span("Even the presence of one American in Iraq is too much")
    content2 = span("Iraq would decide")
    content3 = span("it was over")
    khamenei_full, khamenei = span("Ayatollah Ali Khamenei"), span("Khamenei")
    rashid, rashid2 = span("Rashid"), span("Rashid", at("Rashid said"))
    alice = Annotation.of(
        [
            Item.entity("t1", khamenei_full.start, khamenei_full.end, "PERSON"),
            Item.entity("t2", rashid.start, rashid.end, "PERSON"),
            Item.quote("q1", "DIRECT", (content1,), span("added"), khamenei, "t1"),
            Item.quote("q2", "INDIRECT", (content2,), span("said"), rashid2, "t2"),
            Item.quote("q3", "INDIRECT", (content3,), span("told"), span("He"), "t2"),
        ]
    )
    bob = Annotation.of(
        [
            Item.entity("t7", khamenei.start, khamenei.end, "PERSON"),  # another mention of the same name: same entity
            Item.entity("t8", rashid2.start, rashid2.end, "PERSON"),
            Item.quote("q5", "DIRECT", (Span(content1.start, content1.end - 5),), span("added"), khamenei, "t7"),
            Item.quote("q6", "MIXED", (content2,), span("said"), rashid2, "t7"),  # wrong speaker, other type
            Item.quote("q7", "INDIRECT", (content3,), span("told"), None, None),  # no speaker where alice has one
        ]
    )
    return Document("seed", t, words, {"alice": alice, "bob": bob})


def test_agreement_attribution_on_matched_quotes():
    out = report([quote_doc()], "quote").to_json()
    attribution = out["attribution"]
    assert attribution["matched"] == 3
    # q1/q5: same speaker (the name read the same); q2/q6 other speaker; q3/q7 one absent.
    assert attribution["speaker"] == pytest.approx(1 / 3)
    assert attribution["type"] == pytest.approx(2 / 3)
    assert attribution["source"] == pytest.approx(2 / 3)
    assert attribution["cue"] == 1.0
    assert attribution["pairs"] == [{"a": "alice", "b": "bob", "matched": 3, "speaker": pytest.approx(1 / 3)}]
    # quote spans carry the quote type: q1/q5 overlap only, q3/q7 exact, q2/q6 differ in type
    assert out["span_f1"] == {"exact": pytest.approx(1 / 3), "overlap": pytest.approx(2 / 3)}
    assert out["confusion"]["labels"] == ["none", "CONTENT", "SOURCE", "CUE"]


def test_agreement_quote_tokens_take_cue_over_source_over_content():
    text = "A said B"
    words = [(0, 1), (2, 6), (7, 8)]
    # A cue inside the content and a source that is part of the content too.
    quote = Item.quote("q1", "MIXED", (Span(0, 8),), Span(2, 6), Span(0, 1), None)
    starts, ends = agreement.tokens.word_offsets(text, words)
    codes = {v: i for i, v in enumerate(agreement.tokens.value_labels("quote", []))}
    got = agreement.tokens.token_codes(Annotation.of([quote]), "quote", starts, ends, codes)
    assert [agreement.tokens.value_labels("quote", [])[c] for c in got] == ["SOURCE", "CUE", "CONTENT"]


def test_agreement_event_type_agreement_matches_triggers_regardless_of_type():
    text = "Iran warned Iraq and attacked Syria"
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    iran, iraq, syria = (
        Item.entity("t1", 0, 4, "GPE"),
        Item.entity("t2", 12, 16, "GPE"),
        Item.entity("t3", 30, 35, "GPE"),
    )
    alice = Annotation.of(
        [
            iran,
            iraq,
            syria,
            Item.event("v1", "THREATEN", Span(5, 11), "t1", "t2"),
            Item.event("v2", "ASSAULT", Span(21, 29), "t1", "t3"),
        ]
    )
    bob = Annotation.of(
        [
            iran,
            iraq,
            syria,
            Item.event("v1", "DISAPPROVE", Span(5, 11), "t1", "t2"),
            Item.event("v2", "ASSAULT", Span(21, 29), "t1", None),
        ]
    )
    out = report([Document("d", text, words, {"alice": alice, "bob": bob})], "event").to_json()
    assert out["type_agreement"]["matched"] == 2
    assert out["type_agreement"]["type"] == 0.5
    assert out["type_agreement"]["source_actor"] == 1.0
    assert out["type_agreement"]["target_actor"] == 0.5
    assert out["span_f1"]["overlap"] == 0.5
    assert set(out["per_label"]) == {"ASSAULT", "DISAPPROVE", "THREATEN"}


def test_agreement_skips_documents_with_one_annotation():
    text = "Iran and Iraq"
    words = [(0, 4), (5, 8), (9, 13)]
    docs = [
        Document("both", text, words, {"alice": ents(("GPE", 0, 4)), "bob": ents(("GPE", 0, 4))}),
        Document("alone", text, words, {"carol": ents(("GPE", 9, 13))}),
        Document("nobody", text, words, {}),
    ]
    out = report(docs, "entity").to_json()
    assert (out["documents"], out["documents_skipped"]) == (1, 2)
    assert out["annotators"] == ["alice", "bob"]
    assert out["tokens"] == 3 and [d["id"] for d in out["per_document"]] == ["both"]


def test_agreement_missing_is_not_none():
    # carol did not submit d2: her tokens there are missing, which changes alpha from treating them as "none".
    text = "Iran and Iraq"
    words = [(0, 4), (5, 8), (9, 13)]
    gpe = ents(("GPE", 0, 4), ("GPE", 9, 13))
    docs = [
        Document("d1", text, words, {"alice": gpe, "bob": gpe, "carol": gpe}),
        Document("d2", text, words, {"alice": gpe, "bob": ents(("GPE", 0, 4))}),
    ]
    codes = [[1, 0, 1, 1, 0, 1], [1, 0, 1, 1, 0, 0], [1, 0, 1, np.nan, np.nan, np.nan]]
    expected = krippendorff.alpha(reliability_data=codes, level_of_measurement="nominal")
    assert report(docs, "entity").to_json()["token_alpha"] == pytest.approx(expected, abs=1e-12)
    assert report(docs, "entity").to_json()["kappa"]["matrix"][0][2] == 1.0  # alice-carol share d1 only


def test_agreement_ignores_whitespace_tokens():
    plain = "Iran and Iraq met"
    spaced = "Iran \n\n and\u00a0\u00a0 Iraq \t met"
    plain_tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", plain)]
    # spaCy-style: whitespace beyond the one space after a word is a token of its own.
    spaced_tokens = [(0, 4), (5, 8), (8, 11), (11, 14), (14, 18), (19, 21), (21, 24)]
    assert [spaced[s:e] for s, e in spaced_tokens] == ["Iran", "\n\n ", "and", "\u00a0\u00a0 ", "Iraq", "\t ", "met"]
    starts, ends = agreement.tokens.word_offsets(spaced, spaced_tokens)
    words = Tokens(spaced_tokens, spaced)
    assert (starts.tolist(), ends.tolist()) == (words.starts, words.ends)

    def doc(text, tokens):
        iraq = text.index("Iraq")
        return Document(
            "d",
            text,
            tokens,
            {
                "alice": ents(("GPE", 0, 4), ("GPE", iraq, iraq + 4)),
                "bob": ents(("GPE", 0, 4)),
            },
        )

    plain_out = report([doc(plain, plain_tokens)], "entity").to_json()
    spaced_out = report([doc(spaced, spaced_tokens)], "entity").to_json()
    assert spaced_out["tokens"] == plain_out["tokens"] == 4
    assert spaced_out["token_alpha"] == plain_out["token_alpha"]
    assert (
        spaced_out["confusion"]
        == plain_out["confusion"]
        == {
            "labels": ["none", "GPE"],
            "matrix": [[2, 0], [1, 1]],
        }
    )


def random_documents(seed: int, layer: str, n_docs: int = 12) -> list[Document]:
    """Articles of random words (some extra whitespace tokens) annotated by 2-4 of 5 annotators."""
    rng = np.random.default_rng(seed)
    names = ["ann", "ben", "cat", "dan", "eve"]
    labels = PLOVER if layer == "event" else ENTITY_LABELS
    p = rng.dirichlet(np.full(len(labels), 0.3))
    docs = []
    for k in range(n_docs):
        text, words, tokens = "", [], []
        for _ in range(int(rng.integers(5, 80))):
            start = len(text)
            text += "w" * int(rng.integers(1, 6))
            words.append((start, len(text)))
            tokens.append((start, len(text)))
            gap = " " if rng.random() < 0.8 else " \n\n "
            if len(gap) > 1:
                tokens.append((len(text) + 1, len(text) + len(gap)))
            text += gap
        truth = random_items(rng, words, labels, p, layer)
        annotations = {}
        for name in rng.choice(names, size=int(rng.integers(1, 5)), replace=False):
            mine = [item for item in truth if rng.random() < 0.8]
            mine += random_items(rng, words, labels, p, layer, density=0.05)
            annotations[str(name)] = Annotation.of(dedupe(mine, layer))
        docs.append(Document(f"doc{k}", text, tokens, annotations))
    return docs


def random_items(rng, words, labels, p, layer, density=0.2):
    items = []
    for w in range(0, len(words) - 3, 4):
        if rng.random() > density:
            continue
        first, last = words[w], words[w + int(rng.integers(0, 3))]
        label = str(rng.choice(labels, p=p))
        n = len(items) + int(rng.integers(0, 10**6))
        if layer == "entity":
            items.append(Item.entity(f"t{n}", first[0], last[1], label))
        elif layer == "event":
            items.append(Item.event(f"v{n}", label, Span(first[0], last[1])))
        else:
            cue = Span(*words[w + 3])
            items.append(Item.quote(f"q{n}", str(rng.choice(["DIRECT", "INDIRECT"])), (Span(first[0], last[1]),), cue))
    return items


def dedupe(items, layer):
    """Unique ids; for entities also no overlap, as the layer requires."""
    out, ids, taken = [], set(), []
    for item in items:
        if item.id in ids:
            continue
        if layer == "entity":
            if any(item.main.overlaps(s) for s in taken):
                continue
            taken.append(item.main)
        ids.add(item.id)
        out.append(item)
    return out


def naive_values(doc: Document, layer: str) -> list[list[str | None]]:
    """Each annotator's value per word token, by a plain loop: the reference for token_codes."""
    names = sorted(doc.annotations)
    rows = []
    words = [(s, e) for s, e in doc.tokens if not doc.text[s:e].isspace()]
    for name in names:
        row = []
        for s, e in words:
            value = "none"
            for v, span in agreement.tokens.layer_spans(doc.annotations[name], layer):
                if span.start < e and s < span.end:
                    value = v
            row.append(value)
        rows.append(row)
    return rows


@pytest.mark.parametrize("layer", agreement.LAYERS)
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_agreement_report_on_random_documents(seed, layer):
    docs = random_documents(seed, layer)
    out = report(docs, layer).to_json()
    json.dumps(out, allow_nan=False)
    used = [d for d in docs if len(d.annotations) >= 2]
    assert out["documents"] + out["documents_skipped"] == len(docs) and out["documents"] == len(used)
    # Build the reliability matrix by hand and let the reference compute alpha.
    names = out["annotators"]
    columns = []
    for d in used:
        values = dict(zip(sorted(d.annotations), naive_values(d, layer)))
        n = len(next(iter(values.values())))
        columns.append([values.get(name, [None] * n) for name in names])
    matrix = np.concatenate([np.array(c, dtype=object) for c in columns], axis=1)
    numeric = np.vectorize(lambda x: np.nan if x is None else float(out["confusion"]["labels"].index(x)))(matrix)
    numeric = numeric.astype(float)
    try:
        expected = krippendorff.alpha(reliability_data=numeric, level_of_measurement="nominal")
    except ValueError:  # undefined: the reference refuses
        expected = None
    if expected is not None and math.isnan(expected):
        expected = None
    assert out["token_alpha"] == (None if expected is None else pytest.approx(expected, abs=1e-9))
    for pair in out["pairs"]:
        a, b = numeric[names.index(pair["a"])], numeric[names.index(pair["b"])]
        both = ~np.isnan(a) & ~np.isnan(b)
        assert pair["tokens"] == both.sum()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            k = cohen_kappa_score(a[both], b[both])
        assert pair["kappa"] == (None if math.isnan(k) else pytest.approx(k, abs=1e-9))
    alphas = [d["token_alpha"] for d in out["per_document"]]
    defined = [a for a in alphas if a is not None]
    assert defined == sorted(defined) and alphas[: len(defined)] == defined  # worst first, undefined last
    assert sum(map(sum, out["confusion"]["matrix"])) == sum(p["tokens"] for p in out["pairs"])
