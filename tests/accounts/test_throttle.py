"""The console's sign-in throttle: it slows guessing per (account, address) pair without locking
the owner out, slows spraying per address, and keeps its state where every web process (and a
restarted one) sees it: the database, or Redis when `redis_url` is set.

Database tests run on SQLite, and on PostgreSQL too when USERLOOP_TEST_POSTGRES_URL is set; Redis
tests use the local Redis (see tests/redis_support.py). Time comes from a fake clock."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.redis_support import REDIS_URL, redis_prefix
from tests.triage_fakes import fake_triage
from tests.web_helpers import PASSWORD, add_user, csrf, web_client
from userloop.accounts.throttle import (
    Backoff,
    ThrottleConfig,
    ThrottleStore,
    ThrottleUnavailable,
    build_throttle_store,
)
from userloop.accounts.throttle.database import DatabaseThrottleStore
from userloop.accounts.throttle.redis import RedisThrottleStore
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.store.tables import throttle

WRONG = "not the password"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def prefix() -> Iterator[str]:
    yield from redis_prefix()


@pytest.fixture(params=["database", "redis"])
def throttle_store(request: pytest.FixtureRequest, store: Store) -> Iterator[ThrottleStore]:
    if request.param == "database":
        yield DatabaseThrottleStore(store)
        return
    for prefix in redis_prefix():
        yield RedisThrottleStore(REDIS_URL, prefix=prefix)


@contextmanager
def app_client(settings: Settings, store: Store, clock: Clock) -> Iterator[TestClient]:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        client.app.state.services.sign_in_throttle.clock = clock  # type: ignore[attr-defined]
        yield client


def from_address(client: TestClient, ip: str) -> TestClient:
    """A browser at another address, on the same app."""
    return TestClient(client.app, base_url="https://testserver", client=(ip, 40000))


def attempt(client: TestClient, username: str, password: str, lang: str = "en") -> Any:
    headers = {"accept-language": lang}
    page = client.get("/console/sign-in", headers=headers)
    return client.post(
        "/console/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf(page.text)},
        headers=headers,
        follow_redirects=False,
    )


def wait_of(client: TestClient, username: str, ip: str = "testclient") -> float:
    throttle_ = client.app.state.services.sign_in_throttle  # type: ignore[attr-defined]
    return float(throttle_.wait_seconds(username, ip))


def fail_patiently(client: TestClient, clock: Clock, username: str, times: int) -> None:
    """Wrong passwords, each sent once the throttle lets it be checked."""
    for _ in range(times):
        clock.advance(wait_of(client, username))
        assert attempt(client, username, WRONG).status_code == 401


# -- the policy and the stores ----------------------------------------------------------------


def test_backoff_doubles_after_the_free_failures_up_to_the_cap() -> None:
    backoff = Backoff(free_failures=5, max_delay=900)
    assert [backoff.delay(n) for n in range(1, 12)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32]
    assert backoff.delay(15) == 512 and backoff.delay(16) == 900 and backoff.delay(10_000) == 900


def test_store_counts_clears_and_forgets(throttle_store: ThrottleStore, clock: Clock) -> None:
    backoff = Backoff(free_failures=2, max_delay=60, forget_after=3600)
    now = clock()
    assert throttle_store.state("k", now, backoff) is None
    for _ in range(2):
        assert throttle_store.fail("k", now, backoff).next_allowed_at == now
    third = throttle_store.fail("k", now, backoff)
    assert third.failures == 3 and third.next_allowed_at == now + timedelta(seconds=1)
    state = throttle_store.state("k", now, backoff)
    assert state is not None and state.failures == 3
    assert state.next_allowed_at == now + timedelta(seconds=1)
    assert throttle_store.state("other", now, backoff) is None
    # A day without failures: forgotten, and the next failure counts from one again.
    later = now + timedelta(seconds=3601)
    assert throttle_store.state("k", later, backoff) is None
    assert throttle_store.fail("k", later, backoff).failures == 1
    throttle_store.clear("k")
    assert throttle_store.state("k", later, backoff) is None


def test_the_config_picks_the_backend(store: Store) -> None:
    assert isinstance(build_throttle_store(ThrottleConfig("", "x:"), store), DatabaseThrottleStore)
    redis_store = build_throttle_store(ThrottleConfig(REDIS_URL, "x:"), store)
    assert isinstance(redis_store, RedisThrottleStore)


def test_missing_redis_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ThrottleUnavailable, match=r"pip install 'userloop\[redis\]'"):
        RedisThrottleStore("redis://127.0.0.1:6379/0")


# -- sign-in ----------------------------------------------------------------------------------


def test_the_owner_gets_in_after_the_delay_and_at_once_from_another_address(
    settings: Settings, store: Store, clock: Clock
) -> None:
    with app_client(settings, store, clock) as client:
        add_user(client, "owner", Role.ADMIN)
        fail_patiently(client, clock, "owner", 10)
        # Ten failures (five free): the pair waits 16 seconds, and the password is not checked.
        refused = attempt(client, "owner", PASSWORD)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "16"
        assert "Please wait 16 seconds before trying again." in refused.text
        assert client.get("/console/", follow_redirects=False).status_code == 303
        # The right password from another address is not held up at all.
        elsewhere = from_address(client, "192.0.2.7")
        assert attempt(elsewhere, "owner", PASSWORD).status_code == 303
        assert elsewhere.get("/console/", follow_redirects=False).status_code == 200
        # Nor is another account from the same address.
        add_user(client, "colleague", Role.VIEWER)
        assert attempt(client, "colleague", WRONG).status_code == 401
        # After the delay the owner gets in from here too, and the pair starts afresh.
        clock.advance(16)
        assert attempt(client, "owner", PASSWORD).status_code == 303
        assert client.get("/console/", follow_redirects=False).status_code == 200
        assert wait_of(client, "owner") == 0


def test_the_wait_is_localised_and_grows_to_minutes(
    settings: Settings, store: Store, clock: Clock
) -> None:
    quick = settings.model_copy(update={"sign_in_free_failures": 1})
    with app_client(quick, store, clock) as client:
        add_user(client, "ivan", Role.VIEWER)
        fail_patiently(client, clock, "ivan", 3)  # waits 1, then 2 seconds
        refused = attempt(client, "ivan", PASSWORD, lang="ru")
        assert refused.status_code == 429
        assert "Подождите 2 секунды" in refused.text
        fail_patiently(client, clock, "ivan", 5)  # 8 failures: 64 seconds
        refused = attempt(client, "ivan", PASSWORD, lang="nl")
        assert refused.headers["retry-after"] == "64"
        assert "Wacht 2 minuten" in refused.text


def test_the_wait_is_capped(settings: Settings, store: Store, clock: Clock) -> None:
    capped = settings.model_copy(
        update={"sign_in_free_failures": 1, "sign_in_max_delay_seconds": 5}
    )
    with app_client(capped, store, clock) as client:
        add_user(client, "cap", Role.VIEWER)
        fail_patiently(client, clock, "cap", 8)
        assert wait_of(client, "cap") == 5


def test_one_address_trying_many_accounts_is_slowed_for_every_account(
    settings: Settings, store: Store, clock: Clock
) -> None:
    spraying = settings.model_copy(update={"sign_in_address_free_failures": 3})
    with app_client(spraying, store, clock) as client:
        add_user(client, "target", Role.ADMIN)
        for name in ("a1", "a2", "a3", "a4"):
            assert attempt(client, name, WRONG).status_code == 401
        # Four failures from this address (three free): every account waits here...
        assert attempt(client, "target", PASSWORD).status_code == 429
        # ...but not from elsewhere.
        assert attempt(from_address(client, "198.51.100.4"), "target", PASSWORD).status_code == 303
        clock.advance(1)
        assert attempt(client, "target", PASSWORD).status_code == 303


def test_throttle_state_survives_a_restart(settings: Settings, store: Store, clock: Clock) -> None:
    with app_client(settings, store, clock) as client:
        add_user(client, "rita", Role.TRIAGER)
        fail_patiently(client, clock, "rita", 10)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(throttle)).scalar_one() == 2
    again = Store.from_url(settings.database_url)  # a new process on the same database
    try:
        with app_client(settings, again, clock) as client:
            assert attempt(client, "rita", PASSWORD).status_code == 429
            clock.advance(16)
            assert attempt(client, "rita", PASSWORD).status_code == 303
    finally:
        again.close()


def test_redis_backend_keeps_the_state_out_of_the_database(
    settings: Settings, store: Store, clock: Clock, prefix: str
) -> None:
    with_redis = settings.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": prefix})
    with app_client(with_redis, store, clock) as client:
        assert isinstance(
            client.app.state.services.sign_in_throttle.store,  # type: ignore[attr-defined]
            RedisThrottleStore,
        )
        add_user(client, "rex", Role.TRIAGER)
        fail_patiently(client, clock, "rex", 10)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(throttle)).scalar_one() == 0
    with app_client(with_redis, store, clock) as client:  # restarted: Redis still knows
        assert attempt(client, "rex", PASSWORD).status_code == 429
        clock.advance(16)
        assert attempt(client, "rex", PASSWORD).status_code == 303
