"""Errors of the importers: one that stops a whole import, one that rejects a single row."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from userloop.intake.importers.output import ImportSummary


class ImportFailed(ValueError):
    """The import cannot run (or go on): bad arguments, a mapping that does not fit the file,
    an unreadable file. Raised before anything is written where the problem is visible up
    front. When it happens mid-file (a corrupt .gz, a byte that is not UTF-8, a CSV quote
    never closed), the rows read before it are stored first and `summary` holds the counts so
    far (and `last_line`); otherwise `summary` is None and nothing was written."""

    summary: ImportSummary | None = None


class MappingError(ImportFailed):
    """A `--map` specification that cannot be parsed or names an unknown field."""


class RowRejected(ValueError):
    """One row cannot become a feedback item; the message is the reason in the rejects file."""
