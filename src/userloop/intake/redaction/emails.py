"""E-mail addresses: plain, with a quoted local part, and obfuscated (detector 2)."""

from __future__ import annotations

import re

from userloop.intake.redaction.chars import _LETTERS, _W, _WA, _WB
from userloop.intake.redaction.kinds import _EMAIL, PersonalDataKind, _hit

_LOCAL_ASCII = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_%+-.'")
_LOCAL = rf"[{_W}_%+\-](?:[{_W}_%+.'\-]{{0,63}}[{_W}_%+\-])?"
_LABEL = rf"[{_W}](?:[{_W}\-]{{0,61}}[{_W}])?"
_TLD = rf"(?:[{_LETTERS}]{{2,63}}|xn--[0-9A-Za-z\-]{{2,59}})"
_TLD_RE = re.compile(_TLD)
# A dash may follow the top-level domain ("jan@example.nl-2" in an id): had the domain gone on
# ("example.nl-x.com"), the longer match would have been taken.
_EMAIL_RE = re.compile(rf"(?<![{_WB}_%+.'\-]){_LOCAL}@(?:{_LABEL}\.)+{_TLD}(?![{_WA}])")
# The domain after a quoted local part: "john doe"@example.org.
_DOMAIN_RE = re.compile(rf"(?:{_LABEL}\.)+{_TLD}(?![{_WA}])")
_QUOTED_MAX = 64

# ------------------------------------------------------------------------------ obfuscations
# The "at" of an obfuscated address. Strong forms are unambiguous: a bracketed word or "@"
# ("(at)", "[at]", "{at}", "<at>", "(собака)", "[@]"), an "@" with a space after it or on both
# sides, "艾特". Weak forms are plain words that also occur in prose ("at", "собака",
# "apenstaartje"): they need more evidence (see ``_obfuscated_ok``). " @x" alone is a mention.
_AT_WORDS = r"at|собака|собачка|apenstaartje"
_OBF_AT_RE = re.compile(
    # The leading lookahead lists the first characters: it makes scanning much faster.
    rf"(?=[ @艾\[({{<])"
    rf"(?:(?P<strong>[ ]?[\[({{<][ ]?(?:{_AT_WORDS}|@)[ ]?[\])}}>][ ]?|[ ]?@[ ]|@|艾特)"
    rf"|(?P<weak>[ ](?:{_AT_WORDS})[ ]))",
    re.IGNORECASE,
)
# Cheap gate: text without any of these has no obfuscated "at" (see ``_OBF_AT_RE``).
_OBF_GATE_RE = re.compile(r"[aA][tT][ \])}>]|@|собак|Собак|СОБАК|apenstaartje|艾特")
# The "dot": a literal dot, a bracketed word ("(dot)", "[точка]") or a plain word (" dot ").
_DOT_WORDS = r"dot|точка|punt"
_BRACKET_DOT = rf"[ ]?[\[({{<][ ]?(?:{_DOT_WORDS})[ ]?[\])}}>][ ]?"
_WORD_DOT = rf"[ ](?:{_DOT_WORDS})[ ]"
_DOT_FORM = rf"(?:\.|{_BRACKET_DOT}|{_WORD_DOT})"
_DOT_FORM_RE = re.compile(_DOT_FORM, re.IGNORECASE)
# Searched backwards from the "at" (with ``endpos``): the local part, possibly with spelled dots.
_OBF_LOCAL_RE = re.compile(
    rf"(?<![{_WB}_%+.'\-])(?:{_LOCAL}{_DOT_FORM}){{0,8}}{_LOCAL}\Z", re.IGNORECASE
)
_OBF_DOMAIN_RE = re.compile(rf"{_LABEL}(?:{_DOT_FORM}{_LABEL}){{1,8}}(?![{_WA}\-])", re.IGNORECASE)
_LOCAL_WINDOW = 200


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Top-level domains accepted after a spelled dot or a weak "at". Two-letter domains that are
# also English words (at, be, in, is, it, me, no, to, us, ...) are left out on purpose.
_MAIL_TLDS = _words(
    "com net org edu gov info biz io co ru su рф ua kz nl de fr es uk cn hk tw jp kr pl cz ch "
    "se dk fi au ca eu tv cc app dev xyz top"
)
# Mail providers: "name at gmail.com" is an address even without a mark in the name.
_PROVIDERS = _words(
    "gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com msn.com icloud.com "
    "me.com mac.com aol.com proton.me protonmail.com gmx.de gmx.net web.de t-online.de "
    "mail.ru yandex.ru ya.ru rambler.ru bk.ru list.ru inbox.ru qq.com 163.com 126.com "
    "yeah.net sina.com sohu.com aliyun.com foxmail.com ziggo.nl kpnmail.nl xs4all.nl "
    "hetnet.nl planet.nl hotmail.nl live.nl"
)
# First words after a weak "at" that make it prose ("look at the dot com bubble"), and the
# roots of Java/Kotlin package names ("... at com.example.app.Main.onCreate(Main.java:42)").
_PROSE_WORDS = _words(
    "the a an this that these those my your our his her their its least last first all home "
    "work night once some any every each which what one two school lunch dinner noon"
)
_CODE_ROOTS = _words("com org net android androidx java javax kotlin dalvik sun")
# Words that end a sentence's verb phrase before "at" ("I am at gmail.com", "logged in at").
_PROSE_LOCALS = _words(
    "am is are was were be been being in on out up me us it them him her look looked looking "
    "log logged sign signed login stuck stay stayed only even still not now also just"
)
_VERSION_LIKE_RE = re.compile(r"[vV]?[0-9][0-9.]*")


def _is_local_char(ch: str) -> bool:
    """Whether ``ch`` may appear in the local part of an address (see ``_LOCAL``)."""
    return ch in _LOCAL_ASCII or "\u00c0" <= ch <= "\u024f" or "\u0400" <= ch <= "\u04ff"


def _quoted_end(text: str, at: int, pos: int) -> tuple[int, int] | None:
    """Span of ``"quoted local"@domain`` whose ``@`` is at ``at``, not starting before ``pos``."""
    open_ = text.rfind('"', max(pos, at - _QUOTED_MAX - 2), at - 1)
    if open_ < 0 or at - open_ < 3 or "\n" in text[open_:at]:
        return None
    if open_ > 0 and (_is_local_char(text[open_ - 1]) or text[open_ - 1] == "]"):
        return None
    m = _DOMAIN_RE.match(text, at + 1)
    return None if m is None else (open_, m.end())


def _redact_at_signs(text: str, found: list[PersonalDataKind]) -> str:
    """Replace e-mail addresses, looking only around each ``@`` (much faster than a scan)."""
    out: list[str] = []
    pos = 0
    at = text.find("@")
    while at >= 0:
        span = _quoted_end(text, at, pos) if at > 0 and text[at - 1] == '"' else None
        if span is None:
            start = at
            limit = max(pos, at - 64)
            while start > limit and _is_local_char(text[start - 1]):
                start -= 1
            # The address can only start where the run of local-part characters starts, after
            # any dots or apostrophes that cannot begin one.
            while start < at and text[start] in ".'":
                start += 1
            m = _EMAIL_RE.match(text, start)
            if m is not None and at < m.end():
                span = m.span()
        if span is not None:
            out.append(text[pos : span[0]])
            out.append(_hit(found, _EMAIL, text[span[0] : span[1]]))
            pos = span[1]
            at = text.find("@", pos)
        else:
            at = text.find("@", at + 1)
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _has_mark(local: str) -> bool:
    """Whether a local part looks like an address's rather than a word: a letter and one of
    ``. _ % +`` or a digit, and no version number ("v1.2")."""
    if _VERSION_LIKE_RE.fullmatch(local) or not any(c.isalpha() for c in local):
        return False
    return any(c in "._%+0123456789" for c in local)


def _obfuscated_end(text: str, m: re.Match[str], local: str) -> int:
    """End of the obfuscated address whose "at" is ``m`` and local part ``local``; 0 if none."""
    dm = _OBF_DOMAIN_RE.match(text, m.end())
    if dm is None:
        return 0
    domain = dm.group()
    seps = list(_DOT_FORM_RE.finditer(domain))
    labels: list[str] = []
    last = 0
    for sep in seps:
        labels.append(domain[last : sep.start()])
        last = sep.end()
    labels.append(domain[last:])
    weak = m.group("weak") is not None
    first = labels[0].lower()
    if weak and (first in _PROSE_WORDS or first in _CODE_ROOTS or local.lower() in _PROSE_LOCALS):
        return 0
    # Longest first; "name at mail.ru.Then" is "name at mail.ru" followed by ".Then".
    for n in range(len(labels), 1, -1):
        tld = labels[n - 1]
        used = seps[: n - 1]
        spelled_word = any(s.group().strip().isalpha() for s in used)
        all_literal = all(s.group() == "." for s in used)
        end = dm.start() + used[-1].end() + len(tld)
        if not weak:
            ok = tld.lower() in _MAIL_TLDS if spelled_word else _TLD_RE.fullmatch(tld) is not None
        elif tld.lower() not in _MAIL_TLDS:
            ok = False
        elif not all_literal:
            ok = True
        else:
            host = ".".join(labels[:n]).lower()
            ok = (
                any(host == p or host.endswith("." + p) for p in _PROVIDERS) or _has_mark(local)
            ) and text[end : end + 1] != "("
        if ok:
            return end
    return 0


def _redact_obfuscated(text: str, found: list[PersonalDataKind]) -> str:
    if _OBF_GATE_RE.search(text) is None:
        return text
    out: list[str] = []
    pos = 0
    for m in _OBF_AT_RE.finditer(text):
        if m.start() < pos:
            continue
        lm = _OBF_LOCAL_RE.search(text, max(pos, m.start() - _LOCAL_WINDOW), m.start())
        if lm is None:
            continue
        end = _obfuscated_end(text, m, lm.group())
        if end:
            out.append(text[pos : lm.start()])
            out.append(_hit(found, _EMAIL, text[lm.start() : end]))
            pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _redact_emails(text: str, found: list[PersonalDataKind]) -> str:
    if "@" in text:
        text = _redact_at_signs(text, found)
    return _redact_obfuscated(text, found)
