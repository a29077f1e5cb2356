"""What the release service refuses, by kind: the web answers 404, 409 and 422 from these."""

from __future__ import annotations


class ReleaseError(Exception):
    pass


class UnknownRelease(ReleaseError, LookupError):
    pass


class ReleaseRefused(ReleaseError):
    """The release's state or timing does not allow the change (an HTTP 409)."""


class ReleaseInputError(ReleaseError, ValueError):
    """Bad input (an HTTP 422): `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
