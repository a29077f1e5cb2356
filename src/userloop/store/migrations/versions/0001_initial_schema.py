"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 13:52:05.759984
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# SQLite only auto-increments INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)

    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_channels_name")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("slug", name=op.f("uq_products_slug")),
    )
    op.create_table(
        "reporters",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("experience", sa.String(length=20), nullable=True),
        sa.Column("verified_owner", sa.Boolean(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporters")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_reporters_key_hash")),
    )
    op.create_table(
        "builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("sort_key", sa.String(length=255), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_builds_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_builds")),
        sa.UniqueConstraint("product_id", "version", name="uq_builds_product_version"),
    )
    with op.batch_alter_table("builds", schema=None) as batch_op:
        batch_op.create_index("ix_builds_product_sort", ["product_id", "sort_key"], unique=False)

    op.create_table(
        "device_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_device_models_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_models")),
        sa.UniqueConstraint("product_id", "name", name="uq_device_models_product_name"),
    )
    op.create_table(
        "reporter_contacts",
        sa.Column("reporter_id", BigId, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporters.id"],
            name=op.f("fk_reporter_contacts_reporter_id_reporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reporter_id", name=op.f("pk_reporter_contacts")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", BigId, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("build_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("reporter_id", BigId, nullable=True),
        sa.Column("redacted", sa.String(length=100), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["build_id"], ["builds.id"], name=op.f("fk_feedback_build_id_builds")
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_feedback_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["device_models.id"], name=op.f("fk_feedback_model_id_device_models")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_feedback_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["reporters.id"], name=op.f("fk_feedback_reporter_id_reporters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("source", "external_id", name="uq_feedback_source_external_id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_build", ["build_id"], unique=False)
        batch_op.create_index(
            "ix_feedback_product_created", ["product_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_feedback_reporter", ["reporter_id"], unique=False)

    op.create_table(
        "install_base_samples",
        sa.Column("id", BigId, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("build_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("segment", sa.String(length=20), nullable=False),
        sa.Column("active_devices", sa.BigInteger(), nullable=False),
        sa.Column("crashes", sa.BigInteger(), nullable=False),
        sa.Column("returns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["build_id"], ["builds.id"], name=op.f("fk_install_base_samples_build_id_builds")
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_install_base_samples_channel_id_channels"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["device_models.id"],
            name=op.f("fk_install_base_samples_model_id_device_models"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_install_base_samples_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_install_base_samples")),
        sa.UniqueConstraint(
            "product_id",
            "day",
            "model_id",
            "build_id",
            "channel_id",
            "region",
            "segment",
            name="uq_install_base_key",
        ),
    )
    with op.batch_alter_table("install_base_samples", schema=None) as batch_op:
        batch_op.create_index("ix_install_base_build_day", ["build_id", "day"], unique=False)
    channels = sa.table(
        "channels", sa.column("name", sa.String), sa.column("rank", sa.SmallInteger)
    )
    op.bulk_insert(
        channels,
        [{"name": "dev", "rank": 0}, {"name": "beta", "rank": 1}, {"name": "stable", "rank": 2}],
    )


def downgrade() -> None:
    with op.batch_alter_table("install_base_samples", schema=None) as batch_op:
        batch_op.drop_index("ix_install_base_build_day")

    op.drop_table("install_base_samples")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_reporter")
        batch_op.drop_index("ix_feedback_product_created")
        batch_op.drop_index("ix_feedback_build")

    op.drop_table("feedback")
    op.drop_table("reporter_contacts")
    op.drop_table("device_models")
    with op.batch_alter_table("builds", schema=None) as batch_op:
        batch_op.drop_index("ix_builds_product_sort")

    op.drop_table("builds")
    op.drop_table("reporters")
    op.drop_table("products")
    op.drop_table("channels")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_at")

    op.drop_table("audit_events")
    op.drop_table("api_tokens")
