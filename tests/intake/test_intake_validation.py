"""Every validation rule of intake, with the message the sender sees. Pure: no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from userloop.domain.entities import INSTALL_BASE_COUNTS, INSTALL_BASE_KEY
from userloop.intake.normalize import normalize_text
from userloop.intake.schemas import INSTALL_BASE_FIELDS, FeedbackIn, InstallBaseIn, describe_errors


def errors_of(raw: dict[str, Any], max_text: int = 20_000) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        FeedbackIn.model_validate(raw, context={"max_text_chars": max_text})
    return {e["field"]: e["message"] for e in describe_errors(info.value)}


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({}, "text", "is required"),
        ({"text": 12}, "text", "text must be a string"),
        ({"text": " \t\n "}, "text", "text is empty after normalisation"),
        ({"text": "\u200b\u0007"}, "text", "text is empty after normalisation"),
        ({"text": "ok", "rating": 0}, "rating", "Input should be greater than or equal to 1"),
        ({"text": "ok", "rating": 6}, "rating", "Input should be less than or equal to 5"),
        (
            {"text": "ok", "rating": "five"},
            "rating",
            "must be a whole number; got 'five'",
        ),
        (
            {"text": "ok", "channel": "nightly"},
            "channel",
            "channel must be one of dev, beta, stable; got 'nightly'",
        ),
        (
            {"text": "ok", "region": "XX"},
            "region",
            "region must be an ISO 3166-1 alpha-2 country code such as US; got 'XX'",
        ),
        (
            {"text": "ok", "region": "USA"},
            "region",
            "region must be an ISO 3166-1 alpha-2 country code such as US; got 'USA'",
        ),
        (
            {"text": "ok", "language": "english please"},
            "language",
            "language must be a BCP 47 tag such as en, ru or zh-Hans; got 'english please'",
        ),
        (
            {"text": "ok", "source": "Play Store!"},
            "source",
            "source must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter "
            "or digit; got 'play store!'",
        ),
        (
            {"text": "ok", "external_id": "x" * 201},
            "external_id",
            "String should have at most 200 characters",
        ),
        (
            {"text": "ok", "created_at": "yesterday"},
            "created_at",
            "must be an ISO 8601 date-time such as 2026-10-05T08:30:00Z; got 'yesterday'",
        ),
        (
            {"text": "ok", "colour": "red"},
            "colour",
            "unknown field; accepted fields are source, external_id, product, text, rating, model, "
            "build, channel, region, language, created_at, reporter",
        ),
        ({"text": "ok", "reporter": {}}, "reporter.id", "is required"),
        (
            {"text": "ok", "reporter": {"id": "r1", "experience": "guru"}},
            "reporter.experience",
            "Input should be 'novice', 'advanced' or 'pro'",
        ),
        (
            {"text": "ok", "reporter": {"id": "r1", "email": "a@example.com"}},
            "reporter",
            "reporter.email was given without reporter.consent=true; userloop stores a contact "
            "address only with the reporter's consent",
        ),
        (
            {"text": "ok", "reporter": {"id": "r1", "email": "nope", "consent": True}},
            "reporter.email",
            "email is not an e-mail address",
        ),
        (
            {"text": "ok", "product": "My Phone"},
            "product",
            "String should match pattern '^[a-z0-9][a-z0-9-]{0,62}$'",
        ),
    ],
)
def test_validation_messages(raw: dict[str, Any], field: str, message: str) -> None:
    assert errors_of(raw)[field] == message


def test_text_limit_counts_characters_after_normalisation() -> None:
    assert FeedbackIn.model_validate({"text": "a" + " " * 50 + "b"}, context={"max_text_chars": 3})
    assert errors_of({"text": "abcd"}, max_text=3)["text"] == (
        "text is 4 characters after normalisation; the limit is 3"
    )


def test_created_at_in_the_future_is_refused_and_naive_is_utc() -> None:
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert "is in the future" in errors_of({"text": "ok", "created_at": future})["created_at"]
    item = FeedbackIn.model_validate({"text": "ok", "created_at": "2026-10-05T08:30:00"})
    assert item.created_at == datetime(2026, 10, 5, 8, 30, tzinfo=UTC)
    item = FeedbackIn.model_validate({"text": "ok", "created_at": "2026-10-05T10:30:00+02:00"})
    assert item.created_at == datetime(2026, 10, 5, 8, 30, tzinfo=UTC)


def test_fields_are_normalised() -> None:
    item = FeedbackIn.model_validate(
        {
            "text": "  Ｂａｔｔｅｒｙ\u00a0 drains\r\n\r\n\r\n\r\nfast\u200b ",
            "region": "nl",
            "language": "zh_hans",
            "channel": " Beta ",
            "source": "Play",
            "model": "  Lumo   12 ",
            "rating": "4",
            "build": "",
        }
    )
    assert item.text == "Battery drains\n\nfast"
    assert item.region == "NL"
    assert item.language == "zh-Hans"
    assert item.channel == "beta"
    assert item.source == "play"
    assert item.model == "Lumo 12"
    assert item.rating == 4
    assert item.build is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e\u0301", "é"),  # NFKC composes
        ("ﬁx", "fix"),  # compatibility ligature
        ("a\x00b\x1fc", "abc"),  # control characters removed
        ("tab\there", "tab here"),
        ("line one  \n  line two", "line one\nline two"),
        ("👨\u200d👩\u200d👧 family", "👨\u200d👩\u200d👧 family"),  # ZWJ kept for emoji
        ("電池\u3000很快没电", "電池 很快没电"),  # ideographic space
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_install_base_validation() -> None:
    good = {
        "day": "2026-10-01",
        "model": "Lumo 12",
        "build": "3.4",
        "channel": "stable",
        "region": "cn",
        "active_devices": 10,
    }
    sample = InstallBaseIn.model_validate(good)
    assert sample.segment == "unknown" and sample.crashes == 0 and sample.region == "CN"
    with pytest.raises(ValidationError) as info:
        InstallBaseIn.model_validate({**good, "returns": 11})
    assert "returns cannot exceed active_devices" in str(info.value)
    with pytest.raises(ValidationError) as info:
        InstallBaseIn.model_validate({**good, "segment": "expert", "day": "2026-13-01"})
    fields = {e["field"] for e in describe_errors(info.value)}
    assert fields == {"segment", "day"}


_PD = "personal data is not accepted here"


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        (
            {"model": "Lumo jan@example.nl"},
            "model",
            f"looks like it contains an e-mail address; {_PD}",
        ),
        ({"model": "+7 912 345-67-89"}, "model", f"looks like it contains a phone number; {_PD}"),
        ({"build": "356938035643809"}, "build", f"looks like it contains an IMEI; {_PD}"),
        ({"build": "S/N: R58N123ABC"}, "build", f"looks like it contains a serial number; {_PD}"),
        ({"source": "13800138000"}, "source", f"looks like it contains a phone number; {_PD}"),
        ({"product": "x-0612345678"}, "product", f"looks like it contains a phone number; {_PD}"),
    ],
)
def test_personal_data_in_names_is_refused(raw: dict[str, Any], field: str, message: str) -> None:
    assert errors_of({"text": "ok", **raw}) == {field: message}


@pytest.mark.parametrize(
    "build", ["3.4.2640", "V14.0.3.0.TKCEUXM", "1.2.3-beta+456", "14.0.3.0", "TKQ1.221114.001"]
)
def test_versions_are_not_personal_data(build: str) -> None:
    item = FeedbackIn.model_validate({"text": "ok", "build": build, "model": "2201117TY"})
    assert item.build == build
    sample = {"day": "2026-10-01", "model": "Lumo 12", "build": build, "channel": "stable"}
    assert (
        InstallBaseIn.model_validate({**sample, "region": "NL", "active_devices": 1}).build == build
    )


def test_install_base_fields_are_the_domain_key_and_counts() -> None:
    assert INSTALL_BASE_FIELDS == INSTALL_BASE_KEY + INSTALL_BASE_COUNTS
    assert tuple(InstallBaseIn.model_fields) == INSTALL_BASE_FIELDS
