"""A topic's priority in one sentence, from its stored parts, in the reader's language: "about
2.1% of Lumo 12 on build 3.4.2639 in RU and CN; 3.4× last week; mostly pro users; bug, very
negative". The console (the reader's language) and the CLI (English) share it.

The messages are extracted for the web catalogues from this file too
(``web.catalogue_tools``), so every language has them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent


class SentenceTranslator(Protocol):
    """What the sentence needs of a translator (``web.i18n.Translator`` has it): messages
    with ``%(name)s`` values, plurals with ``%(num)s``, and the locale for numbers."""

    locale: Locale

    def gettext(self, message: str, **values: object) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str: ...


class PlainEnglish:
    """The English sentence without catalogues (the CLI)."""

    locale = Locale.parse("en")

    def gettext(self, message: str, **values: object) -> str:
        return message % values if values else message

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = singular if n == 1 else plural
        return text % {"num": format_decimal(n, locale=self.locale), **values}


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is used."""
    return message


KINDS: dict[str, str] = {
    "bug": N_("bug"),
    "feature": N_("feature request"),
    "question": N_("question"),
    "praise": N_("praise"),
    "other": N_("other feedback"),
}
MOSTLY: dict[str, str] = {
    "novice": N_("mostly novice users"),
    "advanced": N_("mostly advanced users"),
    "pro": N_("mostly pro users"),
}
# Week-on-week ratios too close to 1 to call a change.
STEADY = (0.8, 1.25)
# Upper bounds of the mean sentiment (-1 to 1) for each word, most negative first.
SENTIMENTS: tuple[tuple[float, str], ...] = (
    (-0.6, N_("very negative")),
    (-0.2, N_("negative")),
    (0.2, N_("neutral")),
    (0.6, N_("positive")),
    (1.01, N_("very positive")),
)


def share_text(locale: Locale, share: float) -> str:
    """A share as a percentage with two significant digits (2.1%, 0.035%, 12%)."""
    if share <= 0:
        return format_percent(0, format="0%", locale=locale)
    digits = 0
    while share * 100 * 10**digits < 10 and digits < 6:
        digits += 1
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(share, format=pattern, locale=locale)


def sentiment_word(sentiment: float) -> str:
    return next(word for bound, word in SENTIMENTS if sentiment <= bound)


def _names(locale: Locale, values: Sequence[str]) -> str:
    return format_list([str(v) for v in values], locale=locale)


def priority_sentence(t: SentenceTranslator, parts: Mapping[str, Any]) -> str:
    """The sentence of one topic's stored parts (empty parts give an empty sentence)."""
    if not parts:
        return ""
    pieces = [_reach(t, parts)]
    trend = parts.get("trend") or {}
    last, before = int(trend.get("last_7_days", 0)), int(trend.get("previous_7_days", 0))
    if before > 0 and last == 0:
        pieces.append(t.gettext(N_("none in the last 7 days")))
    elif before > 0 and STEADY[0] <= last / before <= STEADY[1]:
        pieces.append(t.gettext(N_("about as many as last week")))
    elif before > 0:
        ratio = format_decimal(last / before, format="#,##0.#", locale=t.locale)
        pieces.append(t.gettext(N_("%(ratio)s× last week"), ratio=ratio))
    elif last > 0:
        pieces.append(t.gettext(N_("new this week")))
    mostly = parts.get("mostly")
    if mostly in MOSTLY:
        pieces.append(t.gettext(MOSTLY[str(mostly)]))
    kind = parts.get("kind")
    if kind in KINDS:
        sentiment = parts.get("sentiment")
        if sentiment is None:
            pieces.append(t.gettext(KINDS[str(kind)]))
        else:
            pieces.append(
                t.gettext(
                    N_("%(kind)s, %(sentiment)s"),
                    kind=t.gettext(KINDS[str(kind)]),
                    sentiment=t.gettext(sentiment_word(float(sentiment))),
                )
            )
    return t.gettext(N_("; ")).join(p for p in pieces if p)


def _reach(t: SentenceTranslator, parts: Mapping[str, Any]) -> str:
    reach = parts.get("reach") or {}
    where = parts.get("where") or {}
    reporters = int(reach.get("reporters") or 0)
    if reporters == 0:
        days = int((parts.get("window") or {}).get("days") or 0)
        return t.ngettext(
            "no reports in the last %(num)s day", "no reports in the last %(num)s days", days
        )
    models = list(where.get("models") or [])
    if parts.get("mode") == "devices":
        share = share_text(t.locale, float(where.get("share") or 0.0))
        if models:
            text = t.gettext(
                N_("about %(share)s of %(devices)s"),
                share=share,
                devices=_names(t.locale, models),
            )
        else:
            text = t.gettext(N_("about %(share)s of all devices"), share=share)
    else:
        devices = _names(t.locale, models) if models else t.gettext(N_("any model"))
        text = t.ngettext(
            "%(num)s reporter on %(devices)s",
            "%(num)s reporters on %(devices)s",
            reporters,
            devices=devices,
        )
    builds = list(where.get("builds") or [])
    if builds:
        text += t.ngettext(
            " on build %(builds)s",
            " on builds %(builds)s",
            len(builds),
            builds=_names(t.locale, builds),
        )
    regions = list(where.get("regions") or [])
    if regions:
        text += t.gettext(N_(" in %(regions)s"), regions=_names(t.locale, regions))
    return text
