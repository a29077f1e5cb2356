"""topic priorities: a score per topic, stored with its parts; votes carry the voter's segment

The priority job writes one row per live topic (score, the parts it was computed from, when);
readers never compute it in a request. Votes gain the voter's segment where known (experience,
verified owner, model, region, channel), so the priority can correct them by segment. Emerging
issues found by the job after triage are kept with when they were first flagged. Returns (RMA
records) are stored, their reason text triaged as a feedback item.

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
    op.create_table(
        "returns",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("build_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("batch", sa.String(length=100), nullable=True),
        sa.Column(
            "feedback_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_returns_product_id_products"
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["device_models.id"], name="fk_returns_model_id_device_models"
        ),
        sa.ForeignKeyConstraint(["build_id"], ["builds.id"], name="fk_returns_build_id_builds"),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name="fk_returns_feedback_id_feedback",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_returns"),
        sa.UniqueConstraint("source", "external_id", name="uq_returns_source_external_id"),
    )
    op.create_index("ix_returns_product_day", "returns", ["product_id", "day"])
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("experience", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("verified_owner", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("model", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_returns_product_day", table_name="returns")
    op.drop_table("returns")
    op.drop_table("emerging_flags")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        for column in ("channel", "region", "model", "verified_owner", "experience"):
            batch_op.drop_column(column)
    op.drop_index("ix_topic_priorities_product_score", table_name="topic_priorities")
    op.drop_table("topic_priorities")
