"""topic priorities: a score per topic, stored with its parts; votes carry the voter's segment

The priority job writes one row per live topic (score, the parts it was computed from, when);
readers never compute it in a request. Votes gain the voter's segment where known (experience,
verified owner, model, region, channel), so the priority can correct them by segment. Emerging
issues found by the job after triage are kept with when they were first flagged.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_priorities",
        sa.Column("topic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name="fk_topic_priorities_topic_id_topics",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_topic_priorities_product_id_products"
        ),
        sa.PrimaryKeyConstraint("topic_id", name="pk_topic_priorities"),
    )
    op.create_index(
        "ix_topic_priorities_product_score", "topic_priorities", ["product_id", "score"]
    )
    op.create_table(
        "emerging_flags",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("build", sa.String(length=100), nullable=False),
        sa.Column("topic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("first_flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_emerging_flags_product_id_products"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name="fk_emerging_flags_topic_id_topics",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "build", "topic_id", name="pk_emerging_flags"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("experience", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("verified_owner", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("model", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_table("emerging_flags")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        for column in ("channel", "region", "model", "verified_owner", "experience"):
            batch_op.drop_column(column)
    op.drop_index("ix_topic_priorities_product_score", table_name="topic_priorities")
    op.drop_table("topic_priorities")
