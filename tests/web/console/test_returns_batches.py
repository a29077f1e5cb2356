"""The returns partial of the Install base page (`console/_returns_batches.html`): the planted
bad batch with its evidence, escaped; the empty states; in every UI language. Rendered on its
own, and on the page that includes it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request

from tests.returns_world import BAD_BATCH, add_returns, today
from tests.web.console.support import main_html
from tests.web_helpers import sign_in_as
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.triage.service import Triage
from userloop.web.console.returns import returns_batches
from userloop.web.context import web_context
from userloop.web.i18n import BY_TAG

PARTIAL = "console/_returns_batches.html"


def _request(app: FastAPI, lang: str = "en") -> Request:
    request = Request({"type": "http", "app": app, "headers": [], "state": {}})
    request.state.translator = web_context(request).catalogues.translator(BY_TAG[lang.lower()])
    return request


def _render(request: Request, context: dict[str, Any]) -> str:
    t = request.state.translator
    template = web_context(request).templates.env.get_template(PARTIAL)
    return template.render(_=t.gettext, ngettext=t.ngettext, **context)


def test_the_bad_batch_with_its_evidence_escaped(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    add_returns(store, settings, triage)
    request = _request(client.app)  # type: ignore[arg-type]
    context = returns_batches(request, None)
    [line] = context["returns_batches"]["lines"]
    assert (line.model, line.batch, line.returns) == ("X1", BAD_BATCH, "14 of 20")
    assert line.shares == "70% against 11.3%"
    html = _render(request, context)
    assert 'id="returns-batches-table"' in html and "Batches out of line" in html
    assert "&lt;b&gt;L4&lt;/b&gt;" in html and BAD_BATCH not in html
    assert "Camera" in html


@pytest.mark.parametrize("lang", ["nl", "ru", "zh-Hans", "zh-Hant"])
def test_translated(
    client: TestClient, store: Store, settings: Settings, triage: Triage, lang: str
) -> None:
    add_returns(store, settings, triage)
    request = _request(client.app, lang)  # type: ignore[arg-type]
    html = _render(request, returns_batches(request, None))
    assert "Batches out of line" not in html and "Returns about it" not in html
    assert "returns-batches-table" in html


def test_empty_states(client: TestClient, store: Store, settings: Settings) -> None:
    request = _request(client.app)  # type: ignore[arg-type]
    # the product exists (an unrelated return) but no batch can be judged
    add_returns(store, settings)  # not triaged
    html = _render(request, returns_batches(request, None))
    assert "No batch is out of line." in html
    far = today() - timedelta(days=400)
    html = _render(request, returns_batches(request, None, far, far))
    assert "No returns in this period." in html
    # an unknown product or a reversed window: nothing is shown
    assert returns_batches(request, "watch") == {"returns_batches": None}
    assert _render(request, returns_batches(request, None, today(), far)).strip() == ""


def test_the_install_base_page_shows_the_bad_batch(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    add_returns(store, settings, triage)
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get("/console/install-base?lang=en")
    assert response.status_code == 200
    page = main_html(response.text)
    assert "Batches out of line" in page and 'id="returns-batches-table"' in page
    assert "&lt;b&gt;L4&lt;/b&gt;" in page and BAD_BATCH not in page
