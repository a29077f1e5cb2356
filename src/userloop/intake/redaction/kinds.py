"""Kinds of personal data, the result of :func:`redact` and the placeholders."""

from __future__ import annotations

from dataclasses import dataclass

from userloop.domain.personal_data import PersonalDataKind, placeholder

__all__ = ["PersonalDataKind", "Redaction"]


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

_PLACEHOLDER: dict[PersonalDataKind, str] = {kind: placeholder(kind) for kind in PersonalDataKind}

# Index digits of the markers written in pseudonym mode: private-use characters, which
# normalisation removes, so they cannot occur in normalised input; none is the URL mask.
_MARK_ZERO = 0xE010


class _Hits(list[PersonalDataKind]):
    """The kinds found, and in pseudonym mode the raw text of every hit."""

    __slots__ = ("raw",)

    def __init__(self, *, keep_raw: bool) -> None:
        super().__init__()
        self.raw: list[str] | None = [] if keep_raw else None


def _hit(found: list[PersonalDataKind], kind: PersonalDataKind, raw: str) -> str:
    """Record a hit of ``kind`` whose text was ``raw``; returns what replaces it.

    Normally the placeholder. In pseudonym mode (see ``engine.redact``) a marker
    ``[kind<index>]`` with the index in private-use digits: it behaves like the placeholder for
    the later detectors (no ASCII digit, ``@`` or ``://``, the same brackets) and is swapped for
    the caller's pseudonym at the end.
    """
    found.append(kind)
    raws = found.raw if isinstance(found, _Hits) else None
    if raws is None:
        return _PLACEHOLDER[kind]
    raws.append(raw)
    index = "".join(chr(_MARK_ZERO + int(d)) for d in str(len(raws) - 1))
    return f"[{kind.value}{index}]"
