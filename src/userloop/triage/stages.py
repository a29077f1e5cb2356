"""What the pipeline needs of each stage. Implementations live in their own modules; tests
pass small fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# The kinds as strings in class order; `userloop.domain.enums.Kind` is the vocabulary.
from userloop.domain.enums import KINDS as KINDS
from userloop.triage.embed.base import Vectors


@dataclass(frozen=True, slots=True)
class KindPrediction:
    scores: dict[str, float]
    kind: str
    labels: tuple[str, ...]


class LanguageStage(Protocol):
    @property
    def version(self) -> str: ...

    def resolve(self, client_tag: str | None, text: str) -> tuple[str, str]:
        """(BCP 47 tag or `und`, `client` | `detected`)."""
        ...


class KindPredictor(Protocol):
    """Anything whose predictions carry `scores`, `kind` and `labels`."""

    @property
    def version(self) -> str: ...

    def predict(self, texts: Sequence[str], vectors: Vectors) -> Sequence[KindLike]: ...


class KindLike(Protocol):
    @property
    def scores(self) -> dict[str, float]: ...

    @property
    def kind(self) -> str: ...

    @property
    def labels(self) -> tuple[str, ...]: ...


class SentimentPredictor(Protocol):
    @property
    def version(self) -> str: ...

    def predict(
        self, texts: Sequence[str], vectors: Vectors, ratings: Sequence[int | None]
    ) -> Sequence[float]: ...
