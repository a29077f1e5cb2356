"""The service container: built once per app or CLI run from settings, then passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from userloop.accounts.keys import (
    InstallationKeys,
    KeysConfig,
    resolve_keys,
    rotate_signing_key,
    signing_key_created,
)
from userloop.accounts.sessions import SessionService
from userloop.accounts.throttle import Backoff, ThrottleConfig, build_throttle_store
from userloop.accounts.throttle.sign_in import SignInThrottle
from userloop.accounts.tokens import TokenService
from userloop.accounts.users import UserService
from userloop.config import Settings
from userloop.insight.emerging import EmergingConfig
from userloop.insight.install_base import InstallBaseService
from userloop.insight.priority import PriorityConfig
from userloop.insight.priority_service import PriorityService
from userloop.insight.returns_service import ReturnsService
from userloop.insight.service import EmergingService
from userloop.intake.service import IntakeConfig, IntakeService
from userloop.notify.base import Notifier, build_notifier
from userloop.release import gates
from userloop.release.checks import CheckConfig, ReleaseChecks
from userloop.release.health import StoreMetrics
from userloop.release.service import ReleaseService
from userloop.store import Store
from userloop.store.engine import StoreConfigError, missing_sqlite_file
from userloop.store.vectors import VectorIndex, VectorIndexOptions, build_vector_index
from userloop.topics.lifecycle import TopicService
from userloop.topics.merge_suggestions import MergeSuggestionService
from userloop.topics.similar import SimilarService
from userloop.topics.votes import VoteService
from userloop.triage.pipeline import TriageComponents
from userloop.triage.service import Triage, TriageConfig
from userloop.views.console import ConsoleService
from userloop.views.feedback import FeedbackView
from userloop.views.portal import PortalService


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    keys: InstallationKeys
    intake: IntakeService
    tokens: TokenService
    users: UserService
    sessions: SessionService
    sign_in_throttle: SignInThrottle
    triage: Triage
    topics: TopicService
    merges: MergeSuggestionService
    similar: SimilarService
    votes: VoteService
    portal: PortalService
    console: ConsoleService
    feedback: FeedbackView
    emerging: EmergingService
    priorities: PriorityService
    install_base: InstallBaseService
    returns: ReturnsService
    releases: ReleaseService
    notifier: Notifier
    release_checks: ReleaseChecks

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store | None = None,
        triage: Triage | None = None,
    ) -> Services:
        store = store or Store.from_url(settings.database_url)
        keys = resolve_keys(keys_config(settings), store)
        # Before `db upgrade` the keys are only this process's: intake then looks again on use.
        stable = None if keys.source == "ephemeral" else keys.pseudonym
        intake = IntakeService(store, intake_config(settings), pseudonym_key=stable)
        triage = triage or build_triage(settings, store)
        # The lifecycle asks for the pipeline only when an operation needs it.
        topics = TopicService(store, lambda: triage.pipeline)
        similar = build_similar(triage)
        votes = VoteService(store, keys.pseudonym)  # voters are pseudonymised like reporters
        releases = ReleaseService(store, default_product=settings.default_product)
        return cls(
            settings=settings,
            store=store,
            keys=keys,
            intake=intake,
            tokens=TokenService(store),
            users=UserService(store),
            sessions=SessionService(store, timedelta(hours=settings.session_hours)),
            sign_in_throttle=_sign_in_throttle(settings, store, keys),
            triage=triage,
            topics=topics,
            merges=MergeSuggestionService(
                store, topics, lambda: triage.pipeline, settings.merge_suggestion_floor
            ),
            similar=similar,
            votes=votes,
            portal=PortalService(store, intake, similar, votes, keys.signing),
            console=ConsoleService(store, topics, triage),
            feedback=FeedbackView(store),
            emerging=EmergingService(store, emerging_config(settings)),
            priorities=PriorityService(store, priority_config(settings)),
            releases=releases,
            install_base=InstallBaseService(store, settings.default_product),
            returns=ReturnsService(store, settings.default_product),
            notifier=build_notifier(settings.notifier),
            release_checks=ReleaseChecks(
                releases,
                StoreMetrics(store, settings.release_negative_sentiment),
                check_config(settings),
            ),
        )

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False) -> Services:
        """The services on the configured database, for a command line run: a SQLite file that
        does not exist is refused (connecting would leave an empty file behind) unless `create`
        is set, and a database URL that cannot work is refused with its reason."""
        missing = None if create else missing_sqlite_file(settings.database_url)
        if missing is not None:
            raise NoDatabaseFile(missing)
        try:
            return cls.build(settings)
        except StoreConfigError as exc:
            raise ServicesUnavailable(str(exc)) from exc

    def after_triage_jobs(self) -> list[Callable[[], object]]:
        """What runs once new feedback is triaged (the worker, `userloop triage`, the demo):
        the jobs that read topics and must never run in a web request. The release checks
        come after the emerging job, whose flags they read."""
        jobs: list[Callable[[], object]] = [self.emerging.record, self.priorities.recompute]
        return [*jobs, self.release_checks.run_due_checks]

    def periodic_jobs(self) -> list[tuple[float, Callable[[], object]]]:
        """(seconds, job): what the worker runs on a timer whether or not feedback arrives.
        The release checks look every 5 minutes and act only on the releases that are due
        (every `release_check_interval_hours` during a stage)."""
        return [(300.0, self.release_checks.run_due_checks)]

    def run_after_triage(self) -> None:
        for job in self.after_triage_jobs():
            job()

    def database_ok(self) -> bool:
        """Whether the database answers now (the health check)."""
        return self.store.ping()

    def schema_is_current(self) -> bool:
        return self.store.is_up_to_date()

    def close(self) -> None:
        self.store.close()

    def upgrade_schema(self) -> None:
        """Create or migrate the schema (the demo's fresh database; `userloop db upgrade`)."""
        self.store.upgrade()

    def signing_key_created(self) -> datetime | None:
        return signing_key_created(self.store)

    def rotate_signing_key(self, actor: str) -> None:
        rotate_signing_key(self.store, actor)


class ServicesUnavailable(Exception):
    """The configured database cannot be used; the message says why."""


class NoDatabaseFile(ServicesUnavailable):
    def __init__(self, path: Path) -> None:
        super().__init__(f"no database at {path}")
        self.path = path


def triage_config(settings: Settings) -> TriageConfig:
    return TriageConfig(
        embedder=settings.embedder,
        embedder_threads=settings.embedder_threads,
        triage_languages=settings.triage_languages,
        language_min_confidence=settings.language_min_confidence,
        topic_threshold=settings.topic_threshold,
        kind_model_path=settings.kind_model_path,
        topic_similarity=settings.topic_similarity,
        similarity_model_path=settings.similarity_model_path,
        sentiment_model_path=settings.sentiment_model_path,
        triage_batch_size=settings.triage_batch_size,
        recluster_window=settings.recluster_window,
        similar_lexical_weight=settings.similar_lexical_weight,
        vector_index=settings.vector_index,
        vector_index_max_vectors=settings.vector_index_max_vectors,
    )


def build_triage(
    settings: Settings,
    store: Store,
    components: TriageComponents | Callable[[], TriageComponents] | None = None,
) -> Triage:
    """Triage on `store` configured by `settings`; `components` replaces the real stages
    (tests and evaluations pass fakes). The topic lifecycle refreshes the summaries of the
    topics each batch touches; it asks for the pipeline only when an operation needs it."""
    summaries = TopicService(store, lambda: triage.pipeline)
    triage = Triage(store, triage_config(settings), components, summaries=summaries)
    return triage


def build_similar(triage: Triage) -> SimilarService:
    """ "Already reported?" on triage's pipeline (built on first use: loading the models takes
    seconds and most commands never need them), with the configured lexical weight and
    vector indexes."""
    config = triage.config

    def index(purpose: str) -> VectorIndex:
        options = VectorIndexOptions(config.vector_index_max_vectors, purpose)
        return build_vector_index(config.vector_index, options)

    return SimilarService(
        triage.store,
        lambda: triage.pipeline,
        lexical_weight=config.similar_lexical_weight,
        topic_index=index("similar-topics"),
        item_index=index("similar-items"),
    )


def emerging_config(settings: Settings) -> EmergingConfig:
    return EmergingConfig(
        alpha=settings.emerging_alpha,
        min_count=settings.emerging_min_count,
        min_new_count=settings.emerging_min_new_count,
        window=settings.emerging_window or None,
        recent=settings.emerging_recent_share or None,
    )


def priority_config(settings: Settings) -> PriorityConfig:
    return PriorityConfig(
        kind_weights=dict(settings.priority_kind_weights),
        sentiment_weight=settings.priority_sentiment_weight,
        segment_weights={k: dict(v) for k, v in settings.priority_segment_weights.items()},
        votes_weight=settings.priority_votes_weight,
        trend_weight=settings.priority_trend_weight,
        trend_cap=settings.priority_trend_cap,
        recency_half_life_days=settings.priority_recency_half_life_days,
        prior_strength=settings.priority_prior_strength,
        window_days=settings.priority_window_days,
    )


def check_config(settings: Settings) -> CheckConfig:
    mdd = {
        **gates.DEFAULT_MDD,
        **{gates.Metric(k): v for k, v in settings.release_gate_mdd.items()},
    }
    return CheckConfig(
        interval=timedelta(hours=settings.release_check_interval_hours),
        gate=gates.GateConfig(
            alpha=settings.release_gate_alpha,
            mdd=mdd,
            crash_guard=settings.release_crash_guard or None,
            max_emerging_flags=settings.release_max_emerging_flags,
        ),
    )


def keys_config(settings: Settings) -> KeysConfig:
    return KeysConfig(secret_key=settings.secret_key)


def throttle_config(settings: Settings) -> ThrottleConfig:
    return ThrottleConfig(redis_url=settings.redis_url, redis_prefix=settings.redis_prefix)


def intake_config(settings: Settings) -> IntakeConfig:
    return IntakeConfig(
        default_product=settings.default_product,
        max_text_chars=settings.max_text_chars,
        import_batch_size=settings.import_batch_size,
        secret_key=settings.secret_key,
    )


def _sign_in_throttle(settings: Settings, store: Store, keys: InstallationKeys) -> SignInThrottle:
    delay = float(settings.sign_in_max_delay_seconds)
    return SignInThrottle(
        build_throttle_store(throttle_config(settings), store),
        secret=keys.pseudonym,
        pair=Backoff(settings.sign_in_free_failures, delay),
        address=Backoff(settings.sign_in_address_free_failures, delay),
    )
