"""Releases: the device-facing update check (scope `ingest`, the token devices already send
telemetry with), reading releases (scope `read`) and creating and moving them (scope `release`).
The service checks every rule and writes the decision log and the audit log; a change its
state does not allow is a 409 with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from starlette.concurrency import run_in_threadpool

from userloop.domain.entities import ApiToken
from userloop.domain.enums import Channel
from userloop.domain.release import Release, ReleaseState
from userloop.release.service import (
    ReleaseInputError,
    ReleaseRefused,
    ReleaseService,
    UnknownRelease,
)
from userloop.web.api.deps import (
    DeviceToken,
    ReadToken,
    ReleaseToken,
    ServicesDep,
    get_services,
)
from userloop.web.api.errors import ApiError
from userloop.web.api.release_schemas import (
    NAME,
    PRODUCT,
    REGION,
    ActionIn,
    AdvanceIn,
    ReleaseDetail,
    ReleaseEventOut,
    ReleaseIn,
    ReleaseOut,
    ReleasePage,
    UpdateOut,
)
from userloop.web.api.routes.common import AUTH, POST, error_responses
from userloop.web.params import PathId

router = APIRouter()

_REFUSED = {
    409: "The release's state does not allow this (or, for advance, its stage's minimum dwell "
    "has not passed); the message says why",
    404: "No release has this id",
}
_DUPLICATE = {409: "A release of this product, channel and build exists already"}
_NAMED = Query(min_length=1, max_length=100, pattern=NAME)


@router.get(
    "/updates",
    response_model=UpdateOut,
    tags=["releases"],
    responses=error_responses(*AUTH, 422),
)
async def update_check(
    request: Request,
    _token: DeviceToken,
    device: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=NAME,
            description="The device's stable id (the same on every check).",
        ),
    ],
    model: Annotated[str, _NAMED],
    build: Annotated[
        str,
        Query(min_length=1, max_length=100, pattern=NAME, description="The build installed now."),
    ],
    channel: Channel,
    region: Annotated[str | None, Query(pattern=REGION)] = None,
    product: Annotated[
        str | None, Query(pattern=PRODUCT, description="Default: the installation's product.")
    ] = None,
) -> UpdateOut:
    """Whether this device should take which build now. The answer is the same for the same
    question until a release changes: a device that got a build keeps it, a halted or paused
    release offers nothing new, a rolled-back one offers the previous build."""
    # The hot path: answered on the event loop from the service's in-memory copy of the
    # started releases (no thread hop); only a stale copy is reloaded, in the thread pool.
    releases = get_services(request).releases
    question = (device, model, build, channel, region, product)
    try:
        answer = releases.cached_update_check(*question)
        if answer is None:
            answer = await run_in_threadpool(releases.update_check, *question)
    except ReleaseInputError as exc:
        raise _invalid(exc, "query.") from exc
    return UpdateOut.of(answer)


@router.get(
    "/releases",
    response_model=ReleasePage,
    tags=["releases"],
    responses=error_responses(*AUTH, 422),
)
def list_releases(
    services: ServicesDep,
    _token: ReadToken,
    product: Annotated[str | None, Query(pattern=PRODUCT)] = None,
    state: ReleaseState | None = None,
    channel: Channel | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReleasePage:
    """Releases, newest first."""
    found = services.releases.list(product, state, channel, limit)
    return ReleasePage(data=[ReleaseOut.of(r) for r in found])


@router.post(
    "/releases",
    response_model=ReleaseOut,
    status_code=201,
    tags=["releases"],
    responses=error_responses(*POST, described=_DUPLICATE),
)
def create_release(body: ReleaseIn, services: ServicesDep, token: ReleaseToken) -> ReleaseOut:
    """A draft release; `start` begins its rollout."""
    try:
        release = services.releases.create(
            body.product,
            body.build,
            body.channel,
            body.plan,
            previous_build=body.previous_build,
            models=body.models,
            regions=body.regions,
            actor=_actor(token),
        )
    except ReleaseInputError as exc:
        raise _invalid(exc) from exc
    except ReleaseRefused as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return ReleaseOut.of(release)


@router.get(
    "/releases/{release_id}",
    response_model=ReleaseDetail,
    tags=["releases"],
    responses=error_responses(*AUTH, 404, 422),
)
def get_release(release_id: PathId, services: ServicesDep, _token: ReadToken) -> ReleaseDetail:
    """A release with its decision log: who moved it, when and why."""
    try:
        status = services.releases.status(release_id)
    except UnknownRelease as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    out = ReleaseOut.of(status.release)
    return ReleaseDetail(**out.model_dump(), events=[ReleaseEventOut.of(e) for e in status.events])


Act = Callable[[ReleaseService, int, str, str], Release]
_ACTIONS: dict[str, tuple[Act, str]] = {
    "start": (lambda s, i, a, r: s.start(i, a, r), "Begin the rollout at the plan's first stage."),
    "pause": (
        lambda s, i, a, r: s.pause(i, a, r),
        "Stop offering the build to new devices for now (devices that have it keep it).",
    ),
    "resume": (
        lambda s, i, a, r: s.resume(i, a, r),
        "Roll out again at the same stage (a paused or halted release); the devices chosen "
        "before are offered the build first, and the stage's dwell starts again.",
    ),
    "rollback": (
        lambda s, i, a, r: s.rollback(i, a, r),
        "Give up the release: devices on its build are offered the previous build.",
    ),
}


def _action_route(action: str, act: Act, doc: str) -> None:
    def move(
        release_id: PathId,
        services: ServicesDep,
        token: ReleaseToken,
        body: Annotated[ActionIn | None, Body()] = None,
    ) -> ReleaseOut:
        reason = body.reason if body else ""
        return _run(lambda: act(services.releases, release_id, _actor(token), reason))

    move.__doc__ = doc
    move.__name__ = f"{action}_release"
    router.post(
        f"/releases/{{release_id}}/{action}",
        response_model=ReleaseOut,
        tags=["releases"],
        responses=error_responses(*POST, described=_REFUSED),
    )(move)


for _action, (_act, _doc) in _ACTIONS.items():
    _action_route(_action, _act, _doc)


@router.post(
    "/releases/{release_id}/advance",
    response_model=ReleaseOut,
    tags=["releases"],
    responses=error_responses(*POST, described=_REFUSED),
)
def advance_release(
    release_id: PathId,
    services: ServicesDep,
    token: ReleaseToken,
    body: Annotated[AdvanceIn | None, Body()] = None,
) -> ReleaseOut:
    """To the next stage, or completed from the last. Before the stage's minimum dwell has
    passed only with `force` and a `reason` (a staff override, kept in the decision log)."""
    given = body or AdvanceIn()
    return _run(
        lambda: services.releases.advance(
            release_id, _actor(token), given.reason, force=given.force
        )
    )


def _run(change: Callable[[], Release]) -> ReleaseOut:
    try:
        return ReleaseOut.of(change())
    except UnknownRelease as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    except ReleaseInputError as exc:
        raise _invalid(exc) from exc
    except ReleaseRefused as exc:
        raise ApiError(409, "conflict", str(exc)) from exc


def _invalid(exc: ReleaseInputError, where: str = "") -> ApiError:
    """A 422 like the framework's own: `details` names the field (`query.` for parameters)."""
    field = f"{where}{exc.field}"
    return ApiError(
        422,
        "validation_error",
        f"{field}: {exc.message}",
        [{"field": field, "message": exc.message}],
    )


def _actor(token: ApiToken) -> str:
    # As for merge suggestions: the token's id and name.
    return f"token:{token.id} ({token.name})"
