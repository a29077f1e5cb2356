"""The public portal, in process: submit, suggestions, votes, topic pages, roadmap, changelog,
my reports and the page language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select

from tests.triage_fakes import fake_triage, topics_of
from tests.web_helpers import csrf, web_client
from userloop.config import Settings
from userloop.store import Store
from userloop.store.tables import feedback, reporter_contacts, reporters
from userloop.triage.service import Triage
from userloop.views.portal import SUGGESTION_MAX_CHARS

_SUBMISSION = re.compile(r'name="submission_id" value="([^"]+)"')
_MY_LINK = re.compile(r'href="https://testserver(/my/[^"]+)"')
REPORT = "The battery drains overnight since the last update"


@pytest.fixture
def triage(store: Store, settings: Settings) -> Triage:
    return fake_triage(store, settings)


@pytest.fixture
def client(settings: Settings, store: Store, triage: Triage) -> Iterator[TestClient]:
    with web_client(settings, store, triage) as c:
        yield c


def form(client: TestClient, url: str = "/") -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200
    found = _SUBMISSION.search(page.text)
    assert found, "the form has no submission id"
    return {"csrf_token": csrf(page.text), "submission_id": found.group(1)}


def submit(client: TestClient, text: str = REPORT, **fields: str) -> Any:
    return client.post("/submit", data={**form(client), "text": text, **fields})


def count(store: Store, table: Any = feedback) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def seed(client: TestClient, triage: Triage, texts: dict[str, str]) -> dict[str, int]:
    """Store reports (as an import would) and triage them; returns key -> topic id."""
    services = client.app.state.services  # type: ignore[attr-defined]
    results = services.intake.submit_batch(
        [{"text": text, "source": "test", "external_id": key} for key, text in texts.items()]
    )
    triage.drain()
    topics = {}
    with services.store.read() as conn:
        for key, result in zip(texts, results, strict=True):
            triaged = services.store.triage.get(conn, result.id)
            assert triaged is not None and triaged.topic_id is not None
            topics[key] = triaged.topic_id
    return topics


def vote(client: TestClient, topic_id: int, *, json: bool = True) -> Any:
    token = csrf(client.get("/").text)
    headers = {"X-CSRF-Token": token}
    if json:
        headers["Accept"] = "application/json"
    return client.post(f"/topics/{topic_id}/vote", headers=headers, follow_redirects=False)


# -- submitting -------------------------------------------------------------------------------


def test_submit_stores_one_item_even_when_sent_twice(client: TestClient, store: Store) -> None:
    fields = form(client, "/?model=Pixel%209&build=3.4.1&channel=beta")
    data = {**fields, "text": REPORT, "model": "Pixel 9", "build": "3.4.1", "channel": "beta"}
    first = client.post("/submit", data=data, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/thanks"
    thanks = client.get("/thanks")
    assert "grouped with similar reports" in thanks.text
    link = _MY_LINK.search(thanks.text)
    assert link, "the thank-you page shows the private link"
    # Shown once: a reload no longer shows it.
    assert not _MY_LINK.search(client.get("/thanks").text)

    again = client.post("/submit", data=data, follow_redirects=False)
    assert again.status_code == 303
    assert count(store) == 1
    with store.read() as conn:
        row = conn.execute(select(feedback)).mappings().one()
        item = store.feedback.get(conn, row["id"])
        assert item is not None and item.reporter_id is not None
        reporter = store.reporters.get(conn, item.reporter_id)
    assert (item.source, item.external_id) == ("portal", fields["submission_id"])
    assert (item.model, item.build, item.channel) == ("Pixel 9", "3.4.1", "beta")
    assert item.text == REPORT
    assert reporter is not None and reporter.language == "en" and not reporter.has_contact
    assert client.get(link.group(1)).status_code == 200


def test_the_same_form_sent_again_with_edited_text_is_a_new_report(
    client: TestClient, store: Store
) -> None:
    fields = form(client)
    client.post("/submit", data={**fields, "text": REPORT})
    edited = client.post("/submit", data={**fields, "text": REPORT + " and gets hot"})
    assert edited.status_code == 200 and edited.url.path == "/thanks"
    client.post("/submit", data={**fields, "text": REPORT + " and gets hot"})
    assert count(store) == 2  # the edit is kept once, the original is untouched


def test_form_is_prefilled_from_query_params(client: TestClient) -> None:
    page = client.get("/?model=Pixel%209%20Pro&build=3.4.1-beta2&channel=BETA").text
    assert (
        'id="model" name="model" type="text" maxlength="100" autocomplete="off" value="Pixel 9 Pro"'
        in page
    )
    assert 'value="3.4.1-beta2"' in page
    assert '<option value="beta" selected>' in page
    odd = client.get("/?channel=nightly&model=%3Cb%3E").text
    assert '<option value="" selected>' in odd  # an unknown channel is not selected
    assert 'value="&lt;b&gt;"' in odd and 'value="<b>"' not in odd
    # Every field has a label; the honeypot is hidden from people and assistive tech.
    for name in ("text", "model", "build", "channel", "email", "consent", "website"):
        assert f'for="{name}"' in page
    assert 'class="trap" aria-hidden="true"' in page and 'tabindex="-1"' in page
    # Suggestions carry vote forms: their box must not sit inside the report form.
    assert page.index('id="suggestions"') < page.index('<form class="stack"')
    assert 'form="report-form"' in page


def test_email_without_consent_is_refused_and_nothing_stored(
    client: TestClient, store: Store
) -> None:
    response = submit(client, email="ana@example.com")
    assert response.status_code == 422
    assert "Tick this box if we may contact you" in response.text
    assert "ana@example.com" in response.text and REPORT in response.text  # input kept
    assert 'aria-invalid="true"' in response.text
    assert count(store) == 0 and count(store, reporters) == 0

    ok = submit(client, email="ana@example.com", consent="yes")
    assert ok.status_code == 200 and ok.url.path == "/thanks"
    assert count(store) == 1 and count(store, reporter_contacts) == 1


def test_email_error_is_localised(settings: Settings, store: Store, triage: Triage) -> None:
    with web_client(settings, store, triage, language="ru") as client:
        response = submit(client, email="not-an-address")
    assert response.status_code == 422
    assert "Это не похоже на адрес электронной почты" in response.text
    assert count(store) == 0


def test_honeypot_pretends_success_but_stores_nothing(client: TestClient, store: Store) -> None:
    response = submit(client, website="https://spam.example")
    assert response.status_code == 200 and response.url.path == "/thanks"
    assert "Thank you" in response.text
    assert count(store) == 0


def test_empty_and_oversize_text_are_refused_with_a_message(
    settings: Settings, store: Store, triage: Triage
) -> None:
    small = settings.model_copy(update={"max_text_chars": 50})
    with web_client(small, store, triage) as client:
        empty = submit(client, text="   ")
        assert empty.status_code == 422 and "Please describe the problem." in empty.text
        long = submit(client, text="x" * 61)
        assert long.status_code == 422
        assert "Your report is 61 characters long; the limit is 50 characters" in long.text
        assert "x" * 61 in long.text
    assert count(store) == 0


def test_rate_limits_give_a_localised_429(settings: Settings, store: Store, triage: Triage) -> None:
    limited = settings.model_copy(update={"portal_submissions_per_hour": 2})
    with web_client(limited, store, triage, language="nl") as client:
        for n in range(2):
            assert submit(client, text=f"{REPORT} ({n})").status_code == 200
        refused = submit(client, text=f"{REPORT} (3)")
        assert refused.status_code == 429
        assert '<html lang="nl">' in refused.text
        assert "Je hebt in korte tijd veel meldingen gestuurd" in refused.text
        # The same visitor from another address is still limited (per reporter).
        web = client.app.state.web  # type: ignore[attr-defined]
        web.limits.submissions_ip.reset("testclient")
        assert submit(client, text=f"{REPORT} (4)").status_code == 429
    assert count(store) == 2


def test_post_without_csrf_token_is_refused(client: TestClient, store: Store) -> None:
    fields = form(client)
    response = client.post(
        "/submit", data={"text": REPORT, "submission_id": fields["submission_id"]}
    )
    assert response.status_code == 403
    forged = client.post("/submit", data={**fields, "csrf_token": "forged", "text": REPORT})
    assert forged.status_code == 403
    assert client.post("/topics/1/vote").status_code == 403
    assert count(store) == 0


# -- suggestions and votes --------------------------------------------------------------------


def test_suggestions_show_representative_text_escaped_in_the_visitors_language(
    settings: Settings, store: Store, triage: Triage
) -> None:
    with web_client(settings, store, triage) as client:
        topics = seed(
            client,
            triage,
            {
                "en": "Battery drains fast <script>alert(1)</script>",
                "ru": "Батарея садится за ночь",
                "cam": "Camera app crashes on start",
            },
        )
        assert topics["en"] == topics["ru"] != topics["cam"]
        fragment = client.get("/suggestions", params={"text": "my battery drains so quickly"})
        assert fragment.status_code == 200
        html = fragment.text
        assert f'href="/topics/{topics["en"]}"' in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
        assert 'lang="en"' in html
        assert f'action="/topics/{topics["en"]}/vote"' in html and 'name="csrf_token"' in html
        assert "This is my problem too" in html
        assert "<html" not in html  # a fragment, not a page
        assert client.get("/suggestions", params={"text": "battery"}).text.strip() == ""
    with web_client(settings, store, triage, language="ru") as client:
        html = client.get("/suggestions", params={"text": "батарея садится быстро"}).text
        assert "Батарея садится за ночь" in html and 'lang="ru"' in html
        assert "Это и моя проблема" in html


def test_unrelated_text_gets_no_suggestions(client: TestClient, triage: Triage) -> None:
    seed(client, triage, {"b": "Battery drains fast overnight"})
    assert client.get("/suggestions", params={"text": "Bluetooth disconnects"}).text.strip() == ""


def test_suggestions_are_rate_limited_per_ip(
    settings: Settings, store: Store, triage: Triage
) -> None:
    limited = settings.model_copy(update={"portal_suggestions_per_minute": 3})
    with web_client(limited, store, triage) as client:
        seed(client, triage, {"b": "Battery drains fast overnight"})
        ask = {"text": "my battery drains so quickly"}
        for _ in range(3):
            assert client.get("/suggestions", params=ask).status_code == 200
        refused = client.get("/suggestions", params=ask)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
        assert refused.text.strip() == ""  # no suggestions; the script shows none
        # Another address is not limited by this one.
        other = TestClient(client.app, base_url="https://testserver", client=("192.0.2.9", 1))
        assert "Already reported?" in other.get("/suggestions", params=ask).text


def test_suggestions_embed_at_most_the_start_of_the_draft(
    client: TestClient, triage: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(client, triage, {"b": "Battery drains fast overnight"})
    asked: list[str] = []
    similar = client.app.state.services.similar  # type: ignore[attr-defined]
    original = similar.topics

    def spy(text: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(text)
        return original(text, *args, **kwargs)

    monkeypatch.setattr(similar, "topics", spy)
    draft = "Battery drains fast overnight. " + "x" * 5_000
    assert "Already reported?" in client.get("/suggestions", params={"text": draft}).text
    assert asked == [draft[:SUGGESTION_MAX_CHARS]] and SUGGESTION_MAX_CHARS == 300


def test_vote_is_idempotent_and_answers_json_or_redirects(
    client: TestClient, triage: Triage, settings: Settings, store: Store
) -> None:
    topic = seed(client, triage, {"b": "Battery drains fast overnight"})["b"]
    first = vote(client, topic)
    assert first.status_code == 200
    assert first.json() == {"topic_id": topic, "votes": 1, "voted": True}
    assert vote(client, topic).json() == {"topic_id": topic, "votes": 1, "voted": True}
    plain = vote(client, topic, json=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/topics/{topic}"
    page = client.get(f"/topics/{topic}").text
    assert "You have this problem too" in page and "Votes: 1" in page
    with web_client(settings, store, triage) as other:
        assert vote(other, topic).json()["votes"] == 2  # another visitor
    assert vote(client, 999_999).status_code == 404


def test_vote_on_a_merged_topic_counts_for_the_target(client: TestClient, triage: Triage) -> None:
    topics = seed(
        client, triage, {"b": "Battery drains fast overnight", "c": "Camera crashes on start"}
    )
    topics_of(triage).merge([topics["c"]], topics["b"], actor="ana")
    reply = vote(client, topics["c"])
    assert reply.json() == {"topic_id": topics["b"], "votes": 1, "voted": True}
    redirected = vote(client, topics["c"], json=False)
    assert redirected.headers["location"] == f"/topics/{topics['b']}"


def test_votes_are_rate_limited_per_ip(settings: Settings, store: Store, triage: Triage) -> None:
    limited = settings.model_copy(update={"portal_votes_per_hour": 2})
    with web_client(limited, store, triage) as client:
        topic = seed(client, triage, {"b": "Battery drains fast overnight"})["b"]
        assert vote(client, topic).status_code == 200
        assert vote(client, topic).status_code == 200
        refused = vote(client, topic)
        assert refused.status_code == 429 and "many votes" in refused.text


# -- topic pages ------------------------------------------------------------------------------


def test_topic_page_shows_history_languages_and_fixed_build(
    settings: Settings, store: Store, triage: Triage
) -> None:
    with web_client(settings, store, triage, language="ru") as client:
        topic = seed(
            client,
            triage,
            {"en": "Battery drains fast overnight", "ru": "Батарея садится за ночь"},
        )["en"]
        page = client.get(f"/topics/{topic}").text
        assert "Исправлено в сборке" not in page
        for status in ("confirmed", "planned", "in_progress", "fixed"):
            topics_of(triage).set_status(topic, status, actor="li")
        topics_of(triage).set_fixed_build(topic, "3.4.10", actor="li")
        page = client.get(f"/topics/{topic}").text
    assert page.count("<h1") == 1
    assert "Исправлено в сборке 3.4.10" in page
    assert "2 человека сообщили об этом" in page
    assert "Английский: 1 сообщение" in page and "Русский: 1 сообщение" in page
    # The visitor's language comes first among the representative reports.
    quote = '<blockquote class="quote report" lang="%s">'
    assert page.index(quote % "ru") < page.index(quote % "en")
    # Status history with localised labels and dates.
    assert "«Новая» → «Подтверждена»" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{1,2} [а-я]+\.? \d{4}', page)


def test_merged_topic_redirects_and_unknown_topic_is_404(
    client: TestClient, triage: Triage
) -> None:
    topics = seed(
        client, triage, {"b": "Battery drains fast overnight", "c": "Camera crashes on start"}
    )
    topics_of(triage).merge([topics["c"]], topics["b"], actor="ana")
    moved = client.get(f"/topics/{topics['c']}", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/topics/{topics['b']}"
    missing = client.get("/topics/999999")
    assert missing.status_code == 404 and "could not find this page" in missing.text
    assert client.get("/topics/not-a-number").status_code == 404


def test_roadmap_and_changelog_with_and_without_topics(client: TestClient, triage: Triage) -> None:
    roadmap = client.get("/roadmap").text
    assert "Nothing is planned right now" in roadmap and "No fixes have shipped yet" in roadmap
    changelog = client.get("/changelog").text
    assert "No build has shipped fixes yet" in changelog

    topics = seed(
        client,
        triage,
        {
            "b": "Battery drains fast overnight",
            "c": "Camera crashes on start",
            "d": "Dark theme is unreadable",
            "bt": "Bluetooth disconnects every minute",
        },
    )
    steps = {
        "b": ("confirmed", "in_progress", "fixed"),
        "c": ("confirmed", "in_progress", "fixed", "shipped"),
        "d": ("planned",),
    }
    for key, statuses in steps.items():
        for status in statuses:
            topics_of(triage).set_status(topics[key], status, actor="li")
    topics_of(triage).set_fixed_build(topics["b"], "3.10.0", actor="li")
    topics_of(triage).set_fixed_build(topics["c"], "3.9.2", actor="li")

    roadmap = client.get("/roadmap").text
    for key in ("b", "c", "d"):
        assert f'href="/topics/{topics[key]}"' in roadmap
    assert f'href="/topics/{topics["bt"]}"' not in roadmap  # still new: not on the roadmap
    assert "Nobody is working on a reported problem right now" in roadmap
    assert "1 person reported this" in roadmap

    changelog = client.get("/changelog").text
    assert changelog.index("Build 3.10.0") < changelog.index("Build 3.9.2")  # newest first
    assert changelog.index(f"/topics/{topics['b']}") < changelog.index("Build 3.9.2")
    assert f'href="/topics/{topics["d"]}"' not in changelog


def test_a_topic_with_only_chinese_reports_falls_back_for_english_readers(
    settings: Settings, store: Store, triage: Triage
) -> None:
    with web_client(settings, store, triage) as client:
        topic_id = seed(
            client,
            triage,
            {
                "z1": "蓝牙耳机经常断开连接",
                "z2": "更新后蓝牙一直断开",
                "z3": "蓝牙连接不稳定老是断开",
            },
        )["z1"]
        topics_of(triage).set_status(topic_id, "planned", actor="li")
        topic = topics_of(triage).get(topic_id)
        assert topic is not None and set(topic.languages) == {"zh-Hans"}
        words = topic.keywords["zh-Hans"][:3]
        assert words and "en" not in topic.titles
        # English: the keywords, the original marked as Chinese, and the language named.
        fallback = (
            f'<span class="title-keywords" lang="zh-Hans">{escape(" · ".join(words))}</span>'
            f' — <span lang="zh-Hans">{escape(topic.title)}</span>'
            ' <span class="title-language">(Chinese)</span>'
        )
        page = client.get(f"/topics/{topic_id}").text
        assert f'<h1><span class="title-fallback">{fallback}</span></h1>' in page
        assert fallback in client.get("/roadmap").text
        assert (
            fallback in client.get("/suggestions", params={"text": "bluetooth keeps dropping"}).text
        )
    with web_client(settings, store, triage, language="zh-Hans") as client:
        # Chinese: the Chinese title alone, no label.
        page = client.get(f"/topics/{topic_id}").text
        title = topic.titles.get("zh-Hans") or topic.title
        assert f'<h1><span lang="zh-Hans">{escape(title)}</span></h1>' in page
        assert "title-fallback" not in page and "（中文）" not in page
        assert "title-fallback" not in client.get("/roadmap").text


# -- my reports -------------------------------------------------------------------------------


def test_my_reports_lists_the_visitors_reports(
    client: TestClient, triage: Triage, settings: Settings, store: Store
) -> None:
    start = client.get("/my")
    assert start.status_code == 200 and "has not sent a report yet" in start.text
    submit(client, text="Battery drains fast <b>overnight</b>")
    mine = client.get("/my", follow_redirects=False)
    assert mine.status_code == 303 and mine.headers["location"].startswith("/my/")
    url = mine.headers["location"]
    page = client.get(url).text
    assert "Battery drains fast &lt;b&gt;overnight&lt;/b&gt;" in page
    assert "Being sorted" in page
    triage.drain()
    page = client.get(url).text
    assert "Being sorted" not in page and 'href="/topics/' in page and "status-new" in page
    # The link works from any browser: it is the reporter's key.
    with web_client(settings, store, triage) as other:
        assert "Battery drains fast" in other.get(url).text
        assert other.get("/my", follow_redirects=False).status_code == 200  # not theirs
    tampered = url[:-2] + ("AA" if not url.endswith("AA") else "BB")
    bad = client.get(tampered)
    assert bad.status_code == 404 and "could not find this page" in bad.text
    assert client.get("/my/not-a-token").status_code == 404


# -- language ---------------------------------------------------------------------------------


def test_page_language_follows_accept_language_and_lang_switch(
    settings: Settings, store: Store, triage: Triage
) -> None:
    with web_client(settings, store, triage, language="zh-TW,zh;q=0.8") as client:
        page = client.get("/").text
        assert '<html lang="zh-Hant">' in page and "回報問題" in page
        switched = client.get("/?lang=ru")
        assert '<html lang="ru">' in switched.text and "Сообщить о проблеме" in switched.text
        assert '<html lang="ru">' in client.get("/roadmap").text  # remembered by cookie
    with web_client(settings, store, triage, language="zh-CN") as client:
        assert '<html lang="zh-Hans">' in client.get("/changelog").text


def test_nav_lists_the_portal_pages(client: TestClient) -> None:
    page = client.get("/roadmap").text
    for path, label in (
        ("/", "Report a problem"),
        ("/roadmap", "Roadmap"),
        ("/changelog", "Changelog"),
        ("/my", "My reports"),
    ):
        assert f'href="{path}"' in page and label in page
    assert '<a href="/roadmap" aria-current="page">' in page
