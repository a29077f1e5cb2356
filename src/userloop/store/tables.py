"""Table definitions. Rows never leave ``store/``: repositories turn them into domain objects."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from userloop.domain.entities import INSTALL_BASE_KEY
from userloop.store.types import UtcDateTime

# Named constraints keep Alembic's batch mode (SQLite) and PostgreSQL migrations in step.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("rank", SmallInteger, nullable=False),  # dev < beta < stable
)

device_models = Table(
    "device_models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("name", String(100), nullable=False),
    UniqueConstraint("product_id", "name", name="uq_device_models_product_name"),
)

builds = Table(
    "builds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("version", String(100), nullable=False),
    Column("sort_key", String(255), nullable=False),
    Column("released_at", UtcDateTime(), nullable=True),
    UniqueConstraint("product_id", "version", name="uq_builds_product_version"),
    Index("ix_builds_product_sort", "product_id", "sort_key"),
)

reporters = Table(
    "reporters",
    metadata,
    Column("id", BigId, primary_key=True),
    # HMAC of the client's pseudonymous id: the raw id (maybe a device id) is never stored.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("experience", String(20), nullable=True),
    Column("verified_owner", Boolean, nullable=True),
    Column("language", String(35), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

reporter_contacts = Table(
    "reporter_contacts",
    metadata,
    Column("reporter_id", ForeignKey("reporters.id", ondelete="CASCADE"), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("consented_at", UtcDateTime(), nullable=False),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("source", String(64), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(35), nullable=True),
    Column("rating", SmallInteger, nullable=True),
    Column("model_id", ForeignKey("device_models.id"), nullable=True),
    Column("build_id", ForeignKey("builds.id"), nullable=True),
    Column("channel_id", ForeignKey("channels.id"), nullable=True),
    Column("region", String(2), nullable=True),
    Column("reporter_id", ForeignKey("reporters.id"), nullable=True),
    Column("redacted", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    UniqueConstraint("source", "external_id", name="uq_feedback_source_external_id"),
    Index("ix_feedback_product_created", "product_id", "created_at"),
    Index("ix_feedback_build", "build_id"),
    Index("ix_feedback_reporter", "reporter_id"),
)

# `InstallBaseKey` as columns: its dimensions (product, model, build, channel) are stored as ids.
INSTALL_BASE_KEY_COLUMNS: tuple[str, ...] = tuple(
    f"{name}_id" if name in ("product", "model", "build", "channel") else name
    for name in INSTALL_BASE_KEY
)

install_base = Table(
    "install_base_samples",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("model_id", ForeignKey("device_models.id"), nullable=False),
    Column("build_id", ForeignKey("builds.id"), nullable=False),
    Column("channel_id", ForeignKey("channels.id"), nullable=False),
    Column("region", String(2), nullable=False),
    Column("segment", String(20), nullable=False),
    Column("active_devices", BigInteger, nullable=False),
    Column("crashes", BigInteger, nullable=False),
    Column("returns", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint(*INSTALL_BASE_KEY_COLUMNS, name="uq_install_base_key"),
    Index("ix_install_base_build_day", "build_id", "day"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_used_at", UtcDateTime(), nullable=True),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_audit_events_at", "at"),
)

# -- triage ------------------------------------------------------------------------------------

triage = Table(
    "triage",
    metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("language", String(35), nullable=False),
    Column("language_source", String(10), nullable=False),  # client | detected
    Column("language_confidence", Float, nullable=True),
    Column("kind", String(20), nullable=False),
    Column("labels", String(100), nullable=False),
    Column("kind_scores", JSON, nullable=False),
    Column("sentiment", Float, nullable=False),
    Column("topic_id", ForeignKey("topics.id"), nullable=True),
    Column("topic_similarity", Float, nullable=True),
    # A member placed by staff (merge, split, move) is never moved by the machine.
    Column("topic_pinned", Boolean, nullable=False, server_default=false()),
    # Model name@version per stage; a stage whose version changed is recomputed.
    Column("versions", JSON, nullable=False),
    Column("pipeline_version", Text, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_triage_topic", "topic_id"),
    Index("ix_triage_pipeline_version", "pipeline_version"),
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("model", Text, primary_key=True),  # name@version
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32, L2-normalised
)

topics = Table(
    "topics",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("title", String(300), nullable=False, server_default=""),
    # The language tag the title is written in (None: no title, or not known).
    Column("title_language", Text, nullable=True),
    # language -> a title written in it, from the topic's members in that language
    Column("titles", JSON, nullable=True),
    Column("merged_into", ForeignKey("topics.id"), nullable=True),
    Column("centroid", LargeBinary, nullable=True),  # float32 mean of prepared member vectors
    Column("embedding_model", Text, nullable=True),
    Column("size", Integer, nullable=False, server_default="0"),
    Column("first_seen", UtcDateTime(), nullable=True),
    Column("last_seen", UtcDateTime(), nullable=True),
    Column("keywords", JSON, nullable=False),  # language -> [word, ...]
    Column("representatives", JSON, nullable=False),  # language -> feedback id (medoid)
    Column("languages", JSON, nullable=False),  # language -> count
    Column("builds", JSON, nullable=False),  # build -> count
    Column("models", JSON, nullable=False),  # device model -> count
    Column("dirty", Boolean, nullable=False, server_default=false()),
    # The build that carries the fix, once staff (or a release) names it.
    Column("fixed_build", String(100), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_topics_product_status", "product_id", "status"),
)

# Staff decisions the re-clustering must respect: pairs of topics never to be merged.
topic_links = Table(
    "topic_links",
    metadata,
    Column("topic_a", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_b", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(20), primary_key=True),  # cannot_merge
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

kind_corrections = Table(
    "kind_corrections",
    metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("corrected_by", String(200), nullable=False),
    Column("corrected_at", UtcDateTime(), nullable=False),
)


# -- web: staff accounts and public votes -------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("role", String(20), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("inbox_seen_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One vote per topic and voter; the voter is an HMAC of the portal visitor's pseudonymous id.
votes = Table(
    "votes",
    metadata,
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("voter_hash", String(64), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    # The voter's segment when known (their own reports or the client say so): votes are
    # corrected by each segment's reporting propensity, never counted raw.
    Column("experience", String(20), nullable=True),
    Column("verified_owner", Boolean, nullable=True),
    Column("model", String(100), nullable=True),
    Column("region", String(2), nullable=True),
    Column("channel", String(20), nullable=True),
)

topic_status_history = Table(
    "topic_status_history",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), nullable=False),
    Column("old_status", String(20), nullable=False),
    Column("new_status", String(20), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_topic_status_history_topic", "topic_id"),
)

# Secrets generated for this installation when none is configured (see accounts/keys.py).
instance_keys = Table(
    "instance_keys",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# -- web: server-side sessions and sign-in throttling ------------------------------------------

# One row per staff sign-in; the cookie holds the random token, the row only its SHA-256.
# Signing out deletes the row; a password, role or disable change deletes all of a user's rows.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 hex of the session token
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Index("ix_staff_sessions_user", "user_id"),
    Index("ix_staff_sessions_expires", "expires_at"),
)

# Failed sign-ins per key (an HMAC of the account and address, or of the address alone), when
# the throttle keeps its state in the database (no `redis_url`).
throttle = Table(
    "throttle",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("next_allowed_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_throttle_updated", "updated_at"),
)

# -- insight ------------------------------------------------------------------------------------

# The priority job's result per live topic: the score and the parts it was computed from.
topic_priorities = Table(
    "topic_priorities",
    metadata,
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("score", Float, nullable=False),
    Column("parts", JSON, nullable=False),
    Column("computed_at", UtcDateTime(), nullable=False),
    Index("ix_topic_priorities_product_score", "product_id", "score"),
)

# Emerging issues as the job after triage found them: when each was first (and last) flagged.
emerging_flags = Table(
    "emerging_flags",
    metadata,
    Column("product_id", ForeignKey("products.id"), primary_key=True),
    Column("build", String(100), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("reason", String(10), nullable=False),  # new | rise
    Column("score", Float, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("first_flagged_at", UtcDateTime(), nullable=False),
    Column("last_flagged_at", UtcDateTime(), nullable=False),
)

# Returns / RMA records. The reason text goes through intake as a feedback item (source
# `returns`), so it is redacted, language-detected and grouped into topics like any report.
returns = Table(
    "returns",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("source", String(64), nullable=False),
    Column("external_id", String(200), nullable=False),  # the RMA number
    Column("day", Date, nullable=False),
    Column("model_id", ForeignKey("device_models.id"), nullable=False),
    Column("build_id", ForeignKey("builds.id"), nullable=True),
    Column("region", String(2), nullable=True),
    Column("batch", String(100), nullable=True),  # production batch / lot
    Column("feedback_id", ForeignKey("feedback.id", ondelete="SET NULL"), nullable=True),
    # sha256 of the record as stored (redacted reason included): a re-sent record with the
    # same hash is a duplicate, with another a conflict.
    Column("content_hash", String(64), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    UniqueConstraint("source", "external_id", name="uq_returns_source_external_id"),
    Index("ix_returns_product_day", "product_id", "day"),
)

# -- releases -----------------------------------------------------------------------------------

# A build offered on a channel following a rollout plan. Product, channel and builds are kept
# as their names (not dimension ids): the update check reads this table alone, without joins.
releases = Table(
    "releases",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("product", String(63), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("build", String(100), nullable=False),
    Column("previous_build", String(100), nullable=True),
    Column("models", JSON, nullable=False),  # [model, ...]; empty: every model
    Column("regions", JSON, nullable=False),  # [region, ...]; empty: every region
    Column("plan", JSON, nullable=False),  # {name, spec, stages: [{percent, ...}]}
    Column("state", String(20), nullable=False),
    Column("stage", SmallInteger, nullable=False),
    Column("stage_started_at", UtcDateTime(), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("product", "channel", "build", name="uq_releases_product_channel_build"),
    Index("ix_releases_state", "state"),
)

# A release's decision log: every change of state or stage, and every hold, with who decided
# (a user, a token or gate:<name>) and why.
release_events = Table(
    "release_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("release_id", ForeignKey("releases.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=False),
    Column("stage", SmallInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_release_events_release", "release_id", "id"),
)
