"""File importers: stream CSV/JSONL files (store exports included) into the intake service.

    summary = run_import(service, "reviews.csv", preset="google-play")
    render_summary(summary, console)

See docs/import.md for formats, mappings, presets, the rejects file and re-runs.
"""

from userloop.intake.importers.errors import ImportFailed, MappingError, RowRejected
from userloop.intake.importers.mapping import TARGETS, ColumnMapping, FieldSpec, RowBuilder
from userloop.intake.importers.output import (
    ImportSummary,
    default_rejects_path,
    render_summary,
)
from userloop.intake.importers.presets import (
    APP_STORE,
    GOOGLE_PLAY,
    PRESETS,
    Preset,
    get_preset,
    territory_to_region,
)
from userloop.intake.importers.readers import FORMATS, InputFile, ReadRow, detect_format
from userloop.intake.importers.runner import (
    default_source_for,
    run_import,
    run_install_base_import,
    run_returns_import,
)

__all__ = [
    "APP_STORE",
    "FORMATS",
    "GOOGLE_PLAY",
    "PRESETS",
    "TARGETS",
    "ColumnMapping",
    "FieldSpec",
    "ImportFailed",
    "ImportSummary",
    "InputFile",
    "MappingError",
    "Preset",
    "ReadRow",
    "RowBuilder",
    "RowRejected",
    "default_rejects_path",
    "default_source_for",
    "detect_format",
    "get_preset",
    "render_summary",
    "run_import",
    "run_install_base_import",
    "run_returns_import",
    "territory_to_region",
]
