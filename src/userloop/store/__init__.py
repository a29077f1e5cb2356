"""The store: one object owns the database; repositories return domain objects."""

from userloop.store.store import Store

__all__ = ["Store"]
