"""Which report titles a topic: informative texts only, the most typical first."""

from __future__ import annotations

import numpy as np
import pytest

from userloop.triage.topics.summary import informative, title_member


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Battery drains overnight", True),
        ("Камера вылетает ночью", True),
        ("更新后电池耗电很快", True),
        ("Accu is 's nachts leeg", True),
        ("ok", False),
        ("Hello!", False),
        ("good app", False),
        ("My IMEI is [imei]", False),  # a placeholder says nothing
        ("[email] [phone] [url]", False),
        ("👍👍👍", False),
        ("5 stars", False),
        ("电池耗电快", False),  # five characters: too short for a title
    ],
)
def test_informative(text: str, expected: bool) -> None:
    assert informative(text) is expected


def test_title_member_skips_the_uninformative_medoid() -> None:
    # Three near-identical "ok"s make the medoid one of them; the title comes from the
    # informative member closest to it instead.
    vectors = np.array(
        [[1.0, 0.0], [1.0, 0.01], [0.99, 0.02], [0.9, 0.3], [0.0, 1.0]], dtype=np.float32
    )
    texts = ["ok", "ok", "ok", "Battery drains overnight", "Camera crashes at night mode"]
    assert title_member(vectors, texts) == 3
    assert title_member(vectors[:3], texts[:3]) is None
    assert title_member(vectors[3:], texts[3:]) in (0, 1)
