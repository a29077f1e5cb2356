"""Kinds of personal data intake removes, and the placeholders that stand in their place.

Intake writes the placeholders; triage reads past them (they never become words of a topic).
Both take them from here, so the two cannot drift."""

from __future__ import annotations

import re
from enum import StrEnum


class PersonalDataKind(StrEnum):
    """Kinds of personal data that redaction removes."""

    EMAIL = "email"
    PHONE = "phone"
    IMEI = "imei"
    SERIAL = "serial"
    IP = "ip"
    URL = "url"


def placeholder(kind: PersonalDataKind) -> str:
    """What a redacted span of `kind` becomes in stored text: ``[email]``, ``[phone]``, ..."""
    return f"[{kind.value}]"


#: Any placeholder as stored (``[email]``, ``[phone]``, ...): the shape, so text that
#: predates a new kind is read the same way.
PLACEHOLDER = re.compile(r"\[[a-z_]+\]")
