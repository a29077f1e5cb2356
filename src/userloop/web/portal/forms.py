"""The "report a problem" form: what it holds, its prefill and its localised validation.

The rules mirror intake's (same normalisation, same limits), so a form that passes here is
accepted by intake; intake still validates everything again."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from userloop.domain.enums import Channel
from userloop.intake.normalize import normalize_short, normalize_text
from userloop.views.portal_models import Submission
from userloop.web.i18n import N_, Translator

SHORT_MAX = 100  # intake's limit for model and build
EMAIL_MAX = 254
# The same shape intake accepts (intake/schemas.py); a real check is sending mail, later.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
CHANNELS = tuple(c.value for c in Channel)


@dataclass(slots=True)
class SubmitForm:
    text: str = ""
    model: str = ""
    build: str = ""
    channel: str = ""
    email: str = ""
    consent: bool = False
    submission_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def prefill(cls, params: Mapping[str, str]) -> SubmitForm:
        """A fresh form with what a device's feedback app passes in the URL
        (`?model=&build=&channel=`); values that could never be valid are dropped."""
        channel = params.get("channel", "").strip().lower()
        return cls(
            model=normalize_short(params.get("model", ""))[:SHORT_MAX],
            build=normalize_short(params.get("build", ""))[:SHORT_MAX],
            channel=channel if channel in CHANNELS else "",
        )

    def errors(self, t: Translator, max_chars: int) -> dict[str, str]:
        """Field name → localised message, in the form's order; empty when valid."""
        out: dict[str, str] = {}
        text = normalize_text(self.text)
        if not text:
            out["text"] = t.gettext(N_("Please describe the problem."))
        elif len(text) > max_chars:
            out["text"] = t.gettext(
                N_(
                    "Your report is %(length)s characters long; the limit is %(limit)s "
                    "characters. Please shorten it."
                ),
                length=t.number(len(text)),
                limit=t.number(max_chars),
            )
        if len(normalize_short(self.model)) > SHORT_MAX:
            out["model"] = t.gettext(
                N_("The device model can be at most %(limit)s characters."),
                limit=t.number(SHORT_MAX),
            )
        if len(normalize_short(self.build)) > SHORT_MAX:
            out["build"] = t.gettext(
                N_("The build can be at most %(limit)s characters."),
                limit=t.number(SHORT_MAX),
            )
        if self.channel and self.channel not in CHANNELS:
            out["channel"] = t.gettext(N_("Choose one of the listed update channels."))
        email = self.email.strip()
        if email and (len(email) > EMAIL_MAX or not _EMAIL.match(email)):
            out["email"] = t.gettext(
                N_("This does not look like an e-mail address, for example name@example.com.")
            )
        elif email and not self.consent:
            out["consent"] = t.gettext(
                N_(
                    "Tick this box if we may contact you at the address you gave, "
                    "or leave the e-mail address empty."
                )
            )
        return out

    def submission(self, visitor: str, language: str) -> Submission:
        return Submission(
            text=self.text,
            visitor=visitor,
            language=language,
            submission_id=_valid_uuid(self.submission_id),
            model=self.model or None,
            build=self.build or None,
            channel=self.channel or None,
            email=self.email.strip() or None,
            consent=self.consent,
        )


def _valid_uuid(value: str) -> str | None:
    """The form's id, if it is one we made; else intake keys the report by its content."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None
