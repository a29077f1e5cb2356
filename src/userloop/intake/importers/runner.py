"""Run an import: read, map, send batches to the intake service, account for every row.

Each batch is one transaction of `IntakeService`. An interrupted import (Ctrl-C, a crash,
`kill -9`) keeps every committed batch; running it again finishes it, because rows already
stored come back as duplicates under their idempotency key.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from userloop.domain.enums import ItemStatus
from userloop.intake.importers.errors import ImportFailed, RowRejected
from userloop.intake.importers.mapping import ColumnMapping, compile_builder
from userloop.intake.importers.output import (
    ImportSummary,
    ProgressBar,
    RejectsWriter,
    default_rejects_path,
)
from userloop.intake.importers.presets import Preset, get_preset
from userloop.intake.importers.readers import InputFile
from userloop.intake.returns import RETURN_FIELDS, ReturnRecord
from userloop.intake.schemas import (
    INSTALL_BASE_FIELDS,
    InstallBaseIn,
    check_source,
    describe_errors,
    format_errors,
)
from userloop.intake.service import InstallBaseRejected, IntakeService

_INSTALL_BASE_REQUIRED = tuple(
    name for name, f in InstallBaseIn.model_fields.items() if f.is_required()
)
_RETURNS_REQUIRED = tuple(name for name, f in ReturnRecord.model_fields.items() if f.is_required())

Meta = tuple[int, Any]  # (line, raw record) of an item in the batch being built
# Sends one batch; returns nothing, accounts for every item in the summary/rejects.
Submit = Callable[[list[dict[str, Any]], list[Meta]], None]


def default_source_for(path: Path | str) -> str:
    """The file name without extensions, lower-cased, reduced to [a-z0-9._-]."""
    name = Path(path).name.lower()
    for ext in (".gz", ".csv", ".jsonl", ".ndjson"):
        name = name.removesuffix(ext)
    name = re.sub(r"[^a-z0-9._-]+", "-", name).lstrip("._-")[:64].rstrip("._-")
    return name or "import"


def _check_source(source: str) -> str:
    try:
        return check_source(source)
    except ValueError as exc:  # the same rule as a record's source, as an import failure
        raise ImportFailed(str(exc)) from exc


def _batch_size(service: IntakeService, batch_size: int | None) -> int:
    size = service.config.import_batch_size if batch_size is None else batch_size
    if size < 1:
        raise ImportFailed(f"batch size must be at least 1; got {size}")
    return size


def run_import(
    service: IntakeService,
    path: Path | str,
    *,
    fmt: str | None = None,
    preset: str | Preset | None = None,
    mapping: ColumnMapping | str | Sequence[str] | None = None,
    source: str | None = None,
    batch_size: int | None = None,
    rejects_path: Path | str | None = None,
    progress: bool = True,
    console: Console | None = None,
) -> ImportSummary:
    """Import feedback from a CSV or JSONL file; see docs/import.md.

    Raises `ImportFailed` for problems found before any row is written (unknown format or
    preset, a bad mapping, columns missing from the header, an invalid source), and for a file
    that turns unreadable part-way (not UTF-8, a truncated .gz, a quote never closed): then the
    rows read before it are stored and `exc.summary` says so (`last_line`, the counts). Ctrl-C
    stops after rolling back the batch in flight and returns a summary with
    `interrupted=True`."""
    started = time.perf_counter()
    path = Path(path)
    chosen = get_preset(preset) if preset is not None else None
    if not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping.parse(mapping)
    size = _batch_size(service, batch_size)
    if source is not None:
        default_source = _check_source(source)
    else:
        default_source = chosen.source if chosen else default_source_for(path)
    rejects = RejectsWriter(Path(rejects_path) if rejects_path else default_rejects_path(path))
    with InputFile(path, fmt) as reader:
        builder = compile_builder(reader.header, mapping, chosen, label=path.name)
        summary = ImportSummary(
            path=path,
            kind="feedback",
            format=reader.format,
            source=default_source,
            ignored_columns=builder.ignored_columns,
        )
        build = builder.build

        def submit(raws: list[dict[str, Any]], meta: list[Meta]) -> None:
            results = service.submit_batch(raws, default_source=default_source)
            for (line, record), result in zip(meta, results, strict=True):
                summary.last_line = max(summary.last_line, line)
                status = result.status
                if status is ItemStatus.CREATED:
                    summary.imported += 1
                elif status is ItemStatus.DUPLICATE:
                    summary.duplicates += 1
                elif status is ItemStatus.CONFLICT:
                    summary.conflicts += 1
                    rejects.write(line, result.message or "conflict", record)
                else:
                    summary.rejected += 1
                    reason = result.message or "invalid"
                    rejects.write(line, reason, record, result.errors)

        # Rows without an id are keyed by their content (docs/intake.md); identical rows in one
        # file (short reviews such as "Very good", same rating) are distinct reviews all the
        # same: the n-th repeat gets the content key plus "~n", stable across re-imports.
        seen: dict[str, int] = {}

        def prepare(line: int, record: dict[str, Any]) -> dict[str, Any] | None:
            try:
                raw = build(record)
            except RowRejected as exc:
                summary.rejected += 1
                rejects.write(line, str(exc), record)
                return None
            if not raw.get("external_id"):
                content = json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False)
                repeat = seen.get(content, 0)
                seen[content] = repeat + 1
                if repeat:
                    digest = hashlib.sha256(content.encode()).hexdigest()[:40]
                    raw["external_id"] = f"row:{digest}~{repeat + 1}"
            return raw

        try:
            _drive(reader, rejects, summary, prepare, submit, size, progress, console)
        finally:
            summary.elapsed_s = time.perf_counter() - started
    return summary


def run_install_base_import(
    service: IntakeService,
    path: Path | str,
    *,
    fmt: str | None = None,
    batch_size: int | None = None,
    rejects_path: Path | str | None = None,
    progress: bool = True,
    console: Console | None = None,
) -> ImportSummary:
    """Import daily install-base aggregates (columns/keys = `InstallBaseIn` field names).

    Each row is validated alone (bad rows go to the rejects file); valid rows are upserted in
    batches, so a re-import with changed counts updates them."""
    started = time.perf_counter()
    path = Path(path)
    size = _batch_size(service, batch_size)
    rejects = RejectsWriter(Path(rejects_path) if rejects_path else default_rejects_path(path))
    with InputFile(path, fmt) as reader:
        if reader.header is not None:
            _check_install_base_header(reader.header, path.name)
        summary = ImportSummary(path=path, kind="install-base", format=reader.format)

        def prepare(line: int, record: dict[str, Any]) -> dict[str, Any] | None:
            try:
                InstallBaseIn.model_validate(record)
            except ValidationError as exc:
                errors = describe_errors(exc, INSTALL_BASE_FIELDS)
                summary.rejected += 1
                rejects.write(line, format_errors(errors), record, errors)
                return None
            return record

        def submit(raws: list[dict[str, Any]], meta: list[Meta]) -> None:
            try:
                summary.imported += service.submit_install_base(raws)
                summary.last_line = max(summary.last_line, meta[-1][0])
            except InstallBaseRejected as exc:  # not expected: rows were validated one by one
                bad = {e["index"]: e["errors"] for e in exc.errors}
                for index, errors in sorted(bad.items()):
                    line, record = meta[index]
                    rejects.write(line, format_errors(errors), record, errors)
                summary.rejected += len(bad)
                good = [r for i, r in enumerate(raws) if i not in bad]
                summary.imported += service.submit_install_base(good) if good else 0
                summary.last_line = max(summary.last_line, meta[-1][0])

        try:
            _drive(reader, rejects, summary, prepare, submit, size, progress, console)
        finally:
            summary.elapsed_s = time.perf_counter() - started
    return summary


def run_returns_import(
    service: IntakeService,
    path: Path | str,
    *,
    fmt: str | None = None,
    batch_size: int | None = None,
    rejects_path: Path | str | None = None,
    progress: bool = True,
    console: Console | None = None,
) -> ImportSummary:
    """Import returns / RMA records (columns/keys = `ReturnRecord` field names).

    Each batch goes to `IntakeService.submit_returns` (one transaction); invalid records and
    conflicts go to the rejects file, records already stored come back as duplicates, so a
    re-run is safe."""
    started = time.perf_counter()
    path = Path(path)
    size = _batch_size(service, batch_size)
    rejects = RejectsWriter(Path(rejects_path) if rejects_path else default_rejects_path(path))
    with InputFile(path, fmt) as reader:
        if reader.header is not None:
            _check_header(reader.header, path.name, "return", RETURN_FIELDS, _RETURNS_REQUIRED)
        summary = ImportSummary(path=path, kind="returns", format=reader.format)

        def submit(raws: list[dict[str, Any]], meta: list[Meta]) -> None:
            results = service.submit_returns(raws)
            for (line, record), result in zip(meta, results, strict=True):
                summary.last_line = max(summary.last_line, line)
                if result.status is ItemStatus.CREATED:
                    summary.imported += 1
                elif result.status is ItemStatus.DUPLICATE:
                    summary.duplicates += 1
                elif result.status is ItemStatus.CONFLICT:
                    summary.conflicts += 1
                    rejects.write(line, result.message or "conflict", record)
                else:
                    summary.rejected += 1
                    rejects.write(line, result.message or "invalid", record, result.errors)

        try:
            _drive(reader, rejects, summary, lambda _line, r: r, submit, size, progress, console)
        finally:
            summary.elapsed_s = time.perf_counter() - started
    return summary


def _check_header(
    header: Sequence[str],
    label: str,
    what: str,
    fields: Sequence[str],
    required: Sequence[str],
) -> None:
    columns = ", ".join(repr(h) for h in header)
    unknown = [h for h in header if h not in fields]
    if unknown:
        raise ImportFailed(
            f"{label}: unknown {what} column(s) {', '.join(map(repr, unknown))}; "
            f"columns are {', '.join(fields)}"
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed(
            f"{label}: missing {what} column(s) {', '.join(map(repr, missing))}; "
            f"its columns are: {columns}"
        )
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        raise ImportFailed(f"{label}: the column(s) {', '.join(doubled)} appear more than once")


def _check_install_base_header(header: Sequence[str], label: str) -> None:
    _check_header(header, label, "install-base", INSTALL_BASE_FIELDS, _INSTALL_BASE_REQUIRED)


def _drive(
    reader: InputFile,
    rejects: RejectsWriter,
    summary: ImportSummary,
    prepare: Callable[[int, dict[str, Any]], dict[str, Any] | None],
    submit: Submit,
    batch_size: int,
    progress: bool,
    console: Console | None,
) -> None:
    """The loop shared by both importers: batches, rejects, progress and Ctrl-C."""
    console = console or Console(stderr=True)
    rejects.start()
    raws: list[dict[str, Any]] = []
    meta: list[Meta] = []
    try:
        with rejects, ProgressBar(progress, console, reader.size, reader.path.name) as bar:
            try:
                for line, record, error in reader.rows():
                    if error is not None:
                        summary.rejected += 1
                        summary.last_line = max(summary.last_line, line)
                        rejects.write(line, error, record)
                        continue
                    item = prepare(line, record)
                    if item is None:
                        summary.last_line = max(summary.last_line, line)
                        continue
                    raws.append(item)
                    meta.append((line, record))
                    if len(raws) >= batch_size:
                        submit(raws, meta)
                        raws, meta = [], []
                        rejects.flush()
                        bar.update(reader.position(), _done(summary))
                if raws:
                    submit(raws, meta)
                    raws, meta = [], []
                bar.update(reader.size, _done(summary))
            except ImportFailed as exc:  # the file turned unreadable: keep what came before
                if raws:
                    submit(raws, meta)
                summary.rows = _done(summary)
                summary.error = str(exc)
                exc.summary = summary
                raise
            except KeyboardInterrupt:
                # The batch in flight, if any, was rolled back by its transaction; rows read
                # but not sent are not counted. A re-run picks them (and the rest) up.
                summary.interrupted = True
    finally:
        summary.rows = _done(summary)
        summary.rejects_path = rejects.path if rejects.written else None


def _done(s: ImportSummary) -> int:
    return s.imported + s.duplicates + s.conflicts + s.rejected
