"""`userloop serve`: the web app and API on one port."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from userloop.app import create_app
from userloop.cli.context import get


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address [setting: host]")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port [setting: port]")] = None,
) -> None:
    """Serve the API, with a triage worker thread unless `serve_worker` is off."""
    cli = get(ctx)
    services = cli.services()
    settings = services.settings
    host = host or settings.host
    port = port or settings.port
    if settings.serve_worker:
        cli.triage()  # a triage setup that cannot work stops here, not in the worker thread
    cli.console.print(f"userloop serving on http://{host}:{port}/  (API docs: /api/docs)")
    app = create_app(settings, services.store, services.triage, worker=settings.serve_worker)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
