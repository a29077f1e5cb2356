"""Emerging issues in the console (`/console/emerging`): the topics that rose, or appeared, on
a build against the earlier builds, with the evidence in plain words and the topic's rate per
build as a chart.

Every staff member sees the page. The emerging service chooses the builds, runs the test and
finds the first reports; this module picks the build from the query, words the evidence and
draws the charts. An unknown build or product shows the page with the service's reason (404)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import groupby
from typing import Annotated, Any

from babel.numbers import format_decimal, format_percent, format_scientific
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from userloop.domain.entities import Topic
from userloop.domain.language_tags import reader_language_match
from userloop.insight.emerging import POISSON_TEST, SHARE_TEST
from userloop.insight.service import EmergingIssue, UnknownBuild, UnknownProduct
from userloop.web.charts import Bar, bar_chart
from userloop.web.console.common import make_router
from userloop.web.context import translator, web_context
from userloop.web.i18n import N_, Translator
from userloop.web.render import render
from userloop.web.security import StaffUser

router = make_router()

PATH = "/console/emerging"
# The build selector's value for "every build" (`build=*`); no value means each product's
# latest build. A build literally named "*" is not selectable here (the CLI and API take it).
ALL_BUILDS = "*"

Text = Annotated[str, Query(max_length=200)]

TEST_LABELS: dict[str, str] = {
    POISSON_TEST: N_("conditional binomial test for two Poisson rates, one-sided"),
    SHARE_TEST: N_("Fisher's exact test for two proportions, one-sided"),
}


@dataclass(frozen=True)
class Shown:
    """One flagged topic as the page shows it."""

    issue: EmergingIssue
    topic: Topic | None  # None: the topic is gone (the title from the service stands in)
    evidence: list[str]
    test: str
    chart: Markup
    rows: list[tuple[str, str, str, str]]  # build, reporters, exposure, rate (formatted)
    exposure_label: str
    terms: list[str]  # the topic's keywords, the reader's language first


@dataclass(frozen=True)
class Group:
    product: str
    build: str
    items: list[Shown]


@router.get("/emerging", response_class=HTMLResponse)
def emerging(request: Request, user: StaffUser, build: Text = "", product: Text = "") -> Response:
    t = translator(request)
    services = web_context(request).services
    build, product = build.strip(), product.strip()
    all_builds = build == ALL_BUILDS
    error: str | None = None
    status_code = 200
    try:
        issues = services.emerging.emerging(
            build=None if all_builds or not build else build,
            all_builds=all_builds,
            product=product or None,
        )
    except (UnknownBuild, UnknownProduct) as exc:
        issues = []
        reason = str(exc.args[0]) if exc.args else str(exc)
        error = t.gettext(N_("Nothing can be shown: %(reason)s"), reason=reason)
        status_code = 404
    with services.store.read() as conn:
        products = services.emerging.queries.products(conn)
    builds = list(dict.fromkeys(services.console.filter_values().builds))
    groups = [
        Group(p, b, [_shown(t, services.topics.get(i.topic_id), i) for i in found])
        for (p, b), found in groupby(issues, key=lambda i: (i.product, i.build))
    ]
    context: dict[str, Any] = {
        "groups": groups,
        "total": len(issues),
        "build": build,
        "product": product,
        "all_builds": all_builds,
        "all_value": ALL_BUILDS,
        "builds": builds,
        "products": products,
        "error": error,
    }
    return render(
        request, "console/emerging.html", context, status_code=status_code, area="console"
    )


# -- numbers in the reader's locale ------------------------------------------------------------


def rate_text(t: Translator, rate: float) -> str:
    """A rate as a percentage with two significant digits (0.12%, 0.0031%, 25%)."""
    if rate <= 0:
        return format_percent(0, format="0%", locale=t.locale)
    decimals = min(8, max(0, 1 - math.floor(math.log10(rate * 100))))
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "") + "%"
    return format_percent(rate, format=pattern, locale=t.locale)


def p_text(t: Translator, p: float) -> str:
    if p <= 0:
        return format_decimal(0, locale=t.locale)
    if p < 0.0001:
        return format_scientific(p, format="0.#E0", locale=t.locale)
    return format_decimal(p, format="0.####", locale=t.locale)


def ratio_text(t: Translator, ratio: float) -> str:
    return format_decimal(ratio, format="#,##0.0", locale=t.locale)


# -- one flagged topic -------------------------------------------------------------------------


def evidence_lines(t: Translator, issue: EmergingIssue) -> list[str]:
    """The evidence in plain words: counts, rates, how many times the earlier rate, p."""
    e = issue.evidence
    count, before = int(e.get("count", 0)), int(e.get("count_before", 0))
    devices = e.get("exposure") == "active_devices"
    rate, rate_before = float(e.get("rate", 0.0)), float(e.get("rate_before", 0.0))
    lines: list[str] = []
    if issue.reason == "new" or before == 0:
        lines.append(
            t.ngettext(
                "%(num)s reporter on %(build)s and none on earlier builds",
                "%(num)s reporters on %(build)s and none on earlier builds",
                count,
                build=issue.build,
            )
        )
        message = N_("%(rate)s of active devices") if devices else N_("%(rate)s of the feedback")
        lines.append(t.gettext(message, rate=rate_text(t, rate)))
    else:
        lines.append(
            t.ngettext(
                "%(num)s reporter on %(build)s against %(before)s on earlier builds",
                "%(num)s reporters on %(build)s against %(before)s on earlier builds",
                count,
                build=issue.build,
                before=t.number(before),
            )
        )
        message = (
            N_("%(rate)s against %(before)s of active devices")
            if devices
            else N_("%(rate)s against %(before)s of the feedback")
        )
        lines.append(t.gettext(message, rate=rate_text(t, rate), before=rate_text(t, rate_before)))
    ratio = e.get("ratio")
    if ratio is not None:
        lines.append(t.gettext(N_("%(ratio)s× the earlier rate"), ratio=ratio_text(t, ratio)))
    if "p_adjusted" in e:
        lines.append(
            t.ngettext(
                "p = %(p)s after Benjamini–Hochberg over %(num)s topic",
                "p = %(p)s after Benjamini–Hochberg over %(num)s topics",
                int(e.get("topics_tested", 1)),
                p=p_text(t, float(e["p_adjusted"])),
            )
        )
    if issue.first_flagged_at is not None:
        lines.append(
            t.gettext(
                N_("First flagged by the job after triage on %(when)s"),
                when=t.datetime(issue.first_flagged_at, "short"),
            )
        )
    return lines


def _shown(t: Translator, topic: Topic | None, issue: EmergingIssue) -> Shown:
    devices = bool(issue.by_build) and issue.by_build[-1].get("exposure_kind") == "active_devices"
    exposure_label = t.gettext(N_("Active devices") if devices else N_("Reports on the build"))
    test = str(issue.evidence.get("test", ""))
    rows = [
        (
            str(b["build"]),
            t.number(int(b["reporters"])),
            t.number(int(b["exposure"])),
            rate_text(t, float(b["rate"])),
        )
        for b in issue.by_build
    ]
    return Shown(
        issue=issue,
        topic=topic,
        evidence=evidence_lines(t, issue),
        test=t.gettext(TEST_LABELS[test]) if test in TEST_LABELS else test,
        chart=rate_chart(t, issue, devices),
        rows=rows,
        exposure_label=exposure_label,
        terms=reader_terms(topic, issue.terms, t.tag),
    )


def reader_terms(topic: Topic | None, terms: list[str], reader: str) -> list[str]:
    """The flag's terms with the topic's keywords in the reader's language first (an English
    reader should not have to read past the Chinese ones to find the English)."""
    if topic is None:
        return terms
    match = reader_language_match(reader, {k: v for k, v in topic.keywords.items() if v})
    own = list(topic.keywords[match]) if match else []
    return list(dict.fromkeys(own + terms))[: max(len(terms), len(own))]


def rate_chart(t: Translator, issue: EmergingIssue, devices: bool) -> Markup:
    """The topic's rate on each build up to the flagged one (the last bar). Bars are whole
    numbers, so rates are scaled until the highest has three digits; the axis shows them as
    percentages again."""
    series = issue.by_build
    rates = [float(b["rate"]) for b in series]
    top = max(rates, default=0.0)
    scale = 100
    while top * scale < 1000 and scale < 10**10:
        scale *= 10

    def axis(value: float) -> str:
        return rate_text(t, value / scale)

    bars = [
        Bar(
            str(b["build"]),
            round(float(b["rate"]) * scale),
            t.ngettext(
                "%(build)s: %(num)s reporter, %(rate)s",
                "%(build)s: %(num)s reporters, %(rate)s",
                int(b["reporters"]),
                build=str(b["build"]),
                rate=rate_text(t, float(b["rate"])),
            ),
        )
        for b in series
    ]
    title = t.gettext(
        N_("Share of active devices reporting it, per build")
        if devices
        else N_("Share of the feedback, per build")
    )
    earlier = rates[:-1]
    summary = t.ngettext(
        "%(title)s, %(num)s build: %(rate)s on %(build)s, the flagged build, and at most "
        "%(peak)s on the builds before it.",
        "%(title)s, %(num)s builds: %(rate)s on %(build)s, the flagged build, and at most "
        "%(peak)s on the builds before it.",
        len(series),
        title=title,
        rate=rate_text(t, rates[-1] if rates else 0.0),
        build=issue.build,
        peak=rate_text(t, max(earlier, default=0.0)),
    )
    return bar_chart(
        bars,
        title=title,
        summary=summary,
        x_label=t.gettext(N_("Build")),
        y_label=t.gettext(N_("Rate")),
        number=axis,
        max_labels=6,
    )
