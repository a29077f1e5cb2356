"""Console topic pages: the list (`/console/topics`), one topic, and the staff changes.

Every change is a POST by an editor (admin or triager) that redirects back with a notice, or
re-renders the topic with a precise error and nothing changed. The topic service checks the
rules and writes the audit log; this module only reads forms and chooses messages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from userloop.domain.entities import AuditEvent, User
from userloop.domain.enums import InvalidTransition, TopicStatus
from userloop.topics.lifecycle import TopicError
from userloop.views.console import MEMBER_LIMIT, NEUTRAL_BAND, TopicDetail
from userloop.web.charts import Bar, bar_chart
from userloop.web.console.common import day_chart, done_notice, make_router
from userloop.web.console.topic_form import DEFAULT_DESCENDING, TopicListForm
from userloop.web.context import WebError, translator, web_context
from userloop.web.i18n import N_, Translator
from userloop.web.labels import KIND_LABELS, STATUS_LABELS
from userloop.web.params import MAX_ID, Id, PathId
from userloop.web.render import render
from userloop.web.security import EditorUser, StaffUser

router = make_router()

MAX_BUILD_BARS = 30
_TOPIC_NUMBER = re.compile(r"#?(\d{1,18})")

Text = Annotated[str, Query(max_length=200)]
# Ids in URLs and forms: anything larger is no topic or report (a 422 page, not a DB error).
TopicId = PathId
ItemId = Id


# -- the list ---------------------------------------------------------------------------------


@router.get("/topics", response_class=HTMLResponse)
def topic_list(
    request: Request,
    user: StaffUser,
    sort: Text = "size",
    direction: Annotated[str, Query(alias="dir", max_length=10)] = "",
    kind: Text = "",
    status: Text = "",
    language: Text = "",
    model: Text = "",
    build: Text = "",
    channel: Text = "",
    q: Text = "",
    merged: Text = "",
    page: Text = "1",
) -> Response:
    web = web_context(request)
    form = TopicListForm.parse(
        sort=sort,
        direction=direction,
        kind=kind,
        status=status,
        language=language,
        model=model,
        build=build,
        channel=channel,
        q=q,
        merged=merged,
        page=page,
    )
    filters = form.to_filter()
    sort, descending = form.sort, form.descending
    result = web.services.console.topics(filters, sort, descending, form.page)
    params = form.params()

    def url(**changes: object) -> str:
        merged_params = {**params, **{k: str(v) for k, v in changes.items()}}
        query = urlencode(
            {k: v for k, v in merged_params.items() if v and not (k == "page" and v == "1")}
        )
        return "/console/topics" + ("?" + query if query else "")

    def sort_url(column: str) -> str:
        flip = not descending if column == sort else DEFAULT_DESCENDING[column]
        return url(sort=column, dir="desc" if flip else "asc", page=1)

    return render(
        request,
        "console/topics.html",
        {
            "result": result,
            "filters": filters,
            "params": params,
            "options": web.services.console.filter_values(),
            "sort": sort,
            "descending": descending,
            "url": url,
            "sort_url": sort_url,
            "filtered": form.filtered,
        },
        area="console",
    )


# -- one topic --------------------------------------------------------------------------------


@router.get("/topics/{topic_id:int}", response_class=HTMLResponse)
def topic_page(request: Request, topic_id: TopicId, user: StaffUser, done: Text = "") -> Response:
    return _topic_page(request, user, topic_id, notice=done_notice(translator(request), done))


def _topic_page(
    request: Request,
    user: User,
    topic_id: int,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    web = web_context(request)
    t = translator(request)
    detail = web.services.console.topic(topic_id) if topic_id <= MAX_ID else None
    if detail is None:
        raise WebError(404, N_("There is no topic #%(id)s."), code="not_found", id=topic_id)
    context: dict[str, Any] = {
        "detail": detail,
        "topic": detail.topic,
        "can_edit": user.role.can_edit and detail.topic.merged_into is None,
        "notice": notice,
        "error": error,
        "form": form or {},
        "member_limit": MEMBER_LIMIT,
        "neutral_band": NEUTRAL_BAND,
        "activity": [(e, describe(t, e)) for e in detail.activity],
    }
    context.update(_charts(t, detail))
    return render(request, "console/topic.html", context, status_code=status_code, area="console")


def _charts(t: Translator, detail: TopicDetail) -> dict[str, Any]:
    out: dict[str, Any] = {"day_chart": None, "build_chart": None, "builds_hidden": 0}
    if detail.per_day:
        days = sorted(detail.per_day)
        today = max(days[-1], _today())
        # Up to today, so a problem that stopped shows its quiet days.
        chart, buckets, size = day_chart(t, detail.per_day, days[0], today)
        out.update(day_chart=chart, day_buckets=buckets, bucket_days=size)
    if detail.per_build:
        no_build = t.gettext(N_("No build given"))
        kept = detail.per_build
        if len(kept) > MAX_BUILD_BARS:
            # The most reported builds, still in build order.
            top = sorted(kept, key=lambda b: -b[1])[:MAX_BUILD_BARS]
            kept = [b for b in detail.per_build if b in top]
            out["builds_hidden"] = len(detail.per_build) - len(kept)
        bars = [Bar(version or no_build, n) for version, n in kept]
        title = t.gettext(N_("Reports per build"))
        summary = t.ngettext(
            "%(title)s: %(num)s build shown, most reports (%(peak)s) on %(build)s.",
            "%(title)s: %(num)s builds shown, most reports (%(peak)s) on %(build)s.",
            len(bars),
            title=title,
            peak=t.number(max(b.value for b in bars)),
            build=max(bars, key=lambda b: b.value).label,
        )
        out["build_chart"] = bar_chart(
            bars,
            title=title,
            summary=summary,
            x_label=t.gettext(N_("Build")),
            y_label=t.gettext(N_("Reports")),
            number=t.number,
            max_labels=6,
        )
        out["build_rows"] = [(version or no_build, n) for version, n in detail.per_build]
    return out


def _today() -> date:
    return datetime.now(UTC).date()


def describe(t: Translator, event: AuditEvent) -> str:
    """A staff change of a topic in words (the details come from the audit log)."""
    d = event.details if isinstance(event.details, dict) else {}

    def status(value: object) -> str:
        label = STATUS_LABELS.get(str(value))
        return t.gettext(label) if label else str(value)

    if event.action == "topic.status":
        return t.gettext(
            N_("Status changed from %(old)s to %(new)s."),
            old=status(d.get("from")),
            new=status(d.get("to")),
        )
    if event.action == "topic.fixed_build":
        if d.get("to"):
            return t.gettext(N_("Fixed build set to %(build)s."), build=str(d.get("to")))
        return t.gettext(N_("Fixed build cleared."))
    if event.action == "topic.merge":
        sources = [str(s) for s in d.get("sources", []) if isinstance(s, int)]  # type: ignore[attr-defined]
        return t.ngettext(
            "Topic %(topics)s was merged into this topic.",
            "Topics %(topics)s were merged into this topic.",
            len(sources),
            topics=", ".join(f"#{s}" for s in sources),
        )
    if event.action == "topic.split":
        members = d.get("members", [])
        return t.ngettext(
            "%(num)s report was split off into topic #%(topic)s.",
            "%(num)s reports were split off into topic #%(topic)s.",
            len(members) if isinstance(members, list) else 0,
            topic=str(d.get("new_topic", "?")),
        )
    if event.action == "topic.move":
        members = d.get("members", [])
        return t.ngettext(
            "%(num)s report was moved to topic #%(topic)s.",
            "%(num)s reports were moved to topic #%(topic)s.",
            len(members) if isinstance(members, list) else 0,
            topic=str(d.get("to", "?")),
        )
    return event.action


# -- changes (editors only) -------------------------------------------------------------------


def _back(topic_id: int, done: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/console/topics/{topic_id}?done={done}{anchor}", 303)


@router.post("/topics/{topic_id:int}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    topic_id: TopicId,
    user: EditorUser,
    status: Annotated[str, Form(max_length=50)] = "",
    fixed_build: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    t = translator(request)
    form = {"status": status, "fixed_build": fixed_build or ""}

    def fail(message: str, code: int, **values: object) -> Response:
        return _topic_page(
            request,
            user,
            topic_id,
            error=t.gettext(message, **values),
            status_code=code,
            form=form,
        )

    if status and status not in {s.value for s in TopicStatus}:
        return fail(N_("Choose a status from the list."), 400)
    if fixed_build is not None and len(fixed_build.strip()) > 100:
        return fail(N_("A build version is at most 100 characters."), 400)
    try:
        changed = web_context(request).services.console.change_status(
            topic_id, status or None, fixed_build, user.username
        )
    except (InvalidTransition, TopicError) as exc:
        return fail(N_("The status could not be changed: %(reason)s"), 409, reason=str(exc))
    done = {("status",): "status", ("build",): "build", ("status", "build"): "status_build"}
    return _back(topic_id, done.get(tuple(changed), "unchanged"))


def _topic_numbers(raw: str) -> list[int] | None:
    """Topic numbers typed by a person ("12", "#12", "12, 14"); None if anything else."""
    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    numbers = []
    for part in parts:
        found = _TOPIC_NUMBER.fullmatch(part)
        if found is None:
            return None
        numbers.append(int(found.group(1)))
    return numbers or None


@router.post("/topics/{topic_id:int}/merge-into", response_class=HTMLResponse)
def merge_into(
    request: Request,
    topic_id: TopicId,
    user: EditorUser,
    target: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Merge this topic into another: its reports and votes move there."""
    numbers = _topic_numbers(target)
    if numbers is None or len(numbers) != 1:
        return _merge(request, user, topic_id, None, {"target": target})
    return _merge(request, user, topic_id, ([topic_id], numbers[0]), {"target": target})


@router.post("/topics/{topic_id:int}/merge-from", response_class=HTMLResponse)
def merge_from(
    request: Request,
    topic_id: TopicId,
    user: EditorUser,
    sources: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Merge other topics into this one."""
    numbers = _topic_numbers(sources)
    plan = (numbers, topic_id) if numbers is not None else None
    return _merge(request, user, topic_id, plan, {"sources": sources})


def _merge(
    request: Request,
    user: User,
    topic_id: int,
    plan: tuple[list[int], int] | None,
    form: dict[str, str],
) -> Response:
    """Run a merge of `plan` (sources, target) typed on topic `topic_id`'s page; on a bad
    entry (None) or a refusal, show that page again with the input kept."""
    t = translator(request)
    if plan is None:
        message = (
            N_("Enter one topic number, such as 12 or #12.")
            if "target" in form
            else N_("Enter topic numbers such as 12 or #12, separated by commas.")
        )
        return _topic_page(
            request, user, topic_id, error=t.gettext(message), status_code=400, form=form
        )
    sources, target = plan
    try:
        web_context(request).services.console.merge(sources, target, user.username)
    except TopicError as exc:
        return _topic_page(
            request,
            user,
            topic_id,
            error=t.gettext(N_("The topics could not be merged: %(reason)s"), reason=str(exc)),
            status_code=409,
            form=form,
        )
    return _back(target, "merged")


@router.post("/topics/{topic_id:int}/split", response_class=HTMLResponse)
def split(
    request: Request,
    topic_id: TopicId,
    user: EditorUser,
    member: Annotated[list[ItemId] | None, Form()] = None,
) -> Response:
    t = translator(request)
    if not member:
        return _topic_page(
            request,
            user,
            topic_id,
            error=t.gettext(N_("Select at least one report to split off.")),
            status_code=400,
        )
    try:
        new = web_context(request).services.console.split(topic_id, member, user.username)
    except TopicError as exc:
        return _topic_page(
            request,
            user,
            topic_id,
            error=t.gettext(N_("The topic could not be split: %(reason)s"), reason=str(exc)),
            status_code=409,
        )
    return _back(new.id, "split")


@router.post("/topics/{topic_id:int}/move", response_class=HTMLResponse)
def move(
    request: Request,
    topic_id: TopicId,
    user: EditorUser,
    member: Annotated[list[ItemId] | None, Form()] = None,
    target: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Move the ticked reports into another existing topic (pinned there)."""
    t = translator(request)
    numbers = _topic_numbers(target)
    form = {"target": target}
    if numbers is None or len(numbers) != 1:
        message = N_("Enter one topic number, such as 12 or #12.")
        return _topic_page(
            request, user, topic_id, error=t.gettext(message), status_code=400, form=form
        )
    if not member:
        message = N_("Select at least one report to move.")
        return _topic_page(
            request, user, topic_id, error=t.gettext(message), status_code=400, form=form
        )
    try:
        moved = web_context(request).services.topics.move(
            topic_id, member, numbers[0], user.username
        )
    except TopicError as exc:
        return _topic_page(
            request,
            user,
            topic_id,
            error=t.gettext(N_("The reports could not be moved: %(reason)s"), reason=str(exc)),
            status_code=409,
            form=form,
        )
    return _back(moved.id, "moved")


@router.post("/topics/{topic_id:int}/kind", response_class=HTMLResponse)
def correct_kind(
    request: Request,
    topic_id: TopicId,
    user: EditorUser,
    feedback_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    kind: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    t = translator(request)
    if kind not in KIND_LABELS:
        return _topic_page(
            request,
            user,
            topic_id,
            error=t.gettext(N_("Choose a kind from the list.")),
            status_code=400,
        )
    try:
        web_context(request).services.console.correct_kind(
            topic_id, feedback_id, kind, user.username
        )
    except LookupError:  # NotInTopic, or the report is gone
        return _topic_page(
            request,
            user,
            topic_id,
            error=t.gettext(N_("Report #%(id)s is not in this topic (any more)."), id=feedback_id),
            status_code=409,
        )
    return _back(topic_id, "kind", f"#report-{feedback_id}")
