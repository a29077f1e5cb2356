"""Display names of closed vocabularies, marked for translation (shown with ``_()``)."""

from __future__ import annotations

from userloop.domain.enums import Channel, Role, TopicStatus
from userloop.web.i18n import N_, Translator

STATUS_LABELS: dict[str, str] = {
    TopicStatus.NEW: N_("New"),
    TopicStatus.CONFIRMED: N_("Confirmed"),
    TopicStatus.PLANNED: N_("Planned"),
    TopicStatus.IN_PROGRESS: N_("In progress"),
    TopicStatus.FIXED: N_("Fixed"),
    TopicStatus.SHIPPED: N_("Shipped"),
    TopicStatus.DECLINED: N_("Declined"),
    TopicStatus.DUPLICATE: N_("Duplicate"),
}

KIND_LABELS: dict[str, str] = {
    "bug": N_("Bug"),
    "feature": N_("Feature request"),
    "question": N_("Question"),
    "praise": N_("Praise"),
    "other": N_("Other"),
}

ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: N_("admin"),
    Role.TRIAGER: N_("triager"),
    Role.VIEWER: N_("viewer"),
}

CHANNEL_LABELS: dict[str, str] = {
    Channel.DEV: N_("Developer"),
    Channel.BETA: N_("Beta"),
    Channel.STABLE: N_("Stable"),
}

# Names of languages reports are written in, for "reported in ..." lines.
LANGUAGE_NAMES: dict[str, str] = {
    "en": N_("English"),
    "zh-Hans": N_("Chinese (Simplified)"),
    "zh-Hant": N_("Chinese (Traditional)"),
    "zh": N_("Chinese"),
    "ru": N_("Russian"),
    "nl": N_("Dutch"),
    "de": N_("German"),
    "fr": N_("French"),
    "es": N_("Spanish"),
    "it": N_("Italian"),
    "pt": N_("Portuguese"),
    "ja": N_("Japanese"),
    "ko": N_("Korean"),
    "ar": N_("Arabic"),
    "tr": N_("Turkish"),
    "pl": N_("Polish"),
    "th": N_("Thai"),
    "und": N_("Unknown language"),
}


def language_name(tag: str) -> str:
    """The msgid naming a language tag (falls back to the tag itself, untranslated)."""
    return LANGUAGE_NAMES.get(tag) or LANGUAGE_NAMES.get(tag.split("-")[0]) or tag


def language_display_name(tag: str, t: Translator) -> str:
    """A language's name in the reader's language: the catalogue's for the languages the pages
    name (``LANGUAGE_NAMES``), else the CLDR name Babel knows, else the tag itself."""
    if tag in LANGUAGE_NAMES or tag.split("-")[0] in LANGUAGE_NAMES:
        return t.gettext(language_name(tag))
    name = t.locale.languages.get(tag.replace("-", "_")) or t.locale.languages.get(
        tag.split("-")[0]
    )
    return str(name) if name else tag
