"""How a demo reporter writes: the text of one report, from the phrase banks with surface
variation (prefixes, suffixes, typos, emoji, the reporter's model and build, now and then
personal data). Seeded: every choice comes from the caller's ``random.Random``."""

from __future__ import annotations

import random
from dataclasses import dataclass

from userloop.demo import catalog as c
from userloop.demo.personal import make_imei, make_phone, make_serial
from userloop.demo.phrases import (
    BUG_PHRASES,
    BUG_PREFIX,
    BUG_SUFFIX,
    EMAIL_DOMAIN,
    EMOJI,
    FEATURE_SUFFIX,
    NAME_PARTS,
    OTHER_PHRASES,
    PII_TEMPLATES,
    STILL_BROKEN,
)

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {**BUG_PHRASES, **OTHER_PHRASES}
PII_SHARE = 0.03


@dataclass
class Reporter:
    rid: str
    experience: str
    verified: bool
    email: str | None
    region: str
    model: str
    channel: str
    language: str
    lag: float  # position in the rollout queue: 0 updates first, 1 last
    activity: float
    last_problem: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.rid,
            "experience": self.experience,
            "verified_owner": self.verified,
            "email": self.email,
            "consent": self.email is not None,
        }


def _model_alias(rng: random.Random, model: str) -> str:
    roll = rng.random()
    if roll < 0.6:
        return model
    if roll < 0.75:
        return model.lower()
    if roll < 0.9:
        return model.removeprefix("Lumo ")
    return model.replace(" ", "")


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and not _is_cjk(ch)]
    if len(letters) < 6:
        return text
    i = rng.choice(letters)
    op = rng.randrange(3)
    if op == 0 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if op == 1:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _restyle(rng: random.Random, text: str, language: str, kind: str) -> str:
    """Surface variation: exclamation, missing punctuation, lower case, typos, emoji."""
    chinese = language.startswith("zh")
    roll = rng.random()
    if roll < 0.12 and kind in ("bug", "other"):
        if chinese and text.endswith("。"):
            text = text[:-1] + rng.choice(("！", "！！"))
        elif text.endswith("."):
            text = text[:-1] + rng.choice(("!", "!!", "!!!"))
    elif roll < 0.22 and text[-1:] in (".", "。"):
        text = text[:-1]
    if not chinese:
        if rng.random() < 0.10:
            text = text.lower()
        if rng.random() < 0.15:
            for _ in range(1 if rng.random() < 0.8 else 2):
                text = _typo(rng, text)
    emoji_chance = 0.25 if kind == "praise" else 0.07
    if rng.random() < emoji_chance:
        emoji = rng.choice(EMOJI[kind]) * (2 if rng.random() < 0.3 else 1)
        text = text + ("" if chinese else " ") + emoji
    return text


def _personal_data(rng: random.Random, rep: Reporter, language: str) -> str:
    template = rng.choice(PII_TEMPLATES[language])
    if rep.email is not None and rng.random() < 0.5:
        email = rep.email
    else:
        first, last = rng.choice(NAME_PARTS[rep.region][0]), rng.choice(NAME_PARTS[rep.region][1])
        email = f"{first}.{last}{rng.randrange(10, 100)}@{EMAIL_DOMAIN[rep.region]}"
    return (
        template.replace("{email}", email)
        .replace("{phone}", make_phone(rng, rep.region))
        .replace("{imei}", make_imei(rng))
        .replace("{serial}", make_serial(rng, rep.model))
    )


def _join(parts: list[str], chinese: bool) -> str:
    """Join sentences, closing an unterminated one first (after a letter or digit)."""
    out = parts[0]
    for part in parts[1:]:
        if out[-1:].isalnum():
            out += "。" if chinese else "."
        out += part if chinese else " " + part
    return out


def compose(
    rng: random.Random,
    rep: Reporter,
    problem: str,
    version: str,
    newest: str,
    repeat: bool,
) -> tuple[str, bool]:
    """The text of one report, and whether personal data was added."""
    kind = c.PROBLEM_BY_KEY[problem].kind
    language = rep.language
    bank = PHRASES[problem][language]
    parts = [rng.choice(bank)]
    if kind == "bug":
        if rng.random() < 0.08 and len(bank) > 1:
            parts.append(rng.choice([p for p in bank if p != parts[0]]))
        if rng.random() < 0.22:
            parts.insert(0, rng.choice(BUG_PREFIX[language]))
        if rng.random() < 0.35:
            parts.append(rng.choice(BUG_SUFFIX[language]))
        if repeat:
            parts.append(STILL_BROKEN[language])
    elif kind == "feature" and rng.random() < 0.3:
        parts.append(rng.choice(FEATURE_SUFFIX[language]))
    chinese = language.startswith("zh")
    text = _join(parts, chinese)
    if kind == "question":
        version = newest  # people ask about the build they have not got yet
    text = text.replace("{model}", _model_alias(rng, rep.model)).replace("{build}", version)
    text = _restyle(rng, text, language, kind)
    has_pii = rng.random() < PII_SHARE
    if has_pii:
        text = _join([text, _personal_data(rng, rep, language)], chinese)
    return text, has_pii
