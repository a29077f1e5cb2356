"""Settings: each declared once, with name, type, default and help.

Values come from (highest first) explicit overrides, ``USERLOOP_*`` environment variables,
and an optional TOML file (``--config`` or ``USERLOOP_CONFIG``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Re-exported: `userloop serve` and tests name them from here.
from userloop.domain.rules.secrets import DEV_SECRET_KEY as DEV_SECRET_KEY
from userloop.domain.rules.secrets import MIN_SECRET_CHARS as MIN_SECRET_CHARS
from userloop.domain.rules.secrets import is_public_secret

ENV_PREFIX = "USERLOOP_"
CONFIG_ENV = "USERLOOP_CONFIG"


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which setting and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    env: Literal["development", "production"] = Field(
        "development",
        description="Deployment kind. `production` refuses unsafe defaults such as the "
        "development secret key.",
    )
    database_url: str = Field(
        "sqlite:///userloop.db",
        description="SQLAlchemy URL of the store. SQLite (a file in the working directory) by "
        "default; `postgresql+psycopg://user@host/db` in production (extra `postgres`).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Secret that signs sessions and links and pseudonymises reporter ids (HMAC), "
        "32+ characters. Empty (the default): the installation generates its own random keys on "
        "first use and keeps them in the database (table `instance_keys`), so every process on "
        "that database shares them. Set it only to share a key you manage yourself; changing it "
        "ends sessions, breaks private links and splits existing reporters (see "
        "docs/security.md).",
    )
    default_product: str = Field(
        "default",
        description="Product slug used for feedback and telemetry that name no product.",
        pattern=r"^[a-z0-9][a-z0-9-]{0,62}$",
    )
    host: str = Field("127.0.0.1", description="Address `userloop serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `userloop serve` listens on.")
    max_text_chars: int = Field(
        20_000,
        ge=1,
        description="Longest feedback text accepted, in characters after normalisation.",
    )
    api_batch_limit: int = Field(
        1_000, ge=1, description="Most items accepted by one `POST /api/v1/feedback:batch`."
    )
    api_max_body_bytes: int | None = Field(
        None,
        ge=1024,
        description="Largest request body read under `/api`, in bytes; a larger one is refused "
        "with 413 before it is read, and a body sent without a valid token is refused with 401 "
        "before it is read. Empty: derived from the limits, `api_batch_limit` x "
        "(`max_text_chars` x 4 + 4096) bytes (a full batch of the longest texts; about 84 MB "
        "with the defaults).",
    )
    api_page_size: int = Field(
        50, ge=1, le=1_000, description="Default page size of `GET /api/v1/feedback`."
    )
    api_max_page_size: int = Field(
        500, ge=1, description="Largest page size a client may ask for with `limit`."
    )
    import_batch_size: int = Field(
        1_000,
        ge=1,
        le=50_000,
        description="Rows per transaction when importing files; an interrupted import keeps "
        "every finished transaction.",
    )
    embedder: str = Field(
        "use-m3",
        description="Embedding model: `use-m3` (multilingual, offline, default), `hashing` "
        "(fast test double), or `sentence-transformers:<model or path>` (extra `st`; never "
        "downloads: the model must be on disk).",
    )
    embedder_threads: int = Field(2, ge=1, le=64, description="CPU threads for embedding.")
    triage_languages: str = Field(
        "",
        description="Comma-separated BCP 47 tags language detection may answer; empty means "
        "the languages the embedder supports.",
    )
    language_min_confidence: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Below this detector confidence an item's language is `und`.",
    )
    topic_threshold: float | None = Field(
        None,
        ge=-1,
        le=1,
        description="Similarity an item needs to join an existing topic; empty uses the "
        "clustering default measured in BENCHMARKS.md.",
    )
    triage_batch_size: int = Field(
        256,
        ge=1,
        le=5_000,
        description="Feedback items triaged per transaction by a worker (larger batches keep "
        "the embedder's threads busy: 256 triages about 40% faster than 64, and a batch still "
        "takes well under a second).",
    )
    worker_poll_seconds: float = Field(
        2.0, gt=0, description="How long an idle worker waits before looking for new feedback."
    )
    recluster_interval_minutes: float = Field(
        60,
        ge=0,
        description="How often a worker re-clusters topics (merge near-duplicates, split "
        "incoherent ones); 0 turns it off.",
    )
    similar_lexical_weight: float = Field(
        0.65,
        ge=0.0,
        le=1.0,
        description="Share of BM25 (words) against embedding cosine when finding similar "
        "feedback items (`userloop similar --items`, `--source/--external-id`); 0 uses the "
        "embedding alone. 0.65 was chosen on the GitBugs Hadoop training pairs.",
    )
    merge_suggestion_floor: float = Field(
        0.1,
        ge=-1.0,
        le=1.0,
        description="Lowest cosine between two topics' centroids (in the topic space) at "
        "which the console and `GET /api/v1/merge-suggestions` suggest merging them. Lower "
        "shows more pairs, more of them wrong; chosen on the demo world (BENCHMARKS.md).",
    )
    emerging_alpha: float = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="False discovery rate of the emerging-issues test per build "
        "(Benjamini-Hochberg over the build's topics; docs/insight.md). Lower flags fewer "
        "topics, later.",
    )
    emerging_min_count: int = Field(
        3,
        ge=1,
        description="Fewest reporters of a topic on a build before its rise on that build can "
        "be flagged as emerging.",
    )
    emerging_min_new_count: int = Field(
        5,
        ge=1,
        description="Fewest reporters of a topic that no earlier build had before it is "
        "flagged as new on the build.",
    )
    emerging_window: int = Field(
        0,
        ge=0,
        description="Earlier builds a build is compared with for emerging issues: the last "
        "this many (in release order); 0 compares with all earlier builds.",
    )
    emerging_recent_share: float = Field(
        0.5,
        ge=0.0,
        description="A rise is flagged only when it also holds against the latest earlier "
        "builds whose exposure adds up to this share of the build's own (usually the build "
        "before), so a topic that rose on an earlier build and stayed is not flagged again; "
        "0 turns this second test off (docs/insight.md).",
    )
    priority_window_days: int = Field(
        28,
        ge=14,
        le=365,
        description="Days of reports, votes and install base (ending at the product's newest "
        "data) that topic priorities are computed over; at least 14, for the trend's two "
        "weeks (docs/insight.md, 'Priority').",
    )
    priority_prior_strength: float = Field(
        5.0,
        gt=0.0,
        description="Strength of the prior that pulls a small cell's reporting propensity "
        "toward its segment's (and a segment's toward the product's), in reporters: a cell "
        "with far more reporters than this keeps its own rate.",
    )
    priority_kind_weights: dict[str, float] = Field(
        default={"bug": 1.0, "feature": 0.4, "question": 0.25, "other": 0.2, "praise": 0.05},
        description="Severity of each kind in the priority score (a kind left out weighs 0). "
        "A bug costs users something now; a wish, a question or praise much less.",
    )
    priority_sentiment_weight: float = Field(
        1.0,
        ge=0.0,
        description="How much negative sentiment raises a topic's priority: the score is "
        "multiplied by 1 + this × the reports' mean negativity (0 to 1); 1 lets a very "
        "negative topic count twice.",
    )
    priority_segment_weights: dict[str, dict[str, float]] = Field(
        default={
            "verified_owner": {"true": 1.0, "unknown": 0.8, "false": 0.5},
            "experience": {"novice": 1.0, "advanced": 1.0, "pro": 1.0, "unknown": 1.0},
            "channel": {"stable": 1.0, "beta": 0.9, "dev": 0.8},
            "model": {},
            "region": {},
        },
        description="Weights of reporters and voters by attribute (verified_owner, "
        "experience, channel, model, region) and value; a value left out weighs 1. Verified "
        "owners count fully, people who do not own the device half.",
    )
    priority_votes_weight: float = Field(
        1.0,
        ge=0.0,
        description="How far votes can raise a topic's reach: at most 1 + this times, however "
        "many votes, since votes confirm a reach but never replace it.",
    )
    priority_trend_weight: float = Field(
        0.5,
        ge=0.0,
        description="Exponent of the growth factor (last 7 days against the 7 before, or the "
        "newest build against the earlier ones): 0.5 lets a topic growing fourfold count "
        "twice.",
    )
    priority_trend_cap: float = Field(
        4.0,
        ge=1.0,
        description="Growth beyond this many times (or shrinking below its inverse) counts as "
        "this much, so a topic's first reports do not count as unbounded growth.",
    )
    priority_recency_half_life_days: float = Field(
        14.0,
        gt=0.0,
        description="Days after a topic's last report at which its priority is halved.",
    )
    release_check_interval_hours: float = Field(
        6.0,
        gt=0.0,
        le=168.0,
        description="Hours between two health-gate checks of a rolling-out release during a "
        "stage (the worker runs due checks; docs/releases.md). The gates stay valid however "
        "often they look; more often halts a bad build sooner.",
    )
    release_gate_alpha: float = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="False-alarm rate of the health gates over a whole release, all metrics "
        "together: a good build is halted with at most this probability.",
    )
    release_gate_mdd: dict[str, float] = Field(
        default={
            "crash_rate": 0.5,
            "feedback_rate": 0.5,
            "negative_share": 0.5,
            "returns_rate": 1.0,
        },
        description="Minimum detectable degradation per gate metric, as the ratio to the "
        "baseline minus 1 (0.5: 50 % worse); the gates are tuned to find these sizes fastest. "
        "A metric left out keeps its default.",
    )
    release_crash_guard: float = Field(
        0.0109,
        ge=0.0,
        lt=1.0,
        description="Absolute ceiling on the new build's crash rate per active device-day "
        "(1.09 %, Android vitals' bad-behaviour threshold); 0 turns the guard off.",
    )
    release_negative_sentiment: float = Field(
        -0.25,
        ge=-1.0,
        le=1.0,
        description="Feedback whose triage sentiment (-1 to 1) is at or below this counts as "
        "negative in the gates' negative share (-0.25: halfway between neutral and two stars).",
    )
    release_max_emerging_flags: int = Field(
        0,
        ge=0,
        description="Topics whose rise on a release's new build the gates' own per-topic test "
        "confirms (emerging issues, docs/releases.md) that the gates tolerate; one more halts "
        "the release.",
    )
    recluster_window: int = Field(
        4000,
        ge=2,
        le=20_000,
        description="Items per product that re-clustering regroups from scratch: the members "
        "of the topics with the newest reports that are still `new` and untouched by staff. "
        "Memory grows with its square: the n x n similarities and average linkage's copies "
        "(4,000: about 0.5 GB at the peak; 2,000: about 0.2 GB).",
    )
    vector_index: str = Field(
        "memory",
        description="Where vectors are searched: topic centroids for assignment, and topics "
        "and items for 'already reported?'. `memory`: in each process's memory, bounded by "
        "`vector_index_max_vectors` (docs/vectors.md).",
    )
    vector_index_max_vectors: int = Field(
        100_000,
        ge=1,
        description="Most vectors one in-memory vector index holds (each process has up to "
        "three: the worker's topic centroids, the web's topics and items). Each takes the "
        "embedder's dimensions x 4 bytes plus about 250 (use-m3, 512 dimensions: about 2.3 "
        "KiB; 100,000: about 230 MiB). When full, the least recently added or updated vector "
        "is dropped: the oldest items stop being offered as similar, and the topic longest "
        "without a new member stops taking new items until re-clustering merges its successor "
        "back.",
    )
    topic_similarity: Literal["learned", "plain"] = Field(
        "learned",
        description="How topics compare reports. `learned`: the embedding whitened by the "
        "within-topic scatter learned from public clusters and translations (and, after "
        "`userloop model train-similarity`, this installation's staff decisions); an item "
        "joins the topic whose normalised centroid is closest in cosine. `plain`: the centred "
        "embedding and the mean similarity to a topic's members (the rule before issue 11).",
    )
    similarity_model_path: str | None = Field(
        None,
        description="Learned similarity (.npz) to use instead of the shipped one, e.g. from "
        "`userloop model train-similarity`.",
    )
    kind_model_path: str | None = Field(
        None,
        description="Kind classifier weights (.npz) to use instead of the shipped ones, e.g. "
        "from `userloop model train-kind`.",
    )
    sentiment_model_path: str | None = Field(
        None,
        description="Sentiment model weights (.npz) to use instead of the shipped ones, e.g. "
        "from `userloop model train-sentiment`.",
    )

    @field_validator("similarity_model_path", "kind_model_path", "sentiment_model_path")
    @classmethod
    def _empty_path_is_none(cls, value: str | None) -> str | None:
        # `USERLOOP_KIND_MODEL_PATH=` (set but empty) means the shipped model, not the file "".
        return value if value is None or value.strip() else None

    @field_validator("priority_kind_weights")
    @classmethod
    def _kind_weights(cls, value: dict[str, float]) -> dict[str, float]:
        kinds = ("bug", "feature", "question", "praise", "other")
        if set(value) - set(kinds) or any(w < 0 for w in value.values()):
            raise ValueError(f"kinds are {', '.join(kinds)}, each with a weight of 0 or more")
        return value

    @field_validator("release_gate_mdd")
    @classmethod
    def _gate_mdd(cls, value: dict[str, float]) -> dict[str, float]:
        metrics = ("crash_rate", "feedback_rate", "negative_share", "returns_rate")
        if set(value) - set(metrics) or any(v <= 0 for v in value.values()):
            raise ValueError(f"metrics are {', '.join(metrics)}, each with a value above 0")
        return value

    @field_validator("priority_segment_weights")
    @classmethod
    def _segment_weights(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        attributes = ("verified_owner", "experience", "channel", "model", "region")
        if set(value) - set(attributes):
            raise ValueError(f"segment attributes are {', '.join(attributes)}")
        if any(w < 0 for weights in value.values() for w in weights.values()):
            raise ValueError("segment weights must be 0 or more")
        return value

    serve_worker: bool = Field(
        True,
        description="Run a triage worker thread inside `userloop serve` and `userloop demo`, so "
        "new feedback is triaged within seconds without a separate `userloop worker`.",
    )
    secure_cookies: bool = Field(
        True,
        description="Mark session and language cookies `Secure` (sent over HTTPS only; browsers "
        "also send them to `localhost`). Turn off only to reach a plain-HTTP server by name or IP.",
    )
    session_hours: int = Field(
        12, ge=1, le=24 * 90, description="How long a staff sign-in lasts, in hours."
    )
    portal_submissions_per_hour: int = Field(
        20,
        ge=1,
        description="Most portal submissions accepted per client IP address in an hour; more are "
        "refused with a localised message. The same limit applies per reporter.",
    )
    portal_votes_per_hour: int = Field(
        60, ge=1, description="Most portal votes accepted per client IP address in an hour."
    )
    portal_suggestions_per_minute: int = Field(
        60,
        ge=1,
        description='Most "already reported?" suggestion requests answered per client IP '
        "address in a minute (each embeds text); a person typing asks a few times a minute. "
        "More get status 429 and no suggestions. Counted in each web process.",
    )
    sign_in_free_failures: int = Field(
        5,
        ge=1,
        le=1_000,
        description="Failed console sign-ins one username may have from one client IP before "
        "that pair must wait: 1 second after the next failure, then twice as long after each "
        "further one, up to `sign_in_max_delay_seconds`. The account is never locked: another "
        "IP is not held up, and a successful sign-in clears the pair's count.",
    )
    sign_in_address_free_failures: int = Field(
        100,
        ge=1,
        description="Failed console sign-ins one client IP may have across all usernames before "
        "every sign-in from it waits in the same growing way (slows password spraying). "
        "Failures are forgotten a day after the last one.",
    )
    sign_in_max_delay_seconds: int = Field(
        900,
        ge=1,
        le=24 * 3600,
        description="Longest wait, in seconds, the sign-in throttle imposes before the next "
        "attempt is checked.",
    )
    redis_url: str = Field(
        "",
        description="Redis URL (`redis://host:6379/0`, extra `redis`) for the sign-in "
        "throttle's state, shared by every web process. Empty (the default): the database's "
        "`throttle` table.",
    )
    redis_prefix: str = Field(
        "userloop:",
        max_length=100,
        description="Prefix of every key userloop writes in Redis, so several installations "
        "can share one Redis.",
    )
    notifier: str = Field(
        "memory",
        description="How reporters are notified (docs/notify.md). `memory`: messages are kept "
        "in the process's memory and nothing is sent (tests, the demo).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Logging level of the server and jobs."
    )

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.env == "production" and self.secret_key is not None:
            key = self.secret_key.get_secret_value()
            if is_public_secret(key):
                raise ValueError(
                    f"USERLOOP_SECRET_KEY must be a private value of {MIN_SECRET_CHARS}+ "
                    "characters when USERLOOP_ENV=production (or unset: the installation then "
                    "generates its own key)"
                )
        return self

    @property
    def api_body_limit(self) -> int:
        if self.api_max_body_bytes is not None:
            return self.api_max_body_bytes
        return self.api_batch_limit * (self.max_text_chars * 4 + 4096)


@dataclass(frozen=True)
class SettingInfo:
    name: str
    env_var: str
    type: str
    default: str
    help: str


def describe_settings() -> list[SettingInfo]:
    """The settings table that drives `userloop settings` and docs/settings.md."""
    rows = []
    for name, field in Settings.model_fields.items():
        default = field.default
        if name == "secret_key":
            default = "(generated per installation)"
        annotation = field.annotation
        type_name = getattr(annotation, "__name__", None) or str(annotation)
        if "Literal" in str(annotation):
            type_name = " | ".join(repr(a) for a in getattr(annotation, "__args__", ()))
        rows.append(
            SettingInfo(
                name=name,
                env_var=f"{ENV_PREFIX}{name.upper()}",
                type=type_name,
                default=str(default),
                help=field.description or "",
            )
        )
    return rows


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from exc
    # Accept both a top-level table and a [userloop] section.
    section = data.get("userloop", data)
    if not isinstance(section, dict):
        raise SettingsError(f"config file {path}: [userloop] must be a table")
    unknown = sorted(set(section) - set(Settings.model_fields))
    if unknown:
        raise SettingsError(f"config file {path}: unknown setting(s) {', '.join(unknown)}")
    return dict(section)


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Build settings: overrides > environment > TOML file > defaults."""
    path = config_file or os.environ.get(CONFIG_ENV)
    file_values = _read_toml(Path(path)) if path else {}
    from_env = {n for n in Settings.model_fields if f"{ENV_PREFIX}{n.upper()}" in os.environ}
    init = {k: v for k, v in file_values.items() if k not in from_env}
    init.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**init)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from exc
