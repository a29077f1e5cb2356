"""topics: a title per language

Each topic keeps, besides its one title, a title per language chosen from its members in that
language, so readers see a title in their own language wherever the topic has reports in it.
Existing topics get theirs at their next summary refresh (the column starts empty; readers see
the one title meanwhile, as before).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("titles", sa.JSON(), nullable=True))
    # Refresh every summary so the new titles appear without waiting for new reports.
    op.execute(sa.text("UPDATE topics SET dirty = :yes").bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_column("titles")
