"""create_app(settings): builds the store, services and the FastAPI app. Nothing at import."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from userloop import __version__
from userloop.config import Settings
from userloop.intake.schemas import FeedbackIn
from userloop.services import Services
from userloop.store import Store
from userloop.web.api import errors
from userloop.web.api.routes import router as api_router


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    services = Services.build(settings, store)
    app = FastAPI(
        title="userloop",
        version=__version__,
        description="Feedback intake, triage and staged releases for device and app makers.",
        docs_url="/api/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        openapi_url="/api/openapi.json",
    )
    app.state.services = services
    errors.install(app)
    app.include_router(api_router)
    _document_request_bodies(app)
    return app


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
