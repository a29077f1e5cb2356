"""A demo world loaded into a store: a fresh demo's overview has data, and staging casts the
world's votes on the topics that hold their problems (both stores)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.container import Services
from userloop.demo import catalog as c
from userloop.demo import generate
from userloop.demo.loading import load_world
from userloop.demo.staging import stage, topics_by_problem
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.store.tables import feedback, votes
from userloop.web.charts import day_buckets


@pytest.fixture
def services(settings: Settings, store: Store) -> Services:
    return Services.build(settings, store=store, triage=fake_triage(store, settings))


def test_a_fresh_demo_fills_the_overview_charts(services: Services) -> None:
    today = datetime.now(UTC).date()  # the overview reads the clock; so does `userloop demo`
    world = generate(seed=7, n_feedback=300, end=today)
    load_world(services, world)
    services.triage.drain()
    user = services.users.create("admin", "demo-overview-password", Role.ADMIN)
    data = services.console.overview(user)
    assert data.end == today
    size, buckets = day_buckets(data.per_day, data.start, data.end)
    assert size == 1 and len(buckets) == 30
    assert sum(1 for _, n in buckets if n > 0) >= 25  # the whole window has reports
    assert buckets[-1] == (today, data.per_day[today]) and buckets[-1][1] > 0
    assert data.untriaged == 0
    # The week's card counts reports by when they were written, as the chart does: the whole
    # world arrived at once, but only its last week was written in the last 7 days.
    week = [data.per_day.get(today - timedelta(days=k), 0) for k in range(8)]
    assert 0 < sum(week[:7]) <= data.received_7d <= sum(week) < len(world.feedback)
    assert sum(data.status_counts.values()) > 0


def test_staging_casts_the_votes_on_their_problems_topics(services: Services) -> None:
    world = generate(seed=7, n_feedback=300, end=date(2026, 10, 18))
    load_world(services, world)
    services.triage.drain()
    matched = topics_by_problem(services, world)
    stage(services, world)
    feature = matched[c.VOTED_FEATURE][0][0]
    store = services.store
    with store.read() as conn:
        rows = conn.execute(
            select(votes.c.topic_id, votes.c.experience, votes.c.created_at, votes.c.channel)
        ).all()
    cast = [v for v in world.votes if str(v["problem"]) in matched]
    assert len(rows) == len(cast) > 0
    on_feature = Counter(str(r.experience) for r in rows if r.topic_id == feature)
    assert on_feature["pro"] >= 0.75 * sum(on_feature.values())
    assert on_feature.total() >= sum(v["problem"] == c.VOTED_FEATURE for v in world.votes)
    first = datetime.combine(world.first_day, datetime.min.time(), UTC)
    assert all(first <= r.created_at < first + timedelta(days=40) for r in rows)  # as dated
    assert {str(r.channel) for r in rows} <= set(c.CHANNELS)


def test_a_world_ending_today_holds_no_report_from_the_future(services: Services) -> None:
    now = datetime(2026, 10, 18, 6, 30, tzinfo=UTC)  # early: most of the last day is ahead
    world = generate(seed=7, n_feedback=300, end=now.date())
    later = [x for x in world.feedback if datetime.fromisoformat(str(x["created_at"])) > now]
    assert later  # the generator spreads the last day over 24 hours
    counts = load_world(services, world, now=now)
    assert counts["created"] == len(world.feedback)  # moved, not dropped
    with services.store.read() as conn:
        newest = conn.execute(select(func.max(feedback.c.created_at))).scalar()
    assert newest is not None and now - timedelta(hours=1) < newest <= now  # still today
