"""The demo's phrase banks, read from the UTF-8 JSON files in ``texts/`` next to this module.

All sentences were written for this demo. Keeping them as data lets a translator or writer
edit them without touching Python; the generator reads them once, at import.

- ``bugs.json``: problem key -> language -> sentences about the ten recurring bugs.
- ``other.json``: the same for feature requests, praise, questions and noise.
- ``variations.json``: the pieces that vary a text: ``bug_prefix`` and ``bug_suffix``
  (sentences put before and after a bug report), ``feature_suffix``, ``still_broken`` (added
  when a reporter writes about the same bug again), ``emoji`` by kind, ``pii_templates``
  (personal data a user might type), ``name_parts`` (romanised made-up first and last names
  for e-mail local parts, by region) and ``email_domain`` by region.

Placeholders filled in by the generator: ``{model}`` and ``{build}`` in sentences, and
``{email}``, ``{phone}``, ``{imei}``, ``{serial}`` in the personal-data templates. Order
matters: the seeded generator picks by position, so reordering changes the generated world.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

Bank = dict[str, dict[str, tuple[str, ...]]]  # key -> language -> sentences


class PhraseFileError(ValueError):
    """A file in ``texts/`` does not have the expected shape."""


def _read(name: str) -> Any:
    resource = files("userloop.demo") / "texts" / name
    return json.loads(resource.read_text(encoding="utf-8"))


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise PhraseFileError(f"{where}: expected a list of strings")
    return tuple(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PhraseFileError(f"{where}: expected a string")
    return value


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PhraseFileError(f"{where}: expected an object")
    return value


def _lists(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    return {k: _strings(v, f"{where}.{k}") for k, v in _mapping(value, where).items()}


def _bank(name: str) -> Bank:
    return {k: _lists(v, f"{name}: {k}") for k, v in _mapping(_read(name), name).items()}


def _name_parts(value: Any, where: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    parts = {}
    for region, raw in _mapping(value, where).items():
        names = _mapping(raw, f"{where}.{region}")
        first = _strings(names.get("first"), f"{where}.{region}.first")
        last = _strings(names.get("last"), f"{where}.{region}.last")
        parts[region] = (first, last)
    return parts


BUG_PHRASES: Bank = _bank("bugs.json")
OTHER_PHRASES: Bank = _bank("other.json")

_VARIATIONS = _mapping(_read("variations.json"), "variations.json")


def _section(key: str) -> Any:
    if key not in _VARIATIONS:
        raise PhraseFileError(f"variations.json: missing {key!r}")
    return _VARIATIONS[key]


BUG_PREFIX = _lists(_section("bug_prefix"), "variations.json: bug_prefix")
BUG_SUFFIX = _lists(_section("bug_suffix"), "variations.json: bug_suffix")
FEATURE_SUFFIX = _lists(_section("feature_suffix"), "variations.json: feature_suffix")
STILL_BROKEN: dict[str, str] = {
    k: _string(v, f"variations.json: still_broken.{k}")
    for k, v in _mapping(_section("still_broken"), "variations.json: still_broken").items()
}
EMOJI = _lists(_section("emoji"), "variations.json: emoji")  # by kind, not language
PII_TEMPLATES = _lists(_section("pii_templates"), "variations.json: pii_templates")
NAME_PARTS = _name_parts(_section("name_parts"), "variations.json: name_parts")
EMAIL_DOMAIN: dict[str, str] = {
    k: _string(v, f"variations.json: email_domain.{k}")
    for k, v in _mapping(_section("email_domain"), "variations.json: email_domain").items()
}
