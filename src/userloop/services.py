"""The service container: built once per app or CLI run from settings, then passed in."""

from __future__ import annotations

from dataclasses import dataclass

from userloop.accounts.tokens import TokenService
from userloop.accounts.users import UserService
from userloop.config import Settings
from userloop.console.service import ConsoleService
from userloop.intake.service import IntakeService
from userloop.portal.service import PortalService
from userloop.store import Store
from userloop.triage.service import Triage


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    intake: IntakeService
    tokens: TokenService
    users: UserService
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
        intake = IntakeService(store, settings)
        triage = triage or Triage(store, settings)
        return cls(
            settings=settings,
            store=store,
            intake=intake,
            tokens=TokenService(store),
            users=UserService(store),
            triage=triage,
            portal=PortalService(store, settings, intake, triage),
            console=ConsoleService(store, settings, triage),
        )
