"""Version words: a dotted number after one is a version, not an IP address or phone."""

from __future__ import annotations

from userloop.intake.redaction.chars import _WINDOW

# Words after which a dotted number is a version, not an address or a phone number. A few filler
# words may sit in between ("MIUI Global Stable 14.0.5.0", "update to 14.0.3.0").
_VERSION_WORDS = frozenset(
    {
        "v",
        "ver",
        "version",
        "versions",
        "build",
        "firmware",
        "fw",
        "rom",
        "os",
        "ui",
        "miui",
        "hyperos",
        "android",
        "ios",
        "ipados",
        "emui",
        "harmonyos",
        "coloros",
        "oxygenos",
        "magicos",
        "kernel",
        "baseband",
        "patch",
        "update",
        "updated",
        "upgrade",
        "upgraded",
        "versie",
        "bijgewerkt",
        "версия",
        "версии",
        "версию",
        "версией",
        "прошивка",
        "прошивки",
        "прошивку",
        "прошивке",
        "сборка",
        "сборки",
        "сборку",
        "обновление",
        "обновления",
        "обновлению",
        "обновил",
        "обновился",
        "обновилась",
        "обновили",
    }
)
_VERSION_FILLERS = frozenset(
    {
        "global",
        "stable",
        "beta",
        "dev",
        "eea",
        "eu",
        "cn",
        "ru",
        "is",
        "to",
        "naar",
        "op",
        "до",
        "на",
    }
)
_CJK_VERSION_SUFFIXES = ("版本", "版本号", "固件", "系统", "更新", "更新到", "升级", "升级到")
_WORD_LEAD = "([{\"'«,;"


def _after_version_word(before: str) -> bool:
    """Whether ``before`` (the text in front of a number) ends with a version word."""
    w = before[-_WINDOW:].rstrip(" :=#")
    for _ in range(4):
        if w.endswith(_CJK_VERSION_SUFFIXES):
            return True
        sp = w.rfind(" ")
        word = w[sp + 1 :].lstrip(_WORD_LEAD).lower()
        if word in _VERSION_WORDS:
            return True
        if sp < 0 or word not in _VERSION_FILLERS:
            return False
        w = w[:sp].rstrip(" :=#")
    return False
