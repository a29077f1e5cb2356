"""A fast, dependency-free test double: feature hashing of character n-grams and words.

Texts are NFKC-normalised and case-folded; features are the character 2-, 3- and 4-grams of
the text padded with a space at each end (whitespace runs collapsed), plus its words. Each
feature is hashed with CRC-32 (stable across processes and machines, unlike Python's salted
``hash``) to a bucket and a sign; the bucket counts are L2-normalised. Texts sharing many
n-grams get close vectors, in any script; there is no meaning beyond spelling.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from userloop.triage.embed.base import Vectors

_NGRAMS = (2, 3, 4)
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_EMPTY = "\x00empty"  # the one feature of a text without any, so every vector has norm 1
_REVISION = "1"


class HashingEmbedder:
    """``hashing``: deterministic character n-gram hashing into ``dim`` buckets."""

    name = "hashing"

    def __init__(self, dim: int = 256) -> None:
        if not 8 <= dim <= 1 << 20:
            raise ValueError("hashing dim must be between 8 and 1048576")
        self._dim = dim

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def version(self) -> str:
        return f"{_REVISION}-{self._dim}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        feats = [self._features(text) for text in texts]
        counts = np.fromiter(map(len, feats), dtype=np.int64, count=len(feats))
        buckets, signs = self._hashed([f for text_feats in feats for f in text_feats])
        buckets += np.repeat(np.arange(len(feats), dtype=np.int64) * self._dim, counts)
        size = len(feats) * self._dim
        out = np.bincount(buckets, weights=signs, minlength=size).astype(np.float32)
        out = out.reshape(len(feats), self._dim)
        norms = np.linalg.norm(out, axis=1)
        cancelled = norms == 0.0  # every feature cancelled out: use the empty-text feature
        if cancelled.any():
            empty_bucket, empty_sign = self._hashed([_EMPTY])
            out[cancelled, empty_bucket[0]] = empty_sign[0]
            norms[cancelled] = 1.0
        out /= norms[:, None]
        return out

    @staticmethod
    def _features(text: str) -> list[str]:
        clean = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
        if not clean:
            return [_EMPTY]
        padded = f" {clean} "
        feats = [padded[i : i + n] for n in _NGRAMS for i in range(len(padded) - n + 1)]
        feats += ["w:" + word for word in _WORD.findall(clean)]
        return feats

    def _hashed(self, feats: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        h = np.fromiter(
            (zlib.crc32(f.encode("utf-8")) for f in feats), dtype=np.int64, count=len(feats)
        )
        signs = np.where(h & (1 << 31), np.float32(-1.0), np.float32(1.0)).astype(np.float32)
        return (h & 0x7FFFFFFF) % self._dim, signs
