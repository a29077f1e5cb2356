"""Topic similarity, batch clustering and online assignment: numpy and scipy, no I/O.

The pieces, in the order feedback meets them:

* :class:`TopicSpace` shapes embeddings for topic similarity. USE-m3 vectors share a large
  common direction (any two reviews have cosine ~0.2-0.3), so the space subtracts a running
  mean of every vector it has seen and re-normalises. Optionally (``lexical=True``) it appends
  a lexical channel: hashed character 4-6-grams of the words (accents stripped, lower-cased;
  Han/kana/Hangul/Thai runs as character bigrams; ``triage.text.char_ngrams``), sublinear TF
  times an IDF from the running document frequencies. The two parts are weighted so that the
  dot product of two prepared vectors is ``(1 - w) * embedding cosine + w * lexical cosine``;
  texts in different languages share few n-grams, so cross-lingual pairs rely on the
  embedding part.
* :func:`cluster` groups prepared vectors: average-linkage agglomeration cut where the mean
  similarity between two groups falls below ``join_threshold``, then local moves that put each
  item in the topic where the sum of ``similarity - join_threshold`` over the members is
  largest (the constant Potts model objective, which fixes items the greedy merges misplaced).
* :func:`assign` is the online rule with the same meaning: the dot product of an item with a
  topic's *unnormalised* mean (:func:`centroid`) is the item's average similarity to the
  topic's members, so an item joins the best topic when that average is at least
  ``join_threshold`` -- exactly the average-linkage merge criterion of the batch clusterer.

All functions are deterministic: no random state, ties go to the lowest index.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from userloop.triage.text import char_ngrams, informative
from userloop.triage.topics.similarity import SimilarityModel, unit_rows

Vectors = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ClusterParams:
    """The fixed defaults, chosen on Mini-BAR (four files of 200 English/French app reviews)
    with one setting for all files; ``python -m userloop.eval.clustering`` measures them. Mean
    batch ARI quoted with an 8,000-review background corpus / with the file alone.

    ``join_threshold``: an item joins a topic, and two groups merge, when the mean similarity
    between their members is at least this (dot product of :class:`TopicSpace` vectors). ARI
    at 0.125 / 0.15 / 0.175 / 0.2: 0.227 / 0.270 / 0.271 / 0.251 with the background and
    0.261 / 0.255 / 0.220 / 0.178 without; 0.15 is near the top of both.
    ``lexical_weight``: share of the lexical channel when the space has one (0.3 / 0.4 / 0.5 /
    0.6 / 0.7 give 0.236 / 0.260 / 0.270 / 0.277 / 0.286 with the background at 0.15, but
    without it 0.5 is best and 0.6 already loses 0.02: 0.5 is the safe middle).
    ``lexical_dim``: hashed n-gram buckets (2**12 / 2**13 / 2**14 / 2**15: 0.227 / 0.257 /
    0.270 / 0.267 at 0.15).
    ``ngram_min`` / ``ngram_max``: character n-gram lengths of words (3-5: 0.228, 3-6: 0.248,
    4-6: 0.270, 5-7: 0.273).
    ``prior_weight``: the running mean is ``sum / (count + prior_weight)``, so the first few
    vectors are barely centred instead of centred on themselves (cold-start online ARI:
    0.165 / 0.176 / 0.175 / 0.141 with 1 / 8 / 32 / 128).
    ``refine_passes``: at most this many local-move passes after agglomeration (0 passes, i.e.
    average linkage alone: 0.251).
    """

    join_threshold: float = 0.15
    lexical_weight: float = 0.5
    lexical_dim: int = 1 << 14
    ngram_min: int = 4
    ngram_max: int = 6
    prior_weight: float = 8.0
    refine_passes: int = 10
    version: str = "avgcpm1"


#: For a :class:`TopicSpace` with the lexical channel (texts passed to ``prepare``).
DEFAULT = ClusterParams()

#: For a space of embeddings alone (``TopicSpace(lexical=False)``): without the lexical part
#: similarities run higher, and ARI is best near 0.2 (0.199 batch on Mini-BAR; 0.136 at 0.15).
VECTORS_ONLY = ClusterParams(join_threshold=0.2, lexical_weight=0.0, version="avgcpm1v")

#: With the learned similarity (``TopicSpace(similarity=...)``), embeddings alone: splitting a
#: topic and merging two (mean similarity between their members). Chosen on the Mini-BAR files
#: across apps and the demo world (BENCHMARKS.md, "learned similarity").
WHITENED = ClusterParams(join_threshold=0.15, lexical_weight=0.0, version="avgcpm1w")
#: The same space with the lexical channel at 0.3: the re-clustering regroup pass.
WHITENED_LEXICAL = ClusterParams(join_threshold=0.1, lexical_weight=0.3, version="avgcpm1wl")

#: Kinds whose reports form one topic each even when they talk of different things ("great
#: update", "the camera is great", "battery lasts two days" are one topic: praise), with how
#: much a shared umbrella kind adds to two reports' similarity in the regroup pass, and the
#: kind score a report needs to count. Short texts ("ok", "meh") never count: they say too
#: little to be praise rather than noise. Chosen on the demo world (BENCHMARKS.md, "umbrella
#: kinds"); the Mini-BAR clustering files hold problem reports and requests only.
UMBRELLA_KINDS = ("praise", "question")
UMBRELLA_WEIGHT = 0.15
UMBRELLA_MIN_SCORE = 0.6

_EPS = 1e-9
_CHUNK = 256  # texts hashed at once: 256 x 2**14 float64 = 32 MiB

# --- the space ---------------------------------------------------------------------------------


def hashed_counts(texts: Sequence[str], params: ClusterParams = DEFAULT) -> F64:
    """(len(texts), lexical_dim) n-gram counts; buckets are CRC-32 of the UTF-8 n-gram, which
    is stable across processes and machines."""
    out = np.zeros((len(texts), params.lexical_dim), dtype=np.float64)
    for row, text in enumerate(texts):
        grams = char_ngrams(text, params.ngram_min, params.ngram_max)
        if grams:
            buckets = np.fromiter(
                (zlib.crc32(g.encode("utf-8")) % params.lexical_dim for g in grams),
                dtype=np.int64,
                count=len(grams),
            )
            out[row] = np.bincount(buckets, minlength=params.lexical_dim)
    return out


class TopicSpace:
    """How vectors are prepared for topic similarity (see the module docstring).

    State: the sum and count of the embeddings seen (for the running mean) and, with
    ``lexical=True``, document frequencies of the hashed n-grams. With ``learn=True`` (the
    default) :meth:`prepare` first folds its batch into that state, so a space that is never
    fed explicitly still centres on what it has seen; use ``learn=False`` and :meth:`observe`
    for a space that changes only when told. :meth:`state` / :meth:`from_state` store and
    restore it as plain arrays.

    Vectors prepared at different times are prepared with slightly different means; topic
    centroids therefore drift a little as the corpus grows, which the periodic re-clustering
    (re-preparing members with the current space) corrects.
    """

    def __init__(
        self,
        params: ClusterParams = DEFAULT,
        *,
        lexical: bool = False,
        learn: bool = True,
        similarity: SimilarityModel | None = None,
    ) -> None:
        self.params = params
        self.lexical = lexical
        self.learn = learn
        self.similarity = similarity
        self._sum: F64 | None = None
        self._count = 0
        self._df = np.zeros(params.lexical_dim if lexical else 0, dtype=np.float64)
        self._docs = 0

    @property
    def count(self) -> int:
        """Embeddings observed so far."""
        return self._count

    @property
    def mean(self) -> F64 | None:
        """The (shrunk) running mean that :meth:`prepare` subtracts; None before any vector."""
        if self._sum is None:
            return None
        return self._sum / (self._count + self.params.prior_weight)

    def observe(self, vectors: npt.ArrayLike, texts: Sequence[str] | None = None) -> None:
        """Fold embeddings (and, for a lexical space, their texts) into the running state."""
        self._observe_vectors(_as_matrix(vectors))
        if self.lexical and texts is not None:
            for start in range(0, len(texts), _CHUNK):
                self._observe_counts(hashed_counts(texts[start : start + _CHUNK], self.params))

    def _observe_vectors(self, v: F64) -> None:
        if len(v):
            self._sum = v.sum(axis=0) if self._sum is None else self._sum + v.sum(axis=0)
            self._count += len(v)

    def _observe_counts(self, counts: F64) -> None:
        self._df += (counts > 0).sum(axis=0)
        self._docs += len(counts)

    def prepare(self, vectors: npt.ArrayLike, texts: Sequence[str] | None = None) -> Vectors:
        """Vectors for topic similarity: the centred, re-normalised embeddings, followed for a
        lexical space by the weighted lexical channel (``texts`` required, one per vector)."""
        v = _as_matrix(vectors)
        if self.lexical and (texts is None or len(texts) != len(v)):
            raise ValueError("a lexical TopicSpace needs one text per vector")
        if not self.lexical and texts is not None:
            raise ValueError("texts given to a TopicSpace built without lexical=True")
        if self.learn:
            self.observe(v, texts)
        emb = self._embedding_part(v)
        if texts is None:
            out: Vectors = emb.astype(np.float32)
            return out
        w = self.params.lexical_weight
        out = np.empty((len(v), emb.shape[1] + self.params.lexical_dim), dtype=np.float32)
        out[:, : emb.shape[1]] = np.sqrt(1.0 - w) * emb
        for start, lex in self._lexical_chunks(texts):
            out[start : start + len(lex), emb.shape[1] :] = np.sqrt(w) * lex
        return out

    def similarities(self, vectors: npt.ArrayLike, texts: Sequence[str]) -> F64:
        """The n x n matrix of `prepare(vectors, texts)`'s dot products, without holding the
        dense lexical channel (2**14 columns a text): each chunk's lexical rows are kept as a
        sparse matrix, so memory is the n x n result and the embeddings, not n x 2**14."""
        from scipy import sparse

        v = _as_matrix(vectors)
        if not self.lexical or len(texts) != len(v):
            raise ValueError("similarities need a lexical TopicSpace and one text per vector")
        if self.learn:
            self.observe(v, texts)
        emb = self._embedding_part(v).astype(np.float32)
        w = self.params.lexical_weight
        sims: F64 = (1.0 - w) * (emb @ emb.T).astype(np.float64)
        if len(v):
            chunks = self._lexical_chunks(texts)
            lex = sparse.vstack([sparse.csr_matrix(rows) for _, rows in chunks], format="csr")
            sims += w * (lex @ lex.T).toarray()
        return sims

    def _embedding_part(self, v: F64) -> F64:
        """Centred embeddings, whitened by the similarity model or re-normalised."""
        mean = self.mean
        centred = v - mean if mean is not None else v
        if self.similarity is not None:
            out: F64 = self.similarity.transform(centred)
            return out
        return unit_rows(centred)

    def _lexical_chunks(self, texts: Sequence[str]) -> Iterator[tuple[int, F64]]:
        """(first row, unit-length TF-IDF rows of the hashed n-grams) per chunk of texts."""
        idf = np.log((1.0 + self._docs) / (1.0 + self._df)) + 1.0
        for start in range(0, len(texts), _CHUNK):
            counts = hashed_counts(texts[start : start + _CHUNK], self.params)
            tf = np.zeros_like(counts)
            np.log(counts, out=tf, where=counts > 0)
            yield start, unit_rows(np.where(counts > 0, tf + 1.0, 0.0) * idf)

    def state(self) -> dict[str, npt.NDArray[np.float64]]:
        """The running state as named arrays (e.g. for ``np.savez``), never pickled objects."""
        dim = 0 if self._sum is None else len(self._sum)
        return {
            "sum": np.zeros(dim) if self._sum is None else self._sum.copy(),
            "count": np.array(float(self._count)),
            "doc_freq": self._df.copy(),
            "docs": np.array(float(self._docs)),
        }

    @classmethod
    def from_state(
        cls,
        state: dict[str, npt.NDArray[np.float64]],
        params: ClusterParams = DEFAULT,
        *,
        lexical: bool = False,
        learn: bool = True,
        similarity: SimilarityModel | None = None,
    ) -> TopicSpace:
        space = cls(params, lexical=lexical, learn=learn, similarity=similarity)
        total = np.asarray(state["sum"], dtype=np.float64)
        space._sum = total.copy() if total.size else None
        space._count = int(state["count"])
        if lexical:
            df = np.asarray(state["doc_freq"], dtype=np.float64)
            if df.shape != (params.lexical_dim,):
                raise ValueError(f"doc_freq has shape {df.shape}, expected ({params.lexical_dim},)")
            space._df = df.copy()
            space._docs = int(state["docs"])
        return space


def _as_matrix(vectors: npt.ArrayLike) -> F64:
    v = np.asarray(vectors, dtype=np.float64)
    if v.ndim == 1:
        v = v[None, :]
    if v.ndim != 2:
        raise ValueError(f"expected a (n, dim) matrix, got shape {v.shape}")
    return v


def umbrella_channel(
    kinds: Sequence[tuple[str, float]],
    texts: Sequence[str],
    umbrella: Sequence[str] = UMBRELLA_KINDS,
    weight: float = UMBRELLA_WEIGHT,
    min_score: float = UMBRELLA_MIN_SCORE,
) -> Vectors:
    """Columns to append to prepared vectors so that two reports of the same umbrella kind
    (predicted with at least ``min_score``, with an informative text) gain ``weight`` in
    similarity; every other pair is unchanged."""
    out = np.zeros((len(kinds), len(umbrella)), dtype=np.float32)
    for row, ((kind, score), text) in enumerate(zip(kinds, texts, strict=True)):
        if kind in umbrella and score >= min_score and informative(text):
            out[row, list(umbrella).index(kind)] = np.sqrt(weight)
    return out


# --- batch clustering --------------------------------------------------------------------------


def cluster(vectors: npt.ArrayLike, params: ClusterParams = DEFAULT) -> Labels:
    """Topic labels 0..k-1 for prepared vectors (rows of :meth:`TopicSpace.prepare`), numbered
    in order of first appearance. Average linkage cut at ``params.join_threshold``, then
    local moves (see the module docstring). Memory about 2 n^2 floats: meant for up to a few
    thousand items at once (one product, one re-clustering window, or one topic to split)."""
    x = np.asarray(vectors)
    if x.ndim != 2:
        raise ValueError(f"expected a (n, dim) matrix, got shape {x.shape}")
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    if x.dtype != np.float32:
        x = x.astype(np.float64)
    return cluster_similarities((x @ x.T).astype(np.float64), params)


def cluster_similarities(sims: F64, params: ClusterParams = DEFAULT) -> Labels:
    """:func:`cluster` from the n x n similarity matrix itself (overwritten in place)."""
    if len(sims) == 0:
        return np.zeros(0, dtype=np.int64)
    labels = average_linkage(sims, params.join_threshold)
    sims -= params.join_threshold
    np.fill_diagonal(sims, 0.0)
    return _local_moves(sims, labels, params.refine_passes)


def average_linkage(sims: npt.ArrayLike, threshold: float) -> Labels:
    """Flat average-linkage clusters of a symmetric similarity matrix: groups are merged while
    the mean similarity between some two of them is at least ``threshold``. Labels are the
    lowest index of each group.

    scipy's average linkage (nearest-neighbour chains, O(n^2)) on ``top - sims``, cut at
    ``top - threshold``: a mean of shifted similarities is the shifted mean, so this is the
    same partition (``top``, the largest similarity, keeps every distance non-negative).
    """
    # Imported here: scipy.cluster takes ~0.8 s to import, and only batch clustering needs it,
    # not every process that loads this module (the web app, online assignment).
    from scipy.cluster import hierarchy
    from scipy.spatial import distance

    s = np.asarray(sims, dtype=np.float64)  # read only: no copy of an n x n matrix
    n = len(s)
    if s.shape != (n, n):
        raise ValueError(f"expected a square matrix, got shape {s.shape}")
    if n < 2:
        return np.arange(n, dtype=np.int64)
    top = float(s.max())
    dist = top - s
    np.fill_diagonal(dist, 0.0)
    tree = hierarchy.linkage(distance.squareform(dist, checks=False), method="average")
    flat = hierarchy.fcluster(tree, top - threshold, criterion="distance")
    # Each group's label: its lowest index, as the callers (and _canonical) expect.
    first = np.full(int(flat.max()) + 1, n, dtype=np.int64)
    np.minimum.at(first, flat, np.arange(n))
    out: Labels = first[flat]
    return out


def refine(sims: npt.ArrayLike, labels: npt.ArrayLike, threshold: float, passes: int) -> Labels:
    """Local moves for the constant Potts model: each item (in index order, ``passes`` times at
    most) goes to the topic with the largest sum of ``similarity - threshold`` over its other
    members, or alone when every such sum is negative. Returns canonical labels."""
    s = np.array(sims, dtype=np.float64) - threshold
    np.fill_diagonal(s, 0.0)
    return _local_moves(s, labels, passes)


def _local_moves(s: F64, labels: npt.ArrayLike, passes: int) -> Labels:
    # s: similarity - threshold with a zero diagonal (modified in place by no one).
    lab = _canonical(labels)
    n = len(lab)
    k = int(lab.max()) + 1 if n else 0
    onehot = np.zeros((n, k), dtype=np.float64)
    onehot[np.arange(n), lab] = 1.0
    gain = s @ onehot  # gain[i, c]: sum of s[i, j] over the members j of topic c
    del onehot
    size = np.bincount(lab, minlength=k).astype(np.int64)
    for _ in range(passes):
        moved = False
        for i in range(n):
            c = int(lab[i])
            g = gain[i]
            best = int(np.argmax(g))
            if g[best] <= 0.0:
                if size[c] == 1 or g[c] >= 0.0:
                    continue
                empty = np.flatnonzero(size == 0)  # alone: gain 0 beats a negative one
                if len(empty) == 0:
                    gain = np.hstack([gain, np.zeros((n, 1))])
                    size = np.append(size, 0)
                    empty = np.array([len(size) - 1])
                best = int(empty[0])
            elif g[best] <= g[c] + _EPS:
                continue
            gain[:, c] -= s[:, i]
            gain[:, best] += s[:, i]
            size[c] -= 1
            size[best] += 1
            lab[i] = best
            moved = True
        if not moved:
            break
    return _canonical(lab)


def _canonical(labels: npt.ArrayLike) -> Labels:
    lab = np.asarray(labels)
    if len(lab) == 0:
        return np.zeros(0, dtype=np.int64)
    _, first, inverse = np.unique(lab, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.reshape(-1)]


# --- online assignment and topic helpers -------------------------------------------------------


def assign(
    vector: npt.ArrayLike, centroids: npt.ArrayLike, params: ClusterParams = DEFAULT
) -> tuple[int | None, float]:
    """(index of the topic to join, similarity): the topic whose :func:`centroid` (unnormalised
    mean of prepared member vectors) has the largest dot product with ``vector`` -- the item's
    mean similarity to that topic's members. (None, best similarity) when it is below
    ``params.join_threshold``: open a new topic. (None, 0.0) when there is no topic."""
    c = np.asarray(centroids)
    if c.size == 0:
        return None, 0.0
    if c.ndim != 2:
        raise ValueError(f"expected a (topics, dim) matrix, got shape {c.shape}")
    v = np.asarray(vector, dtype=c.dtype).reshape(-1)
    sims = c @ v
    best = int(np.argmax(sims))
    similarity = float(sims[best])
    if similarity >= params.join_threshold:
        return best, similarity
    return None, similarity


def centroid(vectors: npt.ArrayLike) -> Vectors:
    """A topic's centroid: the plain mean of its prepared member vectors (not re-normalised)."""
    v = _as_matrix(vectors)
    if len(v) == 0:
        raise ValueError("a topic needs at least one member")
    out: Vectors = v.mean(axis=0).astype(np.float32)
    return out


def update_centroid(
    current: npt.ArrayLike, size: int, vector: npt.ArrayLike
) -> tuple[Vectors, int]:
    """(new centroid, new size) after ``vector`` joins a topic of ``size`` members."""
    c = np.asarray(current, dtype=np.float64)
    v = np.asarray(vector, dtype=np.float64)
    return ((c * size + v) / (size + 1)).astype(np.float32), size + 1


def merge_centroids(
    a: npt.ArrayLike, size_a: int, b: npt.ArrayLike, size_b: int
) -> tuple[Vectors, int]:
    """(centroid, size) of the union of two topics."""
    ca = np.asarray(a, dtype=np.float64)
    cb = np.asarray(b, dtype=np.float64)
    total = size_a + size_b
    return ((ca * size_a + cb * size_b) / total).astype(np.float32), total


def topic_similarity(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Mean similarity between the members of two topics, from their centroids. Re-clustering
    merges two topics when it is at least ``join_threshold`` (the average-linkage rule)."""
    return float(np.dot(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)))


def coherence(vectors: npt.ArrayLike) -> float:
    """Mean similarity over pairs of distinct members (1.0 for a single member). A topic whose
    coherence is below ``join_threshold`` is a candidate for splitting with :func:`cluster`."""
    v = _as_matrix(vectors)
    n = len(v)
    if n < 2:
        return 1.0
    total = v.sum(axis=0)
    return float((total @ total - np.einsum("ij,ij->", v, v)) / (n * (n - 1)))


def medoid(vectors: npt.ArrayLike) -> int:
    """Index of the member with the largest summed similarity to the other members (the most
    typical report); the first on ties, 0 for one or two members."""
    v = _as_matrix(vectors)
    if len(v) <= 2:
        return 0
    scores = v @ v.sum(axis=0) - np.einsum("ij,ij->i", v, v)
    return int(np.argmax(scores))
