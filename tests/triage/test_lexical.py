"""Tokenizer, incremental BM25 and score fusion; the duplicate eval on a tiny data set
written here."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from userloop.eval.data import clean_jira_text, read_hadoop_issues, read_hadoop_links
from userloop.eval.duplicates import run_duplicate_eval
from userloop.triage.embed.base import Vectors
from userloop.triage.lexical import BM25Index, Tokenizer, fuse

CORPUS = {
    "bat": "Battery drains overnight even with the screen off",
    "cam": "Camera app crashes when switching to night mode",
    "cam2": "Night mode photos are blurry and the camera is slow",
    "bt": "Bluetooth headphones disconnect every few minutes",
    "wifi": "Wi-Fi drops after the update and the battery gets hot",
}


def _index(corpus: dict[str, str] = CORPUS) -> BM25Index[str]:
    index: BM25Index[str] = BM25Index()
    for id_, text in corpus.items():
        index.add(id_, text)
    return index


# --- tokenizer -------------------------------------------------------------------------


def test_latin_and_cyrillic_words() -> None:
    tok = Tokenizer()
    assert tok("The Camera CRASHES, in Night-mode!") == ["camera", "crashes", "night", "mode"]
    assert tok("Камера вылетает в ночном режиме") == ["камера", "вылетает", "в", "ночном", "режиме"]
    assert Tokenizer(stopwords=frozenset())("the app") == ["the", "app"]


def test_identifiers_are_split_too() -> None:
    tokens = Tokenizer()("NullPointerException in getFileStatus for HTTP2")
    assert tokens[:4] == ["nullpointerexception", "null", "pointer", "exception"]
    assert {"getfilestatus", "get", "file", "status", "http2", "http", "2"} <= set(tokens)
    assert Tokenizer(split_identifiers=False)("getFileStatus") == ["getfilestatus"]


def test_cjk_bigrams() -> None:
    tok = Tokenizer()
    assert tok("相机崩溃") == ["相机", "机崩", "崩溃"]
    assert tok("夜") == ["夜"]  # a lone character is kept as it is
    assert tok("相机 crash 了") == ["相机", "crash", "了"]
    assert tok("カメラが落ちる") == ["カメ", "メラ", "ラが", "が落", "落ち", "ちる"]
    assert tok("카메라가 꺼져요") == ["카메", "메라", "라가", "꺼져", "져요"]
    assert tok("ＡＢＣ１２") == ["abc12", "abc", "12"]  # NFKC folds full-width forms


# --- BM25 ------------------------------------------------------------------------------


def test_ranking_on_a_tiny_corpus() -> None:
    index = _index()
    hits = index.search("camera crashes in night mode", k=3)
    assert [id_ for id_, _ in hits] == ["cam", "cam2"]  # only texts sharing a term
    assert hits[0][1] > hits[1][1] > 0
    assert [id_ for id_, _ in index.search("battery", k=5)] == ["bat", "wifi"]
    assert index.search("keyboard") == []
    assert len(index.search("the camera night battery mode", k=1)) == 1


def test_scores_follow_the_bm25_formula() -> None:
    index = _index()
    ids, scores = index.scores("bluetooth")
    n, df, k1, b = 5, 1, 1.2, 0.75
    lengths = [len(Tokenizer()(t)) for t in CORPUS.values()]
    avg = sum(lengths) / n
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    expected = idf * (1 * (k1 + 1)) / (1 + k1 * (1 - b + b * lengths[3] / avg))
    assert ids[3] == "bt"
    assert scores[3] == pytest.approx(expected)
    assert np.count_nonzero(scores) == 1


def test_rare_terms_weigh_more() -> None:
    index = _index()
    (top, _), *_ = index.search("battery bluetooth")
    assert top == "bt"  # bluetooth is in one text, battery in two


def test_incremental_add_replace_and_remove() -> None:
    index = _index()
    assert len(index) == 5
    assert index.search("fingerprint") == []
    index.add("fp", "Fingerprint sensor does not recognise my finger")
    assert index.search("fingerprint sensor")[0][0] == "fp"
    assert "fp" in index

    index.add("cam", "Speaker crackles at high volume")  # replaces cam's text
    assert len(index) == 6
    assert [i for i, _ in index.search("camera crashes")] == ["cam2"]
    assert index.search("speaker")[0][0] == "cam"

    assert index.remove("bt")
    assert not index.remove("bt")
    assert index.search("bluetooth") == []
    assert "bt" not in index


def test_compaction_keeps_results() -> None:
    index: BM25Index[int] = BM25Index()
    for i in range(200):
        index.add(i, f"filler text number {i}")
    index.add(1000, "the screen flickers at low brightness")
    for i in range(150):
        assert index.remove(i)
    assert len(index) == 51
    assert index.search("flickers brightness")[0][0] == 1000
    hits = index.search("filler", k=100)
    assert sorted(i for i, _ in hits) == list(range(150, 200))


def test_search_exclude_and_empty_index() -> None:
    index = _index()
    assert [i for i, _ in index.search("camera", exclude={"cam"})] == ["cam2"]
    empty: BM25Index[str] = BM25Index()
    assert empty.search("anything") == []
    assert len(empty) == 0


def test_cjk_search() -> None:
    index = _index(
        {
            "a": "相机在夜间模式下崩溃",
            "b": "电池耗电很快",
            "c": "蓝牙耳机经常断开",
            "d": "夜间模式太暗",
        }
    )
    assert [i for i, _ in index.search("夜间模式相机崩溃", k=2)] == ["a", "d"]
    assert index.search("耗电")[0][0] == "b"


# --- fusion ----------------------------------------------------------------------------

LEXICAL = [("a", 10.0), ("b", 5.0), ("c", 1.0)]
VECTOR = [("c", 0.9), ("d", 0.8), ("a", 0.2)]


def test_fuse_extremes_follow_one_side() -> None:
    assert [i for i, _ in fuse(LEXICAL, VECTOR, 1.0)][:3] == ["a", "b", "c"]
    assert [i for i, _ in fuse(LEXICAL, VECTOR, 0.0)][:3] == ["c", "d", "a"]


def test_fuse_weighted_scores() -> None:
    fused = dict(fuse(LEXICAL, VECTOR, 0.5))
    assert fused["a"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.2)
    assert fused["c"] == pytest.approx(0.5 * 0.1 + 0.5 * 0.9)
    assert fused["b"] == pytest.approx(0.5 * 0.5)
    assert fused["d"] == pytest.approx(0.5 * 0.8)
    ranked = fuse(LEXICAL, VECTOR, 0.5, k=2)
    assert [i for i, _ in ranked] == ["a", "c"]


def test_fuse_rrf_and_edge_cases() -> None:
    ranked = fuse(LEXICAL, VECTOR, 0.5, method="rrf")
    assert [i for i, _ in ranked][:2] in (["a", "c"], ["c", "a"])  # in both lists
    assert dict(ranked)["a"] == pytest.approx(0.5 / 61 + 0.5 / 63)
    assert fuse([], [], 0.5) == []
    assert fuse([("x", 0.0)], [], 0.5) == [("x", 0.0)]
    assert [i for i, _ in fuse([], VECTOR, 0.3)] == ["c", "d", "a"]
    with pytest.raises(ValueError):
        fuse(LEXICAL, VECTOR, 1.5)
    with pytest.raises(ValueError):
        fuse(LEXICAL, VECTOR, 0.5, method="max")  # type: ignore[arg-type]


# --- duplicate eval on a tiny Jira set -------------------------------------------------

_JIRA = [
    # id, summary, description, created
    (
        "1",
        "NameNode crashes on startup",
        "NPE in FSImage loader {code}at x.y(Z){code}",
        "01/Jan/21 10:00",
    ),
    (
        "2",
        "DataNode disk balancer ignores volumes",
        "The balancer skips new volumes.",
        "02/Jan/21 10:00",
    ),
    (
        "3",
        "Flaky TestDistCp timeout",
        "TestDistCp fails with a timeout on slow hosts.",
        "03/Jan/21 10:00",
    ),
    (
        "4",
        "NameNode fails to start with NPE",
        "FSImage loader throws NullPointerException",
        "04/Jan/21 10:00",
    ),
    ("5", "Update Jackson to 2.12", "Security fix for jackson databind.", "05/Jan/21 10:00"),
    ("6", "TestDistCp times out", "DistCp test timeout on slow build hosts", "06/Jan/21 10:00"),
    (
        "7",
        "Bump jackson-databind for CVE",
        "Upgrade Jackson databind, security issue.",
        "07/Jan/21 10:00",
    ),
]
_PAIRS = {"train": [("4", "1"), ("1", "4")], "test": [("6", "3"), ("5", '"7, 2"')]}


def _write_hadoop_set(root: Path) -> Path:
    folder = root / "gitbugs" / "hadoop"
    folder.mkdir(parents=True)
    with (folder / "hadoop_bugs.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "Summary",
                "Issue id",
                "Status",
                "Priority",
                "Resolution",
                "Created",
                "Resolved",
                "Affects Version/s",
                "Description",
            ]
        )
        for id_, summary, description, created in _JIRA:
            w.writerow(
                [summary, id_, "Resolved", "Major", "Duplicate", created, "", "3.3.0", description]
            )
    for split, rows in {**_PAIRS, "combined": _PAIRS["train"] + _PAIRS["test"]}.items():
        lines = ["Issue id,Duplicate id"] + [f"{a},{b}" for a, b in rows]
        (folder / f"hadoop_bugs-{split}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


class _HashEmbedder:
    """Bag of hashed lower-cased words: texts sharing words embed alike."""

    name = "words-fake"
    version = "1"
    dim = 256

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in Tokenizer()(text):
                out[row, sum(word.encode()) % self.dim] += 1.0
            out[row] /= float(np.linalg.norm(out[row])) or 1.0
        return out


def test_hadoop_readers(tmp_path: Path) -> None:
    root = _write_hadoop_set(tmp_path)
    issues = read_hadoop_issues(root)
    assert [x.id for x in issues] == [row[0] for row in _JIRA]
    assert issues[0].created.year == 2021 and issues[0].resolved is None
    links = read_hadoop_links(root, "test")
    assert [(x.issue_id, x.linked_ids) for x in links] == [("6", ("3",)), ("5", ("7", "2"))]
    assert clean_jira_text(issues[0].description) == "NPE in FSImage loader"


def test_run_duplicate_eval(tmp_path: Path) -> None:
    root = _write_hadoop_set(tmp_path)
    report = run_duplicate_eval(root, _HashEmbedder(), cache_dir=tmp_path / "cache")
    assert report["queries"]["all-candidates"] == {"train": 2, "test": 2, "combined": 4}
    # chronological: 4→1 (train, both directions merged), 6→3, 7→5 and 5→2 (test)
    assert report["queries"]["chronological"] == {"train": 1, "test": 3, "combined": 4}
    bm25 = report["methods"]["bm25"]
    assert bm25["all-candidates"]["combined"]["recall@1"] == 1.0
    assert bm25["chronological"]["combined"]["recall@5"] == 1.0
    assert set(report["methods"]) == {
        "bm25",
        "use-m3 summary",
        "use-m3 summary+desc200",
        "hybrid",
    }
    assert 0.0 <= report["fusion"]["weight"] <= 1.0
    assert len(report["fusion"]["train_curve"]) == 21
    fixed = run_duplicate_eval(root, _HashEmbedder(), cache_dir=None, weight=1.0)
    assert fixed["fusion"]["weight"] == 1.0
    assert fixed["methods"]["hybrid"]["all-candidates"] == bm25["all-candidates"]
