"""Training the triage heads (kind, sentiment) with scikit-learn and scipy; nothing here runs at
inference. ``fitting`` holds the shared fitting helpers."""

from userloop.triage.training.kind import train_kind
from userloop.triage.training.sentiment import train_sentiment

__all__ = ["train_kind", "train_sentiment"]
