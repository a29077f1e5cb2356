"""The real models end to end (use-m3, lingua, the shipped kind and sentiment heads), on SQLite
and on PostgreSQL: intake, `userloop triage`, similar, re-clustering and the console's pages. A
Chinese and a Russian report of the same problem land in one topic. Slow: loads the models."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.triage_fakes import similar_of
from tests.web_helpers import sign_in_as, web_client
from userloop.cli.main import app
from userloop.config import Settings, load_settings
from userloop.container import build_triage
from userloop.domain.enums import Role, TokenScope
from userloop.intake.service import IntakeService
from userloop.store import Store, tables

pytestmark = pytest.mark.slow

REPORTS = {
    "zh-battery": "手机更新以后电池掉电特别快,晚上充满电早上起来就只剩一半了。",
    "ru-battery": "После обновления телефон быстро разряжается, за ночь теряет половину заряда.",
    "en-battery": "Since the update my battery drains really fast, half gone overnight.",
    "nl-battery": "Sinds de update loopt mijn accu razendsnel leeg, 's nachts de helft kwijt.",
    "zh-camera": "打开相机切换到夜景模式,应用马上就闪退了。",
    "ru-camera": "Камера закрывается с ошибкой, как только включаю ночной режим.",
    "en-wish": "Please add an option to schedule dark mode at sunset.",
}


@pytest.fixture
def real_settings(database_url: str) -> Settings:
    return load_settings(database_url=database_url)


def test_real_models_triage_four_languages(real_settings: Settings) -> None:
    store = Store.from_url(real_settings.database_url)
    store.upgrade()
    results = IntakeService(store, real_settings).submit_batch(
        [{"text": t, "external_id": k, "source": "real"} for k, t in REPORTS.items()]
    )
    ids = {k: r.id for k, r in zip(REPORTS, results, strict=True)}
    triage = build_triage(real_settings, store)
    assert triage.drain() == len(REPORTS)
    with store.read() as conn:
        got = store.triage.many(conn, [i for i in ids.values() if i is not None])
    by_key = {k: got[i] for k, i in ids.items() if i is not None}
    assert by_key["zh-battery"].language == "zh-Hans"
    assert by_key["ru-battery"].language == "ru"
    assert by_key["nl-battery"].language == "nl"
    assert by_key["zh-battery"].topic_id == by_key["ru-battery"].topic_id
    assert by_key["zh-camera"].topic_id == by_key["ru-camera"].topic_id
    assert by_key["zh-battery"].topic_id != by_key["zh-camera"].topic_id
    assert by_key["ru-battery"].kind == "bug"
    assert "feature" in by_key["en-wish"].labels
    assert by_key["zh-camera"].sentiment < 0.2
    hits = similar_of(triage).topics("Батарея быстро садится после обновления", language="ru", k=1)
    assert hits[0].topic_id == by_key["ru-battery"].topic_id
    assert hits[0].representative_language == "ru"
    # Re-clustering with the real batch clusterer (lexical channel included) keeps the
    # cross-lingual topics, and a second run changes nothing.
    triage.recluster()
    assert not triage.recluster().merged
    with store.read() as conn:
        again = store.triage.many(conn, [i for i in ids.values() if i is not None])
    topic = {k: again[i].topic_id for k, i in ids.items() if i is not None}
    assert topic["zh-battery"] == topic["ru-battery"] != topic["zh-camera"]
    assert topic["zh-camera"] == topic["ru-camera"]
    store.close()


def test_real_models_through_the_commands_and_pages_a_user_runs(real_settings: Settings) -> None:
    """The path that once failed on PostgreSQL for every batch: the API, `userloop triage`,
    `userloop recluster`, `userloop similar`, then the console's pages."""
    url = real_settings.database_url
    store = Store.from_url(url)
    store.upgrade()
    cli = CliRunner()
    with web_client(real_settings, store) as client:
        token = client.app.state.services.tokens.create(  # type: ignore[attr-defined]
            "phones", frozenset({TokenScope.INGEST})
        ).token
        for key, text in REPORTS.items():
            sent = client.post(
                "/api/v1/feedback",
                json={"text": text, "external_id": key, "source": "app", "model": "Lumo 12"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert sent.status_code == 201, sent.text
    done = cli.invoke(app, ["--database-url", url, "triage", "--no-progress"])
    assert done.exit_code == 0, done.stderr
    assert f"triaged {len(REPORTS)} item(s)" in done.stderr
    with store.read() as conn:
        rows = conn.execute(select(func.count()).select_from(tables.triage)).scalar_one()
    assert rows == len(REPORTS)
    again = cli.invoke(app, ["--database-url", url, "recluster"])
    assert again.exit_code == 0, again.stderr
    similar = cli.invoke(app, ["--database-url", url, "similar", "--text", "手机电池掉电很快"])
    assert similar.exit_code == 0, similar.stderr
    assert similar.stdout.strip()
    feedback = tables.feedback
    with store.read() as conn:
        battery = conn.execute(
            select(feedback.c.id).where(feedback.c.external_id == "ru-battery")
        ).scalar_one()
        topic_id = store.triage.many(conn, [battery])[battery].topic_id
    with web_client(real_settings, store) as client:
        sign_in_as(client, "ops", Role.VIEWER)
        listing = client.get("/console/topics")
        assert listing.status_code == 200
        assert f'href="/console/topics/{topic_id}"' in listing.text
        page = client.get(f"/console/topics/{topic_id}")
        assert page.status_code == 200 and REPORTS["ru-battery"] in page.text
        portal = client.get(f"/topics/{topic_id}")
        assert portal.status_code == 200
    store.close()
