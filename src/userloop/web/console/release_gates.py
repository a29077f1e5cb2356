"""The health gates' readings on a release's page: each metric's ratio (new build against the
baseline) at every gate check, with an interval, as a chart and a table of the same numbers;
and each check's reasons in the reader's language (`gate_reason_text`), from the same details.

The readings come from the decision log: a gate's event carries `GateDecision.details()`
(``readings``, one per metric, and ``snapshot``, both cohorts' cumulative counts). The gate
decides by its always-valid evidence (Λ against its threshold); the interval shown beside the
ratio is an ordinary 95 % one at that check, a picture of the uncertainty, not the test."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from markupsafe import Markup

from userloop.domain.release import ReleaseEvent
from userloop.web.charts import Interval, interval_chart
from userloop.web.console.emerging import rate_text
from userloop.web.i18n import N_, Translator

Z95 = 1.959964  # the normal quantile of a two-sided 95 % interval

METRIC_LABELS: dict[str, str] = {
    "crash_rate": N_("Crash rate"),
    "feedback_rate": N_("Feedback rate"),
    "negative_share": N_("Negative share of feedback"),
    "returns_rate": N_("Returns rate"),
    "crash_guard": N_("Crash rate against its ceiling"),
}


@dataclass(frozen=True)
class Check:
    """One metric at one gate check."""

    at: datetime
    reading: Mapping[str, Any]
    ratio: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class MetricView:
    metric: str
    label: str
    chart: Markup | None  # None: no check had a ratio (the baseline had no events yet)
    rows: list[tuple[str, str, str, str, str, str]]  # time, new, base, ratio, interval, evidence


@dataclass(frozen=True)
class Exposure:
    at: datetime
    new_device_days: float
    base_device_days: float


def ratio_interval(reading: Mapping[str, Any]) -> tuple[float, float] | None:
    """An approximate 95 % interval of the ratio on the log scale: Poisson counts for the
    rates, the ratio of two shares for the negative share, the new build's count alone against
    the crash ceiling. Zero counts are taken as one half, so the interval stays finite; with no
    event on the new build yet it runs from 0 to the upper bound that half an event gives."""
    ratio = reading.get("ratio")
    if ratio is None or ratio < 0 or not reading.get("new_exposure"):
        return None
    a = max(float(reading["new_events"]), 0.5)
    # ratio is None when the base rate is 0, so the division is safe
    half = a / float(reading["new_exposure"]) / float(reading["base_rate"])
    centre = float(ratio) if ratio > 0 else half
    if reading["metric"] == "crash_guard":
        variance = 1 / a
    else:
        b = max(float(reading["base_events"]), 0.5)
        variance = 1 / a + 1 / b
        if reading["metric"] == "negative_share":
            n1, n2 = float(reading["new_exposure"]), float(reading["base_exposure"])
            variance = max(variance - 1 / max(n1, a) - 1 / max(n2, b), 0.0)
    spread = Z95 * math.sqrt(variance)
    low = centre * math.exp(-spread) if ratio > 0 else 0.0
    return low, centre * math.exp(spread)


def gate_checks(events: Sequence[ReleaseEvent]) -> dict[str, list[Check]]:
    """Each metric's readings, oldest check first, in the order the gate reports them."""
    out: dict[str, list[Check]] = {}
    for event in events:
        readings = event.details.get("readings")
        if not isinstance(readings, list):
            continue
        for reading in readings:
            if not isinstance(reading, dict) or "metric" not in reading:
                continue
            ratio = reading.get("ratio")
            bounds = ratio_interval(reading)
            out.setdefault(str(reading["metric"]), []).append(
                Check(
                    event.at,
                    reading,
                    float(ratio) if ratio is not None else None,
                    bounds[0] if bounds else None,
                    bounds[1] if bounds else None,
                )
            )
    return out


def latest_exposure(events: Sequence[ReleaseEvent]) -> Exposure | None:
    """Both cohorts' device-days since the start, at the last gate check that counted them."""
    for event in reversed(events):
        snapshot = event.details.get("snapshot")
        if isinstance(snapshot, dict):
            try:
                return Exposure(
                    event.at,
                    float(snapshot["new"]["device_days"]),
                    float(snapshot["base"]["device_days"]),
                )
            except (KeyError, TypeError, ValueError):
                continue
    return None


def _short_time(t: Translator, at: datetime) -> str:
    """A chart's axis label: the day and the time, short (Dec 6 09:30, 12月6日 09:30)."""
    day = format_skeleton("MMMd", at, locale=t.locale)
    return f"{day} {format_skeleton('Hm', at, locale=t.locale)}"


def ratio_text(t: Translator, value: float) -> str:
    return format_decimal(value, format="#,##0.00", locale=t.locale)


def _evidence_text(t: Translator, value: float) -> str:
    """Λ with three significant digits (0.412, 3.1, 1,430)."""
    if value >= 1000:
        return format_decimal(round(value), format="#,##0", locale=t.locale)
    return format_decimal(value, format="#,##0.###" if value < 1 else "#,##0.#", locale=t.locale)


def _side(t: Translator, metric: str, events: float, exposure: float, rate: Any) -> str:
    shown = rate_text(t, float(rate)) if rate is not None else "–"
    if metric == "negative_share":
        message = N_("%(events)s of %(exposure)s feedback (%(rate)s)")
    else:
        message = N_("%(events)s in %(exposure)s device-days (%(rate)s)")
    return t.gettext(
        message, events=t.number(events), exposure=t.number(round(exposure, 1)), rate=shown
    )


def metric_views(t: Translator, events: Sequence[ReleaseEvent]) -> list[MetricView]:
    views = []
    for metric, checks in gate_checks(events).items():
        label = t.gettext(METRIC_LABELS[metric]) if metric in METRIC_LABELS else metric
        rows = []
        for c in checks:
            r = c.reading
            new = _side(t, metric, float(r["new_events"]), float(r["new_exposure"]), r["new_rate"])
            if metric == "crash_guard":
                base = t.gettext(N_("ceiling %(rate)s"), rate=rate_text(t, float(r["base_rate"])))
            else:
                base = _side(
                    t, metric, float(r["base_events"]), float(r["base_exposure"]), r["base_rate"]
                )
            interval = (
                t.gettext(
                    N_("%(low)s to %(high)s"), low=ratio_text(t, c.low), high=ratio_text(t, c.high)
                )
                if c.low is not None and c.high is not None
                else "–"
            )
            evidence = t.gettext(
                N_("%(value)s (halts at %(threshold)s)"),
                value=_evidence_text(t, float(r["statistic"])),
                threshold=_evidence_text(t, float(r["threshold"])),
            )
            rows.append(
                (
                    t.datetime(c.at, "short"),
                    new,
                    base,
                    ratio_text(t, c.ratio) if c.ratio is not None else "–",
                    interval,
                    evidence,
                )
            )
        views.append(MetricView(metric, label, _chart(t, label, checks), rows))
    return views


def _chart(t: Translator, label: str, checks: Sequence[Check]) -> Markup | None:
    points = [
        Interval(
            _short_time(t, c.at),
            c.ratio,
            c.low,
            c.high,
            t.gettext(
                N_("%(when)s: ratio %(ratio)s (95%% interval %(low)s to %(high)s)"),
                when=t.datetime(c.at, "short"),
                ratio=ratio_text(t, c.ratio),
                low=ratio_text(t, c.low),
                high=ratio_text(t, c.high),
            ),
        )
        for c in checks
        if c.ratio is not None and c.low is not None and c.high is not None
    ]
    if not points:
        return None
    title = t.gettext(N_("%(metric)s: new build against the baseline"), metric=label)
    last = points[-1]
    summary = t.ngettext(
        "%(title)s, %(num)s check: the latest ratio is %(ratio)s (95%% interval %(low)s to "
        "%(high)s); 1 means no difference.",
        "%(title)s, %(num)s checks: the latest ratio is %(ratio)s (95%% interval %(low)s to "
        "%(high)s); 1 means no difference.",
        len(points),
        title=title,
        ratio=ratio_text(t, last.value),
        low=ratio_text(t, last.low),
        high=ratio_text(t, last.high),
    )
    return interval_chart(
        points,
        title=title,
        summary=summary,
        x_label=t.gettext(N_("Gate check")),
        y_label=t.gettext(N_("Ratio")),
        number=lambda v: format_decimal(v, format="#,##0.##", locale=t.locale),
        max_labels=4,
    )


# One message per reason code of `userloop.release.gates.Reason`; the sentence the gate logged
# (English) stays in the log and the API, and is shown when the details are not readable.
_REASONS: dict[str, str] = {
    "degradation": N_(
        "Halt (%(metric)s): new build %(new)s against baseline %(base)s, ratio %(ratio)s; "
        "evidence %(evidence)s."
    ),
    "guard": N_("Halt (%(metric)s): new build %(new)s, above the %(base)s; evidence %(evidence)s."),
    "emerging": N_(
        "Halt: topic #%(topic)s rose on the new build: %(new)s reporters in %(exposure)s "
        "device-days against %(base)s in %(base_exposure)s on the baseline; evidence %(evidence)s."
    ),
    "suspicion": N_("Hold (%(metric)s): leans worse; evidence %(evidence)s."),
    "dwell": N_("Hold: %(done)s of %(needed)s hours in this stage."),
    "exposure": N_("Hold: %(done)s of %(needed)s device-days in this stage."),
    "clear": N_("Advance: dwell and exposure met, no metric shows a degradation."),
}


def gate_reason_text(t: Translator, details: Mapping[str, Any]) -> str | None:
    """A gate check's reasons as sentences in the reader's language, or None when the details
    lack something a sentence needs (an older log; the logged English sentence is shown)."""
    reasons = details.get("reasons")
    if not isinstance(reasons, list) or not reasons:
        return None
    try:
        return " ".join(_reason(t, r, details.get("progress") or {}) for r in reasons)
    except (KeyError, TypeError, ValueError):
        return None


def _reason(t: Translator, reason: Mapping[str, Any], progress: Mapping[str, Any]) -> str:
    code = str(reason["code"])
    message = _REASONS[code]
    r = reason.get("reading") or {}
    if code in ("dwell", "exposure"):
        done, needed = (
            ("hours_in_stage", "dwell_hours")
            if code == "dwell"
            else ("device_days_in_stage", "min_device_days")
        )
        return t.gettext(
            message,
            done=t.number(round(float(progress[done]), 1)),
            needed=t.number(round(float(progress[needed]), 1)),
        )
    if code == "clear":
        return t.gettext(message)
    evidence = t.gettext(
        N_("%(value)s (halts at %(threshold)s)"),
        value=_evidence_text(t, float(r["statistic"])),
        threshold=_evidence_text(t, float(r["threshold"])),
    )
    if code == "emerging":
        return t.gettext(
            message,
            topic=str(int(r["topic_id"])),
            new=t.number(int(r["new_events"])),
            exposure=t.number(round(float(r["new_exposure"]), 1)),
            base=t.number(int(r["base_events"])),
            base_exposure=t.number(round(float(r["base_exposure"]), 1)),
            evidence=evidence,
        )
    metric = str(r["metric"])
    label = t.gettext(METRIC_LABELS[metric])
    new = _side(t, metric, float(r["new_events"]), float(r["new_exposure"]), r["new_rate"])
    if code == "guard":
        base = t.gettext(N_("ceiling %(rate)s"), rate=rate_text(t, float(r["base_rate"])))
        return t.gettext(message, metric=label, new=new, base=base, evidence=evidence)
    if code == "suspicion":
        return t.gettext(message, metric=label, evidence=evidence)
    base = _side(t, metric, float(r["base_events"]), float(r["base_exposure"]), r["base_rate"])
    ratio = r.get("ratio")
    shown = ratio_text(t, float(ratio)) if ratio is not None else "∞"
    return t.gettext(message, metric=label, new=new, base=base, ratio=shown, evidence=evidence)
