"""create_app(settings): builds the store, services and the FastAPI app. Nothing at import."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from userloop import __version__
from userloop.config import Settings
from userloop.intake.schemas import FeedbackIn
from userloop.jobs.worker import Worker
from userloop.services import Services
from userloop.store import Store
from userloop.triage.service import Triage
from userloop.web.api import errors
from userloop.web.api.routes import router as api_router


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
        docs_url=None,  # served below from the swagger-ui-bundle package, not a CDN
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
    return app


def _offline_api_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs with its assets from the `swagger-ui-bundle` package, so the
    API docs work on a machine without internet access like the rest of userloop."""
    from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/api/docs/assets", StaticFiles(directory=swagger_ui_path), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="userloop API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
            oauth2_redirect_url="/api/docs/oauth2-redirect",
        )

    @app.get("/api/docs/oauth2-redirect", include_in_schema=False)
    def api_docs_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _document_request_bodies(app: FastAPI) -> None:
    """The feedback routes validate raw JSON themselves (per-item results, our messages);
    publish the accepted schema in OpenAPI all the same."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            extra = FeedbackIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(extra.pop("$defs", {}))
            components["FeedbackIn"] = extra
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
