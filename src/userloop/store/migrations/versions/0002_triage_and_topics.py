"""triage and topics

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 14:20:13.018689
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# SQLite only auto-increments INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", BigId, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), server_default="", nullable=False),
        sa.Column("merged_into", BigId, nullable=True),
        sa.Column("centroid", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("size", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("representatives", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("builds", sa.JSON(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("dirty", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["topics.id"], name=op.f("fk_topics_merged_into_topics")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_topics_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
    )
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index("ix_topics_product_status", ["product_id", "status"], unique=False)

    op.create_table(
        "topic_links",
        sa.Column("topic_a", BigId, nullable=False),
        sa.Column("topic_b", BigId, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_a"],
            ["topics.id"],
            name=op.f("fk_topic_links_topic_a_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_b"],
            ["topics.id"],
            name=op.f("fk_topic_links_topic_b_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("topic_a", "topic_b", "kind", name=op.f("pk_topic_links")),
    )
    op.create_table(
        "embeddings",
        sa.Column("feedback_id", BigId, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_embeddings_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feedback_id", "model", name=op.f("pk_embeddings")),
    )
    op.create_table(
        "kind_corrections",
        sa.Column("feedback_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("corrected_by", sa.String(length=200), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_kind_corrections_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_kind_corrections")),
    )
    op.create_table(
        "triage",
        sa.Column("feedback_id", BigId, nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("language_source", sa.String(length=10), nullable=False),
        sa.Column("language_confidence", sa.Float(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("labels", sa.String(length=100), nullable=False),
        sa.Column("kind_scores", sa.JSON(), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=False),
        sa.Column("topic_id", BigId, nullable=True),
        sa.Column("topic_similarity", sa.Float(), nullable=True),
        sa.Column("topic_pinned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("pipeline_version", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_triage_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_triage_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_triage")),
    )
    with op.batch_alter_table("triage", schema=None) as batch_op:
        batch_op.create_index("ix_triage_pipeline_version", ["pipeline_version"], unique=False)
        batch_op.create_index("ix_triage_topic", ["topic_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("triage", schema=None) as batch_op:
        batch_op.drop_index("ix_triage_topic")
        batch_op.drop_index("ix_triage_pipeline_version")

    op.drop_table("triage")
    op.drop_table("kind_corrections")
    op.drop_table("embeddings")
    op.drop_table("topic_links")
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index("ix_topics_product_status")

    op.drop_table("topics")
