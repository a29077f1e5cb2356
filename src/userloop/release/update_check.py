"""The device-facing update check, as a pure rule over the releases of one product and channel.

What a device is told (docs/releases.md, "The update check"):

- on a release's build: ``stay`` (a device that got the build keeps it, whatever happens to the
  release later), unless the release was rolled back: then ``rollback`` to its previous build;
- on the build a release moves devices from (its previous build; any other build when it names
  none): ``update`` while the release is rolling out and the device's cohort bucket is under
  the current percentage, or once it has completed; a paused or halted release offers nothing
  new (``none``), so a halt stops new devices only;
- otherwise ``none``.

The releases are looked at newest first and the first one that concerns the device's build
answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from userloop.domain.release import Release, ReleaseState
from userloop.release.cohort import bucket


class UpdateAction(StrEnum):
    UPDATE = "update"  # install `build` now
    STAY = "stay"  # keep the installed build
    ROLLBACK = "rollback"  # install `build`, the previous one
    NONE = "none"  # nothing to do now; ask again later


class UpdateReason(StrEnum):
    IN_COHORT = "in_cohort"
    NOT_IN_COHORT = "not_in_cohort"
    COMPLETED = "completed"
    INSTALLED = "installed"
    PAUSED = "paused"
    HALTED = "halted"
    ROLLED_BACK = "rolled_back"
    NOT_ELIGIBLE = "not_eligible"
    NO_RELEASE = "no_release"


@dataclass(frozen=True, slots=True)
class UpdateAnswer:
    action: UpdateAction
    reason: UpdateReason
    build: str | None = None  # the build to install (update, rollback) or keep (stay)
    release_id: int | None = None
    state: ReleaseState | None = None
    stage: int | None = None  # 1-based, as shown to people
    percent: float | None = None

    def record(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "build": self.build,
            "reason": self.reason.value,
            "release_id": self.release_id,
            "state": self.state.value if self.state else None,
            "stage": self.stage,
            "percent": self.percent,
        }


def decide(
    releases: Sequence[Release], device: str, model: str | None, build: str, region: str | None
) -> UpdateAnswer:
    """What a device on `build` should do, given the started releases of its product and
    channel, newest first (drafts offer nothing and are skipped)."""
    for release in releases:
        if release.state is ReleaseState.DRAFT:
            continue
        if build == release.build:
            return _on_new_build(release)
        moves_from = release.previous_build is None or build == release.previous_build
        if moves_from:
            return _on_old_build(release, device, model, region)
    return UpdateAnswer(UpdateAction.NONE, UpdateReason.NO_RELEASE)


def _answer(
    release: Release, action: UpdateAction, reason: UpdateReason, build: str | None
) -> UpdateAnswer:
    started = release.state is not ReleaseState.DRAFT
    return UpdateAnswer(
        action,
        reason,
        build,
        release.id,
        release.state,
        release.stage + 1 if started else None,
        release.percent,
    )


def _on_new_build(release: Release) -> UpdateAnswer:
    if release.state is ReleaseState.ROLLED_BACK:
        if release.previous_build is not None:
            return _answer(
                release, UpdateAction.ROLLBACK, UpdateReason.ROLLED_BACK, release.previous_build
            )
        # Nothing to go back to: the device keeps what it has.
        return _answer(release, UpdateAction.STAY, UpdateReason.ROLLED_BACK, release.build)
    return _answer(release, UpdateAction.STAY, UpdateReason.INSTALLED, release.build)


def _on_old_build(
    release: Release, device: str, model: str | None, region: str | None
) -> UpdateAnswer:
    state = release.state
    if state is ReleaseState.ROLLED_BACK:
        return _answer(release, UpdateAction.NONE, UpdateReason.ROLLED_BACK, None)
    if not release.eligible(model, region):
        return _answer(release, UpdateAction.NONE, UpdateReason.NOT_ELIGIBLE, None)
    if state is ReleaseState.COMPLETED:
        return _answer(release, UpdateAction.UPDATE, UpdateReason.COMPLETED, release.build)
    if state is ReleaseState.PAUSED:
        return _answer(release, UpdateAction.NONE, UpdateReason.PAUSED, None)
    if state is ReleaseState.HALTED:
        return _answer(release, UpdateAction.NONE, UpdateReason.HALTED, None)
    if bucket(device, release.key) < release.current_stage.threshold:
        return _answer(release, UpdateAction.UPDATE, UpdateReason.IN_COHORT, release.build)
    return _answer(release, UpdateAction.NONE, UpdateReason.NOT_IN_COHORT, None)
