"""Presets for store exports: a mapping from the export's columns plus small transforms.

`--map` entries given with a preset replace the preset's rule for that field or add fields.
The column lists here are the ones docs/import.md documents; keep the two in step.

Presets are registered in `PRESETS`; an outside package adds one through an entry point in the
``userloop.import_presets`` group whose object is a ``userloop.registry.Plugin`` wrapping a
`Preset`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import pycountry

from userloop.intake.importers.errors import ImportFailed, RowRejected
from userloop.intake.importers.mapping import FieldSpec
from userloop.registry import Registry, UnknownPlugin

_MAX_EXTERNAL_ID = 200


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    source: str  # the default source of the imported feedback
    title: str
    fields: Mapping[str, FieldSpec]
    columns: tuple[str, ...]  # every column of the export, in the export's order

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if any(c in s.required for s in self.fields.values()))


def _cell(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def _plain(column: str, *, required: bool = False) -> FieldSpec:
    def get(row: Mapping[str, Any]) -> Any:
        return _cell(row, column) or None

    return FieldSpec(
        get, required=(column,) if required else (), optional=() if required else (column,)
    )


def _review_text(title_column: str, text_column: str) -> FieldSpec:
    def get(row: Mapping[str, Any]) -> str:
        title = _cell(row, title_column)
        text = _cell(row, text_column)
        if title and text:
            return f"{title}\n{text}"
        if text or title:
            return text or title
        raise RowRejected(f"empty review: {title_column!r} and {text_column!r} are both empty")

    return FieldSpec(get, required=(text_column,), optional=(title_column,))


def _millis(row: Mapping[str, Any], column: str) -> datetime | None:
    raw = _cell(row, column)
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise RowRejected(f"{column} is not a number of milliseconds: {raw!r}") from exc


# -- Google Play Console: reviews export -------------------------------------------------------

GP_PACKAGE = "Package Name"
GP_VERSION_CODE = "App Version Code"
GP_VERSION_NAME = "App Version Name"
GP_LANGUAGE = "Reviewer Language"
GP_DEVICE = "Device"
GP_SUBMITTED = "Review Submit Date and Time"
GP_SUBMITTED_MS = "Review Submit Millis Since Epoch"
GP_UPDATED = "Review Last Update Date and Time"
GP_UPDATED_MS = "Review Last Update Millis Since Epoch"
GP_RATING = "Star Rating"
GP_TITLE = "Review Title"
GP_TEXT = "Review Text"
GP_REPLY = "Developer Reply Date and Time"
GP_REPLY_MS = "Developer Reply Millis Since Epoch"
GP_REPLY_TEXT = "Developer Reply Text"
GP_LINK = "Review Link"


def _gp_language(row: Mapping[str, Any]) -> str | None:
    return _cell(row, GP_LANGUAGE).replace("_", "-") or None  # zh_CN -> zh-CN


def _gp_created_at(row: Mapping[str, Any]) -> Any:
    return _cell(row, GP_SUBMITTED) or _millis(row, GP_SUBMITTED_MS)


def _gp_external_id(row: Mapping[str, Any]) -> str:
    link = _cell(row, GP_LINK)
    if link and len(link) <= _MAX_EXTERNAL_ID:
        return link
    package, millis = _cell(row, GP_PACKAGE), _cell(row, GP_SUBMITTED_MS)
    if package and millis:
        return f"{package}:{millis}"
    raise RowRejected(
        f"cannot identify the review: no {GP_LINK!r} and no {GP_PACKAGE!r} with {GP_SUBMITTED_MS!r}"
    )


GOOGLE_PLAY = Preset(
    name="google-play",
    source="google-play",
    title="Google Play Console reviews export (CSV)",
    fields={
        "external_id": FieldSpec(
            _gp_external_id, required=(GP_PACKAGE,), optional=(GP_LINK, GP_SUBMITTED_MS)
        ),
        "text": _review_text(GP_TITLE, GP_TEXT),
        "rating": _plain(GP_RATING, required=True),
        "build": _plain(GP_VERSION_NAME),
        "model": _plain(GP_DEVICE),
        "language": FieldSpec(_gp_language, optional=(GP_LANGUAGE,)),
        "created_at": FieldSpec(_gp_created_at, optional=(GP_SUBMITTED, GP_SUBMITTED_MS)),
    },
    columns=(
        GP_PACKAGE,
        GP_VERSION_CODE,
        GP_VERSION_NAME,
        GP_LANGUAGE,
        GP_DEVICE,
        GP_SUBMITTED,
        GP_SUBMITTED_MS,
        GP_UPDATED,
        GP_UPDATED_MS,
        GP_RATING,
        GP_TITLE,
        GP_TEXT,
        GP_REPLY,
        GP_REPLY_MS,
        GP_REPLY_TEXT,
        GP_LINK,
    ),
)

# -- App Store Connect: ratings and reviews export ---------------------------------------------

AS_ID = "Review ID"
AS_DATE = "Date"
AS_RATING = "Rating"
AS_TITLE = "Title"
AS_TEXT = "Review"
AS_NICKNAME = "Nickname"
AS_TERRITORY = "Territory"
AS_VERSION = "App Version"
AS_DEVICE = "Device"
AS_LANGUAGE = "Language"
_ALPHA = re.compile(r"^[A-Za-z]{2,3}$")


@lru_cache(maxsize=1024)
def territory_to_region(value: str) -> str | None:
    """ISO 3166 alpha-3 (USA) or alpha-2 (US), or a country name, as alpha-2; None if unknown."""
    code = value.strip()
    if _ALPHA.match(code):
        code = code.upper()
        if len(code) == 2:
            country = pycountry.countries.get(alpha_2=code)
        else:
            country = pycountry.countries.get(alpha_3=code)
        return str(country.alpha_2) if country is not None else None
    try:
        return str(pycountry.countries.lookup(code).alpha_2)
    except LookupError:
        return None


def _as_region(row: Mapping[str, Any]) -> str | None:
    raw = _cell(row, AS_TERRITORY)
    if not raw:
        return None
    region = territory_to_region(raw)
    if region is None:
        raise RowRejected(f"{AS_TERRITORY} {raw!r} is not an ISO 3166 country code")
    return region


APP_STORE = Preset(
    name="app-store",
    source="app-store",
    title="App Store Connect ratings and reviews export (CSV)",
    fields={
        "external_id": _plain(AS_ID, required=True),
        "text": _review_text(AS_TITLE, AS_TEXT),
        "rating": _plain(AS_RATING, required=True),
        "created_at": _plain(AS_DATE),
        "reporter.id": _plain(AS_NICKNAME),
        "region": FieldSpec(_as_region, optional=(AS_TERRITORY,)),
        "build": _plain(AS_VERSION),
        "model": _plain(AS_DEVICE),
        "language": _plain(AS_LANGUAGE),
    },
    columns=(
        AS_ID,
        AS_DATE,
        AS_RATING,
        AS_TITLE,
        AS_TEXT,
        AS_NICKNAME,
        AS_TERRITORY,
        AS_VERSION,
        AS_DEVICE,
        AS_LANGUAGE,
    ),
)

# A preset is a value, not something to build: the plugin's factory is the preset itself.
PRESETS: Registry[Preset] = Registry("import preset", "userloop.import_presets")
for _preset in (GOOGLE_PLAY, APP_STORE):
    PRESETS.register(_preset.name, _preset, _preset.title)


def get_preset(name: str | Preset) -> Preset:
    if isinstance(name, Preset):
        return name
    try:
        return PRESETS.get(name).factory
    except UnknownPlugin:
        names = ", ".join(PRESETS.names())
        raise ImportFailed(f"unknown preset {name!r}; presets are {names}") from None
