"""Domain objects hold closed vocabularies as enums, and the install-base key is listed once."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from userloop.domain.entities import (
    INSTALL_BASE_COUNTS,
    INSTALL_BASE_KEY,
    InstallBaseKey,
    InstallBaseSample,
    StatusChange,
    Topic,
    TriageResult,
)
from userloop.domain.enums import Channel, Kind, Segment, TopicStatus


def test_entities_type_their_vocabularies() -> None:
    types = {
        (cls.__name__, f.name): f.type
        for cls in (Topic, StatusChange, TriageResult)
        for f in fields(cls)
    }
    assert types[("Topic", "status")] == "TopicStatus"
    assert types[("StatusChange", "old")] == types[("StatusChange", "new")] == "TopicStatus"
    assert types[("TriageResult", "kind")] == "Kind"


def test_the_install_base_key_is_the_sample_less_its_counts() -> None:
    assert INSTALL_BASE_KEY == (
        "product", "day", "model", "build", "channel", "region", "segment"
    )  # fmt: skip
    sample_fields = tuple(f.name for f in fields(InstallBaseSample))
    assert sample_fields == INSTALL_BASE_KEY + INSTALL_BASE_COUNTS


def test_a_sample_knows_its_key() -> None:
    sample = InstallBaseSample(
        product="lumo",
        day=date(2026, 10, 1),
        model="Lumo 12",
        build="3.4.10",
        channel=Channel.STABLE,
        region="NL",
        segment=Segment.PRO,
        active_devices=10,
        crashes=1,
        returns=0,
    )
    key = InstallBaseKey(
        "lumo", date(2026, 10, 1), "Lumo 12", "3.4.10", Channel.STABLE, "NL", Segment.PRO
    )
    assert sample.key == key
    assert {key: 1}[sample.key] == 1  # hashable: a batch dedupes by it
    assert sample.key.channel is Channel.STABLE and Kind("bug") is Kind.BUG
    assert TopicStatus("fixed") is TopicStatus.FIXED
