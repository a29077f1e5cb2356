"""The batches whose returns are out of line, as a partial of the Install base page
(`console/_returns_batches.html`). The page adds ``**returns_batches(request, product, since,
until)`` to its context and includes the partial; the numbers come from `services.returns`
(docs/insight.md, "Returns"), worded here in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request

from userloop.insight.returns_service import FlaggedBatch, InvalidWindow, UnknownProduct
from userloop.web.console.emerging import p_text, ratio_text
from userloop.web.context import translator, web_context
from userloop.web.i18n import N_, Translator


@dataclass(frozen=True)
class BatchLine:
    """One flagged batch and topic, every value formatted (the template escapes them)."""

    model: str
    batch: str
    topic: str
    returns: str  # "14 of 20"
    shares: str  # "70% against 11%"
    ratio: str
    p: str


def returns_batches(
    request: Request, product: str | None, since: date | None = None, until: date | None = None
) -> dict[str, Any]:
    """The partial's context: ``returns_batches`` is None when there is nothing to judge
    (an unknown product, a reversed window), else the returns in the window and the lines."""
    t = translator(request)
    services = web_context(request).services
    try:
        summary = services.returns.summary(product, since, until)
    except (UnknownProduct, InvalidWindow):
        return {"returns_batches": None}
    return {
        "returns_batches": {
            "returns": summary.returns,
            "lines": [_line(t, f) for f in summary.flagged],
        }
    }


def _line(t: Translator, flag: FlaggedBatch) -> BatchLine:
    e = flag.evidence
    ratio = e.get("ratio")
    return BatchLine(
        model=flag.model,
        batch=flag.batch,
        topic=flag.topic_title or t.gettext(N_("Topic #%(id)s"), id=flag.topic_id),
        returns=t.gettext(
            N_("%(num)s of %(total)s"),
            num=t.number(int(e["returns"])),
            total=t.number(int(e["batch_returns"])),
        ),
        shares=t.gettext(
            N_("%(share)s against %(other)s"),
            share=t.percent(float(e["share"])),
            other=t.percent(float(e["other_share"])),
        ),
        ratio=(
            ratio_text(t, float(ratio)) if ratio is not None else t.gettext(N_("only this batch"))
        ),
        p=p_text(t, float(e["p_adjusted"])),
    )
