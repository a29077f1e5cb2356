"""Streaming readers for CSV and JSONL files (plain or gzip), in constant memory.

A reader yields one `ReadRow` per record: its line number, and either the record (a dict) or,
when the line cannot become one, the raw content and the reason. Progress is measured in bytes
of the file on disk (compressed bytes for `.gz`), so a progress bar needs no second pass.

What makes the rest of the file unreadable raises `ImportFailed` naming the line: a byte that is
not UTF-8 (the file is in another encoding), a truncated or corrupt `.gz`, a CSV quote that is
never closed (the rest of the file would be one value).
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
_BLOCK = 1 << 16  # bytes of whole lines decoded at a time


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
        self._compressed = False
        self._lines_read = 0  # physical lines handed to the CSV reader (or read as JSONL)
        self._bytes_read = 0  # of the (uncompressed) content, for the position of a bad byte
        self._at_eof = False  # the CSV reader asked for a line past the end of the file
        try:
            head = self._raw.peek(4)[:4]
            if head[:2] == _GZIP_MAGIC:
                unzipped = gzip.GzipFile(fileobj=self._raw, mode="rb")
                head = unzipped.peek(4)[:4]
                self._stream = unzipped
                self._compressed = True
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
        offset = 0
        for number, raw in enumerate(self._read_lines(), 1):
            start, offset = offset, offset + len(raw)
            if number == 1 and raw.startswith(_UTF8_BOM):
                raw = raw[3:]
                start += 3
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise self._not_utf8(number, start, raw, exc) from None
            if not line.strip():
                continue
            try:
                obj = loads(line)
            except json.JSONDecodeError as exc:
                reason = f"invalid JSON: {exc.msg} at column {exc.colno}"
                yield ReadRow(number, line.rstrip("\r\n"), reason)
                continue
            except (ValueError, RecursionError) as exc:
                yield ReadRow(number, line.rstrip("\r\n"), f"invalid JSON: {exc}")
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
        if head[:2] in _UTF16_BOMS:
            self.encoding = "utf-16"
            self._text = io.TextIOWrapper(
                self._stream,  # type: ignore[arg-type]
                encoding="utf-16",
                newline="",
            )
            lines = self._utf16_lines(self._text)
        else:
            self.encoding = "utf-8-sig"
            lines = self._utf8_lines()
        try:
            first = next(lines)
        except StopIteration:
            first = ""
        if not first.strip():
            raise ImportFailed(f"{self.path} is empty: a CSV file needs a header line")
        delimiter = max(_DELIMITERS, key=first.count)
        if first.count(delimiter) == 0:
            delimiter = ","
        self._csv_reader = csv.reader(chain([first], lines), delimiter=delimiter)
        try:
            header = next(self._csv_reader)
        except csv.Error as exc:
            raise ImportFailed(f"cannot read the header of {self.path}: {exc}") from exc
        if self._at_eof:  # `csv` needed a line past the end: a quote never closed
            raise ImportFailed(self._unclosed_quote(1, "the header"))
        self.header = [name.strip() for name in header]

    def _utf8_lines(self) -> Iterator[str]:
        """Decoded physical lines (ends kept, as `newline=""` gives them to `csv`), decoded a
        block of whole lines at a time. A byte that is not UTF-8 stops the import after the
        lines before it: the file is in another encoding, and every row with an accented letter
        would be rejected (or read wrong). A truncated `.gz` stops it the same way."""
        pending: list[bytes] = []
        size = 0
        try:
            for raw in self._stream:
                pending.append(raw)
                size += len(raw)
                if size >= _BLOCK:
                    yield from self._decode(pending)
                    pending, size = [], 0
        except (OSError, EOFError) as exc:  # a truncated or corrupt .gz
            yield from self._decode(pending)
            raise ImportFailed(f"cannot read {self.path}: {exc}") from exc
        yield from self._decode(pending)
        self._at_eof = True

    def _decode(self, raws: list[bytes]) -> Iterator[str]:
        block = b"".join(raws)
        skip = 3 if self._bytes_read == 0 and block.startswith(_UTF8_BOM) else 0
        try:
            text = block[skip:].decode("utf-8")
        except UnicodeDecodeError:
            yield from self._decode_to_bad_byte(block, skip)
            return
        lines = io.StringIO(text, newline="").readlines()
        self._bytes_read += len(block)
        self._lines_read += len(lines)
        yield from lines

    def _decode_to_bad_byte(self, block: bytes, skip: int) -> Iterator[str]:
        """The lines of `block` one by one up to the first that is not UTF-8, then its error."""
        self._bytes_read += skip
        for raw in block[skip:].splitlines(keepends=True):
            self._lines_read += 1
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise self._not_utf8(self._lines_read, self._bytes_read, raw, exc) from None
            self._bytes_read += len(raw)
            yield line
        raise AssertionError("a block that fails to decode holds a line that fails")

    def _utf16_lines(self, text: io.TextIOWrapper) -> Iterator[str]:
        try:
            for line in text:
                self._lines_read += 1
                yield line
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                f"{self.path} is not valid UTF-16 (it starts with a UTF-16 byte-order mark): "
                f"after line {self._lines_read}, {exc.reason}. Re-save it as UTF-8 and run the "
                "import again."
            ) from None
        except (OSError, EOFError) as exc:  # a truncated or corrupt .gz
            raise ImportFailed(f"cannot read {self.path}: {exc}") from exc
        self._at_eof = True

    def _not_utf8(self, line: int, start: int, raw: bytes, exc: UnicodeDecodeError) -> ImportFailed:
        bad = raw[exc.start : exc.start + 1].hex()
        where = "of the uncompressed data" if self._compressed else "of the file"
        return ImportFailed(
            f"{self.path} is not UTF-8: line {line} (byte {start + exc.start:,} {where}) holds "
            f"the byte 0x{bad}, which is not valid UTF-8 ({exc.reason}). The file is in another "
            "encoding (Windows-1252, Latin-1, GBK...): re-save it as UTF-8, e.g. "
            f"`iconv -f WINDOWS-1252 -t UTF-8 {self.path.name} > utf8-{self.path.name}`, and "
            "run the import again."
        )

    def _unclosed_quote(self, start: int, what: str) -> str:
        return (
            f"{self.path}: line {start}: a quoted field opens in {what} and is never closed, "
            f"so lines {start}-{self._lines_read} (the rest of the file) would be one value. "
            'Close the quote (a quote inside a quoted field is written twice: "") and run the '
            "import again."
        )

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
                if reader.line_num > start and "field limit" in str(exc):
                    # A quoted field over several lines outgrew the limit: almost surely a
                    # quote never closed. Going on would read the rest of its value as rows.
                    raise ImportFailed(
                        f"{self.path}: line {start}: a quoted field that opens on this line "
                        f"runs past {csv.field_size_limit():,} characters (to line "
                        f"{reader.line_num} and on); probably its quote is never closed. "
                        'Close the quote (a quote inside a quoted field is written twice: "") '
                        "and run the import again."
                    ) from None
                done = reader.line_num
                yield ReadRow(start, None, f"unreadable CSV record: {exc}")
                continue
            if self._at_eof:
                # `csv` needed a line past the end to finish this record: a quote never closed.
                raise ImportFailed(self._unclosed_quote(start, "this record"))
            done = reader.line_num
            if len(fields) != width:
                if not fields or not any(f.strip() for f in fields):
                    continue  # a blank line
                reason = f"row has {len(fields)} fields; the header has {width}"
                if done > start:
                    reason += f" (lines {start}-{done}: check the quotes on line {start})"
                yield ReadRow(start, fields, reason)
                continue
            if not any(fields):
                continue  # ",,,," as spreadsheets write at the end
            yield ReadRow(start, dict(zip(header, fields, strict=True)), None)


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
