"""create_app(settings): builds the container (store and services) and the FastAPI app, and mounts
the web layer on it (``web.mount``). Nothing at import."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import FastAPI

from userloop import __version__
from userloop.config import Settings
from userloop.container import Services
from userloop.jobs.worker import Worker
from userloop.triage.service import Triage
from userloop.web.mount import mount

if TYPE_CHECKING:
    # Only the type of a store a caller hands in (tests, `serve`); the container uses it.
    from userloop.store import Store


def create_app(
    settings: Settings,
    store: Store | None = None,
    triage: Triage | None = None,
    *,
    services: Services | None = None,
    worker: bool = False,
) -> FastAPI:
    """The web app. With `worker`, a triage worker thread runs for the app's lifetime.
    `services`, when given, are used as built (the CLI's, sharing its store and models)."""
    services = services or Services.build(settings, store, triage)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        running = None
        if worker:
            running = Worker(
                services.triage,
                batch_size=settings.triage_batch_size,
                poll_seconds=settings.worker_poll_seconds,
                recluster_minutes=settings.recluster_interval_minutes,
                after_triage=services.after_triage_jobs(),
                periodic=services.periodic_jobs(),
            )
            running.start_thread()
        try:
            yield
        finally:
            if running is not None:
                running.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="userloop",
        version=__version__,
        description="Feedback intake, triage and staged releases for device and app makers.",
        docs_url=None,  # served below from the fastapi-offline package, not a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.services = services
    mount(app, settings, services)
    return app
