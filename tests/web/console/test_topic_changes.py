"""Staff changes on topics: status, fixed build, merge, split, kind corrections."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.triage_fakes import topics_of
from tests.web.console.support import (
    audit,
    listed_ids,
    main_html,
    post,
    ru,
    token,
    topic,
)
from tests.web_helpers import sign_in_as
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.store.tables import kind_corrections
from userloop.triage.service import Triage

# -- staff changes ----------------------------------------------------------------------------


def test_triager_changes_status_and_a_refused_transition_changes_nothing(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery = world["battery"]
    page = client.get(f"/console/topics/{battery}").text
    options = re.search(r'<select id="new-status".*?</select>', page, re.S)
    assert options
    offered = re.findall(r'<option value="(\w*)"', options.group(0))
    # Only the allowed transitions from "new", and never "duplicate" (that is a merge).
    assert offered == ["", "confirmed", "planned", "declined"]

    response = post(client, f"/console/topics/{battery}/status", {"status": "confirmed"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/topics/{battery}?done=status"
    assert "The status was changed." in client.get(response.headers["location"]).text
    assert topic(triage, battery).status == "confirmed"
    (event,) = [e for e in audit(store) if e.action == "topic.status"]
    assert (event.actor, event.subject) == ("tom", f"topic:{battery}")
    assert event.details == {"from": "new", "to": "confirmed"}
    assert event.at > datetime.now(UTC) - timedelta(minutes=5)

    # confirmed -> shipped is not allowed: a clear error and nothing changes.
    response = post(client, f"/console/topics/{battery}/status", {"status": "shipped"})
    assert response.status_code == 409
    assert "The status could not be changed" in response.text
    assert "cannot go from confirmed to shipped" in response.text
    response = post(client, f"/console/topics/{battery}/status", {"status": "duplicate"})
    assert response.status_code == 409 and "merging" in response.text
    response = post(client, f"/console/topics/{battery}/status", {"status": "bogus"})
    assert response.status_code == 400 and "Choose a status from the list." in response.text
    assert topic(triage, battery).status == "confirmed"
    assert len([e for e in audit(store) if e.action == "topic.status"]) == 1

    # The history shows the step; the staff log says who made it.
    page = client.get(f"/console/topics/{battery}").text
    assert "Status changed from New to Confirmed." in page and "tom" in page


def test_error_messages_are_localised(client: TestClient, world: dict[str, int]) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    response = client.post(
        f"/console/topics/{world['battery']}/status?lang=ru",
        data={"status": "shipped", "csrf_token": token(client)},
    )
    assert response.status_code == 409
    reason = "topic status cannot go from new to shipped"
    expected = ru(client, "The status could not be changed: %(reason)s", reason="§")
    before = expected.split("§")[0]
    assert before.strip() in response.text and reason in response.text


def test_fixed_build(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery = world["battery"]
    path = f"/console/topics/{battery}/status"
    response = post(client, path, {"status": "", "fixed_build": " 2.2.1 "})
    assert response.headers["location"].endswith("?done=build")
    assert topic(triage, battery).fixed_build == "2.2.1"
    assert topic(triage, battery).status == "new"
    # Status and build in one go.
    response = post(client, path, {"status": "confirmed", "fixed_build": "2.2.2"})
    assert response.headers["location"].endswith("?done=status_build")
    # Too long: refused before anything changes, the status included.
    response = post(client, path, {"status": "planned", "fixed_build": "9" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in response.text
    assert (topic(triage, battery).status, topic(triage, battery).fixed_build) == (
        "confirmed",
        "2.2.2",
    )
    # The same value again changes nothing and logs nothing.
    response = post(client, path, {"status": "", "fixed_build": "2.2.2"})
    assert response.headers["location"].endswith("?done=unchanged")
    builds = [e for e in audit(store) if e.action == "topic.fixed_build"]
    assert [(e.actor, e.details["to"]) for e in reversed(builds)] == [
        ("tom", "2.2.1"),
        ("tom", "2.2.2"),
    ]
    assert "Fixed build set to 2.2.2." in client.get(f"/console/topics/{battery}").text


def test_merge_this_topic_into_another(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery, camera = world["battery"], world["camera"]
    response = post(client, f"/console/topics/{camera}/merge-into", {"target": f"#{battery}"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/topics/{battery}?done=merged"
    assert topic(triage, camera).merged_into == battery
    assert topic(triage, battery).size == 7
    (event,) = [e for e in audit(store) if e.action == "topic.merge"]
    assert (event.actor, event.subject, event.details) == (
        "tom",
        f"topic:{battery}",
        {"sources": [camera]},
    )
    # The merged topic's page says where it went, and offers no changes.
    page = main_html(client.get(f"/console/topics/{camera}").text)
    assert f'href="/console/topics/{battery}"' in page
    assert "was merged into another one" in page
    assert "<form" not in page
    # Merged topics are hidden from the list unless asked for.
    assert camera not in listed_ids(client.get("/console/topics").text)
    assert camera in listed_ids(client.get("/console/topics?merged=1").text)


def test_merge_other_topics_into_this_one_and_refusals(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery, camera, dark = world["battery"], world["camera"], world["dark"]
    path = f"/console/topics/{battery}/merge-from"
    response = post(client, path, {"sources": "twelve"})
    assert response.status_code == 400 and "Enter topic numbers" in response.text
    response = post(client, path, {"sources": str(battery)})
    assert response.status_code == 409
    assert "The topics could not be merged" in response.text
    response = post(client, path, {"sources": "999999"})
    assert response.status_code == 409 and "no topic 999999" in response.text
    assert [e for e in audit(store) if e.action == "topic.merge"] == []

    response = post(client, path, {"sources": f"{camera}, #{dark}"})
    assert response.headers["location"] == f"/console/topics/{battery}?done=merged"
    assert topic(triage, camera).merged_into == battery
    assert topic(triage, dark).merged_into == battery
    assert topic(triage, battery).size == 9
    # A merged topic cannot be merged again.
    response = post(client, f"/console/topics/{camera}/merge-into", {"target": str(dark)})
    assert response.status_code == 409 and "was merged into topic" in response.text


def test_split_selected_reports_into_a_new_topic(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery = world["battery"]
    page = client.get(f"/console/topics/{battery}").text
    assert 'form="split-form"' in page and 'id="split-form"' in page
    path = f"/console/topics/{battery}/split"
    response = post(client, path, {})
    assert response.status_code == 400 and "Select at least one report" in response.text
    everything = topics_of(triage).members(battery)
    response = post(client, path, {"member": everything})
    assert response.status_code == 409 and "at least one member on each side" in response.text
    response = post(client, path, {"member": [world["c1"]]})
    assert response.status_code == 409 and "is not in topic" in response.text
    response = post(client, path, {"member": ["99999999999999999999"]})
    assert response.status_code == 422

    response = post(client, path, {"member": [world["b3"], world["b4"]]})
    assert response.status_code == 303
    new_id = int(re.findall(r"/console/topics/(\d+)\?done=split", response.headers["location"])[0])
    assert new_id != battery
    assert topics_of(triage).members(new_id) == sorted([world["b3"], world["b4"]])
    assert topics_of(triage).members(battery) == sorted([world["b1"], world["b2"]])
    (event,) = [e for e in audit(store) if e.action == "topic.split"]
    assert event.actor == "tom" and event.details["new_topic"] == new_id
    page = client.get(response.headers["location"]).text
    assert "The selected reports were moved to this new topic." in page
    assert "更新后电池耗电很快" in page
    assert "2 reports were split off into topic" in client.get(f"/console/topics/{battery}").text


def test_correct_the_kind_of_a_report(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery = world["battery"]
    path = f"/console/topics/{battery}/kind"
    response = post(client, path, {"feedback_id": world["b2"], "kind": "praise"})
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/console/topics/{battery}?done=kind#report-{world['b2']}"
    )
    with store.read() as conn:
        result = store.triage.get(conn, world["b2"])
        corrected = conn.execute(
            select(kind_corrections.c.kind, kind_corrections.c.corrected_by).where(
                kind_corrections.c.feedback_id == world["b2"]
            )
        ).one()
    assert result is not None and result.kind == "praise"
    assert tuple(corrected) == ("praise", "tom")
    (event,) = [e for e in audit(store) if e.action == "feedback.kind"]
    assert (event.actor, event.subject) == ("tom", f"feedback:{world['b2']}")
    page = client.get(f"/console/topics/{battery}").text
    assert "corrected by tom" in page
    # Refusals: an unknown kind, a report of another topic.
    response = post(client, path, {"feedback_id": world["b1"], "kind": "rant"})
    assert response.status_code == 400 and "Choose a kind from the list." in response.text
    response = post(client, path, {"feedback_id": world["c1"], "kind": "praise"})
    assert response.status_code == 409 and "is not in this topic" in response.text
    with store.read() as conn:
        other = store.triage.get(conn, world["c1"])
    assert other is not None and other.kind == "bug"
    assert len([e for e in audit(store) if e.action == "feedback.kind"]) == 1


def test_move_selected_reports_into_another_topic(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery, camera = world["battery"], world["camera"]
    page = client.get(f"/console/topics/{battery}").text
    assert f'formaction="/console/topics/{battery}/move"' in page
    path = f"/console/topics/{battery}/move"
    response = post(client, path, {"member": [world["b3"]], "target": "twelve"})
    assert response.status_code == 400 and "Enter one topic number" in response.text
    response = post(client, path, {"target": f"#{camera}"})
    assert response.status_code == 400 and "Select at least one report to move" in response.text
    everything = topics_of(triage).members(battery)
    response = post(client, path, {"member": everything, "target": str(camera)})
    assert response.status_code == 409 and "merge topic" in response.text
    assert topics_of(triage).members(battery) == everything  # nothing changed

    response = post(client, path, {"member": [world["b3"]], "target": f"#{camera}"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/console/topics/{camera}?done=moved")
    assert world["b3"] in topics_of(triage).members(camera)
    assert world["b3"] not in topics_of(triage).members(battery)
    (event,) = [e for e in audit(store) if e.action == "topic.move"]
    assert event.actor == "tom" and event.details["to"] == camera
    assert (
        "The selected reports were moved to this topic."
        in client.get(response.headers["location"]).text
    )
    assert (
        f"1 report was moved to topic #{camera}." in client.get(f"/console/topics/{battery}").text
    )


def test_a_viewer_cannot_move_reports(
    client: TestClient, world: dict[str, int], triage: Triage
) -> None:
    sign_in_as(client, "vic", Role.VIEWER)
    battery, camera = world["battery"], world["camera"]
    assert "/move" not in client.get(f"/console/topics/{battery}").text
    response = post(
        client, f"/console/topics/{battery}/move", {"member": [world["b3"]], "target": str(camera)}
    )
    assert response.status_code == 403
    assert world["b3"] in topics_of(triage).members(battery)
