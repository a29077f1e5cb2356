"""Made-up personal data of the kind users type into feedback, so redaction has work to do.

Numbers are random but shaped like the real thing: IMEIs pass the Luhn check, phone numbers
follow each country's local style (US numbers use the 555-01xx range reserved for fiction).
"""

from __future__ import annotations

import random

SERIAL_CODE: dict[str, str] = {
    "Lumo 12": "12",
    "Lumo 12 Pro": "12P",
    "Lumo Note 5": "N5",
    "Lumo Lite 3": "L3",
}
SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def luhn_valid(number: str) -> bool:
    """True if the digit string passes the Luhn check (as IMEIs do)."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def make_imei(rng: random.Random) -> str:
    """A made-up 15-digit IMEI with a valid Luhn check digit."""
    payload = "35" + _digits(rng, 12)
    for check in "0123456789":
        if luhn_valid(payload + check):
            return payload + check
    raise AssertionError("unreachable: one check digit always fits")


def make_phone(rng: random.Random, region: str) -> str:
    """A made-up phone number in the local style of ``region``."""
    local = rng.random() < 0.5
    if region == "CN":
        prefix = rng.choice(("138", "139", "150", "158", "177", "186"))
        rest = _digits(rng, 8)
        return f"{prefix} {rest[:4]} {rest[4:]}" if local else f"+86 {prefix}{rest}"
    if region == "RU":
        code, a, b, d = "9" + _digits(rng, 2), _digits(rng, 3), _digits(rng, 2), _digits(rng, 2)
        return f"8 ({code}) {a}-{b}-{d}" if local else f"+7 {code} {a}-{b}-{d}"
    if region == "NL":
        return f"06-{_digits(rng, 8)}" if local else f"+31 6 {_digits(rng, 8)}"
    area = rng.randrange(201, 990)  # 555-01xx numbers are reserved for fiction
    return f"({area}) 555-01{_digits(rng, 2)}" if local else f"+1 {area}-555-01{_digits(rng, 2)}"


def make_serial(rng: random.Random, model: str) -> str:
    """A made-up device serial number such as ``LM12PK7Q3X9AB``."""
    return "LM" + SERIAL_CODE[model] + "".join(rng.choices(SERIAL_ALPHABET, k=8))
