"""Lexical retrieval for duplicate detection: a tokenizer for every script, an incremental
BM25 index in numpy, and :func:`fuse`, which merges lexical and vector hits into one ranking.

The tokenizer lower-cases (casefolds) words of space-separated scripts (Latin, Cyrillic,
Greek, Arabic, ...), also splits programmer identifiers (``getFileStatus`` → ``get``,
``file``, ``status`` besides the whole word), and turns runs of unspaced scripts (Han, kana,
Hangul, Thai) into overlapping character bigrams, as Lucene's CJK analyzer does: no
dictionary, nothing to load, and product names a dictionary does not know still match.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Container, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from userloop.triage.text import index_terms

K = TypeVar("K", bound=Hashable)

FuseMethod = Literal["score", "rrf"]

#: Weight of the lexical side in :func:`fuse`, chosen on the 100 training pairs of GitBugs
#: Hadoop (see ``userloop.eval.duplicates``).
DEFAULT_FUSION_WEIGHT = 0.65

#: ``k`` of reciprocal rank fusion (Cormack et al. 2009).
RRF_K = 60

#: A short list of English function words; BM25's idf already discounts the rest.
_STOPWORD_TEXT = (
    "a an and are as at be but by for from has have i if in is it its of on or so that the "
    "this to was we were when which with"
)
ENGLISH_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class Tokenizer:
    """Splits text into index terms (see the module docstring).

    ``stopwords`` are dropped (compared after casefolding); ``split_identifiers`` adds the
    parts of camelCase / PascalCase / letter-digit words; ``min_length`` drops shorter
    words (bigrams and single unspaced characters are always kept).
    """

    stopwords: frozenset[str] = field(default=ENGLISH_STOPWORDS)
    split_identifiers: bool = True
    min_length: int = 1

    def __call__(self, text: str) -> list[str]:
        return self.tokenize(text)

    def tokenize(self, text: str) -> list[str]:
        return index_terms(
            text,
            stopwords=self.stopwords,
            split_identifiers=self.split_identifiers,
            min_length=self.min_length,
        )


class BM25Index(Generic[K]):
    """An incremental Okapi BM25 index over texts keyed by id.

    :meth:`add` is O(length of the text); adding an id again replaces its text. Removed
    and replaced texts leave dead entries that are dropped once they outnumber the live
    ones. :meth:`search` touches only the postings of the query's terms. Not safe for
    concurrent use from several threads while texts are added.
    """

    def __init__(self, tokenizer: Tokenizer | None = None, k1: float = 1.2, b: float = 0.75):
        self.tokenizer = tokenizer if tokenizer is not None else Tokenizer()
        self.k1 = k1
        self.b = b
        self._clear()

    def _clear(self) -> None:
        self._ids: list[K | None] = []  # row -> id; None once removed
        self._rows: dict[K, int] = {}
        self._vocab: dict[str, int] = {}
        self._post_rows: list[array[int]] = []  # term -> rows holding it
        self._post_tfs: list[array[float]] = []  # term -> its frequency in those rows
        self._df: list[int] = []  # term -> live documents holding it
        self._doc_terms: list[tuple[array[int], array[float]] | None] = []
        self._lengths: array[float] = array("f")
        self._total_length = 0.0

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._rows

    def add(self, id_: K, text: str) -> None:
        """Index ``text`` under ``id_`` (replacing what ``id_`` had)."""
        if id_ in self._rows:
            self.remove(id_)
        counts = Counter(self.tokenizer.tokenize(text))
        row = len(self._ids)
        terms: array[int] = array("i")
        tfs: array[float] = array("f")
        for term, tf in counts.items():
            tid = self._vocab.get(term)
            if tid is None:
                tid = self._vocab[term] = len(self._df)
                self._post_rows.append(array("i"))
                self._post_tfs.append(array("f"))
                self._df.append(0)
            self._post_rows[tid].append(row)
            self._post_tfs[tid].append(tf)
            self._df[tid] += 1
            terms.append(tid)
            tfs.append(tf)
        length = float(sum(counts.values()))
        self._ids.append(id_)
        self._rows[id_] = row
        self._doc_terms.append((terms, tfs))
        self._lengths.append(length)
        self._total_length += length

    def add_many(self, items: Iterable[tuple[K, str]]) -> None:
        for id_, text in items:
            self.add(id_, text)

    def remove(self, id_: K) -> bool:
        """Forget ``id_``; False when it was not indexed."""
        row = self._rows.pop(id_, None)
        if row is None:
            return False
        doc = self._doc_terms[row]
        if doc is not None:
            for tid in doc[0]:
                self._df[tid] -= 1
        self._doc_terms[row] = None
        self._ids[row] = None
        self._total_length -= self._lengths[row]
        self._lengths[row] = 0.0
        if len(self._ids) > 64 and len(self._rows) * 2 < len(self._ids):
            self._compact()
        return True

    def _compact(self) -> None:
        live = [(id_, self._doc_terms[row]) for row, id_ in enumerate(self._ids) if id_ is not None]
        vocab = {tid: term for term, tid in self._vocab.items()}
        self._clear()
        for id_, doc in live:
            if id_ is None or doc is None:
                continue
            row = len(self._ids)
            terms: array[int] = array("i")
            for old_tid, tf in zip(doc[0], doc[1], strict=True):
                term = vocab[old_tid]
                tid = self._vocab.get(term)
                if tid is None:
                    tid = self._vocab[term] = len(self._df)
                    self._post_rows.append(array("i"))
                    self._post_tfs.append(array("f"))
                    self._df.append(0)
                self._post_rows[tid].append(row)
                self._post_tfs[tid].append(tf)
                self._df[tid] += 1
                terms.append(tid)
            length = float(sum(doc[1]))
            self._ids.append(id_)
            self._rows[id_] = row
            self._doc_terms.append((terms, doc[1]))
            self._lengths.append(length)
            self._total_length += length

    def scores(self, text: str) -> tuple[list[K | None], npt.NDArray[np.float64]]:
        """BM25 score of ``text`` against every row: (row ids, scores); removed rows have
        id None and score 0. Each occurrence of a term in the query counts."""
        n_rows = len(self._ids)
        scores = np.zeros(n_rows, dtype=np.float64)
        n_docs = len(self._rows)
        if n_docs == 0:
            return list(self._ids), scores
        lengths = np.array(self._lengths, dtype=np.float64)
        avg = self._total_length / n_docs if self._total_length > 0 else 1.0
        norm = self.k1 * (1.0 - self.b + self.b * lengths / avg)
        for term, qtf in Counter(self.tokenizer.tokenize(text)).items():
            tid = self._vocab.get(term)
            if tid is None or self._df[tid] == 0:
                continue
            df = self._df[tid]
            idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
            rows = np.array(self._post_rows[tid], dtype=np.intp)
            tf = np.array(self._post_tfs[tid], dtype=np.float64)
            scores[rows] += qtf * idf * tf * (self.k1 + 1.0) / (tf + norm[rows])
        if n_docs < n_rows:
            scores[[row for row, id_ in enumerate(self._ids) if id_ is None]] = 0.0
        return list(self._ids), scores

    def search(
        self, text: str, k: int = 10, *, exclude: Container[K] = ()
    ) -> list[tuple[K, float]]:
        """The ``k`` best-scoring ids for ``text`` (score > 0), best first; ties keep the
        order in which the texts were added."""
        ids, scores = self.scores(text)
        rows = np.flatnonzero(scores > 0.0)
        rows = rows[np.argsort(-scores[rows], kind="stable")]
        out: list[tuple[K, float]] = []
        for row in rows:
            id_ = ids[row]
            if id_ is not None and id_ not in exclude:
                out.append((id_, float(scores[row])))
                if len(out) >= k:
                    break
        return out


def fuse(
    lexical: Sequence[tuple[K, float]],
    vector: Sequence[tuple[K, float]],
    weight: float = DEFAULT_FUSION_WEIGHT,
    *,
    method: FuseMethod = "score",
    k: int | None = None,
) -> list[tuple[K, float]]:
    """One ranking from a lexical hit list (e.g. :meth:`BM25Index.search`) and a vector hit
    list (id, cosine similarity), each best first; ``weight`` is the lexical side's share.

    ``method="score"``: ``weight * bm25 / best_bm25 + (1 - weight) * cosine``, where an id
    missing from one list gets 0 from that side (BM25 scores have no fixed scale, so they
    are divided by the best one; cosines are used as they are). ``method="rrf"``: weighted
    reciprocal rank fusion, ``weight / (60 + lexical rank) + (1 - weight) / (60 + vector
    rank)``. Returns (id, fused score), best first, ties in order of first appearance,
    cut to ``k`` when given.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must lie in [0, 1]; got {weight}")
    fused: dict[K, float] = {}
    if method == "rrf":
        for rank, (id_, _) in enumerate(lexical, start=1):
            fused[id_] = fused.get(id_, 0.0) + weight / (RRF_K + rank)
        for rank, (id_, _) in enumerate(vector, start=1):
            fused[id_] = fused.get(id_, 0.0) + (1.0 - weight) / (RRF_K + rank)
    elif method == "score":
        best = max((score for _, score in lexical), default=0.0)
        for id_, score in lexical:
            fused[id_] = fused.get(id_, 0.0) + (weight * score / best if best > 0 else 0.0)
        for id_, score in vector:
            fused[id_] = fused.get(id_, 0.0) + (1.0 - weight) * score
    else:
        raise ValueError(f"unknown fusion method {method!r}")
    ranked = sorted(fused.items(), key=lambda item: -item[1])
    return ranked if k is None else ranked[:k]
