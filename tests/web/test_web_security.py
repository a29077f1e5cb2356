"""The HTML side's shared protections: cookies, headers, sessions, error pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.triage_fakes import fake_triage
from tests.web_helpers import PASSWORD, add_user, csrf, sign_in_as, web_client
from userloop.app import create_app
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.store import Store


def test_security_headers_on_pages(settings: Settings, store: Store) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        page = client.get("/")
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["content-language"] == "en"


def test_session_cookie_is_secure_httponly_and_lax(settings: Settings, store: Store) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        cookie = client.get("/").headers["set-cookie"].lower()
        assert cookie.startswith("ul_session=")
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        lang = client.get("/?lang=nl").headers.get_list("set-cookie")
        assert any(c.startswith("ul_lang=nl") and "Secure" in c for c in lang)
    plain = settings.model_copy(update={"secure_cookies": False})
    store.upgrade()
    with TestClient(create_app(plain, store, fake_triage(store, plain))) as client:
        assert "secure" not in client.get("/").headers["set-cookie"].lower()


def test_sign_in_starts_a_fresh_session_and_sign_out_ends_it(
    settings: Settings, store: Store
) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        before = csrf(client.get("/console/sign-in").text)
        sign_in_as(client, "ann", Role.TRIAGER)
        after = csrf(client.get("/console/").text)
        assert after != before  # the token of the anonymous session does not carry over
        assert client.post("/console/sign-out", data={"csrf_token": after}).status_code == 200
        assert client.get("/console/", follow_redirects=False).status_code == 303


def test_disabled_account_loses_its_session_at_once(settings: Settings, store: Store) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        sign_in_as(client, "bea", Role.ADMIN)
        assert client.get("/console/", follow_redirects=False).status_code == 200
        client.app.state.services.users.set_disabled("bea", True)  # type: ignore[attr-defined]
        response = client.get("/console/", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/sign-in")


def test_error_pages_are_localised_html_and_api_errors_stay_json(
    settings: Settings, store: Store
) -> None:
    with web_client(settings, store, fake_triage(store, settings), language="ru") as client:
        page = client.get("/no-such-page")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="ru">' in page.text and "Такой страницы нет." in page.text
        api = client.get("/api/v1/no-such-route")
        assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
        refused = client.post("/console/sign-in", data={"username": "x", "password": PASSWORD})
        assert refused.status_code == 403 and "Срок действия формы истёк" in refused.text


def test_wrong_password_does_not_reveal_whether_the_user_exists(
    settings: Settings, store: Store
) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        add_user(client, "cat", Role.VIEWER)
        token = csrf(client.get("/console/sign-in").text)
        known = client.post(
            "/console/sign-in",
            data={"username": "cat", "password": "wrong password!", "csrf_token": token},
        )
        unknown = client.post(
            "/console/sign-in",
            data={"username": "dog", "password": "wrong password!", "csrf_token": token},
        )
        assert known.status_code == unknown.status_code == 401
        assert "The username or password is not correct." in known.text
        assert "The username or password is not correct." in unknown.text


def test_huge_form_is_refused_before_parsing(settings: Settings, store: Store) -> None:
    small = settings.model_copy(update={"max_text_chars": 100})
    with web_client(small, store, fake_triage(store, small)) as client:
        token = csrf(client.get("/").text)
        response = client.post("/submit", data={"csrf_token": token, "text": "x" * 70_000})
        assert response.status_code == 413
        assert "This form is too large to send." in response.text
