"""Which secret keys are public: the rule settings and `userloop serve` share."""

from __future__ import annotations

from userloop.domain.rules.secrets import DEV_SECRET_KEY, MIN_SECRET_CHARS, is_public_secret


def test_the_development_key_and_short_keys_are_public() -> None:
    assert is_public_secret(DEV_SECRET_KEY)
    assert is_public_secret("k" * (MIN_SECRET_CHARS - 1))
    assert not is_public_secret("k" * MIN_SECRET_CHARS)
