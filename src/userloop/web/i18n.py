"""Languages of the web pages: gettext catalogues (.po, compiled in memory at start), the
choice of language per request, and localised dates and numbers.

Catalogues live in ``web/locales/<locale>/LC_MESSAGES/*.po``; every ``.po`` file there is one
part of the same catalogue (``common``, ``portal``, ``console``...), merged at load time, so
each area of the web keeps its own file."""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LOCALES_DIR = Path(__file__).parent / "locales"


@dataclass(frozen=True, slots=True)
class Language:
    tag: str  # BCP 47, for <html lang> and URLs
    locale: str  # Babel / gettext locale directory name
    name: str  # the language's own name, shown in the switcher


LANGUAGES: tuple[Language, ...] = (
    Language("en", "en", "English"),
    Language("zh-Hans", "zh_Hans", "简体中文"),
    Language("zh-Hant", "zh_Hant", "繁體中文"),
    Language("ru", "ru", "Русский"),
    Language("nl", "nl", "Nederlands"),
)
BY_TAG = {lang.tag.lower(): lang for lang in LANGUAGES}
DEFAULT = LANGUAGES[0]
# Chinese regions written in Traditional characters.
_HANT_REGIONS = {"tw", "hk", "mo"}


def match_tag(tag: str) -> Language | None:
    """The supported language a BCP 47 tag asks for, if any (`zh-TW` → zh-Hant)."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if not parts or not parts[0]:
        return None
    if parts[0] == "zh":
        rest = set(parts[1:])
        if "hant" in rest or rest & _HANT_REGIONS:
            return BY_TAG["zh-hant"]
        return BY_TAG["zh-hans"]
    return BY_TAG.get(parts[0])


def negotiate(accept_language: str | None) -> Language:
    """The best supported language for an `Accept-Language` header (default English)."""
    if not accept_language:
        return DEFAULT
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > 0:
            weighted.append((-q, i, tag))
    for _, _, tag in sorted(weighted):
        found = match_tag(tag)
        if found:
            return found
    return DEFAULT


def load_catalogue(locale: str, directory: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """All ``.po`` parts of one locale, merged and compiled in memory."""
    folder = directory / locale / "LC_MESSAGES"
    merged = Catalog(locale=locale.replace("-", "_"))
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            part = read_po(fh, locale=locale)
        for message in part:
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, merged)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Translator:
    """Everything a page needs to speak one language."""

    def __init__(self, language: Language, catalogue: gettext.NullTranslations) -> None:
        self.language = language
        self.catalogue = catalogue
        self.locale = Locale.parse(language.locale)

    @property
    def tag(self) -> str:
        return self.language.tag

    def gettext(self, message: str, **values: object) -> str:
        text = self.catalogue.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self.catalogue.ngettext(singular, plural, n)
        return text % {"num": self.number(n), **values}

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.locale, format="#,##0.#%")

    def date(self, value: date | datetime | None, format: str = "medium") -> str:
        return "" if value is None else format_date(value, format=format, locale=self.locale)

    def datetime(self, value: datetime | None, format: str = "medium") -> str:
        if value is None:
            return ""
        return format_datetime(value, format=format, locale=self.locale)


class Catalogues:
    """The loaded catalogues of every language, built once per app."""

    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        self._by_tag = {lang.tag: load_catalogue(lang.locale, directory) for lang in LANGUAGES}

    def translator(self, language: Language) -> Translator:
        return Translator(language, self._by_tag[language.tag])


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message
