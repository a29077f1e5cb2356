"""What the console's page modules share: their router factory, notices and chart helpers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from babel.dates import format_skeleton
from fastapi import APIRouter, Depends
from markupsafe import Markup

from userloop.web.charts import Bar, bar_chart, day_buckets
from userloop.web.i18n import N_, Translator
from userloop.web.security import csrf_protect


def make_router() -> APIRouter:
    """Every console router: under /console, and every POST needs the CSRF token."""
    return APIRouter(
        prefix="/console", dependencies=[Depends(csrf_protect)], include_in_schema=False
    )


# Success notices after a POST-redirect-GET (`?done=<key>`); unknown keys show nothing.
DONE: dict[str, str] = {
    "status": N_("The status was changed."),
    "build": N_("The fixed build was saved."),
    "status_build": N_("The status and the fixed build were saved."),
    "unchanged": N_("Nothing was changed."),
    "merged": N_("The topics were merged."),
    "split": N_("The selected reports were moved to this new topic."),
    "moved": N_("The selected reports were moved to this topic."),
    "kind": N_("The kind of the report was corrected."),
    "seen": N_("Your inbox was marked as seen."),
    "suggestion_accepted": N_("The suggestion was accepted: the topics were merged."),
    "suggestion_rejected": N_(
        "The suggestion was rejected: the topics are kept apart, and neither suggestions nor "
        "re-clustering will join them again."
    ),
}

SENTIMENT_LABELS = {
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
}


def done_notice(t: Translator, key: str | None) -> str | None:
    message = DONE.get(key or "")
    return t.gettext(message) if message else None


def short_day(t: Translator, day: date) -> str:
    return format_skeleton("MMMd", day, locale=t.locale)


def day_chart(
    t: Translator, counts: Mapping[date, int], start: date, end: date
) -> tuple[Markup, list[tuple[date, int]], int]:
    """A reports-per-day chart (per week past 200 days). Returns the chart, the buckets (for
    the table of numbers beside it) and the bucket size in days."""
    size, buckets = day_buckets(counts, start, end)
    total = sum(n for _, n in buckets)
    first, last = t.date(start), t.date(end)
    if size == 1:
        title = t.gettext(N_("Reports per day"))
        x_label = t.gettext(N_("Day"))
        bars = [
            Bar(
                short_day(t, d),
                n,
                t.gettext(N_("%(day)s: %(count)s"), day=t.date(d), count=t.number(n)),
            )
            for d, n in buckets
        ]
    else:
        title = t.gettext(N_("Reports per week"))
        x_label = t.gettext(N_("Week starting"))
        bars = [
            Bar(
                short_day(t, d),
                n,
                t.gettext(N_("Week of %(day)s: %(count)s"), day=t.date(d), count=t.number(n)),
            )
            for d, n in buckets
        ]
    peak_day, peak = max(buckets, key=lambda b: b[1]) if buckets else (start, 0)
    summary = t.gettext(
        N_("%(title)s from %(first)s to %(last)s: %(total)s in all, at most %(peak)s on %(day)s."),
        title=title,
        first=first,
        last=last,
        total=t.number(total),
        peak=t.number(peak),
        day=t.date(peak_day),
    )
    chart = bar_chart(
        bars,
        title=title,
        summary=summary,
        x_label=x_label,
        y_label=t.gettext(N_("Reports")),
        number=t.number,
    )
    return chart, buckets, size
