"""What an import leaves behind: the summary, the rejects file and the progress bar."""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from userloop.intake.redaction import redact

ImportKind = Literal["feedback", "install-base", "returns"]


@dataclass(slots=True)
class ImportSummary:
    """Counts of one import. `rows` = imported + duplicates + conflicts + rejected: every
    record read and dealt with (blank lines are not rows). `rejects_path` is None when no row
    was rejected (no file was written). `last_line` is the input line of the last row dealt
    with (stored, skipped or rejected); `error` is set when the file turned unreadable
    part-way and the import stopped there."""

    path: Path
    kind: ImportKind = "feedback"
    format: str = "jsonl"
    source: str | None = None
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    rejects_path: Path | None = None
    elapsed_s: float = 0.0
    interrupted: bool = False
    ignored_columns: tuple[str, ...] = ()
    last_line: int = 0
    error: str | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.elapsed_s if self.elapsed_s > 0 else 0.0


def default_rejects_path(path: Path | str) -> Path:
    """`<file>.rejects.jsonl` next to the input file."""
    path = Path(path)
    return path.with_name(path.name + ".rejects.jsonl")


class RejectsWriter:
    """Writes `{"line", "reason", "record"[, "errors"]}` objects, one per line, as they come.
    The file is created on the first reject only; a stale one is removed on `start()`.

    Rejected rows are raw input, personal data included, so every string written (values and
    keys of the record, the reason, the error messages, which may quote a value) goes through
    the intake's redaction first: no e-mail address, phone number or IMEI reaches the disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._fh: IO[str] | None = None

    def start(self) -> None:
        self.path.unlink(missing_ok=True)

    def write(
        self,
        line: int,
        reason: str,
        record: Any,
        errors: tuple[dict[str, str], ...] | list[dict[str, str]] = (),
    ) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("w", encoding="utf-8")
        entry: dict[str, Any] = {
            "line": line,
            "reason": _redact_text(reason),
            "record": redact_value(record),
        }
        if errors:
            entry["errors"] = [redact_value(e) for e in errors]
        self._fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self.count += 1

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()

    @property
    def written(self) -> bool:
        return self.count > 0

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def redact_value(value: Any) -> Any:
    """`value` with every string in it (dict keys included, at any depth) redacted."""
    if isinstance(value, str):
        return _redact_text(value)
    if isinstance(value, dict):
        return {
            (_redact_text(k) if isinstance(k, str) else k): redact_value(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


def _redact_text(text: str) -> str:
    """The redaction of the intake. It expects NFKC text (full-width digits become ASCII ones),
    so the NFKC form is redacted too; the text keeps its own form unless only that one held
    personal data."""
    redacted = redact(text)
    if not text.isascii():
        folded = redact(unicodedata.normalize("NFKC", text))
        if folded.count > redacted.count:
            return folded.text
    return redacted.text


class ProgressBar:
    """A Rich progress bar over bytes of the input, with rows/s and ETA; a no-op when off."""

    def __init__(self, enabled: bool, console: Console, total: int, label: str) -> None:
        self._started = time.perf_counter()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled and console.is_terminal:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self._task = self._progress.add_task(label, total=max(total, 1), rate="")

    def update(self, position: int, rows: int) -> None:
        if self._progress is None or self._task is None:
            return
        elapsed = time.perf_counter() - self._started
        rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else ""
        self._progress.update(self._task, completed=position, rate=rate)

    def __enter__(self) -> ProgressBar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


def render_summary(summary: ImportSummary, console: Console | None = None) -> None:
    """Print the outcome of an import (for `userloop import`)."""
    console = console or Console()
    s = summary
    what = {"install-base": "install-base rows", "returns": "returns"}.get(s.kind, "feedback items")
    if s.error is not None:
        head = "[bold red]Stopped[/]"
    elif s.interrupted:
        head = "[bold yellow]Interrupted[/]"
    else:
        head = "[bold green]Done[/]"
    console.print(
        f"{head}: {escape(s.path.name)} ({s.format}"
        + (f", source {escape(s.source)}" if s.source else "")
        + f"), {s.rows:,} rows in {s.elapsed_s:,.1f} s ({s.rows_per_s:,.0f} rows/s)"
    )
    console.print(f"  imported    {s.imported:>10,}  {what}")
    if s.kind == "feedback":
        console.print(f"  duplicates  {s.duplicates:>10,}  already stored, skipped")
        console.print(f"  conflicts   {s.conflicts:>10,}  same key, different text; not stored")
    elif s.kind == "returns":
        console.print(f"  duplicates  {s.duplicates:>10,}  already stored, skipped")
        console.print(
            f"  conflicts   {s.conflicts:>10,}  same RMA number, other fields; not stored"
        )
    console.print(f"  rejected    {s.rejected:>10,}  invalid rows")
    if s.rejects_path is not None:
        console.print(f"  rejects file: {escape(str(s.rejects_path))}", highlight=False)
    if s.ignored_columns:
        console.print(
            "  ignored columns: " + ", ".join(s.ignored_columns), highlight=False, markup=False
        )
    if s.error is not None:
        stored = f"through line {s.last_line:,}" if s.last_line else "before the error"
        console.print(
            f"[yellow]Stopped by the error above. Every row {stored} is committed "
            f"(imported {s.imported:,}, duplicates {s.duplicates:,}, conflicts {s.conflicts:,}, "
            f"rejected {s.rejected:,}); nothing after them was read. Once the file is fixed it "
            "is safe to run the same command again: rows already stored come back as "
            "duplicates, so nothing is lost or doubled.[/]",
            highlight=False,
        )
    if s.interrupted:
        console.print(
            "[yellow]Every finished batch is stored. Run the same command again to finish: rows "
            "already stored come back as duplicates, nothing is lost or doubled.[/]"
        )
