"""Streaming readers for CSV and JSONL files (plain or gzip), in constant memory.

A reader yields one `ReadRow` per record: its line number, and either the record (a dict) or,
when the line cannot become one, the raw content and the reason. Progress is measured in bytes
of the file on disk (compressed bytes for `.gz`), so a progress bar needs no second pass.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, NamedTuple

from userloop.intake.importers.errors import ImportFailed

Format = Literal["csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl")
_EXTENSIONS: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DELIMITERS = (",", ";", "\t")


class ReadRow(NamedTuple):
    line: int
    record: Any  # a dict when error is None; otherwise the raw line text or list of fields
    error: str | None


def detect_format(path: Path | str, fmt: str | None = None) -> Format:
    """`fmt` if given (csv, jsonl or ndjson), else the extension: .csv, .jsonl, .ndjson, +.gz."""
    if fmt is not None:
        wanted = fmt.strip().lower()
        if wanted == "ndjson":
            return "jsonl"
        if wanted == "csv":
            return "csv"
        if wanted == "jsonl":
            return "jsonl"
        raise ImportFailed(f"unknown format {fmt!r}; use csv or jsonl")
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    found = _EXTENSIONS.get(Path(name).suffix)
    if found is None:
        raise ImportFailed(
            f"cannot tell the format of {Path(path).name} from its extension "
            "(.csv, .jsonl, .ndjson, optionally .gz); pass --format csv or --format jsonl"
        )
    return found


class InputFile:
    """An open input file. Use as a context manager; iterate `rows()` once."""

    def __init__(self, path: Path | str, fmt: str | None = None) -> None:
        self.path = Path(path)
        self.format: Format = detect_format(self.path, fmt)
        if not self.path.is_file():
            raise ImportFailed(f"no such file: {self.path}")
        self.size = self.path.stat().st_size
        self._raw = self.path.open("rb")
        self._text: io.TextIOWrapper | None = None
        self._csv_reader: Any = None
        self.header: list[str] | None = None
        self.encoding = "utf-8"
        self._stream: io.BufferedIOBase = self._raw
        try:
            head = self._raw.peek(4)[:4]
            if head[:2] == _GZIP_MAGIC:
                unzipped = gzip.GzipFile(fileobj=self._raw, mode="rb")
                head = unzipped.peek(4)[:4]
                self._stream = unzipped
            if self.format == "csv":
                self._open_csv(head)
        except (OSError, EOFError) as exc:
            self.close()
            raise ImportFailed(f"cannot read {self.path}: {exc}") from exc
        except BaseException:
            self.close()
            raise

    # -- plumbing -----------------------------------------------------------------------------

    def position(self) -> int:
        """Bytes of the file on disk consumed so far (read-ahead included)."""
        try:
            return self._raw.tell()
        except (ValueError, OSError):
            return self.size

    def close(self) -> None:
        if self._text is not None:
            self._text.detach()  # the raw file is closed below, once
            self._text = None
        if self._stream is not self._raw:
            self._stream.close()
        self._raw.close()

    def __enter__(self) -> InputFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def rows(self) -> Iterator[ReadRow]:
        if self.format == "csv":
            return self._csv_rows()
        return self._jsonl_rows()

    # -- JSONL ----------------------------------------------------------------------------------

    def _jsonl_rows(self) -> Iterator[ReadRow]:
        loads = json.loads
        for number, raw in enumerate(self._read_lines(), 1):
            if number == 1 and raw.startswith(_UTF8_BOM):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                obj = loads(raw)
            except UnicodeDecodeError:
                yield ReadRow(number, _line_text(raw), "line is not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                reason = f"invalid JSON: {exc.msg} at column {exc.colno}"
                yield ReadRow(number, _line_text(raw), reason)
                continue
            except (ValueError, RecursionError) as exc:
                yield ReadRow(number, _line_text(raw), f"invalid JSON: {exc}")
                continue
            if isinstance(obj, dict):
                yield ReadRow(number, obj, None)
            else:
                kind = _json_kind(obj)
                yield ReadRow(number, obj, f"line is a JSON {kind}, not an object")

    def _read_lines(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except (OSError, EOFError) as exc:  # a truncated or corrupt .gz
            raise ImportFailed(f"cannot read {self.path}: {exc}") from exc

    # -- CSV -------------------------------------------------------------------------------------

    def _open_csv(self, head: bytes) -> None:
        self.encoding = "utf-16" if head[:2] in _UTF16_BOMS else "utf-8-sig"
        # Undecodable bytes become lone surrogates; their rows are rejected one by one.
        self._text = io.TextIOWrapper(
            self._stream,  # type: ignore[arg-type]
            encoding=self.encoding,
            errors="surrogateescape",
            newline="",
        )
        first = self._text.readline()
        if not _is_text(first):
            raise ImportFailed(
                f"the header of {self.path} is not {self.encoding} text; re-save it as UTF-8"
            )
        if not first.strip():
            raise ImportFailed(f"{self.path} is empty: a CSV file needs a header line")
        delimiter = max(_DELIMITERS, key=first.count)
        if first.count(delimiter) == 0:
            delimiter = ","
        self._csv_reader = csv.reader(chain([first], self._text), delimiter=delimiter)
        try:
            header = next(self._csv_reader)
        except csv.Error as exc:
            raise ImportFailed(f"cannot read the header of {self.path}: {exc}") from exc
        self.header = [name.strip() for name in header]

    def _csv_rows(self) -> Iterator[ReadRow]:
        reader = self._csv_reader
        header = self.header
        assert reader is not None and header is not None
        width = len(header)
        done = reader.line_num  # lines consumed so far; a record starts on the next one
        while True:
            start = done + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                done = reader.line_num
                yield ReadRow(start, None, f"unreadable CSV record: {exc}")
                continue
            done = reader.line_num
            if len(fields) != width:
                if not fields or not any(f.strip() for f in fields):
                    continue  # a blank line
                yield ReadRow(
                    start, fields, f"row has {len(fields)} fields; the header has {width}"
                )
                continue
            if not any(fields):
                continue  # ",,,," as spreadsheets write at the end
            if not _is_text("".join(fields)):
                cleaned = dict(zip(header, map(_clean, fields), strict=True))
                yield ReadRow(start, cleaned, f"row is not valid {self.encoding} text")
                continue
            yield ReadRow(start, dict(zip(header, fields, strict=True)), None)


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from an undecodable byte
        return False
    return True


def _clean(value: str) -> str:
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def _line_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


def _json_kind(obj: object) -> str:
    if isinstance(obj, list):
        return "array"
    if isinstance(obj, str):
        return "string"
    if isinstance(obj, bool):
        return "boolean"
    if obj is None:
        return "null"
    return "number"
