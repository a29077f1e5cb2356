"""`userloop serve`: the web app and API on one port."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer
import uvicorn

from userloop.app import create_app
from userloop.cli.context import fail, get
from userloop.config import MIN_SECRET_CHARS


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine alone."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


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
    if services.keys.is_public and not is_loopback(host):
        fail(
            f"refusing to serve on {host}: secret_key is public or shorter than "
            f"{MIN_SECRET_CHARS} characters, so anyone could forge a staff session. Unset it "
            "(the installation then uses its own generated key) or set a private one."
        )
    if settings.serve_worker:
        cli.triage()  # a triage setup that cannot work stops here, not in the worker thread
    cli.console.print(f"userloop serving on http://{host}:{port}/  (API docs: /api/docs)")
    app = create_app(settings, services=services, worker=settings.serve_worker)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
