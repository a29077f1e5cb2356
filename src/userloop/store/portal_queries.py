"""Read queries of the public portal (rows never leave store/)."""

from __future__ import annotations


class PortalQueries:
    pass
