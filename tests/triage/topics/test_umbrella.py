"""Umbrella kinds: praise and questions form one topic each although they talk of many things."""

from __future__ import annotations

import numpy as np

from userloop.triage.topics.cluster import ClusterParams, cluster, umbrella_channel

UMBRELLA = ("praise", "question")


def test_channel_marks_confident_informative_reports_of_umbrella_kinds_only() -> None:
    kinds = [("praise", 0.9), ("praise", 0.3), ("bug", 0.99), ("praise", 0.9), ("question", 0.7)]
    texts = [
        "The camera is great after the update",
        "Nice animations in this build",
        "The battery drains overnight",
        "ok",  # says too little: never pulled anywhere
        "When does the next update reach my phone?",
    ]
    out = umbrella_channel(kinds, texts, UMBRELLA, weight=0.25)
    assert out.shape == (5, 2)
    assert np.allclose(out[0], [0.5, 0.0])  # sqrt(0.25) in the praise column
    assert not out[1].any() and not out[2].any() and not out[3].any()
    assert np.allclose(out[4], [0.0, 0.5])
    # Two marked reports of one kind gain exactly the weight in their dot product.
    assert np.isclose(float(out[0] @ out[0]), 0.25)


def test_the_channel_joins_praise_on_different_subjects_but_not_a_bug() -> None:
    # Three orthogonal subjects: praise of the camera, praise of the battery, a battery bug.
    vectors = np.eye(3, dtype=np.float32)
    kinds = [("praise", 0.9), ("praise", 0.9), ("bug", 0.9)]
    texts = ["The camera takes lovely photos", "Battery lasts two days now", "Battery drains fast"]
    params = ClusterParams(join_threshold=0.15, lexical_weight=0.0, refine_passes=0)
    assert len(set(cluster(vectors, params).tolist())) == 3
    joined = np.hstack([vectors, umbrella_channel(kinds, texts, UMBRELLA, weight=0.2)])
    labels = cluster(joined, params).tolist()
    assert labels[0] == labels[1] != labels[2]
