"""userloop: every user becomes your R&D."""

__version__ = "0.1.0"
