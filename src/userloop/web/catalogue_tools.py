"""Message extraction and catalogue upkeep (used by ``scripts/update_catalogues.py`` and the
test that fails on a missing translation).

Each message belongs to a *part* by the file it appears in first: ``portal`` (the portal's
routes and templates), ``console`` (the console's), else ``common``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.catalog import Message as BabelMessage
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

from userloop.web.i18n import LANGUAGES, LOCALES_DIR

WEB_DIR = Path(__file__).parent
PARTS = ("common", "portal", "console")
METHOD_MAP = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}
# Modules outside web/ whose messages the pages show (their part, their path under src/userloop).
SHARED_SOURCES = (("console", "views/priority_sentence.py"),)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass(frozen=True, slots=True)
class Message:
    id: str | tuple[str, str]  # a tuple for plural forms
    part: str
    where: str  # file:line of the first use


def part_of(path: str) -> str:
    for part in ("portal", "console"):
        if path.startswith((f"{part}/", f"templates/{part}/")):
            return part
    return "common"


def extract(web_dir: Path = WEB_DIR) -> list[Message]:
    """Every translatable message used by the web pages, in first-seen order."""
    seen: dict[str | tuple[str, str], Message] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(web_dir), METHOD_MAP, OPTIONS, keywords=DEFAULT_KEYWORDS
    ):
        if filename.startswith(("locales/", "static/")):
            continue
        key: str | tuple[str, str] = (
            (message[0], message[1]) if isinstance(message, tuple) else message
        )
        if isinstance(key, tuple) and not all(key):
            continue
        if not key:
            continue
        if key not in seen:
            seen[key] = Message(key, part_of(filename), f"{filename}:{lineno}")
    if web_dir == WEB_DIR:
        for part, source in SHARED_SOURCES:
            path = WEB_DIR.parent / source
            for lineno, message, _comments, _context in extract_from_file(
                "python", str(path), keywords=DEFAULT_KEYWORDS
            ):
                key = (message[0], message[1]) if isinstance(message, tuple) else message
                if key and key not in seen:
                    seen[key] = Message(key, part, f"../{source}:{lineno}")
    return list(seen.values())


def po_path(locale: str, part: str, directory: Path = LOCALES_DIR) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{part}.po"


def read_catalogue(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, project="userloop")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def update(directory: Path = LOCALES_DIR, parts: tuple[str, ...] = PARTS) -> dict[str, int]:
    """Add new messages to every part of every locale (English copies the msgid); keep
    existing translations; drop messages no longer used. Returns untranslated counts."""
    messages = extract()
    missing: dict[str, int] = {}
    for lang in LANGUAGES:
        for part in parts:
            path = po_path(lang.locale, part, directory)
            old = read_catalogue(path, lang.locale)
            new = Catalog(
                locale=lang.locale,
                project="userloop",
                fuzzy=False,
                header_comment=f"# {lang.tag} messages of the userloop web pages ({part}).",
                creation_date=old.creation_date,
                revision_date=old.creation_date,
            )
            for m in (m for m in messages if m.part == part):
                previous = old.get(m.id)
                string: str | tuple[str, ...] | list[str] | None = (
                    previous.string if previous else ""
                )
                if lang.locale == "en" and not _filled(string):
                    string = m.id
                new.add(m.id, string, locations=[(m.where.rsplit(":", 1)[0], 0)])
                if not _filled(string):
                    missing[lang.locale] = missing.get(lang.locale, 0) + 1
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, new, width=100, omit_header=False, include_lineno=False)
    return missing


def _filled(string: str | tuple[str, ...] | list[str] | None) -> bool:
    if string is None or isinstance(string, str):
        return bool(string)
    return bool(string) and all(string)


def problems(directory: Path = LOCALES_DIR) -> Iterator[str]:
    """Every missing or broken translation, as a readable line."""
    messages = extract()
    for lang in LANGUAGES:
        merged: dict[str | tuple[str, ...], BabelMessage] = {}
        for part in PARTS:
            for entry in read_catalogue(po_path(lang.locale, part, directory), lang.locale):
                if entry.id:
                    key = tuple(entry.id) if isinstance(entry.id, list | tuple) else entry.id
                    merged[key] = entry
        for m in messages:
            found = merged.get(m.id)
            if found is None:
                yield f"{lang.locale}: missing {m.id!r} (used at {m.where})"
                continue
            string = found.string
            if found.fuzzy or string is None or not _filled(string):
                yield f"{lang.locale}: untranslated {m.id!r} (used at {m.where})"
                continue
            wanted = _placeholders(m.id)
            strings = [string] if isinstance(string, str) else list(string)
            for s in strings:
                got = set(PLACEHOLDER.findall(s))
                if got - wanted or (wanted - {"num"}) - got:
                    yield (
                        f"{lang.locale}: placeholders of {m.id!r} differ: "
                        f"{sorted(wanted)} vs {sorted(got)}"
                    )


def _placeholders(msgid: str | tuple[str, str]) -> set[str]:
    texts = [msgid] if isinstance(msgid, str) else list(msgid)
    return {name for t in texts for name in PLACEHOLDER.findall(t)}
