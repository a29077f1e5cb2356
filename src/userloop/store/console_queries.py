"""Read queries of the staff console (rows never leave store/)."""

from __future__ import annotations


class ConsoleQueries:
    pass
