"""PortalService: what the public portal reads and writes, in domain terms."""

from __future__ import annotations

from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.triage.service import Triage


class PortalService:
    def __init__(
        self, store: Store, settings: Settings, intake: IntakeService, triage: Triage
    ) -> None:
        self.store = store
        self.settings = settings
        self.intake = intake
        self.triage = triage
