"""Kind classification at inference: the model (``model``), its hashed lexical features
(``features``) and request cues (``cues``). Training lives in ``triage.training.kind``."""

from userloop.triage.kind.model import (
    DEFAULT_KIND_MODEL,
    MODELS_DIR,
    KindModel,
    KindModelError,
    KindResult,
)

__all__ = ["DEFAULT_KIND_MODEL", "MODELS_DIR", "KindModel", "KindModelError", "KindResult"]
