"""The triage pipeline with fast stand-in models, on SQLite and PostgreSQL: every stage, the
queue, crash and resume, versions, topics with merge/split/recluster."""

from __future__ import annotations

from typing import Any

import pytest

from tests.triage_fakes import ConceptEmbedder, FakeKind, fake_triage, similar_of, topics_of
from userloop.config import Settings
from userloop.domain.enums import TopicStatus
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.topics.lifecycle import TopicError
from userloop.triage.service import Triage

REPORTS = [
    ("b1", "Battery drains overnight since the update", None),
    ("b2", "Батарея садится за ночь после обновления", None),
    ("b3", "更新后电池耗电很快,一晚上就没电", None),
    ("b4", "Accu is 's nachts leeg sinds de update", "nl"),
    ("c1", "Camera app crashes in night mode", None),
    ("c2", "Камера вылетает в ночном режиме", None),
    ("c3", "夜景模式相机崩溃", None),
    ("d1", "Please add a dark theme schedule", None),
    ("d2", "Добавьте тёмную тему по расписанию", None),
]


def load(
    store: Store, settings: Settings, rows: list[tuple[str, str, str | None]] = REPORTS
) -> dict[str, int]:
    results = IntakeService(store, settings).submit_batch(
        [
            {"text": t, "external_id": k, "source": "t", "language": lang, "rating": 2}
            for k, t, lang in rows
        ]
    )
    return {rows[i][0]: r.id for i, r in enumerate(results) if r.id is not None}


@pytest.fixture
def triage(store: Store, settings: Settings) -> Triage:
    return fake_triage(store, settings)


def topic_of(triage: Triage, feedback_id: int) -> int:
    with triage.store.read() as conn:
        result = triage.store.triage.get(conn, feedback_id)
    assert result is not None and result.topic_id is not None
    return result.topic_id


def test_every_item_gets_every_stage(triage: Triage, store: Store, settings: Settings) -> None:
    ids = load(store, settings)
    assert triage.pipeline.backlog() == len(REPORTS)
    assert triage.drain(batch_size=4) == len(REPORTS)
    assert triage.pipeline.backlog() == 0
    with store.read() as conn:
        results = store.triage.many(conn, list(ids.values()))
    assert len(results) == len(REPORTS)
    r = results[ids["b2"]]
    assert (r.language, r.language_source) == ("ru", "detected")
    assert results[ids["b4"]].language_source == "client"
    assert results[ids["d2"]].kind == "feature" and r.kind == "bug"
    assert r.sentiment == -0.5
    assert set(r.versions) == {"language", "embedding", "kind", "sentiment", "topic"}


def test_cross_lingual_reports_of_one_problem_share_a_topic(
    triage: Triage, store: Store, settings: Settings
) -> None:
    ids = load(store, settings)
    triage.drain()
    battery = {topic_of(triage, ids[k]) for k in ("b1", "b2", "b3", "b4")}
    camera = {topic_of(triage, ids[k]) for k in ("c1", "c2", "c3")}
    assert len(battery) == 1 and len(camera) == 1 and battery != camera
    topic = topics_of(triage).get(battery.pop())
    assert topic is not None and topic.size == 4
    assert set(topic.languages) == {"en", "ru", "zh-Hans", "nl"}
    assert set(topic.representatives) == {"en", "ru", "zh-Hans", "nl"}
    assert topic.title
    assert topic.first_seen is not None and topic.last_seen is not None


def test_a_crash_mid_batch_loses_and_duplicates_nothing(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = load(store, settings)
    triage = fake_triage(store, settings)
    calls = {"n": 0}
    original = store.triage.save

    def crash_second_batch(conn: Any, results: Any, version: str) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            original(conn, results[:1], version)  # half a batch written, then the crash
            raise RuntimeError("power cut")
        original(conn, results, version)

    monkeypatch.setattr(store.triage, "save", crash_second_batch)
    with pytest.raises(RuntimeError):
        triage.drain(batch_size=4)
    monkeypatch.setattr(store.triage, "save", original)
    assert triage.pipeline.backlog() == len(REPORTS) - 4  # only the first batch landed
    fresh = fake_triage(store, settings)  # a restarted worker
    fresh.drain(batch_size=4)
    assert fresh.pipeline.backlog() == 0
    topics = topics_of(fresh).all()
    assert sum(t.size for t in topics) == len(ids)
    assert len({topic_of(fresh, ids[k]) for k in ("b1", "b2", "b3", "b4")}) == 1


def test_a_new_stage_version_retriages_only_that_stage(store: Store, settings: Settings) -> None:
    ids = load(store, settings)
    first = fake_triage(store, settings)
    first.drain()
    before = {k: topic_of(first, v) for k, v in ids.items()}

    class NewKind(FakeKind):
        version = "fake-kind-2"

    class CountingEmbedder(ConceptEmbedder):
        calls = 0

        def embed(self, texts: Any) -> Any:
            CountingEmbedder.calls += len(texts)
            return super().embed(texts)

    second = fake_triage(store, settings, kind=NewKind(), embedder=CountingEmbedder())
    assert second.pipeline.backlog() == len(ids)
    second.drain()
    assert CountingEmbedder.calls == 0  # vectors were reused: same embedder name and version
    with store.read() as conn:
        r = store.triage.get(conn, ids["b1"])
    assert r is not None and r.versions["kind"].startswith("fake-kind-2")
    assert {k: topic_of(second, v) for k, v in ids.items()} == before


def test_manual_merge_and_split_survive_recluster(
    triage: Triage, store: Store, settings: Settings
) -> None:
    ids = load(store, settings)
    triage.drain()
    battery = topic_of(triage, ids["b1"])
    camera = topic_of(triage, ids["c1"])
    dark = topic_of(triage, ids["d1"])
    merged = topics_of(triage).merge([camera], battery, actor="ana")
    assert merged.id == battery and merged.size == 7
    gone = topics_of(triage).get(camera)
    assert gone is not None and gone.merged_into == battery and gone.status == "duplicate"
    report = triage.recluster()
    assert all(battery not in pair for pair in report.split)
    assert topic_of(triage, ids["c2"]) == battery  # the machine did not undo the merge
    split = topics_of(triage).split(dark, [ids["d2"]], actor="ana")
    assert topic_of(triage, ids["d2"]) == split.id
    triage.recluster()
    assert topic_of(triage, ids["d2"]) == split.id != topic_of(triage, ids["d1"])
    with pytest.raises(TopicError, match="merged into"):
        topics_of(triage).merge([camera], dark, actor="ana")
    with pytest.raises(TopicError, match="at least one member on each side"):
        topics_of(triage).split(dark, [ids["d1"]], actor="ana")


def test_recluster_merges_near_duplicates_with_stable_ids(store: Store, settings: Settings) -> None:
    ids = load(store, settings)
    strict = fake_triage(store, settings, threshold=0.99)  # every report its own topic
    strict.drain()
    assert len(topics_of(strict).all()) == len(ids)
    before = {k: topic_of(strict, v) for k, v in ids.items()}
    with store.write() as conn:
        for key in ("b2", "b3"):
            store.votes.add(conn, before[key], "v1")
    loose = fake_triage(store, settings, threshold=0.99)
    report = recluster_with(loose, 0.6)
    assert report.merged
    after = {k: topic_of(loose, v) for k, v in ids.items()}
    with store.read() as conn:
        assert store.votes.count(conn, after["b2"]) == 1
    assert len({after[k] for k in ("b1", "b2", "b3", "b4")}) == 1
    # The surviving topic is one of the old ids: ids are stable, none invented for merges.
    assert set(after.values()) <= set(before.values())
    again = recluster_with(loose, 0.6)
    assert not again.merged and not again.split  # a fixed point


def _regroup(seen: list[list[str]]) -> Any:
    """A regroup clusterer over the fake vectors that records the texts it was given."""
    from userloop.triage.topics.cluster import ClusterParams, cluster

    def regroup(vectors: Any, texts: Any, kinds: Any) -> Any:
        assert len(texts) == len(vectors) == len(kinds)
        assert all(isinstance(k, str) and 0.0 <= s <= 1.0 for k, s in kinds)
        seen.append(list(texts))
        return cluster(vectors, ClusterParams(join_threshold=0.5, lexical_weight=0.0))

    return regroup


def test_regroup_merges_recent_topics_with_their_texts(store: Store, settings: Settings) -> None:
    ids = load(store, settings)
    strict = fake_triage(store, settings, threshold=0.99)  # every report its own topic
    strict.drain()
    before = {k: topic_of(strict, v) for k, v in ids.items()}
    topics_of(strict).set_status(before["b4"], "confirmed", actor="ana")  # staff's: never moved
    with store.write() as conn:
        for key, voter in (("b1", "v1"), ("b2", "v1"), ("b3", "v2")):
            store.votes.add(conn, before[key], voter)
    seen: list[list[str]] = []
    triage = fake_triage(store, settings, threshold=0.99, regroup=_regroup(seen))
    report = triage.recluster()
    assert seen and "Battery drains overnight since the update" in seen[0]
    assert REPORTS[3][1] not in seen[0]  # the confirmed topic's member was not regrouped
    after = {k: topic_of(triage, v) for k, v in ids.items()}
    assert after["b1"] == after["b2"] == after["b3"] == before["b1"]  # the oldest id survives
    assert after["c1"] == after["c2"] == after["c3"] == before["c1"]
    assert after["b4"] == before["b4"]
    assert set(after.values()) <= set(before.values()) and not report.split
    assert (before["b2"], before["b1"]) in report.merged
    gone = topics_of(triage).get(before["b2"])
    assert gone is not None and gone.merged_into == before["b1"]
    topic = topics_of(triage).get(before["b1"])
    assert topic is not None and topic.size == 3
    with store.read() as conn:  # votes follow their topic; a voter counts once
        assert store.votes.count(conn, before["b1"]) == 2
    # Running it again changes nothing: the same items give the same groups.
    again = triage.recluster()
    assert not again.merged and not again.split
    assert {k: topic_of(triage, v) for k, v in ids.items()} == after


def test_regroup_takes_the_topics_with_the_newest_reports(store: Store, settings: Settings) -> None:
    ids = load(store, settings)
    fake_triage(store, settings, threshold=0.99).drain()
    seen: list[list[str]] = []
    small = settings.model_copy(update={"recluster_window": 2})
    fake_triage(store, small, threshold=0.99, regroup=_regroup(seen)).recluster()
    assert seen == [[REPORTS[7][1], REPORTS[8][1]]]  # d1 and d2, the two newest
    assert len({topic_of(fake_triage(store, small), ids[k]) for k in ("d1", "d2")}) == 1


def test_regroup_is_dropped_when_staff_act_while_it_clusters(
    store: Store, settings: Settings
) -> None:
    ids = load(store, settings)
    strict = fake_triage(store, settings, threshold=0.99)
    strict.drain()
    before = {k: topic_of(strict, v) for k, v in ids.items()}
    inner = _regroup([])

    def regroup_while_staff_act(vectors: Any, texts: Any, kinds: Any) -> Any:
        topics_of(strict).set_status(before["c1"], "confirmed", actor="ana")  # meanwhile
        return inner(vectors, texts, kinds)

    triage = fake_triage(store, settings, threshold=0.99, regroup=regroup_while_staff_act)
    report = triage.recluster()
    assert not report.merged and not report.split
    assert {k: topic_of(triage, v) for k, v in ids.items()} == before
    topic = topics_of(triage).get(before["c1"])
    assert topic is not None and topic.status == "confirmed"


def test_regroup_splits_a_mixed_topic_keeping_its_id(store: Store, settings: Settings) -> None:
    ids = load(store, settings)
    loose = fake_triage(store, settings, threshold=-1.0)  # everything joins the first topic
    loose.drain()
    first = topic_of(loose, ids["b1"])
    assert {topic_of(loose, v) for v in ids.values()} == {first}
    triage = fake_triage(store, settings, threshold=-1.0, regroup=_regroup([]))
    report = triage.recluster()
    after = {k: topic_of(triage, v) for k, v in ids.items()}
    assert after["b1"] == after["b4"] == first  # the largest group (battery) keeps the id
    assert after["c1"] == after["c3"] != first
    assert after["d1"] == after["d2"] not in (first, after["c1"])
    assert {new for _, new in report.split} == {after["c1"], after["d1"]}
    assert all(origin == first for origin, _ in report.split)
    assert not triage.recluster().split


def recluster_with(triage: Triage, threshold: float) -> Any:
    from userloop.triage.topics.recluster import recluster

    return recluster(
        triage.store,
        triage.pipeline,
        triage.components.topics.recluster.cluster,
        merge_threshold=threshold,
    )


def test_status_transitions_are_enforced_and_audited(
    triage: Triage, store: Store, settings: Settings
) -> None:
    ids = load(store, settings)
    triage.drain()
    topic = topic_of(triage, ids["b1"])
    assert topics_of(triage).set_status(topic, "confirmed", actor="li").status == "confirmed"
    with pytest.raises(ValueError, match="cannot go from confirmed to shipped"):
        topics_of(triage).set_status(topic, TopicStatus.SHIPPED, actor="li")
    with pytest.raises(ValueError):
        topics_of(triage).set_status(topic, "open", actor="li")
    with store.read() as conn:
        actions = [e.action for e in store.audit.recent(conn)]
    assert "topic.status" in actions


def test_similar_topics_answer_in_the_askers_language(
    triage: Triage, store: Store, settings: Settings
) -> None:
    ids = load(store, settings)
    triage.drain()
    hits = similar_of(triage).topics("Батарея быстро садится", language="ru", k=2)
    assert hits[0].topic_id == topic_of(triage, ids["b1"])
    assert hits[0].representative_language == "ru"
    assert hits[0].representative_text == REPORTS[1][1]
    hits = similar_of(triage).topics("battery drain", language="zh-Hant", k=1)
    assert hits[0].representative_language == "zh-Hans"  # same language, other script
    near = similar_of(triage).items(source="t", external_id="b2", k=3)
    assert ids["b2"] not in [n.feedback_id for n in near]
    assert {n.feedback_id for n in near[:3]} == {ids["b1"], ids["b3"], ids["b4"]}


def test_similar_items_fuse_words_and_embeddings(store: Store, settings: Settings) -> None:
    rows = [
        *REPORTS,
        ("z1", "Bluetooth disconnects with error ZX81", None),
        ("z2", "Camera crashes with error ZX81", None),
    ]
    ids = load(store, settings, rows)
    fake_triage(store, settings).drain()
    words = fake_triage(store, settings.model_copy(update={"similar_lexical_weight": 1.0}))
    hits = similar_of(words).items(text="error ZX81", k=3)
    assert {h.feedback_id for h in hits[:2]} == {ids["z1"], ids["z2"]}
    assert hits[0].score == 1.0  # the best BM25 hit, normalised
    assert len(hits) == 2  # nothing else shares a word and vectors weigh nothing
    vectors = fake_triage(store, settings.model_copy(update={"similar_lexical_weight": 0.0}))
    near = similar_of(vectors).items(source="t", external_id="z1", k=4)
    assert ids["z1"] not in [h.feedback_id for h in near]
    assert all(h.score == h.similarity for h in near)
    assert [h.similarity for h in near] == sorted((h.similarity for h in near), reverse=True)
    # New feedback is searchable by its words as soon as it is stored.
    late = load(store, settings, [("z3", "ZX81 again after the reboot", None)])
    assert late["z3"] in [h.feedback_id for h in similar_of(words).items(text="ZX81 reboot", k=1)]


def test_kind_corrections_show_at_once_and_become_training_labels(
    triage: Triage, store: Store, settings: Settings
) -> None:
    ids = load(store, settings)
    triage.drain()
    triage.correct_kind(ids["b1"], "question", actor="li")
    with store.read() as conn:
        result = store.triage.get(conn, ids["b1"])
    assert result is not None and result.kind == "question"
    assert triage.corrections() == [(REPORTS[0][1], "question")]
    with pytest.raises(ValueError, match="kind must be one of"):
        triage.correct_kind(ids["b1"], "rant", actor="li")
    with pytest.raises(LookupError):
        triage.correct_kind(999_999, "bug", actor="li")


def test_recluster_in_a_fresh_process_loads_the_running_mean_first(
    store: Store, settings: Settings
) -> None:
    # `userloop recluster` runs in its own process: before anything is prepared, the topic
    # model's running mean must come from the store, or vectors are compared uncentred.
    from userloop.triage.topics.assign import OnlineTopics
    from userloop.triage.topics.cluster import TopicSpace

    def with_space() -> OnlineTopics:
        return OnlineTopics(0.6, space=TopicSpace(learn=False))

    load(store, settings)
    fake_triage(store, settings, topics=with_space()).drain()
    topics = with_space()
    fresh = fake_triage(store, settings, topics=topics)
    assert topics._space is not None and topics._space.count == 0
    fresh.recluster()
    assert topics._space.count == len(REPORTS)
