"""The kind head's hashed lexical features (pure numpy, no vocabulary), used at inference by
its residual (``kind.model``).

A sentence embedding says what a text is *about*; whether it *asks* for something ("would be
nice", "please add", "pourriez-vous", "希望") or reports a fault is partly carried by a few
words. These features add that signal without shipping any vocabulary: each token is hashed
with CRC-32 (stable across processes and machines, unlike Python's salted ``hash``) into one
of ``n_features`` buckets, like scikit-learn's ``HashingVectorizer(alternate_sign=False)``, so
a fitted model holds one weight per bucket and no text from its training data.

Tokens of a text (NFKC-normalised, case-folded; ``triage.text.lex1_words``):

* words (``\\w+`` runs outside CJK scripts) and word bigrams;
* for CJK runs, which have no spaces, single characters and character bigrams;
* the marks ``?`` and ``!`` (full-width forms become ASCII under NFKC) as their own tokens;
* a word's last four letters (``~ment``), which carries French and Russian inflections.

Each distinct token counts once (binary presence); a text's row is L2-normalised.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from userloop.triage.text import lex1_words

#: Version of what :func:`tokens` and :func:`hash_texts` compute; a kind model records it and
#: is refused by a userloop that computes other features.
FEATURES_VERSION = "lex1"
_SUFFIX_MIN_WORD = 6  # words at least this long also give their last four letters

F64 = npt.NDArray[np.float64]


def tokens(text: str) -> list[str]:
    """The distinct features of one text, in first-seen order (before hashing)."""
    words = lex1_words(text)
    feats = ["w:" + w for w in words]
    feats += ["b:" + a + " " + b for a, b in itertools.pairwise(words)]
    feats += ["s:" + w[-4:] for w in words if len(w) >= _SUFFIX_MIN_WORD]
    return list(dict.fromkeys(feats))


@dataclass(frozen=True, slots=True)
class HashedRows:
    """A sparse (n_texts, n_features) matrix in CSR form with L2-normalised rows."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    data: npt.NDArray[np.float32]
    n_features: int

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.indptr) - 1, self.n_features)

    def dot(self, weights: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """``rows @ weights`` for a dense ``(n_features, k)`` matrix: ``(n_texts, k)``."""
        n = len(self.indptr) - 1
        out = np.zeros((n, weights.shape[1]), dtype=np.float32)
        if len(self.indices) == 0:
            return out
        contrib = weights[self.indices] * self.data[:, None]
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        np.add.at(out, rows, contrib)
        return out


def hash_texts(texts: Sequence[str], n_features: int) -> HashedRows:
    """Hash every text's :func:`tokens` into ``n_features`` buckets (binary, L2-normalised)."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        buckets = sorted({zlib.crc32(t.encode("utf-8")) % n_features for t in tokens(text)})
        if buckets:
            indices.extend(buckets)
            values.extend([1.0 / float(np.sqrt(len(buckets)))] * len(buckets))
        indptr.append(len(indices))
    return HashedRows(
        indptr=np.asarray(indptr, dtype=np.int64),
        indices=np.asarray(indices, dtype=np.int64),
        data=np.asarray(values, dtype=np.float32),
        n_features=n_features,
    )


def sigmoid(z: npt.NDArray[np.floating[Any]]) -> F64:
    """The logistic function, computed without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))
