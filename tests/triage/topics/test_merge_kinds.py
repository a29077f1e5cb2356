"""Re-clustering never merges a topic of bug reports into one of feature requests."""

from __future__ import annotations

from userloop.triage.topics.recluster import _kinds_clash


def test_a_bug_topic_and_a_feature_topic_clash() -> None:
    sizes = {1: 10, 2: 10, 3: 10, 4: 10}
    counts = {
        1: {"bug": 9, "feature": 1},  # "notifications stop when the phone is locked"
        2: {"feature": 8},  # "let me lock apps with a PIN"
        3: {"bug": 4, "feature": 4},  # mixed: no kind dominates
        4: {"bug": 7},
    }
    assert _kinds_clash({1}, {2}, counts, sizes)
    assert not _kinds_clash({1}, {4}, counts, sizes)  # both bugs
    assert not _kinds_clash({1}, {3}, counts, sizes)  # a mixed topic may join either
    # groups count their members together: 16 of 20 bugs against 8 of 10 features
    assert _kinds_clash({1, 4}, {2}, counts, sizes)
    assert not _kinds_clash({1, 2}, {4}, counts, sizes)  # 16 of 20 bugs? no: 16 bugs of 20
