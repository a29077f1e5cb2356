"""URLs and IP addresses (detectors 1 and 3, see the package docstring)."""

from __future__ import annotations

import ipaddress
import re

from userloop.intake.redaction.chars import _ANY_DIGIT_RE, _WA, _WB, _WINDOW
from userloop.intake.redaction.emails import _EMAIL_RE
from userloop.intake.redaction.kinds import _IP, _URL, PersonalDataKind, _hit
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
            return url[:start] + _hit(found, _IP, authority[: close + 1]) + url[start + close + 1 :]
        return url
    host = authority.split(":", 1)[0]
    if _IPV4_FULL_RE.fullmatch(host):
        return url[:start] + _hit(found, _IP, host) + url[start + len(host) :]
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
            return _hit(found, _URL, url) + trailing
        url = _redact_url_host(url, found)
        if kept is None:
            return url + trailing
        kept.append(url)
        return _MASK + trailing

    return _URL_RE.sub(repl, text)


def _redact_ipv6(text: str, found: list[PersonalDataKind]) -> str:
    def repl(m: re.Match[str]) -> str:
        cand = m.group()
        if _ANY_DIGIT_RE.search(cand) is None:
            return cand
        try:
            ipaddress.IPv6Address(cand.split("%", 1)[0])
        except ValueError:
            return cand
        return _hit(found, _IP, m.group())

    return _IPV6_RE.sub(repl, text)


def _redact_ipv4(text: str, found: list[PersonalDataKind]) -> str:
    def repl(m: re.Match[str]) -> str:
        if not _IPV4_FULL_RE.fullmatch(m.group()):
            return m.group()
        start = m.start()
        if _after_version_word(m.string[max(0, start - _WINDOW) : start]):
            return m.group()
        return _hit(found, _IP, m.group())

    return _IPV4_RE.sub(repl, text)
