"""IMEI (Luhn-checked) and serial numbers after a keyword (detectors 4-5)."""

from __future__ import annotations

import re

from userloop.intake.redaction.chars import _WA, _WB
from userloop.intake.redaction.kinds import _IMEI, _SERIAL, PersonalDataKind, _hit

# ---------------------------------------------------------------------------------------- IMEI

_IMEI_RE = re.compile(
    rf"[0-9](?<![{_WB}_+].)(?<![0-9\]]-.)"
    r"(?:[0-9]{14}|[0-9]{1,7}(?P<sep>[ \-])[0-9]{1,8}(?:(?P=sep)[0-9]{1,8}){0,2})"
    rf"(?![{_WA}_])(?!-[0-9\[])"
)

# -------------------------------------------------------------------------------------- serial

_SERIAL_RE = re.compile(
    # The leading lookahead lists the keywords' first letters: it makes scanning much faster.
    # Latin and Cyrillic keywords must start a word; CJK ones need no boundary (and must not get
    # one: "13912345678序列号" and "[phone]序列号" have to behave the same).
    rf"(?=[simс序])(?P<kw>(?<![{_WB}_])(?:"
    r"serial[ ]?(?:number|num|no|nr)\.?|serial[ ]?#|serial"
    r"|s/n|sn(?:[ ]?(?:码|号|號))?|imei(?:[ ]?[12](?![0-9]))?|meid"
    r"|serienummer|serie[ ]?nummer|serienr\.?|serie[ ]?nr\.?"
    r"|серийный[ ]номер|серийный[ ]№|серийник|серийный|с/н"
    r")(?![A-Za-z])|序列号|序列號|序號|序号)"
    r"(?P<sep>(?:[ ]?(?:[:#=№\-—–]))?[ ]?"
    r"(?:(?:is|was|are|это|是|为|為)[ ]?(?::[ ]?)?)?)"
    rf"(?P<tok>(?=[A-Za-z\-]*[0-9])[0-9A-Za-z][0-9A-Za-z\-]{{4,28}}[0-9A-Za-z])(?![{_WA}_\-])",
    re.IGNORECASE,
)
_SERIAL_HINTS = ("serial", "s/n", "imei", "meid", "serie", "серийн", "с/н", "序列", "序號", "序号")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _is_imei(digits: str) -> bool:
    # All-equal runs (000000000000000) pass Luhn but are placeholders, not device ids.
    return len(digits) == 15 and digits.count(digits[0]) != 15 and _luhn_ok(digits)


def _redact_imei(text: str, found: list[PersonalDataKind]) -> str:
    def repl(m: re.Match[str]) -> str:
        cand = m.group()
        sep = m.group("sep")
        digits = cand.replace(sep, "") if sep else cand
        if not _is_imei(digits):
            return cand
        return _hit(found, _IMEI, cand)

    return _IMEI_RE.sub(repl, text)


def _redact_serials(text: str, found: list[PersonalDataKind]) -> str:
    def repl(m: re.Match[str]) -> str:
        token = m.group("tok")
        kind = _IMEI if token.isdigit() and _is_imei(token) else _SERIAL
        return m.group("kw") + m.group("sep") + _hit(found, kind, token)

    return _SERIAL_RE.sub(repl, text)
