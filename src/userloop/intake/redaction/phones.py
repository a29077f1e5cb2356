"""Phone numbers (detector 6, see the package docstring)."""

from __future__ import annotations

import functools
import re

from userloop.intake.redaction.chars import _WA, _WB, _WINDOW
from userloop.intake.redaction.kinds import _PHONE, PersonalDataKind, _hit
from userloop.intake.redaction.versions import _after_version_word

_PHONE_SEP = r"(?:[ ]?\)[ ]?[\-.]?[ ]?|[ ]?\([ ]?|[ ]?-[ ]?|\.|[ ])"
_PHONE_RE = re.compile(
    rf"[+(0-9](?<![{_WB}_+].)(?<![0-9\]][.,/:\-].)(?=(?:[ ().+\-]*[0-9]){{6}})"
    r"(?:(?<=\+)[ ]?\(?[ ]?[0-9]{1,15}|(?<=\()[ ]?[0-9]{1,15}|(?<=[0-9])[0-9]{0,14})"
    rf"(?:{_PHONE_SEP}[0-9]{{1,15}})*"
    rf"(?![{_WA}_])(?![.,/:\-][0-9\[])"
)
_DIGIT_GROUP_RE = re.compile(r"[0-9]+")
_NATIONAL_BARE_RE = re.compile(
    r"1[3-9][0-9]{9}"  # CN mobile
    r"|0[1-9][0-9]{8}"  # NL (mobile 06 and landlines), other 10-digit trunk-prefixed numbers
    r"|07[0-9]{9}"  # UK mobile
    r"|[78]9[0-9]{9}"  # RU mobile with trunk prefix 8 or country code 7
    r"|00[1-9][0-9]{7,12}"  # international with 00
)
_DATE_RE = re.compile(
    r"(?<![0-9])(?:(?:19|20)[0-9]{2}[\-./][0-9]{1,2}[\-./][0-9]{1,2}"
    r"|[0-9]{1,2}[\-./][0-9]{1,2}[\-./](?:19|20)[0-9]{2})(?![0-9])"
)
_YEAR_RE = re.compile(r"(?:19|20)[0-9]{2}")
_UNIT_AFTER_RE = re.compile(
    r"[ ]?(?:[%‰$€£¥₽₹₩¢元块円圆步次]"
    r"|(?:руб|р\.|eur|euro|usd|rub|rmb|cny|yuan|dollars?|mah|wh|gb|mb|tb|kb|hz|mhz|ghz|km|kg|mm|"
    r"cm|ms|steps?|stappen|keer|times|pcs|шаг|шт|раз|мач)(?![A-Za-z]))",
    re.IGNORECASE,
)
_BEFORE_BLOCKERS = frozenset("$€£¥₽₹₩¢#№")


def _words_re(
    latin: tuple[str, ...], cyrillic: tuple[str, ...], cjk: tuple[str, ...], *, whole: bool
) -> re.Pattern[str]:
    """A pattern finding any of the (lower-case) words; ``whole`` also requires a word end.

    A leading lookahead on the possible first characters makes scanning much faster than a
    plain alternation. A Latin word glued to a dot or underscore is part of a name
    (``com.lumo.phone:1750000000000``), not a word.
    """

    def alt(words: tuple[str, ...]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    first = "".join(sorted({w[0] for w in (*latin, *cyrillic, *cjk)}))
    latin_end = "(?![a-z])" if whole else ""
    cyrillic_end = "(?![а-яё])" if whole else ""
    return re.compile(
        rf"(?=[{re.escape(first)}])(?:(?<![0-9a-z._])(?:{alt(latin)}){latin_end}"
        rf"|(?<![а-яё])(?:{alt(cyrillic)}){cyrillic_end}|{alt(cjk)})"
    )


# Words that make a nearby number a phone number; searched in the lower-cased window.
_PHONE_CTX_RE = _words_re(
    (
        "tel",
        "telephone",
        "phone number",
        "phone no",
        "phone nr",
        "phone #",
        "phone:",
        "mobile number",
        "mobile no",
        "mobile nr",
        "mobile phone",
        "mobile:",
        "cell phone",
        "cell number",
        "cell no",
        "cell:",
        "call",
        "calls",
        "called",
        "calling",
        "text me",
        "reach me",
        "contact",
        "whatsapp",
        "viber",
        "sms",
        "fax",
        "bel",
        "bellen",
        "belt",
        "gebeld",
        "mobiel nummer",
        "mobielnummer",
        "mobiele nummer",
        "mobiel:",
        "telefoon",
        "telefoonnummer",
        "nummer",
    ),
    (
        "тел",
        "телефон:",
        "телефона:",
        "телефону:",
        "номер телефона",
        "моб",
        "мобильный",
        "звоните",
        "позвоните",
        "звонить",
        "позвонить",
        "сотовый",
    ),
    ("电话", "手机号", "手机:", "号码", "联系", "致电", "打给"),
    whole=True,
)
# Words (prefixes) after which a number is an order/ticket/model number, not a phone number.
_PHONE_NEG_CTX_RE = _words_re(
    (
        "order",
        "ticket",
        "case",
        "invoice",
        "tracking",
        "transaction",
        "receipt",
        "model",
        "sku",
        "isbn",
        "bestel",
        "factuur",
        "zaak",
    ),
    ("заказ", "заявк", "квитанц", "чек", "модел", "трек"),
    ("订单", "单号", "工单", "发票", "型号"),
    whole=False,
)
_TEL_DOT_SUFFIXES = ("tel.", "тел.", "nr.", "no.")

_MIN_DIGITS = 9
_MIN_DIGITS_WITH_CONTEXT = 7
_MAX_DIGITS = 15
_DROP_DIGITS = str.maketrans("", "", "0123456789")
_MAX_CHUNKS = 8  # space-separated parts of one phone number at most (bounds the split search)


_BLOCKED, _PLAIN, _CONTEXT = 0, 1, 2


@functools.lru_cache(maxsize=1024)
def _window_verdict(window: str) -> int:
    """What the text before a number says about it being a phone number.

    ``_BLOCKED``: it is a price, a version, an order number and the like; ``_CONTEXT``: a phone
    context word is near; ``_PLAIN``: neither.
    """
    stripped = window.rstrip(" ")
    if stripped and stripped[-1] in _BEFORE_BLOCKERS:
        return _BLOCKED  # prices, "#123456789", "№ 123456789"
    low = window.lower()
    if (
        len(low) >= 2
        and low[-1] == "."
        and low[-2].isalnum()
        and not low.endswith(_TEL_DOT_SUFFIXES)
    ):
        return _BLOCKED  # tail of a dotted id such as an Android build "UP1A.231005.007"
    if _after_version_word(low) or _PHONE_NEG_CTX_RE.search(low, max(0, len(low) - 24)):
        return _BLOCKED
    return _CONTEXT if _PHONE_CTX_RE.search(low) else _PLAIN


def _phone_ok(cand: str, window: str, after: str) -> bool:
    """Whether ``cand`` (a phone candidate) is a phone number.

    ``window`` is the already-redacted text just before the candidate, ``after`` the raw text
    right after it. Cheap structural checks come first, the context look-ups last.
    """
    groups = _DIGIT_GROUP_RE.findall(cand)
    n = sum(map(len, groups))
    if n < _MIN_DIGITS_WITH_CONTEXT or n > _MAX_DIGITS or _UNIT_AFTER_RE.match(after):
        return False
    if cand[0] == "+":
        return n >= 8
    bare = len(groups) == 1
    has_dot = "." in cand
    if not bare:
        if len(groups) > 6 or _DATE_RE.search(cand):
            return False
        if has_dot and (any(len(g) == 1 for g in groups) or any(c in cand for c in " -()")):
            return False  # versions, decimals, dotted dates mixed with times
    verdict = _window_verdict(window)
    if verdict == _BLOCKED:
        return False
    context = verdict == _CONTEXT
    if bare:
        return context or _NATIONAL_BARE_RE.fullmatch(groups[0]) is not None
    if n < _MIN_DIGITS and not context:
        return False
    if not context and (has_dot or all(c in "0123456789 " for c in cand)):
        if sum(len(g) == 1 for g in groups) >= 2:
            return False  # a list of small numbers: "1 2 3 4 5 6 7 8 9"
        if not has_dot and _YEAR_RE.fullmatch(groups[0]):
            return False  # "in 2023 12 345 times"
        if len(groups) >= 3 and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            return False  # thousands grouping: "123 456 789", "1.234.567.890"
    return True


def _longest_phone(
    chunks: list[str], digits: list[int], i: int, window: str, after: str
) -> tuple[int, str, str]:
    """The longest phone number made of ``chunks[i:j]`` (space-joined parts of a rejected run).

    Returns ``j`` (0 when there is none) and the separator characters before its first and after
    its last digit, which stay in the text: in ")-89123456789" the ")-" is not part of it.
    ``digits`` holds the number of digits in each chunk.
    """
    count = len(chunks)
    first = chunks[i].lstrip(").-")
    if not first or first[0] not in "+(0123456789":
        return 0, "", ""
    lead = chunks[i][: len(chunks[i]) - len(first)]
    window += lead
    for j in range(min(count, i + _MAX_CHUNKS), i, -1):
        n = sum(digits[i:j])
        if n < _MIN_DIGITS_WITH_CONTEXT:
            break
        if n > _MAX_DIGITS or (j - i == count and not lead):
            continue  # too long, or the whole run that was already rejected
        sub = " ".join([first, *chunks[i + 1 : j]])
        core = sub.rstrip("() .-")
        if not core or not core[-1].isdigit():
            continue
        trailing = sub[len(core) :]
        if j < count:  # the next 12 chunks give at least the 12 characters looked at
            rest = trailing + " " + " ".join(chunks[j : j + 12])
            if j + 12 >= count:
                rest += after
        else:
            rest = trailing + after
        if _phone_ok(core, window, rest[:12]):
            return j, lead, trailing
    return 0, "", ""


def _redact_phones(text: str, found: list[PersonalDataKind], first_digit: int) -> str:
    """Replace phone numbers; no candidate starts earlier than ``first_digit - 4``."""
    out: list[str] = []
    tail = ""
    pos = 0
    for m in _PHONE_RE.finditer(text, max(0, first_digit - 4)):
        start, end = m.span()
        if start > pos:
            gap = text[pos:start]
            out.append(gap)
            tail = (tail + gap)[-_WINDOW:]
        pos = end
        cand = m.group()
        after = text[end : end + 12]
        if _phone_ok(cand, tail, after):
            placeholder = _hit(found, _PHONE, cand)
            out.append(placeholder)
            tail = (tail + placeholder)[-_WINDOW:]
            continue
        if " " not in cand:
            out.append(cand)
            tail = (tail + cand)[-_WINDOW:]
            continue
        # The run may glue several numbers together ("2024-11-05 13800138000"): look for the
        # longest phone number starting at each space-separated chunk, left to right.
        chunks = cand.split(" ")
        digits = [len(chunk) - len(chunk.translate(_DROP_DIGITS)) for chunk in chunks]
        i = 0
        while i < len(chunks):
            if i:
                out.append(" ")
                tail = (tail + " ")[-_WINDOW:]
            j, lead, trailing = _longest_phone(chunks, digits, i, tail, after)
            if j:
                run = " ".join(chunks[i:j])
                raw = run[len(lead) : len(run) - len(trailing)]
                piece = lead + _hit(found, _PHONE, raw) + trailing
                i = j
            else:
                piece = chunks[i]
                i += 1
            out.append(piece)
            tail = (tail + piece)[-_WINDOW:]
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)
