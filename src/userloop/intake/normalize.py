"""Text normalisation applied to every piece of feedback before validation of its length."""

from __future__ import annotations

import re
import unicodedata

# Zero-width joiner stays: emoji sequences need it.
_KEEP_FORMAT = {"\u200d"}
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")


def normalize_text(text: str) -> str:
    """NFKC, control and invisible format characters removed, whitespace tidied."""
    if not text.isascii():  # NFKC leaves ASCII unchanged
        text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Fast path: printable lines hold no control, format, surrogate or private-use characters.
    if all(line.isprintable() for line in text.replace("\t", " ").split("\n")):
        return _tidy(text)
    cleaned = []
    for ch in text:
        if ch in "\n\t":
            cleaned.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc" or (cat == "Cf" and ch not in _KEEP_FORMAT) or cat in ("Cs", "Co"):
            continue
        cleaned.append(ch)
    return _tidy("".join(cleaned))


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalize_short(value: str) -> str:
    """For one-line fields (model, build, ids): NFKC and all whitespace collapsed."""
    if value.isascii() and value.isprintable():
        return " ".join(value.split())
    return " ".join(normalize_text(value).split())
