"""The outermost layer: headers on every response, the API's body limit and token check before
the body is read, no unhandled error escaping; and the installation's own secret key."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from typer.testing import CliRunner

from tests.triage_fakes import fake_triage
from tests.web_helpers import add_user, csrf, sign_in_as, web_client
from userloop.accounts.keys import resolve_keys, rotate_signing_key
from userloop.app import create_app
from userloop.cli.main import app as cli_app
from userloop.config import DEV_SECRET_KEY, Settings
from userloop.container import Services
from userloop.domain.enums import Role, TokenScope
from userloop.store import Store

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


def _boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    store.upgrade()
    app = create_app(settings, store, fake_triage(store, settings))
    app.add_api_route("/api/v1/boom", _boom)
    app.add_api_route("/boom", _boom)
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def _bearer(store: Store, settings: Settings) -> dict[str, str]:
    issued = Services.build(settings, store).tokens.create(
        "t", frozenset({TokenScope.INGEST, TokenScope.READ})
    )
    return {"Authorization": f"Bearer {issued.token}"}


def test_security_headers_on_every_response(client: TestClient) -> None:
    responses = {
        "page": client.get("/"),
        "page 404": client.get("/no-such-page"),
        "api": client.get("/api/v1/health"),
        "api 401": client.get("/api/v1/feedback/1"),
        "api 404": client.get("/api/v1/no-such-route"),
        "openapi": client.get("/api/openapi.json"),
        "docs": client.get("/api/docs"),
        "docs script": client.get("/api/docs/init.js"),
        "docs asset": client.get("/api/docs/assets/swagger-ui.css"),
        "static": client.get("/static/css/portal.css"),
        "api 500": client.get("/api/v1/boom"),
        "page 500": client.get("/boom"),
    }
    for name, response in responses.items():
        for header in SECURITY_HEADERS:
            assert header in response.headers, (name, header, response.status_code)
        assert response.headers["x-content-type-options"] == "nosniff", name
    assert responses["api 500"].status_code == 500
    assert responses["api 500"].json()["error"]["code"] == "internal_error"
    assert responses["page 500"].status_code == 500
    assert responses["page 500"].headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in responses["api"].headers["content-security-policy"]
    # The docs page runs no inline script: its set-up is a file.
    directives = dict(
        d.strip().split(" ", 1)
        for d in responses["docs"].headers["content-security-policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert "<script>" not in responses["docs"].text
    assert "SwaggerUIBundle" in responses["docs script"].text
    assert responses["static"].headers["cache-control"].startswith("public")
    assert responses["api"].headers["cache-control"] == "no-store"


def test_an_unhandled_error_does_not_escape_the_app(client: TestClient) -> None:
    # TestClient re-raises what escapes the app; the edge logs it and keeps the connection.
    assert client.get("/api/v1/boom").status_code == 500
    assert client.get("/api/v1/health").status_code == 200


async def _call(app: FastAPI, scope: dict[str, Any], chunks: list[bytes]) -> tuple[int, int]:
    """Run one request through the ASGI app: its status and how many body chunks it read."""
    reads = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        if reads <= len(chunks):
            return {
                "type": "http.request",
                "body": chunks[reads - 1],
                "more_body": reads < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status, reads


def _scope(path: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 443),
    }


def test_anonymous_and_oversized_api_bodies_are_refused_before_reading(
    settings: Settings, store: Store
) -> None:
    store.upgrade()
    app = create_app(settings, store, fake_triage(store, settings))
    huge = str(72 * 1024 * 1024)
    anonymous = _scope("/api/v1/feedback:batch", {"content-length": huge})
    assert asyncio.run(_call(app, anonymous, [b"{"])) == (401, 0)
    forged = _scope(
        "/api/v1/feedback", {"content-length": "10", "authorization": "Bearer ul_forged"}
    )
    assert asyncio.run(_call(app, forged, [b"{}"])) == (401, 0)
    auth = _bearer(store, settings)
    too_big = str(settings.api_body_limit + 1)
    oversized = _scope("/api/v1/feedback:batch", {"content-length": too_big, **auth})
    assert asyncio.run(_call(app, oversized, [b"{"])) == (413, 0)


def test_chunked_api_body_past_the_limit_is_413(settings: Settings, store: Store) -> None:
    small = settings.model_copy(update={"api_max_body_bytes": 4096})
    store.upgrade()
    app = create_app(small, store, fake_triage(store, small))
    auth = {**_bearer(store, small), "content-type": "application/json"}
    item = json.dumps({"text": "x" * 3000, "external_id": "a"}).encode()
    with TestClient(app) as client:
        fits = client.post("/api/v1/feedback", content=item, headers=auth)
        assert fits.status_code == 201, fits.text

        def chunks() -> Iterator[bytes]:
            yield b'{"items": ['
            for _ in range(5):
                yield item + b","
            yield item + b"]}"

        refused = client.post("/api/v1/feedback:batch", content=chunks(), headers=auth)
        assert refused.status_code == 413, refused.text
        assert refused.json()["error"]["code"] == "too_large"
        assert "4096 bytes" in refused.json()["error"]["message"]


def _forged_session(key: str, user_id: int) -> str:
    data = {"uid": user_id, "auth_at": int(time.time()), "csrf": "forged", "sid": "forged"}
    payload = base64.b64encode(json.dumps(data).encode())
    return TimestampSigner(key).sign(payload).decode()


def test_a_session_signed_with_the_public_key_signs_in_nobody(
    settings: Settings, store: Store
) -> None:
    assert settings.secret_key is None  # the default
    with web_client(settings, store, fake_triage(store, settings)) as client:
        add_user(client, "root", Role.ADMIN)
        client.cookies.set("ul_session", _forged_session(DEV_SECRET_KEY, 1))
        response = client.get("/console/", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/sign-in")


def test_each_installation_generates_and_keeps_its_own_keys(
    settings: Settings, store: Store, tmp_path: Any
) -> None:
    store.upgrade()
    first = resolve_keys(settings, store)
    assert first.source == "database" and not first.is_public
    assert first.signing != DEV_SECRET_KEY and len(first.signing) >= 32
    again = resolve_keys(settings, store)  # another process on the same database
    assert (again.signing, again.pseudonym) == (first.signing, first.pseudonym)
    other = Store.from_url(f"sqlite:///{tmp_path / 'other.db'}")
    other.upgrade()
    assert resolve_keys(settings, other).signing != first.signing
    other.close()
    configured = settings.model_copy(update={"secret_key": SecretStr("k" * 40)})
    assert resolve_keys(configured, store).source == "setting"


def test_rotating_the_signing_key_ends_sessions_not_reporters(
    settings: Settings, store: Store
) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        sign_in_as(client, "ann", Role.ADMIN)
        cookie = client.cookies.get("ul_session")
        before = resolve_keys(settings, store)
    rotate_signing_key(store)
    after = resolve_keys(settings, store)
    assert after.signing != before.signing and after.pseudonym == before.pseudonym
    with web_client(settings, store, fake_triage(store, settings)) as client:
        assert cookie is not None
        client.cookies.set("ul_session", cookie)
        assert client.get("/console/", follow_redirects=False).status_code == 303
        csrf(client.get("/console/sign-in").text)  # the sign-in page still works


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "example.org"])
def test_serve_refuses_other_hosts_with_a_public_key(
    host: str, settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.upgrade()
    monkeypatch.setenv("USERLOOP_SECRET_KEY", DEV_SECRET_KEY)
    monkeypatch.setenv("USERLOOP_SERVE_WORKER", "false")
    started: list[str] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append("yes"))
    args = ["--database-url", settings.database_url, "serve", "--host", host]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 1 and not started
    assert "refusing to serve" in result.stderr
    local = CliRunner().invoke(cli_app, [*args[:3], "--host", "127.0.0.1"])
    assert local.exit_code == 0, local.stderr
    assert started == ["yes"]
