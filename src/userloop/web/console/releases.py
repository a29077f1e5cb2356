"""Releases in the console (`/console/releases`): every release per product with its state and
stage, and one release's page: its plan as a ladder of stages, time in the current stage, the
cohort's exposure, each gate metric over the checks (chart and table), the decision log, and
the staff buttons.

Every staff member sees the pages; editors (admin or triager) pause, resume, force an advance
(with a reason) or roll back, then come back to the release with a notice, or see the page
again with the service's reason and nothing changed. The release service checks every rule
and writes the decision log and the audit log, with the signed-in user as the actor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from babel.dates import format_timedelta
from babel.numbers import format_percent
from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from userloop.domain.entities import User
from userloop.domain.release import Release, ReleaseEvent, ReleaseState
from userloop.release.service import (
    ReleaseInputError,
    ReleaseRefused,
    UnknownRelease,
)
from userloop.web.console.common import make_router
from userloop.web.console.release_gates import gate_reason_text, latest_exposure, metric_views
from userloop.web.context import WebError, translator, web_context
from userloop.web.i18n import N_, Translator
from userloop.web.params import PathId
from userloop.web.render import render
from userloop.web.security import EditorUser, StaffUser

router = make_router()

PATH = "/console/releases"
LIMIT = 200

Text = Annotated[str, Query(max_length=200)]
Reason = Annotated[str, Form(max_length=2000)]

STATE_LABELS: dict[str, str] = {
    ReleaseState.DRAFT.value: N_("Draft"),
    ReleaseState.ROLLING_OUT.value: N_("Rolling out"),
    ReleaseState.PAUSED.value: N_("Paused"),
    ReleaseState.HALTED.value: N_("Halted"),
    ReleaseState.COMPLETED.value: N_("Completed"),
    ReleaseState.ROLLED_BACK.value: N_("Rolled back"),
}
ACTION_LABELS: dict[str, str] = {
    "create": N_("Drafted"),
    "start": N_("Started"),
    "advance": N_("Moved to the next stage"),
    "hold": N_("Held"),
    "pause": N_("Paused"),
    "resume": N_("Resumed"),
    "halt": N_("Halted"),
    "rollback": N_("Rolled back"),
    "complete": N_("Completed"),
}
# Notices after a POST-redirect-GET (`?done=<key>`); unknown keys show nothing.
DONE: dict[str, str] = {
    "pause": N_("The release was paused: no new device is offered the build."),
    "resume": N_("The release was resumed at the same stage."),
    "advance": N_("The release was advanced."),
    "rollback": N_("The release was rolled back: devices are offered the previous build."),
}


def _state(raw: str) -> ReleaseState | None:
    # From a select: an unknown value is "all states", not an error page.
    return ReleaseState(raw) if raw in STATE_LABELS else None


def percent_text(t: Translator, percent: float) -> str:
    return format_percent(percent / 100, format="#,##0.##%", locale=t.locale)


def duration_text(t: Translator, span: timedelta) -> str:
    return format_timedelta(span, threshold=1.5, locale=t.locale)


# -- the list ----------------------------------------------------------------------------------


@router.get("/releases", response_class=HTMLResponse)
def releases(request: Request, user: StaffUser, state: Text = "", product: Text = "") -> Response:
    services = web_context(request).services
    chosen = _state(state)
    found = services.releases.list(product.strip() or None, chosen, limit=LIMIT)
    groups: dict[str, list[Release]] = {}
    for release in found:  # newest first, kept in that order within each product
        groups.setdefault(release.product, []).append(release)
    context: dict[str, Any] = {
        "groups": groups,
        "total": len(found),
        "state": chosen.value if chosen else "",
        "product": product.strip(),
        "state_labels": STATE_LABELS,
        "percent": lambda p: percent_text(translator(request), p),
    }
    return render(request, "console/releases.html", context, area="console")


# -- one release -------------------------------------------------------------------------------


@router.get("/releases/{release_id}", response_class=HTMLResponse)
def release_page(
    request: Request, user: StaffUser, release_id: PathId, done: Text = ""
) -> Response:
    message = DONE.get(done)
    notice = translator(request).gettext(message) if message else None
    return _page(request, user, release_id, notice=notice)


def _page(
    request: Request,
    user: User,
    release_id: int,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    t = translator(request)
    service = web_context(request).services.releases
    try:
        status = service.status(release_id)
    except UnknownRelease:
        raise WebError(
            404, N_("There is no release #%(id)s."), code="not_found", id=release_id
        ) from None
    release, events = status.release, status.events
    now = service.clock()
    in_stage = None
    if release.state is ReleaseState.ROLLING_OUT and release.stage_started_at is not None:
        in_stage = duration_text(t, max(now - release.stage_started_at, timedelta(0)))
    context: dict[str, Any] = {
        "release": release,
        "events": [_event_row(t, release, e) for e in reversed(events)],  # newest first
        "ladder": _ladder(t, release),
        "in_stage": in_stage,
        "dwell_ends": release.dwell_ends_at() if in_stage else None,
        "exposure": latest_exposure(events),
        "metrics": metric_views(t, events),
        "state_labels": STATE_LABELS,
        "percent": lambda p: percent_text(t, p),
        "can_act": user.role.can_edit,
        "can": _possible(release),
        "notice": notice,
        "error": error,
    }
    return render(request, "console/release.html", context, status_code=status_code, area="console")


def _possible(release: Release) -> set[str]:
    """The buttons the release's state allows (the service decides again on the POST)."""
    state = release.state
    out = set()
    if state is ReleaseState.ROLLING_OUT:
        out |= {"pause", "advance"}
    if state in (ReleaseState.PAUSED, ReleaseState.HALTED):
        out.add("resume")
    if state.can_become(ReleaseState.ROLLED_BACK):
        out.add("rollback")
    return out


def _ladder(t: Translator, release: Release) -> list[dict[str, Any]]:
    started = release.state is not ReleaseState.DRAFT
    rows = []
    for i, stage in enumerate(release.plan.stages):
        if release.state is ReleaseState.COMPLETED:
            where = "done"
        elif not started or i > release.stage:
            where = "todo"
        else:
            where = "current" if i == release.stage else "done"
        rows.append(
            {
                "number": i + 1,
                "percent": percent_text(t, stage.percent),
                "dwell": duration_text(t, stage.min_dwell),
                "exposure": t.number(stage.min_exposure),
                "min_exposure": stage.min_exposure,
                "where": where,
            }
        )
    return rows


def _event_row(t: Translator, release: Release, event: ReleaseEvent) -> dict[str, Any]:
    stages = release.plan.stages
    stage = stages[event.stage] if 0 <= event.stage < len(stages) else None
    action = ACTION_LABELS.get(event.action)
    return {
        "at": event.at,
        "actor": event.actor,
        "is_gate": event.actor.startswith("gate:"),
        "action": t.gettext(action) if action else event.action,
        "from_state": event.from_state.value if event.from_state else None,
        "to_state": event.to_state.value,
        "stage": (
            t.gettext(
                N_("stage %(number)s of %(count)s, %(percent)s"),
                number=t.number(event.stage + 1),
                count=t.number(len(stages)),
                percent=percent_text(t, stage.percent),
            )
            if stage
            else ""
        ),
        "reason": (
            gate_reason_text(t, event.details) or event.reason
            if event.actor.startswith("gate:")
            else event.reason
        ),
        "forced": bool(event.details.get("forced")),
    }


# -- the staff buttons -------------------------------------------------------------------------


def _act(
    request: Request,
    user: User,
    release_id: int,
    action: str,
    change: Callable[[], Release],
) -> Response:
    t = translator(request)
    try:
        change()
    except UnknownRelease:
        raise WebError(
            404, N_("There is no release #%(id)s."), code="not_found", id=release_id
        ) from None
    except (ReleaseRefused, ReleaseInputError) as exc:
        # The service's reason is in English, like the other refusals of the console.
        reason = exc.message if isinstance(exc, ReleaseInputError) else str(exc)
        error = t.gettext(N_("The release was not changed: %(reason)s"), reason=reason)
        code = 422 if isinstance(exc, ReleaseInputError) else 409
        return _page(request, user, release_id, error=error, status_code=code)
    return RedirectResponse(f"{PATH}/{release_id}?done={action}", 303)


@router.post("/releases/{release_id}/pause", response_class=HTMLResponse)
def pause(request: Request, user: EditorUser, release_id: PathId, reason: Reason = "") -> Response:
    service = web_context(request).services.releases
    return _act(
        request,
        user,
        release_id,
        "pause",
        lambda: service.pause(release_id, user.username, reason.strip()),
    )


@router.post("/releases/{release_id}/resume", response_class=HTMLResponse)
def resume(request: Request, user: EditorUser, release_id: PathId, reason: Reason = "") -> Response:
    service = web_context(request).services.releases
    return _act(
        request,
        user,
        release_id,
        "resume",
        lambda: service.resume(release_id, user.username, reason.strip()),
    )


@router.post("/releases/{release_id}/advance", response_class=HTMLResponse)
def advance(
    request: Request, user: EditorUser, release_id: PathId, reason: Reason = ""
) -> Response:
    """Staff advance by force: before the stage's dwell has passed too, so a reason is asked
    for every time (the log marks the event forced)."""
    service = web_context(request).services.releases
    return _act(
        request,
        user,
        release_id,
        "advance",
        lambda: service.advance(release_id, user.username, reason.strip(), force=True),
    )


@router.post("/releases/{release_id}/rollback", response_class=HTMLResponse)
def rollback(
    request: Request, user: EditorUser, release_id: PathId, reason: Reason = ""
) -> Response:
    service = web_context(request).services.releases
    return _act(
        request,
        user,
        release_id,
        "rollback",
        lambda: service.rollback(release_id, user.username, reason.strip()),
    )
