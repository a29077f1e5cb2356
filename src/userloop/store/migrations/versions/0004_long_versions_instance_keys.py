"""long model/pipeline versions, per-installation keys

Model and pipeline version strings are built from the names of the models in use (a
sentence-transformers path can be long), so they are TEXT; the list of redacted kinds grows
with the fields redacted. `instance_keys` holds the secrets generated for this installation
when none is configured.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, column, old type, nullable)
_WIDENED = [
    ("triage", "pipeline_version", sa.String(length=200), False),
    ("embeddings", "model", sa.String(length=200), False),
    ("topics", "embedding_model", sa.String(length=200), True),
    ("feedback", "redacted", sa.String(length=100), False),
]


def upgrade() -> None:
    for table, column, old, nullable in _WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=old, type_=sa.Text(), nullable=nullable)
    op.create_table(
        "instance_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_keys")),
    )


def downgrade() -> None:
    op.drop_table("instance_keys")
    for table, column, old, nullable in _WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=old, nullable=nullable)
