"""Priorities in the console (`/console/priorities`): the topics ranked by their stored priority,
each with its sentence in the reader's language, the parts of its score and a chart of its
estimated affected devices per segment; filters by model, build, region and segment re-rank by
the stored per-cell estimates.

Every staff member sees the page. It only reads what the priority job stored: a request never
recomputes. Without an install base the ranking is on counts, and the page says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from userloop.domain.entities import Topic
from userloop.insight.priority_service import RankedTopic, UnknownProduct
from userloop.views.priority_sentence import KINDS, priority_sentence, sentiment_word, share_text
from userloop.web.charts import Bar, bar_chart
from userloop.web.console.common import make_router
from userloop.web.context import translator, web_context
from userloop.web.i18n import N_, Translator
from userloop.web.render import render
from userloop.web.security import StaffUser

router = make_router()

PATH = "/console/priorities"
PAGE_SIZE = 25
MAX_PAGE = 1000

Text = Annotated[str, Query(max_length=200)]

SEGMENTS: dict[str, str] = {
    "novice": N_("Novice"),
    "advanced": N_("Advanced"),
    "pro": N_("Pro"),
    "unknown": N_("Unknown experience"),
}
FACTORS: dict[str, str] = {
    "reach": N_("Reach"),
    "severity": N_("Severity of the kind"),
    "sentiment": N_("Sentiment"),
    "segment": N_("Segment weight"),
    "votes": N_("Votes"),
    "trend": N_("Trend"),
    "recency": N_("Recency"),
}


@dataclass(frozen=True)
class Shown:
    rank: int
    item: RankedTopic
    topic: Topic | None
    sentence: str
    score: str
    factors: list[tuple[str, str, str]]  # label, factor, what it is made of
    chart: Markup


@router.get("/priorities", response_class=HTMLResponse)
def priorities(
    request: Request,
    user: StaffUser,
    product: Text = "",
    model: Text = "",
    build: Text = "",
    region: Text = "",
    segment: Text = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    t = translator(request)
    services = web_context(request).services
    chosen = {
        "product": product.strip(),
        "model": model.strip(),
        "build": build.strip(),
        "region": region.strip(),
        "segment": segment.strip(),
    }
    error: str | None = None
    status_code = 200
    try:
        ranked = services.priorities.ranked(
            product=chosen["product"] or None,
            model=chosen["model"] or None,
            build=chosen["build"] or None,
            region=chosen["region"] or None,
            segment=chosen["segment"] or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    except UnknownProduct as exc:
        ranked = None
        error = t.gettext(N_("Nothing can be shown: %(reason)s"), reason=str(exc.args[0]))
        status_code = 404
    except ValueError as exc:
        ranked = None
        error = t.gettext(N_("Nothing can be shown: %(reason)s"), reason=str(exc))
        status_code = 422
    with services.store.read() as conn:
        products = services.priorities.queries.products(conn)
    items = [] if ranked is None else ranked.items
    shown = [
        _shown(t, (page - 1) * PAGE_SIZE + i + 1, services.topics.get(r.topic_id), r)
        for i, r in enumerate(items)
    ]
    total = 0 if ranked is None else ranked.total
    query = {k: v for k, v in chosen.items() if v}
    context: dict[str, Any] = {
        "items": shown,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "chosen": chosen,
        "choices": {} if ranked is None else ranked.choices,
        "segment_labels": SEGMENTS,
        "products": products,
        "counts_only": ranked is not None and ranked.counts_only,
        "computed_at": None if ranked is None else ranked.computed_at,
        "filtered": any(chosen[k] for k in ("model", "build", "region", "segment")),
        "error": error,
        "page_url": lambda n: PATH + "?" + urlencode({**query, "page": n}),
        "region_name": lambda code: t.locale.territories.get(code, code),
        "segment_label": lambda s: t.gettext(SEGMENTS[s]) if s in SEGMENTS else s,
    }
    return render(
        request, "console/priorities.html", context, status_code=status_code, area="console"
    )


def _number(t: Translator, value: float, pattern: str = "#,##0.##") -> str:
    return format_decimal(value, format=pattern, locale=t.locale)


def factor_rows(t: Translator, parts: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each factor of the score with what it is made of, in words."""
    factors = parts.get("factors") or {}
    reach = parts.get("reach") or {}
    votes = parts.get("votes") or {}
    trend = parts.get("trend") or {}
    recency = parts.get("recency") or {}
    devices = parts.get("mode") == "devices"
    notes: dict[str, str] = {}
    if devices and reach.get("devices") is not None:
        notes["reach"] = t.gettext(
            N_(
                "%(share)s of %(fleet)s active devices: about %(devices)s affected "
                "(%(low)s to %(high)s), from %(reporters)s reporters"
            ),
            share=share_text(t.locale, float(reach.get("share") or 0.0)),
            fleet=t.number(round(float(reach.get("fleet") or 0))),
            devices=t.number(round(float(reach["devices"]))),
            low=t.number(round(float(reach.get("low") or 0))),
            high=t.number(round(float(reach.get("high") or 0))),
            reporters=t.number(int(reach.get("reporters") or 0)),
        )
    else:
        notes["reach"] = t.gettext(
            N_("%(share)s of the reporters in the window (counts only)"),
            share=share_text(t.locale, float(reach.get("share") or 0.0)),
        )
    kind = parts.get("kind")
    if kind in KINDS:
        notes["severity"] = t.gettext(KINDS[str(kind)])
    if parts.get("sentiment") is not None:
        notes["sentiment"] = t.gettext(sentiment_word(float(parts["sentiment"])))
    notes["votes"] = t.ngettext(
        "%(num)s vote, worth %(devices)s devices after the correction by segment",
        "%(num)s votes, worth %(devices)s devices after the correction by segment",
        int(votes.get("count") or 0),
        devices=t.number(round(float(votes.get("corrected") or 0))),
    )
    notes["trend"] = t.gettext(
        N_("%(last)s reporters in the last 7 days, %(before)s in the 7 before"),
        last=t.number(int(trend.get("last_7_days") or 0)),
        before=t.number(int(trend.get("previous_7_days") or 0)),
    )
    if recency.get("age_days") is not None:
        notes["recency"] = t.gettext(
            N_("last report %(days)s days before the window's end"),
            days=_number(t, float(recency["age_days"]), "#,##0.#"),
        )
    return [
        (t.gettext(label), _number(t, float(factors[key]), "#,##0.###"), notes.get(key, ""))
        for key, label in FACTORS.items()
        if key in factors
    ]


def segment_chart(t: Translator, item: RankedTopic) -> Markup:
    """The topic's estimated affected devices (or reporters) per segment."""
    parts = item.parts
    devices = parts.get("mode") == "devices"
    segments = parts.get("segments") or {}
    order = [s for s in SEGMENTS if s in segments]
    bars = []
    for s in order:
        label = t.gettext(SEGMENTS[s])
        value = round(float(segments[s]))
        tip = t.gettext(N_("%(segment)s: %(value)s"), segment=label, value=t.number(value))
        bars.append(Bar(label, value, tip))
    title = t.gettext(
        N_("Estimated affected devices per segment") if devices else N_("Reporters per segment")
    )
    summary = t.gettext(
        N_("%(title)s: %(values)s"),
        title=title,
        values=", ".join(b.title for b in bars) or "-",
    )
    return bar_chart(
        bars,
        title=title,
        summary=summary,
        x_label=t.gettext(N_("Segment")),
        y_label=t.gettext(N_("Devices") if devices else N_("Reporters")),
        number=t.number,
        width=420,
        height=200,
    )


def _shown(t: Translator, rank: int, topic: Topic | None, item: RankedTopic) -> Shown:
    return Shown(
        rank=rank,
        item=item,
        topic=topic,
        sentence=priority_sentence(t, item.parts),
        score=_number(t, item.score, "#,##0.###"),
        factors=factor_rows(t, item.parts),
        chart=segment_chart(t, item),
    )
