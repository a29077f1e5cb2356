"""URLs, e-mail addresses and IP addresses (detectors 1-3, see the package docstring)."""

from __future__ import annotations

import ipaddress
import re

from userloop.intake.redaction.chars import _ANY_DIGIT_RE, _LETTERS, _W, _WA, _WB, _WINDOW
from userloop.intake.redaction.kinds import _EMAIL, _IP, _PLACEHOLDER, _URL, PersonalDataKind
from userloop.intake.redaction.versions import _after_version_word

# A private-use character: removed by normalisation, so it cannot occur in normalised input.
# Kept URLs are swapped for it while the other detectors run, then put back.
_MASK = "\ue000"

# --------------------------------------------------------------------------------------- URLs

_URL_RE = re.compile(
    rf"(?<![{_WB}_])(?:[A-Za-z][A-Za-z0-9+.\-]{{1,15}}+://|www\.|WWW\.)"
    r"[^\s<>\"'`{}|\\^\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\ue000]+"
)
_URL_TRAILING = ".,;:!?'\")]"
_URL_PARAM_SPLIT = re.compile(r"[?&#;]")
_PARAM_WORD_SPLIT = re.compile(r"[-_.\[\] ]+")

# Query/fragment parameter names that carry credentials or the personal data we redact anyway.
_SECRET_NAMES = frozenset(
    {
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "auth",
        "authorization",
        "key",
        "api_key",
        "apikey",
        "secret",
        "client_secret",
        "password",
        "passwd",
        "pass",
        "pwd",
        "passcode",
        "sig",
        "signature",
        "session",
        "sessionid",
        "session_id",
        "sid",
        "code",
        "otp",
        "jwt",
        "email",
        "e-mail",
        "mail",
        "phone",
        "tel",
        "mobile",
        "imei",
    }
)
_SECRET_PARTS = frozenset(
    {
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "signature",
        "apikey",
        "auth",
        "session",
        "sessionid",
        "sessid",
        "jsessionid",
        "phpsessid",
        "jwt",
        "otp",
        "credential",
        "credentials",
    }
)
_SECRET_SUFFIXES = ("token", "secret", "password", "signature", "apikey", "sessionid")
_SECRET_LAST_PARTS = frozenset({"key", "sig", "sid"})

# --------------------------------------------------------------------------------------- e-mail

_LOCAL_ASCII = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_%+-.")
_LOCAL = rf"[{_W}_%+\-](?:[{_W}_%+.\-]{{0,63}}[{_W}_%+\-])?"
_LABEL = rf"[{_W}](?:[{_W}\-]{{0,61}}[{_W}])?"
_TLD = rf"(?:[{_LETTERS}]{{2,63}}|xn--[0-9A-Za-z\-]{{2,59}})"
_EMAIL_RE = re.compile(
    rf"(?<![{_WB}_%+.\-]){_LOCAL}@(?:{_LABEL}\.)+{_TLD}(?![{_WA}\-])",
)
_OBF_AT = r"[ ]?[\[(]at[\])][ ]?"
_OBF_DOT = r"(?:[ ]?[\[(]dot[\])][ ]?|\.)"
_OBF_EMAIL_RE = re.compile(
    rf"(?<![{_WB}_%+.\-]){_LOCAL}{_OBF_AT}(?:{_LABEL}{_OBF_DOT})+{_TLD}(?![{_WA}\-])",
    re.IGNORECASE,
)
_OBF_HINT_RE = re.compile(r"[\[(]at[\])]", re.IGNORECASE)

# ------------------------------------------------------------------------------------------ IP

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = rf"(?:{_OCTET}\.){{3}}{_OCTET}"
# Starts with a character class (fast scanning); the lookbehind then checks the character in
# front of that first digit. Octet ranges are checked in Python.
_IPV4_RE = re.compile(
    rf"[0-9](?<![{_WB}_.].)[0-9]{{0,2}}\.[0-9]{{1,3}}\.[0-9]{{1,3}}\.[0-9]{{1,3}}"
    rf"(?![{_WA}_])(?!\.[0-9A-Za-z\[])"
)
_IPV4_FULL_RE = re.compile(_IPV4)
_IPV6_RE = re.compile(
    rf"(?<![{_WB}_:.])(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:[0-9A-Fa-f]{{1,4}}|{_IPV4})?"
    rf"(?:%[0-9A-Za-z]{{1,15}})?(?![{_WA}_:])(?!\.[0-9\[])"
)


def _is_secret_param(name: str) -> bool:
    n = name.strip().lower()
    if not n:
        return False
    if n in _SECRET_NAMES or n.endswith(_SECRET_SUFFIXES):
        return True
    parts = [p for p in _PARAM_WORD_SPLIT.split(n) if p]
    if not parts:
        return False
    return parts[-1] in _SECRET_LAST_PARTS or any(p in _SECRET_PARTS for p in parts)


def _url_split(url: str) -> tuple[int, int]:
    """Start and end of the authority part of ``url``."""
    sep = url.find("://")
    start = sep + 3 if sep >= 0 else 0
    end = len(url)
    for ch in "/?#":
        i = url.find(ch, start)
        if 0 <= i < end:
            end = i
    return start, end


def _url_is_sensitive(url: str) -> bool:
    start, end = _url_split(url)
    if "@" in url[start:end]:
        return True
    tail = url[end:]
    cut = min((i for i in (tail.find("?"), tail.find("#"), tail.find(";")) if i >= 0), default=-1)
    if cut >= 0:
        for part in _URL_PARAM_SPLIT.split(tail[cut + 1 :]):
            name, eq, value = part.partition("=")
            if eq and value and _is_secret_param(name):
                return True
    return "@" in tail and _EMAIL_RE.search(tail) is not None


def _redact_url_host(url: str, found: list[PersonalDataKind]) -> str:
    start, end = _url_split(url)
    if start == 0:
        return url
    authority = url[start:end]
    if authority.startswith("["):
        close = authority.find("]")
        if close > 0:
            host = authority[1:close].split("%", 1)[0]
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                return url
            found.append(_IP)
            return url[:start] + _PLACEHOLDER[_IP] + url[start + close + 1 :]
        return url
    host = authority.split(":", 1)[0]
    if _IPV4_FULL_RE.fullmatch(host):
        found.append(_IP)
        return url[:start] + _PLACEHOLDER[_IP] + url[start + len(host) :]
    return url


def _split_url_trailing(url: str) -> tuple[str, str]:
    end = len(url)
    while end > 0 and url[end - 1] in _URL_TRAILING:
        ch = url[end - 1]
        if ch == ")" and url.count("(", 0, end) >= url.count(")", 0, end):
            break
        if ch == "]" and url.count("[", 0, end) >= url.count("]", 0, end):
            break
        end -= 1
    return url[:end], url[end:]


def _redact_urls(text: str, found: list[PersonalDataKind], kept: list[str] | None) -> str:
    def repl(m: re.Match[str]) -> str:
        url, trailing = _split_url_trailing(m.group())
        start, end = _url_split(url)
        if end <= start or (start == 0 and "." not in url[4:end]):
            return m.group()
        if _url_is_sensitive(url):
            found.append(_URL)
            return _PLACEHOLDER[_URL] + trailing
        url = _redact_url_host(url, found)
        if kept is None:
            return url + trailing
        kept.append(url)
        return _MASK + trailing

    return _URL_RE.sub(repl, text)


def _is_local_char(ch: str) -> bool:
    """Whether ``ch`` may appear in the local part of an address (see ``_LOCAL``)."""
    return ch in _LOCAL_ASCII or "\u00c0" <= ch <= "\u024f" or "\u0400" <= ch <= "\u04ff"


def _redact_at_signs(text: str, found: list[PersonalDataKind]) -> str:
    """Replace e-mail addresses, looking only around each ``@`` (much faster than a scan)."""
    out: list[str] = []
    pos = 0
    at = text.find("@")
    while at >= 0:
        start = at
        limit = max(pos, at - 64)
        while start > limit and _is_local_char(text[start - 1]):
            start -= 1
        # The address can only start where the run of local-part characters starts.
        m = _EMAIL_RE.match(text, start)
        if m is not None and at < m.end():
            out.append(text[pos : m.start()])
            out.append(_PLACEHOLDER[_EMAIL])
            found.append(_EMAIL)
            pos = m.end()
            at = text.find("@", pos)
        else:
            at = text.find("@", at + 1)
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _redact_emails(text: str, found: list[PersonalDataKind]) -> str:
    def repl(m: re.Match[str]) -> str:
        found.append(_EMAIL)
        return _PLACEHOLDER[_EMAIL]

    if "@" in text:
        text = _redact_at_signs(text, found)
    if ("(" in text or "[" in text) and _OBF_HINT_RE.search(text):
        text = _OBF_EMAIL_RE.sub(repl, text)
    return text


def _redact_ipv6(text: str, found: list[PersonalDataKind]) -> str:
    def repl(m: re.Match[str]) -> str:
        cand = m.group()
        if _ANY_DIGIT_RE.search(cand) is None:
            return cand
        try:
            ipaddress.IPv6Address(cand.split("%", 1)[0])
        except ValueError:
            return cand
        found.append(_IP)
        return _PLACEHOLDER[_IP]

    return _IPV6_RE.sub(repl, text)


def _redact_ipv4(text: str, found: list[PersonalDataKind]) -> str:
    def repl(m: re.Match[str]) -> str:
        if not _IPV4_FULL_RE.fullmatch(m.group()):
            return m.group()
        start = m.start()
        if _after_version_word(m.string[max(0, start - _WINDOW) : start]):
            return m.group()
        found.append(_IP)
        return _PLACEHOLDER[_IP]

    return _IPV4_RE.sub(repl, text)
