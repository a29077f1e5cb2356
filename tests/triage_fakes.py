"""Small deterministic stand-ins for the triage models, so pipeline tests run in milliseconds.
They follow the same protocols as the real stages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from userloop.config import Settings
from userloop.container import build_similar, build_triage
from userloop.store import Store
from userloop.topics.lifecycle import TopicService
from userloop.topics.similar import SimilarService
from userloop.triage.embed.base import Vectors
from userloop.triage.pipeline import TriageComponents
from userloop.triage.service import Triage
from userloop.triage.stages import KindPrediction
from userloop.triage.topics.assign import OnlineTopics
from userloop.triage.topics.base import ClusterFn, RegroupFn

# Words that mean the same thing across our test languages map to one concept, so a Russian
# and a Chinese report of one problem embed alike (what the real multilingual model does).
CONCEPTS = {
    "battery": ("battery", "батарея", "电池", "accu", "drain", "садится", "耗电", "leeg"),
    "camera": ("camera", "камера", "相机", "crash", "вылетает", "崩溃", "crasht"),
    "bluetooth": ("bluetooth", "блютуз", "蓝牙", "disconnect", "отключается", "断开"),
    "dark": ("dark", "тёмн", "深色", "donker", "theme", "тем", "主题", "modus"),
}
WORD = re.compile(r"\w+", re.UNICODE)


class ConceptEmbedder:
    name = "concept-fake"
    version = "1"
    dim = 64

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            low = text.lower()
            for i, words in enumerate(CONCEPTS.values()):
                if any(w in low for w in words):
                    out[row, i] += 3.0
            for token in WORD.findall(low):
                h = int(hashlib.blake2b(token.encode(), digest_size=4).hexdigest(), 16)
                out[row, 8 + h % (self.dim - 8)] += 0.3
            norm = float(np.linalg.norm(out[row])) or 1.0
            out[row] /= norm
        return out


class FakeLanguage:
    version = "fake-lang-1"

    def resolve(self, client_tag: str | None, text: str) -> tuple[str, str]:
        if client_tag:
            return client_tag, "client"
        if re.search(r"[\u4e00-\u9fff]", text):
            return "zh-Hans", "detected"
        if re.search(r"[а-яё]", text.lower()):
            return "ru", "detected"
        return "en", "detected"


class FakeKind:
    version = "fake-kind-1"

    def predict(self, texts: Sequence[str], vectors: Vectors) -> list[KindPrediction]:
        out = []
        for text in texts:
            wish = any(w in text.lower() for w in ("please add", "добавьте", "希望", "graag"))
            scores = {
                "bug": 0.2 if wish else 0.9,
                "feature": 0.9 if wish else 0.1,
                "question": 0.0,
                "praise": 0.0,
                "other": 0.0,
            }
            kind = "feature" if wish else "bug"
            out.append(KindPrediction(scores, kind, (kind,)))
        return out


class FakeSentiment:
    version = "fake-sent-1"

    def predict(
        self, texts: Sequence[str], vectors: Vectors, ratings: Sequence[int | None]
    ) -> list[float]:
        return [((r - 3) / 2) if r else -0.5 for r in ratings]


def components(
    threshold: float = 0.6,
    *,
    regroup: RegroupFn | None = None,
    cluster: ClusterFn | None = None,
    **changes: object,
) -> TriageComponents:
    """The fake stages; `regroup` and `cluster` go to the topic model (vectors used as they
    come, the online rule at `threshold`), other keywords replace a stage."""
    c = TriageComponents(
        language=FakeLanguage(),
        embedder=ConceptEmbedder(),
        kind=FakeKind(),
        sentiment=FakeSentiment(),
        topics=OnlineTopics(threshold, cluster=cluster, regroup=regroup),
    )
    for key, value in changes.items():
        setattr(c, key, value)
    return c


def fake_triage(
    store: Store,
    settings: Settings,
    threshold: float = 0.6,
    *,
    regroup: RegroupFn | None = None,
    **changes: object,
) -> Triage:
    c = components(threshold, regroup=regroup)
    for key, value in changes.items():
        setattr(c, key, value)
    return build_triage(settings, store, c)


def topics_of(triage: Triage) -> TopicService:
    """The topic lifecycle on `triage`'s pipeline, as the container builds it."""
    return TopicService(triage.store, lambda: triage.pipeline)


def similar_of(triage: Triage) -> SimilarService:
    """A fresh "already reported?" service on `triage`'s pipeline, as the container builds it
    (lexical weight and vector-index bound from triage's configuration)."""
    return build_similar(triage)
