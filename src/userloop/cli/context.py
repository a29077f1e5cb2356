"""What every command gets: settings loaded once at the entry point, services on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from userloop.config import Settings, SettingsError, load_settings
from userloop.container import NoDatabaseFile, Services, ServicesUnavailable
from userloop.triage.service import Triage


@dataclass
class CliContext:
    config_file: Path | None
    overrides: dict[str, object] = field(default_factory=dict)
    console: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))
    _settings: Settings | None = None
    _services: Services | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_file, **self.overrides)
            except SettingsError as exc:
                fail(str(exc))
        return self._settings

    def services(self, *, require_schema: bool = True, create: bool = False) -> Services:
        """The services on the configured database. A SQLite file that does not exist is
        refused (connecting would leave an empty file behind) unless `create` is set, as
        only `userloop db upgrade` does."""
        if self._services is None:
            try:
                self._services = Services.open(self.settings, create=create)
            except NoDatabaseFile as exc:
                fail(f"{exc}; run `userloop db upgrade` first")
            except ServicesUnavailable as exc:
                fail(str(exc))
        if require_schema and not self._services.schema_is_current():
            fail(
                f"the database at {self.settings.database_url} is not at the current schema: "
                "run `userloop db upgrade` first"
            )
        return self._services

    def triage(self) -> Triage:
        """The services' triage with its models built now, so that a setup that cannot work
        (a missing extra, heads trained for another embedder) stops with its message instead
        of a traceback in the middle of a batch."""
        services = self.services()
        try:
            services.triage.check()
        # ValueError: TriageSetupError or a model file error; RuntimeError: EmbedderUnavailable
        except (ValueError, RuntimeError) as exc:
            fail(str(exc))
        return services.triage

    def close(self) -> None:
        if self._services is not None:
            self._services.close()


def fail(message: str, code: int = 1) -> NoReturn:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def get(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext)
    return obj
