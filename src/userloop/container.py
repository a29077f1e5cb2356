"""The service container: built once per app or CLI run from settings, then passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from userloop.accounts.keys import InstallationKeys, resolve_keys
from userloop.accounts.sessions import SessionService
from userloop.accounts.throttle import Backoff, build_throttle_store
from userloop.accounts.throttle.sign_in import SignInThrottle
from userloop.accounts.tokens import TokenService
from userloop.accounts.users import UserService
from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.triage.service import Triage
from userloop.views.console import ConsoleService
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
    portal: PortalService
    console: ConsoleService

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store | None = None,
        triage: Triage | None = None,
    ) -> Services:
        store = store or Store.from_url(settings.database_url)
        keys = resolve_keys(settings, store)
        # Before `db upgrade` the keys are only this process's: intake then looks again on use.
        stable = None if keys.source == "ephemeral" else keys.pseudonym
        intake = IntakeService(store, settings, pseudonym_key=stable)
        triage = triage or Triage(store, settings)
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
            portal=PortalService(store, settings, intake, triage, keys),
            console=ConsoleService(store, settings, triage),
        )


def _sign_in_throttle(settings: Settings, store: Store, keys: InstallationKeys) -> SignInThrottle:
    delay = float(settings.sign_in_max_delay_seconds)
    return SignInThrottle(
        build_throttle_store(settings, store),
        secret=keys.pseudonym,
        pair=Backoff(settings.sign_in_free_failures, delay),
        address=Backoff(settings.sign_in_address_free_failures, delay),
    )
