"""The Releases pages: the list per product with a state filter, one release's plan, gates and
decision log; who may pause, resume, force an advance or roll back (editors), and that a viewer
sees no button and is refused; refusals shown as a message. Both stores."""

from __future__ import annotations

import math
import re

from fastapi.testclient import TestClient

from tests.release_world import gate_checks, rolling
from tests.web.console.support import main_html
from tests.web_helpers import csrf, sign_in_as
from userloop.domain.enums import Role
from userloop.domain.release import Release, ReleaseState
from userloop.release.service import ReleaseService
from userloop.store import Store
from userloop.web.console.release_gates import ratio_interval

PATH = "/console/releases"
MARKUP = "<b>hot</b> fix & <script>x()</script>"


def _service(client: TestClient) -> ReleaseService:
    service: ReleaseService = client.app.state.services.releases  # type: ignore[attr-defined]
    return service


def _rolling(client: TestClient, build: str = "2.1", product: str = "phone") -> Release:
    return rolling(_service(client), build, product)


def _post(client: TestClient, release_id: int, action: str, reason: str = "") -> str:
    page = client.get(f"{PATH}/{release_id}")
    response = client.post(
        f"{PATH}/{release_id}/{action}",
        data={"csrf_token": csrf(page.text), "reason": reason},
        follow_redirects=False,
    )
    return f"{response.status_code} {response.headers.get('location', '')}"


def test_the_list_shows_each_product_newest_first_and_filters_by_state(
    client: TestClient, store: Store
) -> None:
    service = _service(client)
    older = _rolling(client, "2.1")
    draft = service.create("phone", "2.2", "stable", "1,100@1d", actor="ops")
    other = _rolling(client, "9.0", product="watch")
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(PATH + "?lang=en")
    assert response.status_code == 200
    assert f'<a href="{PATH}" aria-current="page">Releases</a>' in response.text
    page = main_html(response.text)
    assert "3 releases" in page
    assert page.index("Product phone") < page.index(f"release-{draft.id}")
    assert page.index(f"release-{draft.id}") < page.index(f"release-{older.id}")
    assert page.index("Product watch") < page.index(f"release-{other.id}")
    row = re.search(rf'<tr id="release-{older.id}">.*?</tr>', page, re.S)
    assert row
    assert f'<a href="{PATH}/{older.id}">2.1</a>' in row.group(0)
    assert "<td>2.0</td>" in row.group(0) and "<td>beta</td>" in row.group(0)
    assert "<td>m1</td>" in row.group(0) and "<td>all</td>" in row.group(0)
    assert "Rolling out" in row.group(0) and "stage 1 of 4, 1%" in row.group(0)

    page = main_html(client.get(PATH + "?lang=en&state=draft").text)
    assert "1 release" in page and f"release-{draft.id}" in page
    assert f"release-{older.id}" not in page
    page = main_html(client.get(PATH + "?lang=en&state=rolled_back").text)
    assert "No release is in this state." in page
    # an unknown state is all states, not an error
    assert "3 releases" in main_html(client.get(PATH + "?lang=en&state=nonsense").text)
    # in Chinese
    page = main_html(client.get(PATH + "?lang=zh-Hans").text)
    assert "Rolling out" not in page and "2.1" in page


def test_a_viewer_sees_the_release_without_buttons_and_is_refused(
    client: TestClient, store: Store
) -> None:
    release = _rolling(client)
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(f"{PATH}/{release.id}?lang=en")
    assert response.status_code == 200
    page = main_html(response.text)
    assert 'id="release-state">Rolling out</span>' in page
    assert "<form" not in page.split("Health gates")[0].split("Plan</h2>")[-1]
    assert 'action="/console/releases/' not in page
    # the ladder: 4 stages, the first current
    assert page.count('<li class="stage ') == 4
    assert re.search(r'stage-current" aria-current="step">\s*<span class="stage-percent">1%', page)
    assert "No health gate has checked this release yet." in page
    for action in ("pause", "resume", "advance", "rollback"):
        assert _post(client, release.id, action, "no").startswith("403"), action
    assert _service(client).get(release.id).state is ReleaseState.ROLLING_OUT
    assert client.get(f"{PATH}/999999").status_code == 404


def test_a_triager_pauses_and_resumes_and_the_log_says_so(client: TestClient, store: Store) -> None:
    release = _rolling(client)
    sign_in_as(client, "tina", Role.TRIAGER)
    page = main_html(client.get(f"{PATH}/{release.id}?lang=en").text)
    assert f'action="{PATH}/{release.id}/pause" data-confirm="Pause release 2.1?' in page
    assert f'action="{PATH}/{release.id}/rollback" data-confirm=' in page
    assert f'action="{PATH}/{release.id}/resume"' not in page
    assert 'name="csrf_token"' in page

    assert _post(client, release.id, "pause", MARKUP) == f"303 {PATH}/{release.id}?done=pause"
    assert _service(client).get(release.id).state is ReleaseState.PAUSED
    page = main_html(client.get(f"{PATH}/{release.id}?done=pause&lang=en").text)
    assert "The release was paused" in page
    assert 'id="release-state">Paused</span>' in page
    # the reason is text, escaped
    assert "&lt;b&gt;hot&lt;/b&gt; fix &amp; &lt;script&gt;x()&lt;/script&gt;" in page
    assert "<b>hot</b>" not in page and "<script>x()" not in page
    log = page.split("Decision log")[-1]
    assert re.search(r"<td>tina</td>\s*<td>Paused</td>\s*<td>Rolling out → Paused</td>", log)
    assert f'action="{PATH}/{release.id}/resume"' in page
    assert f'action="{PATH}/{release.id}/pause"' not in page

    assert _post(client, release.id, "resume") == f"303 {PATH}/{release.id}?done=resume"
    assert _service(client).get(release.id).state is ReleaseState.ROLLING_OUT
    events = _service(client).status(release.id).events
    assert [(e.actor, e.action) for e in events][-2:] == [("tina", "pause"), ("tina", "resume")]


def test_an_admin_forces_an_advance_with_a_reason_and_an_illegal_action_is_a_message(
    client: TestClient, store: Store
) -> None:
    release = _rolling(client)
    sign_in_as(client, "ada", Role.ADMIN)
    # a forced advance needs a reason: the page again, nothing changed
    page = client.get(f"{PATH}/{release.id}?lang=en")
    response = client.post(
        f"{PATH}/{release.id}/advance", data={"csrf_token": csrf(page.text), "reason": " "}
    )
    assert response.status_code == 422
    assert "The release was not changed: a forced advance needs a reason" in response.text
    assert _service(client).get(release.id).stage == 0

    assert _post(client, release.id, "advance", "the fix is urgent").startswith("303")
    moved = _service(client).get(release.id)
    assert moved.stage == 1 and moved.state is ReleaseState.ROLLING_OUT
    page = main_html(client.get(f"{PATH}/{release.id}?lang=en").text)
    forced = r'<td>ada</td>\s*<td>Moved to the next stage <span class="pill">forced</span>'
    assert re.search(forced, page)
    assert "the fix is urgent" in page and "stage 2 of 4, 5%" in page

    # resuming a rolling-out release is refused with the service's reason (409), not a 500
    page = client.get(f"{PATH}/{release.id}?lang=en")
    response = client.post(f"{PATH}/{release.id}/resume", data={"csrf_token": csrf(page.text)})
    assert response.status_code == 409
    assert 'role="alert"' in response.text
    assert "only a paused or halted release resumes" in response.text
    assert _post(client, release.id, "rollback").startswith("303")
    assert _service(client).get(release.id).state is ReleaseState.ROLLED_BACK
    page = main_html(client.get(f"{PATH}/{release.id}?lang=en").text)
    assert "Change the rollout" not in page  # a final state offers no button
    assert _post(client, release.id, "pause").startswith("409")
    assert _post(client, 999999, "pause").startswith("404")


def test_gate_checks_show_as_a_chart_and_a_table_per_metric(
    client: TestClient, store: Store
) -> None:
    release = _rolling(client)
    gate_checks(_service(client), release.id)
    sign_in_as(client, "vera", Role.VIEWER)
    page = main_html(client.get(f"{PATH}/{release.id}?lang=en").text)
    assert "500 device-days since the start (baseline: 50,000), counted at the check" in page
    for metric in ("crash_rate", "feedback_rate", "negative_share", "returns_rate", "crash_guard"):
        assert f'id="metric-{metric}"' in page, metric
    crash = page.split('id="metric-crash_rate"')[1].split('class="gate-metric"')[0]
    assert crash.count('<g class="interval">') == 2
    assert (
        'aria-label="Crash rate: new build against the baseline, 2 checks: the latest ratio'
        in crash
    )
    # the table: 9 crashes in 500 device-days against 250 in 50,000: ratio 3.6
    assert "9 in 500 device-days (1.8%)" in crash
    assert "250 in 50,000 device-days (0.5%)" in crash
    assert '<td class="num">3.60</td><td>1.85 to 7.00</td>' in crash
    assert "(halts at 120)" in crash
    # the gate's hold in the log, its reason in words
    log = page.split("Decision log")[-1]
    assert '<span class="pill">gate</span> health' in log and "Held" in log
    assert "Hold: " in log
    # returns: no return on the new build at the first check: a row, no chart point
    returns = page.split('id="metric-returns_rate"')[1].split("</details>")[0]
    assert returns.count("<tr>") == 3  # the header and two checks
    assert returns.count('<g class="interval">') == 2
    assert re.search(r'<td class="num">0.00</td><td>0.00 to \d', returns)
    # in Russian, with the numbers localised
    page = main_html(client.get(f"{PATH}/{release.id}?lang=ru").text)
    assert "3,60" in page and "Crash rate" not in page
    # the gate's reasons too, from the logged details, not the English sentence
    log = page.split("Журнал решений")[-1]
    assert "Удержание" in log and "Hold: " not in log


def test_the_ratio_interval_per_kind_of_metric() -> None:
    def reading(metric: str, a: float, n1: float, b: float, n2: float) -> dict[str, object]:
        ratio = (a / n1) / (b / n2) if b else None
        return {
            "metric": metric,
            "new_events": a,
            "new_exposure": n1,
            "base_events": b,
            "base_exposure": n2,
            "base_rate": b / n2,
            "ratio": ratio,
        }

    low, high = ratio_interval(reading("crash_rate", 9, 500, 250, 50000)) or (0, 0)
    spread = 1.959964 * math.sqrt(1 / 9 + 1 / 250)
    assert math.isclose(low, 3.6 * math.exp(-spread)) and math.isclose(high, 3.6 * math.exp(spread))
    # shares: the variance of a ratio of two proportions, narrower than two Poisson counts
    low, high = ratio_interval(reading("negative_share", 4, 12, 250, 1000)) or (0, 0)
    spread = 1.959964 * math.sqrt(1 / 4 - 1 / 12 + 1 / 250 - 1 / 1000)
    ratio = (4 / 12) / 0.25
    assert math.isclose(low, ratio * math.exp(-spread)) and math.isclose(
        high, ratio * math.exp(spread)
    )
    # against the ceiling only the new build's count varies
    low, high = ratio_interval(reading("crash_guard", 9, 500, 0.0109, 1)) or (0, 0)
    ratio = (9 / 500) / 0.0109
    assert math.isclose(high, ratio * math.exp(1.959964 / 3))
    # none yet on the new build: from 0 to the bound half an event gives
    low, high = ratio_interval(reading("returns_rate", 0, 200, 4, 20000)) or (1, 0)
    half = (0.5 / 200) / (4 / 20000)
    assert low == 0 and math.isclose(high, half * math.exp(1.959964 * math.sqrt(2 + 1 / 4)))
    # no baseline event: no ratio, no interval
    assert ratio_interval(reading("returns_rate", 1, 200, 0, 20000)) is None
