"""Personal data in short fields (model, build, source, product): found, then refused."""

from __future__ import annotations

import functools

from userloop.intake.redaction.engine import redact
from userloop.intake.redaction.kinds import _IP, PersonalDataKind

_NAMES: dict[PersonalDataKind, str] = {
    PersonalDataKind.EMAIL: "an e-mail address",
    PersonalDataKind.PHONE: "a phone number",
    PersonalDataKind.IMEI: "an IMEI",
    PersonalDataKind.SERIAL: "a serial number",
    PersonalDataKind.IP: "an IP address",
    PersonalDataKind.URL: "a URL carrying credentials or personal data",
}


@functools.lru_cache(maxsize=4096)
def personal_data_in(value: str, *, versions: bool = False) -> tuple[PersonalDataKind, ...]:
    """The kinds of personal data :func:`redact` finds in ``value``.

    With ``versions`` the value is read as a version or model name: a dotted quad such as
    ``14.0.3.0`` is a version there, not an IP address (as it would be after "version" in text).
    """
    kinds = redact(value).kinds
    if versions and _IP in kinds and _IP not in redact("version " + value).kinds:
        kinds = tuple(k for k in kinds if k is not _IP)
    return kinds


def refuse_personal_data(value: str, *, versions: bool = False) -> str:
    """``value`` unchanged, or ValueError naming what it seems to contain (for validators)."""
    kinds = personal_data_in(value, versions=versions)
    if kinds:
        names = [_NAMES[k] for k in kinds]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        raise ValueError(f"looks like it contains {listed}; personal data is not accepted here")
    return value
