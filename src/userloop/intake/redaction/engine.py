"""Orchestration: run the detectors in order and put the kept URLs back."""

from __future__ import annotations

import re
from collections.abc import Callable

from userloop.intake.redaction.chars import _ANY_DIGIT_RE
from userloop.intake.redaction.emails import _redact_emails
from userloop.intake.redaction.identifiers import _SERIAL_HINTS, _redact_imei, _redact_serials
from userloop.intake.redaction.kinds import _MARK_ZERO, PersonalDataKind, Redaction, _Hits
from userloop.intake.redaction.network import _MASK, _redact_ipv4, _redact_ipv6, _redact_urls
from userloop.intake.redaction.phones import _redact_phones

# Cheap gates. A pattern that starts with a character class is scanned much faster than one that
# starts with a lookbehind, so each digit detector first checks that its shape occurs at all
# (``_ANY_DIGIT_RE`` in ``chars`` is the first of them, shared with the IPv6 detector).
# Seven digits close together: needed by both IMEI and phone numbers. A phone candidate never
# starts more than four characters ("+ ( ") before the first digit this finds.
_PHONE_GATE_RE = re.compile(r"[0-9](?:[ ().\-]{1,4}[0-9]|[0-9]){6}")
_SN_WORD_RE = re.compile(r"(?<![a-z])sn(?![a-z])")
_MARK_DIGITS = f"{chr(_MARK_ZERO)}-{chr(_MARK_ZERO + 9)}"
_MARK_RE = re.compile(rf"\[([a-z]+)([{_MARK_DIGITS}]+)\]")
_STRAY_MARKS = re.compile(f"[{_MARK_DIGITS}]")


def redact(
    text: str, *, pseudonym: Callable[[PersonalDataKind, str], str] | None = None
) -> Redaction:
    """Replace personal data in ``text`` with typed placeholders such as ``[phone]``.

    With ``pseudonym``, each hit is replaced by ``pseudonym(kind, raw_text_of_the_hit)``
    instead (the detectors decide exactly as without it).
    """
    if pseudonym is not None:
        # Marker digits cannot occur in normalised text; drop any so none is taken for ours.
        text = _STRAY_MARKS.sub("", text)
    found: list[PersonalDataKind] = [] if pseudonym is None else _Hits(keep_raw=True)
    kept: list[str] = []
    masking = False
    if "://" in text or "www." in text or "WWW." in text:
        masking = _MASK not in text
        text = _redact_urls(text, found, kept if masking else None)
    text = _redact_emails(text, found)
    if _ANY_DIGIT_RE.search(text) is not None:
        if "::" in text or text.count(":") >= 7:
            text = _redact_ipv6(text, found)
        if "." in text:
            text = _redact_ipv4(text, found)
        cluster = _PHONE_GATE_RE.search(text)
        hits = len(found)
        if cluster is not None:
            text = _redact_imei(text, found)
        lowered = text.lower()
        if any(hint in lowered for hint in _SERIAL_HINTS) or (
            "sn" in lowered and _SN_WORD_RE.search(lowered) is not None
        ):
            text = _redact_serials(text, found)
        if cluster is not None:
            if len(found) != hits:  # the text changed since the gate ran
                cluster = _PHONE_GATE_RE.search(text)
            if cluster is not None:
                text = _redact_phones(text, found, cluster.start())
    if masking and kept:
        pieces = text.split(_MASK)
        restored = [pieces[0]]
        for url, piece in zip(kept, pieces[1:], strict=True):
            restored.append(url)
            restored.append(piece)
        text = "".join(restored)
    if pseudonym is not None and isinstance(found, _Hits) and found.raw:
        raw = found.raw
        offset = ord("0") - _MARK_ZERO

        def swap(m: re.Match[str]) -> str:
            index = int("".join(chr(ord(c) + offset) for c in m.group(2)))
            return pseudonym(PersonalDataKind(m.group(1)), raw[index])

        text = _MARK_RE.sub(swap, text)
    kinds = tuple(sorted(set(found)))
    return Redaction(text=text, kinds=kinds, count=len(found))
