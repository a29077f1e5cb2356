"""Imports that cannot go on: a file that is not UTF-8, a truncated .gz, an unclosed quote;
and the rejects file, which must not keep the personal data of the rows it holds."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from userloop.cli.main import app
from userloop.config import Settings
from userloop.container import intake_config
from userloop.intake.importers import ImportFailed, run_import
from userloop.intake.service import IntakeService
from userloop.store import Store


@pytest.fixture
def service(store: Store, settings: Settings) -> IntakeService:
    return IntakeService(store, intake_config(settings))


def count(store: Store) -> int:
    with store.read() as conn:
        return store.feedback.count(conn)


def rejects_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run_cli(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--database-url", database_url, *args])
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    """Rich wraps long lines; tests look for phrases regardless of where lines break."""
    return " ".join(text.split())


# -- 1. a file that is not UTF-8 stops the import ------------------------------------------------


def test_latin1_csv_stops_with_line_and_byte(
    service: IntakeService, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "latin.csv"
    head = b"text,external_id\nGoede camera,a\n"
    path.write_bytes(head + b"Caf\xe9 crashes,b\n\xd0\x91\xd0\xb0\xd0\xb3,c\n")
    with pytest.raises(ImportFailed) as info:
        run_import(service, path, progress=False)
    message = str(info.value)
    assert "latin.csv" in message and "line 3" in message
    assert f"byte {len(head) + 3}" in message and "0xe9" in message
    assert "UTF-8" in message and "re-save" in message.lower()
    partial = info.value.summary
    assert partial is not None
    assert (partial.imported, partial.rejected, partial.last_line) == (1, 0, 2)
    assert count(store) == 1  # the row before the bad line is stored, and said so
    assert not (tmp_path / "latin.csv.rejects.jsonl").exists()


def test_non_utf8_header_and_jsonl_stop_too(service: IntakeService, tmp_path: Path) -> None:
    header = tmp_path / "h.csv"
    header.write_bytes(b"t\xe9xt,external_id\nok,a\n")
    with pytest.raises(ImportFailed, match=r"h\.csv is not UTF-8: line 1"):
        run_import(service, header, progress=False)
    lines = tmp_path / "l.jsonl"
    lines.write_bytes(b'{"text": "fine", "external_id": "1"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(ImportFailed, match=r"l\.jsonl is not UTF-8: line 2") as info:
        run_import(service, lines, progress=False)
    assert info.value.summary is not None and info.value.summary.imported == 1


def test_cli_latin1_csv_exits_non_zero_and_says_what_was_stored(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"text,external_id\nGoede camera,a\nCaf\xe9 crashes,b\n")
    code, _, err = run_cli(settings.database_url, "import", str(path), "--no-progress")
    text = flat(err)
    assert code == 1, err
    assert "error:" in text and "latin.csv is not UTF-8: line 3" in text
    assert "imported 1" in text and "through line 2" in text


# -- 2. a read error mid-file: a summary of what was stored, and a safe re-run -------------------


def test_cli_truncated_gzip_reports_what_was_committed(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"text": f"Zoom {i} is blurry", "external_id": f"z{i}"}) for i in range(4000)
    ]
    whole = gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    url = settings.database_url
    code, _, err = run_cli(url, "import", str(cut), "--batch-size", "100", "--no-progress")
    text = flat(err)
    assert code == 1, err
    stored = count(store)
    assert 0 < stored < 4000
    assert "error: cannot read" in text and "cut.jsonl.gz" in text
    assert f"imported {stored:,}" in text and "duplicates 0" in text and "rejected 0" in text
    assert f"through line {stored:,}" in text  # lines are rows here: z0..z{stored-1}
    assert "safe to run the same command again" in text

    # The re-run stops at the same place and stores nothing twice.
    code, _, err = run_cli(url, "import", str(cut), "--batch-size", "100", "--no-progress")
    assert code == 1 and f"duplicates {stored:,}" in flat(err)
    assert count(store) == stored


# -- 3. an unclosed quote stops the import at the line where it opened ---------------------------


def test_unclosed_quote_runs_to_end_of_file(
    service: IntakeService, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "quote.csv"
    rows = "".join(f"Row {i} is fine,r{i}\n" for i in range(4, 40))
    path.write_text(
        'text,external_id\nFirst,r2\n"Broken quote starts here,r3\n' + rows, encoding="utf-8"
    )
    with pytest.raises(ImportFailed) as info:
        run_import(service, path, progress=False)
    message = str(info.value)
    assert "quote.csv" in message and "line 3" in message and "never closed" in message
    assert info.value.summary is not None and info.value.summary.imported == 1
    assert count(store) == 1
    assert not (tmp_path / "quote.csv.rejects.jsonl").exists()  # no one giant reject


def test_unclosed_quote_past_the_field_limit(
    service: IntakeService, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"Row {i} is a perfectly ordinary review,r{i}\n" for i in range(4, 5000))
    path.write_text('text,external_id\nFirst,r2\n"Broken,r3\n' + rows, encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"big\.csv: line 3: a quoted field") as info:
        run_import(service, path, progress=False)
    assert "131,072" in str(info.value)
    assert count(store) == 1


def test_a_closed_multiline_quote_and_a_literal_quote_still_import(
    service: IntakeService, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(
        'text,external_id\n"Two\nlines",a\n5" screen cracks,b\n"Ends the file",c', encoding="utf-8"
    )
    summary = run_import(service, path, progress=False)
    assert (summary.imported, summary.rejected, summary.last_line) == (3, 0, 5)


# -- 8. the rejects file holds no personal data ---------------------------------------------------


def test_rejects_file_is_redacted(service: IntakeService, tmp_path: Path) -> None:
    path = tmp_path / "pii.jsonl"
    path.write_text(
        json.dumps(
            {
                "text": "Call me on +31 6 1234 5678 or mail jan@example.nl",
                "external_id": "p1",
                "rating": 9,
                "reporter": {"id": "u1", "email": "jan@example.nl"},
            }
        )
        + "\n"
        + '{"text": "IMEI 490154203237518, broken json",\n'
        + json.dumps({"text": "ok", "channel": "mail anna@example.com"})
        + "\n",
        encoding="utf-8",
    )
    csv_path = tmp_path / "pii.csv"
    csv_path.write_text("text,rating\nphone me 13800138000,2,extra\n", encoding="utf-8")
    run_import(service, path, progress=False)
    run_import(service, csv_path, progress=False)
    raw = (tmp_path / "pii.jsonl.rejects.jsonl").read_text(encoding="utf-8")
    raw += (tmp_path / "pii.csv.rejects.jsonl").read_text(encoding="utf-8")
    for secret in ("jan@example.nl", "1234 5678", "490154203237518", "anna@", "13800138000"):
        assert secret not in raw
    rejects = rejects_of(tmp_path / "pii.jsonl.rejects.jsonl")
    first, second, third = sorted(rejects, key=lambda r: r["line"])
    assert first["line"] == 1 and first["reason"].startswith("rating: ")
    assert first["record"]["text"] == "Call me on [phone] or mail [email]"
    assert first["record"]["reporter"] == {"id": "u1", "email": "[email]"}
    assert first["record"]["rating"] == 9  # only strings change
    assert second["record"] == '{"text": "IMEI [imei], broken json",'
    assert "anna" not in third["reason"] and "[email]" in third["reason"]
    (row,) = rejects_of(tmp_path / "pii.csv.rejects.jsonl")
    assert row["record"] == ["phone me [phone]", "2", "extra"]
