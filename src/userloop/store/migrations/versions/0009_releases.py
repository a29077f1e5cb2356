"""releases: builds offered on a channel with a rollout plan, and their decision log

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("product", sa.String(length=63), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("build", sa.String(length=100), nullable=False),
        sa.Column("previous_build", sa.String(length=100), nullable=True),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("stage_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_releases"),
        sa.UniqueConstraint(
            "product", "channel", "build", name="uq_releases_product_channel_build"
        ),
    )
    op.create_index("ix_releases_state", "releases", ["state"])
    op.create_table(
        "release_events",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("release_id", _BIG_ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name="fk_release_events_release_id_releases",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_release_events"),
    )
    op.create_index("ix_release_events_release", "release_events", ["release_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_release_events_release", table_name="release_events")
    op.drop_table("release_events")
    op.drop_index("ix_releases_state", table_name="releases")
    op.drop_table("releases")
