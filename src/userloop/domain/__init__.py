"""Entities, enums and pure rules. No I/O lives here."""
