"""create_app(settings): builds the store, services and the FastAPI app. Nothing at import."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from userloop import __version__
from userloop.config import Settings
from userloop.container import Services
from userloop.intake.schemas import FeedbackIn, InstallBaseIn
from userloop.jobs.worker import Worker
from userloop.store import Store
from userloop.triage.service import Triage
from userloop.web.api import errors
from userloop.web.api.routes import router as api_router
from userloop.web.edge import install_edge


def create_app(
    settings: Settings,
    store: Store | None = None,
    triage: Triage | None = None,
    *,
    worker: bool = False,
) -> FastAPI:
    """The web app. With `worker`, a triage worker thread runs for the app's lifetime."""
    services = Services.build(settings, store, triage)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        running = None
        if worker:
            running = Worker(
                services.triage,
                batch_size=settings.triage_batch_size,
                poll_seconds=settings.worker_poll_seconds,
                recluster_minutes=settings.recluster_interval_minutes,
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
    from userloop.web.setup import install_web, web_exception

    errors.install(app, web=web_exception)
    app.include_router(api_router)
    install_web(app, settings, services)
    _document_request_bodies(app)
    _offline_api_docs(app)
    install_edge(app, body_limit=settings.api_body_limit, verify_token=services.tokens.verify)
    return app


_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>userloop API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="icon" href="/api/docs/assets/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"""
# A file, not an inline script, so the docs page keeps a CSP without 'unsafe-inline' scripts.
_DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis]
});
"""


def _offline_api_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs with its assets from the `fastapi-offline` package, so the
    API docs work on a machine without internet access like the rest of userloop."""
    from importlib.resources import files

    from fastapi.responses import HTMLResponse, Response
    from fastapi.staticfiles import StaticFiles

    assets = str(files("fastapi_offline") / "static")
    app.mount("/api/docs/assets", StaticFiles(directory=assets), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE)

    @app.get("/api/docs/init.js", include_in_schema=False)
    def api_docs_init() -> Response:
        return Response(_DOCS_INIT, media_type="text/javascript")


def _document_request_bodies(app: FastAPI) -> None:
    """The feedback and install-base routes validate raw JSON themselves (per-item results, our
    messages); publish the accepted schemas in OpenAPI all the same, as strict as the
    validator where JSON Schema can say it (the text limit is this server's setting)."""
    max_text_chars = app.state.services.settings.max_text_chars

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (FeedbackIn, InstallBaseIn):
                extra = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(extra.pop("$defs", {}))
                components[model.__name__] = extra
            components["FeedbackIn"]["properties"]["text"]["maxLength"] = max_text_chars
            for name, field, item in (
                ("BatchIn", "items", "FeedbackIn"),
                ("InstallBaseBatchIn", "samples", "InstallBaseIn"),
            ):
                prop = components[name]["properties"][field]
                prop["items"] = {"$ref": f"#/components/schemas/{item}"}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
