"""Alembic environment: the engine comes from userloop, never from an ini file."""

from __future__ import annotations

from alembic import context

from userloop.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things in place
    )
    context.run_migrations()
