"""Kinds of personal data, the result of :func:`redact` and the placeholders."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PersonalDataKind(StrEnum):
    """Kinds of personal data that :func:`redact` removes."""

    EMAIL = "email"
    PHONE = "phone"
    IMEI = "imei"
    SERIAL = "serial"
    IP = "ip"
    URL = "url"


@dataclass(frozen=True, slots=True)
class Redaction:
    """Result of :func:`redact`."""

    text: str
    """The redacted text."""
    kinds: tuple[PersonalDataKind, ...]
    """Distinct kinds found, sorted by value."""
    count: int
    """Number of replacements made."""


_EMAIL = PersonalDataKind.EMAIL
_PHONE = PersonalDataKind.PHONE
_IMEI = PersonalDataKind.IMEI
_SERIAL = PersonalDataKind.SERIAL
_IP = PersonalDataKind.IP
_URL = PersonalDataKind.URL

_PLACEHOLDER: dict[PersonalDataKind, str] = {kind: f"[{kind.value}]" for kind in PersonalDataKind}
