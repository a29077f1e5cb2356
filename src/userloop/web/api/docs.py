"""The API's documentation: the OpenAPI document with the request bodies the routes validate
themselves, and Swagger UI served from this machine."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from userloop.intake.returns import ReturnRecord
from userloop.intake.schemas import FeedbackIn, InstallBaseIn
from userloop.web.api.schemas import TopicPairIn

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


def offline_api_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs with its assets from the `fastapi-offline` package, so the
    API docs work on a machine without internet access like the rest of userloop."""
    assets = str(files("fastapi_offline") / "static")
    app.mount("/api/docs/assets", StaticFiles(directory=assets), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE)

    @app.get("/api/docs/init.js", include_in_schema=False)
    def api_docs_init() -> Response:
        return Response(_DOCS_INIT, media_type="text/javascript")


def document_request_bodies(app: FastAPI, max_text_chars: int) -> None:
    """The feedback and install-base routes validate raw JSON themselves (per-item results, our
    messages); publish the accepted schemas in OpenAPI all the same, as strict as the
    validator where JSON Schema can say it (the text limit is this server's setting).
    Bodies with 64-bit ids are published as pydantic writes them: FastAPI's own rendering
    turns bounds into floats, and 2**63 - 1 as a float is 2**63, an id the server refuses."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (FeedbackIn, InstallBaseIn, ReturnRecord, TopicPairIn):
                extra = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(extra.pop("$defs", {}))
                components[model.__name__] = extra
            components["FeedbackIn"]["properties"]["text"]["maxLength"] = max_text_chars
            reason = components["ReturnRecord"]["properties"]["reason"]
            reason["anyOf"][0]["maxLength"] = max_text_chars  # [string, null]
            for name, field, item in (
                ("BatchIn", "items", "FeedbackIn"),
                ("InstallBaseBatchIn", "samples", "InstallBaseIn"),
                ("ReturnsBatchIn", "records", "ReturnRecord"),
            ):
                prop = components[name]["properties"][field]
                prop["items"] = {"$ref": f"#/components/schemas/{item}"}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
