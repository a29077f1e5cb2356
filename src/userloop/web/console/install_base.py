"""The install base in the console (`/console/install-base`): how each build is adopted day by
day, active devices per model and per region, and each build's crash and return rates per
1,000 device-days with their 95% intervals; charts, and tables with the same numbers.

Every staff member sees the page. The install base service computes every number; this module
reads the filters from the query, formats the numbers in the reader's language and draws the
charts. A product without install base shows how to import one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from userloop.insight.install_base import (
    BuildHealth,
    DeviceCount,
    InstallBaseFilter,
    InstallBaseReport,
    InvalidFilter,
    Rate,
    UnknownProduct,
)
from userloop.web.charts import Bar, Interval, Line, bar_chart, interval_chart, line_chart
from userloop.web.console.common import make_router, short_day
from userloop.web.console.returns import returns_batches
from userloop.web.context import translator, web_context
from userloop.web.i18n import N_, Translator
from userloop.web.render import render
from userloop.web.security import StaffUser

router = make_router()

PATH = "/console/install-base"
PER = 1000  # rates per 1,000 device-days: whole-ish numbers a reader can compare
IMPORT_COMMAND = "userloop import --install-base"
MAX_LINES = 8  # builds drawn one by one in the adoption chart; the rest as one line

Text = Annotated[str, Query(max_length=200)]


@dataclass(frozen=True)
class BuildRow:
    """One build's row of the rates table, formatted."""

    build: str
    adoption: str
    device_days: str
    crashes: str
    crash_rate: str
    crash_interval: str
    returns: str
    return_rate: str
    return_interval: str
    first_day: str
    last_day: str


@router.get("/install-base", response_class=HTMLResponse)
def install_base(
    request: Request,
    user: StaffUser,
    product: Text = "",
    model: Text = "",
    region: Text = "",
    channel: Text = "",
    segment: Text = "",
) -> Response:
    t = translator(request)
    service = web_context(request).services.install_base
    where = InstallBaseFilter(
        model=model.strip() or None,
        region=region.strip() or None,
        channel=channel.strip() or None,
        segment=segment.strip() or None,
    )
    error: str | None = None
    status_code = 200
    report: InstallBaseReport | None = None
    try:
        report = service.report(product.strip() or None, where)
    except (UnknownProduct, InvalidFilter) as exc:
        error = t.gettext(N_("Nothing can be shown: %(reason)s"), reason=str(exc.args[0]))
        status_code = 404 if isinstance(exc, UnknownProduct) else 422
    products = service.products()
    if report is not None and report.product not in products:
        products = sorted([*products, report.product])
    context: dict[str, Any] = {
        "report": report,
        "error": error,
        "products": products,
        "chosen": {
            "product": report.product if report else product.strip(),
            "model": where.model or "",
            "region": (where.region or "").upper(),
            "channel": where.channel or "",
            "segment": where.segment or "",
        },
        "region_name": lambda code: t.locale.territories.get(code, code),
    }
    if report is not None and not report.has_install_base:
        context["empty_message"] = empty_message(t, report.product)
    if report is not None and report.matched:
        context.update(_shown(t, report))
    context.update(returns_batches(request, context["chosen"]["product"] or None))
    return render(
        request, "console/install_base.html", context, status_code=status_code, area="console"
    )


def _shown(t: Translator, report: InstallBaseReport) -> dict[str, Any]:
    days = report.days
    shares: dict[tuple[date, str], float] = {(p.day, p.build): p.share for p in report.adoption}
    return {
        "adoption_chart": adoption_chart(t, report),
        "adoption_rows": [
            (t.date(d), [t.percent(shares.get((d, b), 0.0)) for b in report.builds])
            for d in reversed(days)
        ],
        "model_chart": devices_chart(t, report.models, N_("Active devices per model")),
        "region_chart": devices_chart(t, report.regions, N_("Active devices per region")),
        "crash_chart": rate_chart(t, report.per_build, "crashes"),
        "return_chart": rate_chart(t, report.per_build, "returns"),
        "build_rows": [_build_row(t, b) for b in report.per_build],
        "mean_text": lambda value: format_decimal(value, format="#,##0.#", locale=t.locale),
    }


def empty_message(t: Translator, product: str) -> Markup:
    """ "No install-base data ... import ... with `userloop import --install-base`", the command
    as code wherever the translation puts it; every other part escaped."""
    marker = "\x00"
    text = t.gettext(
        N_("No install-base data for %(product)s: import daily aggregates with %(command)s."),
        product=product,
        command=marker,
    )
    before, _, after = text.partition(marker)
    return Markup("{}<code>{}</code>{}").format(before, IMPORT_COMMAND, after)


def per_thousand(t: Translator, value: float) -> str:
    return format_decimal(value * PER, format="#,##0.##", locale=t.locale)


def interval_text(t: Translator, r: Rate) -> str:
    return t.gettext(
        N_("%(low)s to %(high)s"), low=per_thousand(t, r.low), high=per_thousand(t, r.high)
    )


def _build_row(t: Translator, b: BuildHealth) -> BuildRow:
    return BuildRow(
        build=b.build,
        adoption=t.percent(b.latest_share),
        device_days=t.number(b.device_days),
        crashes=t.number(b.crashes.count),
        crash_rate=per_thousand(t, b.crashes.rate),
        crash_interval=interval_text(t, b.crashes),
        returns=t.number(b.returns.count),
        return_rate=per_thousand(t, b.returns.rate),
        return_interval=interval_text(t, b.returns),
        first_day=t.date(b.first_day),
        last_day=t.date(b.last_day),
    )


# -- charts ------------------------------------------------------------------------------------


def adoption_chart(t: Translator, report: InstallBaseReport) -> Markup:
    """Each build's share of the day's active devices, one line per build; past MAX_LINES
    builds, the builds with the fewest device-days are drawn as one line."""
    days = report.days
    ranked = sorted(report.per_build, key=lambda b: -b.device_days)
    if len(ranked) > MAX_LINES:
        own = {b.build for b in ranked[: MAX_LINES - 1]}
    else:
        own = {b.build for b in ranked}
    index = {d: i for i, d in enumerate(days)}
    series: dict[str, list[float]] = {b: [0.0] * len(days) for b in report.builds if b in own}
    other = [0.0] * len(days)
    for p in report.adoption:
        target = series.get(p.build, other)
        target[index[p.day]] += p.share
    lines = [
        Line(
            b,
            tuple(values),
            t.gettext(
                N_("%(build)s: %(share)s of active devices on the latest day"),
                build=b,
                share=t.percent(values[-1]),
            ),
        )
        for b, values in series.items()
    ]
    if len(own) < len(report.builds):
        lines.append(Line(t.gettext(N_("Other builds")), tuple(other)))
    title = t.gettext(N_("Adoption of each build: share of active devices per day"))
    newest = report.per_build[-1]
    summary = t.ngettext(
        "%(title)s, %(num)s day from %(start)s to %(end)s; build %(build)s has %(share)s.",
        "%(title)s, %(num)s days from %(start)s to %(end)s; build %(build)s has %(share)s.",
        len(days),
        title=title,
        start=t.date(days[0]),
        end=t.date(days[-1]),
        build=newest.build,
        share=t.percent(newest.latest_share),
    )
    return line_chart(
        lines,
        [short_day(t, d) for d in days],
        title=title,
        summary=summary,
        x_label=t.gettext(N_("Day")),
        y_label=t.gettext(N_("Share")),
        number=lambda v: t.percent(v),
        y_max=1.0,
    )


def devices_chart(t: Translator, rows: list[DeviceCount], title_message: str) -> Markup:
    """Active devices on the latest day, largest first."""
    title = t.gettext(title_message)
    bars = [
        Bar(
            r.value,
            r.latest,
            t.ngettext(
                "%(name)s: %(num)s active device",
                "%(name)s: %(num)s active devices",
                r.latest,
                name=r.value,
            ),
        )
        for r in rows
    ]
    summary = t.ngettext(
        "%(title)s on the latest day, %(num)s value; the largest is %(name)s.",
        "%(title)s on the latest day, %(num)s values; the largest is %(name)s.",
        len(rows),
        title=title,
        name=rows[0].value if rows else "",
    )
    return bar_chart(
        bars,
        title=title,
        summary=summary,
        x_label="",
        y_label=t.gettext(N_("Active devices")),
        number=t.number,
    )


def rate_chart(t: Translator, builds: list[BuildHealth], what: str) -> Markup:
    """Crashes (or returns) per 1,000 device-days per build, with the 95% interval."""
    crashes = what == "crashes"
    title = t.gettext(
        N_("Crashes per 1,000 device-days, per build, with the 95% interval")
        if crashes
        else N_("Returns per 1,000 device-days, per build, with the 95% interval")
    )
    points = []
    for b in builds:
        r = b.crashes if crashes else b.returns
        points.append(
            Interval(
                b.build,
                r.rate * PER,
                r.low * PER,
                r.high * PER,
                t.gettext(
                    N_("%(build)s: %(rate)s (95%% interval %(interval)s)"),
                    build=b.build,
                    rate=per_thousand(t, r.rate),
                    interval=interval_text(t, r),
                ),
            )
        )
    peak = max(builds, key=lambda b: (b.crashes if crashes else b.returns).rate)
    summary = t.ngettext(
        "%(title)s: %(num)s build; the highest is %(build)s at %(rate)s.",
        "%(title)s: %(num)s builds; the highest is %(build)s at %(rate)s.",
        len(builds),
        title=title,
        build=peak.build,
        rate=per_thousand(t, (peak.crashes if crashes else peak.returns).rate),
    )
    return interval_chart(
        points,
        title=title,
        summary=summary,
        x_label=t.gettext(N_("Build")),
        y_label=t.gettext(N_("Per 1,000 device-days")),
        number=lambda v: format_decimal(v, format="#,##0.##", locale=t.locale),
    )
