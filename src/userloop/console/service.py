"""ConsoleService: what the staff console reads and writes, in domain terms."""

from __future__ import annotations

from userloop.config import Settings
from userloop.store import Store
from userloop.triage.service import Triage


class ConsoleService:
    def __init__(self, store: Store, settings: Settings, triage: Triage) -> None:
        self.store = store
        self.settings = settings
        self.triage = triage
