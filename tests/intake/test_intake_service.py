"""Intake against a real store (SQLite and PostgreSQL): idempotency, conflicts, reporters,
atomic batches."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select

from tests.helpers import item
from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services, intake_config
from userloop.domain.entities import INSTALL_BASE_KEY
from userloop.domain.enums import ItemStatus, TokenScope
from userloop.intake.service import InstallBaseRejected, IntakeConfig, IntakeService
from userloop.store import Store
from userloop.store.tables import (
    INSTALL_BASE_KEY_COLUMNS,
    builds,
    device_models,
    feedback,
    reporter_contacts,
    reporters,
)


@pytest.fixture
def intake(store: Store, settings: Settings) -> IntakeService:
    return IntakeService(store, intake_config(settings))


def count(store: Store, table: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_resend_is_a_no_op_returning_the_same_id(intake: IntakeService, store: Store) -> None:
    first = intake.submit(item())
    again = intake.submit(item())
    assert first.status is ItemStatus.CREATED
    assert again.status is ItemStatus.DUPLICATE
    assert again.id == first.id
    assert count(store, feedback) == 1


def test_same_key_other_text_is_a_conflict_and_nothing_changes(
    intake: IntakeService, store: Store
) -> None:
    first = intake.submit(item("Screen flickers at low brightness"))
    clash = intake.submit(item("Screen flickers ALL the time"))
    assert clash.status is ItemStatus.CONFLICT
    assert clash.id == first.id
    assert "different text" in (clash.message or "")
    with store.read() as conn:
        stored = store.feedback.get(conn, first.id or 0)
    assert stored is not None and stored.text == "Screen flickers at low brightness"


def test_same_external_id_in_two_sources_are_two_items(intake: IntakeService) -> None:
    a = intake.submit(item(source="play"))
    b = intake.submit(item(source="forum"))
    assert a.status is b.status is ItemStatus.CREATED
    assert a.id != b.id


def test_whitespace_variants_of_a_text_are_the_same_item(intake: IntakeService) -> None:
    first = intake.submit(item("GPS drifts   when walking"))
    again = intake.submit(item("  GPS drifts when walking \n"))
    assert again.status is ItemStatus.DUPLICATE and again.id == first.id


def test_items_without_external_id_get_a_content_key(intake: IntakeService, store: Store) -> None:
    raw = {"text": "Keyboard lags", "created_at": "2026-10-01T10:00:00Z", "reporter": {"id": "u1"}}
    first = intake.submit(raw)
    again = intake.submit(dict(raw))
    other = intake.submit({**raw, "reporter": {"id": "u2"}})
    assert again.status is ItemStatus.DUPLICATE and again.id == first.id
    assert other.status is ItemStatus.CREATED
    with store.read() as conn:
        stored = store.feedback.get(conn, first.id or 0)
    assert stored is not None and stored.external_id.startswith("hmac:")
    assert stored.source == "api"


def test_text_is_redacted_before_storage(intake: IntakeService, store: Store) -> None:
    result = intake.submit(item("Mail me at jan.de.vries@example.nl about the crash"))
    with store.read() as conn:
        stored = store.feedback.get(conn, result.id or 0)
        raw_texts = [t for (t,) in conn.execute(select(feedback.c.text))]
    assert stored is not None
    assert stored.text == "Mail me at [email] about the crash"
    assert stored.redacted == ("email",)
    assert not any("example.nl" in t for t in raw_texts)


def test_reporters_are_pseudonymous_and_contacts_need_consent(
    intake: IntakeService, store: Store
) -> None:
    intake.submit(
        item(
            external_id="1",
            reporter={
                "id": "356938035643809",
                "experience": "novice",
                "email": "li.wei@example.cn",
                "consent": True,
            },
        )
    )
    intake.submit(
        item(
            "Another one", external_id="2", reporter={"id": "356938035643809", "experience": "pro"}
        )
    )
    with store.read() as conn:
        rows = conn.execute(select(reporters)).mappings().all()
        contacts = conn.execute(select(reporter_contacts)).mappings().all()
    assert len(rows) == 1
    assert rows[0]["key_hash"] != "356938035643809" and len(rows[0]["key_hash"]) == 64
    assert rows[0]["experience"] == "pro"  # the latest attributes win
    assert [c["email"] for c in contacts] == ["li.wei@example.cn"]
    bad = intake.submit(item(external_id="3", reporter={"id": "x", "email": "a@example.com"}))
    assert bad.status is ItemStatus.INVALID
    assert count(store, reporter_contacts) == 1


def test_builds_are_created_once_with_a_natural_order(intake: IntakeService, store: Store) -> None:
    versions = ["3.4.10", "3.4.9", "3.4.10", "3.5.0"]
    intake.submit_batch(
        [item(f"t{i}", external_id=str(i), build=v) for i, v in enumerate(versions)]
    )
    with store.read() as conn:
        ordered = [v for (v,) in conn.execute(select(builds.c.version).order_by(builds.c.sort_key))]
    assert ordered == ["3.4.9", "3.4.10", "3.5.0"]


def test_a_failing_batch_writes_nothing(
    intake: IntakeService, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: Any) -> None:
        raise RuntimeError("disk full")

    original = store.feedback.insert_new

    def half(conn: Any, rows: Any) -> None:
        original(conn, rows[:1])
        boom()

    monkeypatch.setattr(store.feedback, "insert_new", half)
    with pytest.raises(RuntimeError):
        intake.submit_batch(
            [item("a", external_id="1", reporter={"id": "r"}), item("b", external_id="2")]
        )
    assert count(store, feedback) == 0
    assert count(store, reporters) == 0


def test_concurrent_submissions_of_one_key_store_one_row(
    intake: IntakeService, store: Store
) -> None:
    results = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        results.append(intake.submit(item("Bluetooth drops every few minutes")))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status.value for r in results).count("created") == 1
    assert {r.id for r in results} == {results[0].id}
    assert count(store, feedback) == 1


# Personal data outside the text: e-mail, phone number and IMEI in the short fields.
EMAIL, PHONE, IMEI = "jan.de.vries@example.nl", "+31 6 12345678", "490154203237518"
RAW_VALUES = (EMAIL, PHONE, IMEI, "12345678", "example.nl", "jan.de.vries")


def everything_stored(store: Store) -> str:
    """Every value of every table, as one string."""
    out: list[str] = []
    with store.read() as conn:
        for table in feedback.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                out.extend(str(v) for v in row)
    return "\n".join(out)


def test_personal_data_in_external_id_is_pseudonymised_and_stays_idempotent(
    intake: IntakeService, store: Store, settings: Settings
) -> None:
    raw_id = f"ticket {EMAIL} / {PHONE} / {IMEI}"
    first = intake.submit(item(external_id=raw_id, model="Lumo 12", build="3.4.2640"))
    assert first.status is ItemStatus.CREATED
    with store.read() as conn:
        stored = store.feedback.get(conn, first.id or 0)
    assert stored is not None
    assert stored.external_id.startswith("ticket [email:")
    assert stored.external_id.count("[") == 3
    assert "[phone:" in stored.external_id and "[imei:" in stored.external_id
    assert stored.redacted == ("email", "imei", "phone")
    dump = everything_stored(store)
    for value in RAW_VALUES:
        assert value not in dump
    # The same raw id is the same key: a re-send is a duplicate, not a second item.
    again = intake.submit(item(external_id=raw_id, model="Lumo 12", build="3.4.2640"))
    assert again.status is ItemStatus.DUPLICATE and again.id == first.id
    # Another phone number is another key.
    other = intake.submit(item(external_id=f"ticket {EMAIL} / +31 6 87654321 / {IMEI}"))
    assert other.status is ItemStatus.CREATED and other.id != first.id
    # Keyed: another installation secret gives other pseudonyms.
    elsewhere = IntakeService(store, settings, pseudonym_key=b"another key")
    moved = elsewhere.submit(item(external_id=raw_id))
    assert moved.status is ItemStatus.CREATED and moved.id != first.id
    assert count(store, feedback) == 3


def test_an_id_that_is_only_personal_data(intake: IntakeService, store: Store) -> None:
    results = intake.submit_batch(
        [item(f"t{i}", external_id=v) for i, v in enumerate((EMAIL, PHONE, IMEI))]
    )
    assert [r.status for r in results] == [ItemStatus.CREATED] * 3
    with store.read() as conn:
        ids = sorted(store.feedback.get(conn, r.id or 0).external_id for r in results)  # type: ignore[union-attr]
    assert [i.split(":")[0] for i in ids] == ["[email", "[imei", "[phone"]
    assert all(len(i.split(":")[1]) == 17 for i in ids)  # 16 hex digits and "]"


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("model", f"Lumo 12 {EMAIL}", "an e-mail address"),
        ("model", PHONE, "a phone number"),
        ("build", IMEI, "an IMEI"),
        ("build", f"3.4.2640 {PHONE}", "a phone number"),
        ("source", "0612345678", "a phone number"),
        ("product", "lumo-13800138000", "a phone number"),
    ],
)
def test_personal_data_in_names_is_refused_per_item(
    intake: IntakeService, store: Store, field: str, value: str, what: str
) -> None:
    good, bad = intake.submit_batch(
        [item("fine", external_id="1"), item("not fine", external_id="2", **{field: value})]
    )
    assert good.status is ItemStatus.CREATED
    assert bad.status is ItemStatus.INVALID
    message = f"looks like it contains {what}; personal data is not accepted here"
    assert bad.errors == ({"field": field, "message": message},)
    assert bad.message == f"{field}: {message}"
    assert count(store, feedback) == 1
    assert value not in everything_stored(store)


def test_build_and_model_names_are_not_mistaken_for_personal_data(
    intake: IntakeService, store: Store
) -> None:
    pairs = [
        ("Lumo 12", "3.4.2640"),
        ("SM-G991B", "V14.0.3.0.TKCEUXM"),
        ("23078PND5G", "1.2.3-beta+456"),
        ("2201117TY", "14.0.3.0"),
        ("Redmi Note 12 Pro+ 5G", "UP1A.231005.007"),
        ("iPhone15,3", "8.0.0.123(C432)"),
    ]
    results = intake.submit_batch(
        [item(f"t{i}", external_id=str(i), model=m, build=b) for i, (m, b) in enumerate(pairs)]
    )
    assert [r.status for r in results] == [ItemStatus.CREATED] * len(pairs)
    with store.read() as conn:
        stored_builds = {v for (v,) in conn.execute(select(builds.c.version))}
        stored_models = {v for (v,) in conn.execute(select(device_models.c.name))}
        redacted = {v for (v,) in conn.execute(select(feedback.c.redacted))}
    assert stored_builds == {b for _, b in pairs}
    assert stored_models == {m for m, _ in pairs}
    assert redacted == {""}


def test_install_base_refuses_personal_data_in_model_and_build(
    intake: IntakeService, store: Store
) -> None:
    sample = {
        "day": "2026-10-01",
        "model": "Lumo 12",
        "build": "14.0.3.0",
        "channel": "stable",
        "region": "NL",
        "active_devices": 10,
    }
    assert intake.submit_install_base([sample]) == 1
    with pytest.raises(InstallBaseRejected) as info:
        intake.submit_install_base([sample, {**sample, "model": EMAIL}])
    assert info.value.errors == [
        {
            "index": 1,
            "errors": [
                {
                    "field": "model",
                    "message": "looks like it contains an e-mail address; personal data is "
                    "not accepted here",
                }
            ],
        }
    ]
    assert EMAIL not in everything_stored(store)


def test_derived_keys_are_keyed(intake: IntakeService, store: Store, settings: Settings) -> None:
    # Without the key, the id of an item without external_id must not let anyone test guesses
    # of what was redacted from its text.
    raw = {"text": f"call me on {PHONE}", "created_at": "2026-10-01T10:00:00Z"}
    first = intake.submit(raw)
    other = IntakeService(store, intake_config(settings), pseudonym_key=b"another key").submit(raw)
    assert first.status is other.status is ItemStatus.CREATED
    assert first.id != other.id
    assert PHONE not in everything_stored(store)


def test_the_api_serves_no_personal_data_from_the_short_fields(
    settings: Settings, store: Store
) -> None:
    services = Services.build(settings, store)
    issued = services.tokens.create("t", frozenset({TokenScope.INGEST, TokenScope.READ}))
    headers = {"Authorization": f"Bearer {issued.token}"}
    body = item(f"Mail me: {EMAIL}", external_id=f"{EMAIL}|{PHONE}|{IMEI}", build="3.4.2640")
    with TestClient(create_app(settings, store)) as client:
        created = client.post("/api/v1/feedback", json=body, headers=headers)
        assert created.status_code == 201, created.text
        again = client.post("/api/v1/feedback", json=body, headers=headers)
        assert again.json()["status"] == "duplicate", again.text
        refused = client.post(
            "/api/v1/feedback", json={**body, "model": f"Lumo {PHONE}"}, headers=headers
        )
        assert "model: looks like it contains a phone number" in refused.text
        served = [
            client.get(f"/api/v1/feedback/{created.json()['id']}", headers=headers).text,
            client.get("/api/v1/feedback", headers=headers).text,
        ]
    for text in (*served, created.text, again.text, refused.text, everything_stored(store)):
        for value in (EMAIL, PHONE, IMEI):
            assert value not in text
    assert '"redacted":["email","imei","phone"]' in served[0].replace(" ", "")


def test_intake_gets_only_its_settings(settings: Settings, store: Store) -> None:
    config = intake_config(settings.model_copy(update={"default_product": "lumo-tab"}))
    assert config == IntakeConfig(
        default_product="lumo-tab",
        max_text_chars=settings.max_text_chars,
        import_batch_size=settings.import_batch_size,
        secret_key=None,
    )
    # The settings themselves still do (tests and scripts build a service from them).
    assert IntakeService(store, settings).config is settings


def test_install_base_upserts_by_its_key(intake: IntakeService, store: Store) -> None:
    sample = {
        "product": "lumo",
        "day": "2026-10-01",
        "model": "Lumo 12",
        "build": "14.0.3.0",
        "channel": "stable",
        "region": "NL",
        "segment": "pro",
        "active_devices": 10,
    }
    # The same key twice in one request: the later sample wins, as an upsert would.
    assert intake.submit_install_base([sample, {**sample, "active_devices": 12}]) == 2
    # Any one part of the key differing makes another sample.
    others = {name: {**sample, name: value} for name, value in _OTHER_KEY_VALUES.items()}
    assert set(others) == set(INSTALL_BASE_KEY)
    assert intake.submit_install_base(list(others.values())) == len(others)
    # Sent again later: replaced, not added.
    assert intake.submit_install_base([{**sample, "active_devices": 15, "crashes": 2}]) == 1
    with store.read() as conn:
        stored = store.install_base.list(conn, "lumo") + store.install_base.list(conn, "tab")
    assert len(stored) == 1 + len(others)
    assert len({s.key for s in stored}) == len(stored)
    first = [
        s
        for s in stored
        if all(str(getattr(s, k)) == str(sample[k]) for k in sample if k != "active_devices")
    ]
    assert [(s.active_devices, s.crashes) for s in first] == [(15, 2)]


_OTHER_KEY_VALUES = {
    "product": "tab",
    "day": "2026-10-02",
    "model": "Lumo 11",
    "build": "14.0.5.0",
    "channel": "beta",
    "region": "DE",
    "segment": "novice",
}


def test_the_schema_s_unique_key_is_the_domain_key(store: Store) -> None:
    # Migrations spell the constraint out; it must stay the key every upsert relies on.
    constraints = inspect(store.engine).get_unique_constraints("install_base_samples")
    columns = {tuple(c["column_names"]) for c in constraints}
    assert INSTALL_BASE_KEY_COLUMNS in columns
    assert [c.removesuffix("_id") for c in INSTALL_BASE_KEY_COLUMNS] == list(INSTALL_BASE_KEY)
