"""File imports: readers, mappings, store-export presets, rejects, re-runs and Ctrl-C."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from userloop.config import Settings
from userloop.container import intake_config
from userloop.domain.entities import Feedback
from userloop.domain.filters import FeedbackFilter
from userloop.intake.importers import (
    ColumnMapping,
    ImportFailed,
    MappingError,
    default_source_for,
    detect_format,
    render_summary,
    run_import,
    run_install_base_import,
)
from userloop.intake.service import IntakeService
from userloop.store import Store

GP_HEADER = [
    "Package Name",
    "App Version Code",
    "App Version Name",
    "Reviewer Language",
    "Device",
    "Review Submit Date and Time",
    "Review Submit Millis Since Epoch",
    "Review Last Update Date and Time",
    "Review Last Update Millis Since Epoch",
    "Star Rating",
    "Review Title",
    "Review Text",
    "Developer Reply Date and Time",
    "Developer Reply Millis Since Epoch",
    "Developer Reply Text",
    "Review Link",
]


@pytest.fixture
def service(store: Store, settings: Settings) -> IntakeService:
    return IntakeService(store, intake_config(settings))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, lines: Sequence[Any]) -> Path:
    """Dicts are dumped as JSON; strings are written as they are (to make broken lines)."""
    with path.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False))
            fh.write("\n")
    return path


def stored(store: Store, source: str | None = None) -> list[Feedback]:
    with store.read() as conn:
        return store.feedback.list(conn, FeedbackFilter(source=source), None, 1000)


def count(store: Store) -> int:
    with store.read() as conn:
        return store.feedback.count(conn)


def rejects_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- mappings and plain files -----------------------------------------------------------------


def test_csv_with_map(service: IntakeService, store: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "Forum Export (2025).csv",
        ["content", "score", "author_id", "at", "phone", "region", "internal_note"],
        [
            ["Battery drains overnight since the update", "2", "u1", "2025-03-01T10:00:00Z",
             "Lumo 12", "US", "x"],
            ["升级后相机打不开", "1", "u2", "2025-03-02T11:00:00+08:00", "Lumo 12", "CN", ""],
            ["Экран мерцает при низкой яркости", "3", "", "", "Lumo 11", "RU", ""],
            ["De telefoon wordt warm tijdens het laden", "4", "u4", "", "Lumo 12", "nl", ""],
        ],
    )  # fmt: skip
    summary = run_import(
        service,
        path,
        mapping="text=content,rating=score,reporter.id=author_id,created_at=at,model=phone",
        progress=False,
    )
    assert (summary.rows, summary.imported, summary.rejected) == (4, 4, 0)
    assert summary.source == "forum-export-2025"
    assert summary.ignored_columns == ("internal_note",)
    assert summary.rejects_path is None
    assert not (tmp_path / "Forum Export (2025).csv.rejects.jsonl").exists()
    items = {f.text: f for f in stored(store)}
    zh = items["升级后相机打不开"]
    assert (zh.rating, zh.model, zh.region, zh.source) == (1, "Lumo 12", "CN", "forum-export-2025")
    assert zh.created_at == datetime(2025, 3, 2, 3, 0, tzinfo=UTC)
    assert zh.reporter_id is not None
    ru = items["Экран мерцает при низкой яркости"]
    assert ru.reporter_id is None  # an empty reporter.id cell means no reporter
    assert items["De telefoon wordt warm tijdens het laden"].region == "NL"


def test_jsonl_with_map_and_nested_paths(
    service: IntakeService, store: Store, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "app.jsonl",
        [
            {"body": "Wi-Fi drops every few minutes", "stars": 2, "user": {"id": "a1"},
             "channel": "beta", "ignored": True},
            {"body": "蓝牙耳机经常断开", "stars": 3, "user": {"id": "a2"}, "language": "zh_CN"},
            {"body": "Приложение камеры зависает", "stars": 1},
            {"body": "Het scherm blijft zwart na het bellen", "stars": 2, "user": None},
        ],
    )  # fmt: skip
    mapping = ColumnMapping.parse(["text=body,rating=stars", "reporter.id=user.id"])
    summary = run_import(service, path, mapping=mapping, source="App", progress=False)
    assert (summary.imported, summary.rejected) == (4, 0)
    items = {f.text: f for f in stored(store, "app")}
    assert items["Wi-Fi drops every few minutes"].channel is not None
    assert items["Wi-Fi drops every few minutes"].reporter_id is not None
    assert items["蓝牙耳机经常断开"].language == "zh-CN"
    assert items["Приложение камеры зависает"].reporter_id is None


def test_jsonl_without_map_uses_field_names(
    service: IntakeService, store: Store, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "feedback.ndjson",
        [
            {"text": "GPS is slow to lock", "external_id": "f1", "reporter": {"id": "p1"}},
            {"text": "Keyboard lags", "external_id": "f2", "stars": 4},
        ],
    )
    summary = run_import(service, path, progress=False)
    assert (summary.imported, summary.rejected, summary.source) == (1, 1, "feedback")
    (reject,) = rejects_of(tmp_path / "feedback.ndjson.rejects.jsonl")
    assert reject["line"] == 2
    assert reject["reason"].startswith("stars: unknown field; accepted fields are source,")
    assert reject["record"] == {"text": "Keyboard lags", "external_id": "f2", "stars": 4}


def test_gzip_and_semicolon_csv(service: IntakeService, store: Store, tmp_path: Path) -> None:
    data = "tekst;cijfer\nDe accu loopt snel leeg;2\n"
    path = tmp_path / "nl.csv.gz"
    path.write_bytes(gzip.compress(data.encode("utf-8-sig")))
    summary = run_import(service, path, mapping="text=tekst,rating=cijfer", progress=False)
    assert (summary.format, summary.imported, summary.source) == ("csv", 1, "nl")
    assert stored(store)[0].rating == 2


def test_mapping_parse_errors() -> None:
    assert ColumnMapping.parse("text = Review Body , rating=Stars").as_dict() == {
        "text": "Review Body",
        "rating": "Stars",
    }
    for bad, fragment in [
        ("text", "not FIELD=COLUMN"),
        ("text=", "not FIELD=COLUMN"),
        ("body=content", "'body' is not a feedback field"),
        ("text=a,text=b", "twice"),
        ("reporter=u,reporter.id=v", "both reporter and reporter.*"),
    ]:
        with pytest.raises(MappingError, match=fragment):
            ColumnMapping.parse(bad)


def test_format_and_source_helpers() -> None:
    assert detect_format("a.CSV") == "csv"
    assert detect_format("a.ndjson.gz") == "jsonl"
    assert detect_format("a.txt", "NDJSON") == "jsonl"
    with pytest.raises(ImportFailed, match="--format"):
        detect_format("a.json")
    assert default_source_for("/x/Play Reviews 2025-10.csv.gz") == "play-reviews-2025-10"
    assert default_source_for("___.jsonl") == "import"


def test_missing_mapped_column_fails_before_writing(
    service: IntakeService, store: Store, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", ["body", "stars"], [["Fine phone", "5"]])
    with pytest.raises(ImportFailed) as info:
        run_import(service, path, mapping="text=body,rating=score", progress=False)
    message = str(info.value)
    assert "'score'" in message and "'body', 'stars'" in message
    with pytest.raises(ImportFailed, match=r"no column of f\.csv gives the feedback text"):
        run_import(service, path, progress=False)
    with pytest.raises(ImportFailed, match=r"google-play export: missing column\(s\)"):
        run_import(service, path, preset="google-play", progress=False)
    with pytest.raises(ImportFailed, match="source must be"):
        run_import(service, path, mapping="text=body", source="Bad Source!", progress=False)
    assert count(store) == 0
    assert not (tmp_path / "f.csv.rejects.jsonl").exists()


# -- presets ------------------------------------------------------------------------------------


def test_google_play_preset(service: IntakeService, store: Store, tmp_path: Path) -> None:
    def row(**cells: str) -> list[str]:
        base = dict.fromkeys(GP_HEADER, "")
        base.update({"Package Name": "com.lumo.phone", "App Version Name": "3.4.2401"})
        base.update({k.replace("_", " "): v for k, v in cells.items()})
        return [base[h] for h in GP_HEADER]

    link = "https://play.google.com/console/review?id=gp:AOqpTOF"
    rows = [
        row(Reviewer_Language="en", Device="lumo12", Star_Rating="2",
            Review_Submit_Date_and_Time="2025-10-05T08:31:00Z",
            Review_Submit_Millis_Since_Epoch="1759653060000",
            Review_Title="Camera freezes", Review_Text="Night mode freezes the camera app.",
            Developer_Reply_Text="Thanks, a fix is coming.", Review_Link=link + "1"),
        row(Reviewer_Language="zh_CN", Device="lumo11", Star_Rating="1",
            Review_Submit_Millis_Since_Epoch="1750000000000",
            Review_Text="升级后电池耗电很快"),
        row(Reviewer_Language="ru", Star_Rating="1", Review_Title="Не работает NFC",
            Review_Submit_Millis_Since_Epoch="1750000001000", Review_Link=link + "3"),
        row(Reviewer_Language="nl", Star_Rating="5", Review_Title="Prima telefoon",
            Review_Text="Snel, en de accu gaat lang mee.",
            Review_Submit_Millis_Since_Epoch="1750000002000", Review_Link=link + "4"),
        row(Reviewer_Language="en", Star_Rating="3",
            Review_Submit_Millis_Since_Epoch="1750000003000", Review_Link=link + "5"),
    ]  # fmt: skip
    path = tmp_path / "reviews_reviews_com.lumo.phone_202510.csv"
    # Play Console exports are UTF-16 with a byte-order mark; UTF-8 works the same.
    text = io.StringIO()
    csv.writer(text).writerows([GP_HEADER, *rows])
    path.write_bytes(text.getvalue().encode("utf-16"))

    summary = run_import(service, path, preset="google-play", progress=False)
    assert (summary.rows, summary.imported, summary.rejected) == (5, 4, 1)
    assert summary.source == "google-play"
    (reject,) = rejects_of(summary.rejects_path or Path("-"))
    assert reject["line"] == 6
    assert reject["reason"].startswith("empty review")

    items = {f.external_id: f for f in stored(store, "google-play")}
    en = items[link + "1"]
    assert en.text == "Camera freezes\nNight mode freezes the camera app."
    assert (en.rating, en.build, en.model, en.language) == (2, "3.4.2401", "lumo12", "en")
    assert en.created_at == datetime(2025, 10, 5, 8, 31, tzinfo=UTC)
    zh = items["com.lumo.phone:1750000000000"]  # no Review Link: package + millis
    assert zh.text == "升级后电池耗电很快"
    assert zh.language == "zh-CN"
    assert zh.created_at == datetime.fromtimestamp(1750000000, UTC)
    assert items[link + "3"].text == "Не работает NFC"
    assert items[link + "4"].language == "nl"


def test_app_store_preset(service: IntakeService, store: Store, tmp_path: Path) -> None:
    header = ["Review ID", "Date", "Rating", "Title", "Review", "Nickname", "Territory",
              "App Version"]  # fmt: skip
    path = write_csv(
        tmp_path / "ratings.csv",
        header,
        [
            ["9001", "2025-09-01T12:00:00Z", "4", "Nice", "Battery life is great", "sam",
             "USA", "2.1"],
            ["9002", "2025-09-02T12:00:00Z", "2", "", "同步联系人失败", "小王", "CHN", "2.1"],
            ["9003", "2025-09-03T12:00:00Z", "1", "Вылетает", "При запуске сразу вылетает",
             "", "RUS", "2.0"],
            ["9004", "2025-09-04T12:00:00Z", "5", "Top", "Werkt perfect", "jan", "NL", "2.1"],
            ["9005", "2025-09-05T12:00:00Z", "3", "", "Okay", "kim", "XYZ", "2.1"],
        ],
    )  # fmt: skip
    summary = run_import(service, path, preset="app-store", progress=False)
    assert (summary.imported, summary.rejected, summary.source) == (4, 1, "app-store")
    (reject,) = rejects_of(tmp_path / "ratings.csv.rejects.jsonl")
    assert (reject["line"], reject["reason"]) == (
        6,
        "Territory 'XYZ' is not an ISO 3166 country code",
    )
    items = {f.external_id: f for f in stored(store, "app-store")}
    assert {k: v.region for k, v in items.items()} == {
        "9001": "US", "9002": "CN", "9003": "RU", "9004": "NL"
    }  # fmt: skip
    assert items["9001"].text == "Nice\nBattery life is great"
    assert items["9002"].text == "同步联系人失败"
    assert items["9002"].reporter_id is not None and items["9003"].reporter_id is None
    assert items["9004"].build == "2.1"


def test_map_overrides_preset(service: IntakeService, store: Store, tmp_path: Path) -> None:
    header = ["Review ID", "Rating", "Review", "Territory", "Track"]
    path = write_csv(tmp_path / "as.csv", header, [["1", "2", "Crash on launch", "DEU", "Beta"]])
    summary = run_import(
        service, path, preset="app-store", mapping="channel=Track,external_id=Review",
        source="ios", progress=False,
    )  # fmt: skip
    assert summary.imported == 1
    (item,) = stored(store, "ios")
    assert (item.external_id, item.region, str(item.channel)) == ("Crash on launch", "DE", "beta")


# -- rejects, conflicts, re-runs ----------------------------------------------------------------


def test_rejects_file(service: IntakeService, store: Store, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"text": "Speaker crackles at full volume", "external_id": "m1"},  # 1
            '{"text": "broken json", ',  # 2
            "",  # 3: blank, skipped
            '["an", "array"]',  # 4
            {"text": "   ", "external_id": "m5"},  # 5
            {"text": "Экран гаснет", "external_id": "m6", "rating": 7},  # 6
            {"text": "Scherm flikkert", "external_id": "m7", "channel": "nightly"},  # 7
            {"text": "Speaker rattles at full volume", "external_id": "m1"},  # 8: conflict
            {"text": "指纹识别很慢", "external_id": "m9"},  # 9
        ],
    )
    stale = tmp_path / "mixed.jsonl.rejects.jsonl"
    stale.write_text("stale\n")
    summary = run_import(service, path, progress=False)
    assert (summary.rows, summary.imported, summary.conflicts, summary.rejected) == (8, 2, 1, 5)
    assert summary.rejects_path == stale
    rejects = rejects_of(stale)
    assert [r["line"] for r in rejects] == [2, 4, 5, 6, 7, 8]
    reasons = {r["line"]: r["reason"] for r in rejects}
    assert reasons[2].startswith("invalid JSON: ")
    assert reasons[4] == "line is a JSON array, not an object"
    assert reasons[5] == "text: text is empty after normalisation"
    assert reasons[6].startswith("rating: ") and "5" in reasons[6]
    assert reasons[7].startswith("channel: ") and "'nightly'" in reasons[7]
    assert "already has external_id 'm1'" in reasons[8]
    by_line = {r["line"]: r for r in rejects}
    assert by_line[2]["record"] == '{"text": "broken json", '
    assert by_line[6]["record"] == {"text": "Экран гаснет", "external_id": "m6", "rating": 7}
    assert [e["field"] for e in by_line[6]["errors"]] == ["rating"]

    again = run_import(service, path, progress=False)  # same rejects, all else duplicates
    assert (again.imported, again.duplicates, again.conflicts, again.rejected) == (0, 2, 1, 5)
    assert len(rejects_of(stale)) == 6

    # A clean run removes the stale rejects file.
    clean = write_jsonl(tmp_path / "clean.jsonl", [{"text": "Fine", "external_id": "c1"}])
    (tmp_path / "clean.jsonl.rejects.jsonl").write_text("old\n")
    assert run_import(service, clean, progress=False).rejects_path is None
    assert not (tmp_path / "clean.jsonl.rejects.jsonl").exists()


def test_csv_rejects_line_numbers(service: IntakeService, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text(
        "text,rating,external_id\n"  # 1
        '"Two-line\nreview, quoted",2,a\n'  # 2-3
        "\n"  # 4 blank
        "Too,many,fields,here\n"  # 5
        "Short row\n"  # 6
        ",3,e\n"  # 7: empty text
        "Батарея,nine,f\n"  # 8: bad rating
        "Goed,5,g\n",  # 9
        encoding="utf-8",
    )
    summary = run_import(service, path, rejects_path=tmp_path / "out" / "r.jsonl", progress=False)
    assert (summary.rows, summary.imported, summary.rejected) == (6, 2, 4)
    rejects = rejects_of(tmp_path / "out" / "r.jsonl")
    assert [(r["line"], r["reason"]) for r in rejects[:3]] == [
        (5, "row has 4 fields; the header has 3"),
        (6, "row has 1 fields; the header has 3"),
        (7, "text: text is empty after normalisation"),
    ]
    assert rejects[3]["line"] == 8
    assert rejects[3]["reason"].startswith("rating: ") and "nine" in rejects[3]["reason"]
    assert rejects[0]["record"] == ["Too", "many", "fields", "here"]
    assert rejects[3]["record"] == {"text": "Батарея", "rating": "nine", "external_id": "f"}
    assert {f.text for f in stored(store)} == {"Two-line\nreview, quoted", "Goed"}


def test_reimport_is_all_duplicates(service: IntakeService, store: Store, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "many.jsonl",
        [{"text": f"Review {i}: the phone restarts by itself"} for i in range(250)],
    )
    first = run_import(service, path, batch_size=100, progress=False)
    assert (first.imported, first.duplicates) == (250, 0)
    second = run_import(service, path, batch_size=64, progress=False)
    assert (second.rows, second.imported, second.duplicates) == (250, 0, 250)
    assert count(store) == 250


def test_identical_rows_without_ids_are_all_kept(
    service: IntakeService, store: Store, tmp_path: Path
) -> None:
    # Short store reviews repeat word for word; each row is still one person's review.
    rows = [{"text": "Very good", "rating": 5}] * 3 + [{"text": "Bad update", "rating": 1}] * 2
    path = write_jsonl(tmp_path / "short.jsonl", rows)
    first = run_import(service, path, batch_size=2, progress=False)
    assert (first.imported, first.duplicates) == (5, 0)
    again = run_import(service, path, batch_size=3, progress=False)
    assert (again.imported, again.duplicates) == (0, 5)
    assert count(store) == 5


# -- Ctrl-C -------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["in_transaction", "between_batches"])
def test_interrupt_then_rerun(
    service: IntakeService,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    lines: list[Any] = [{"text": f"Item {i} freezes", "external_id": f"k{i}"} for i in range(1000)]
    lines[10] = "not json"
    path = write_jsonl(tmp_path / "big.jsonl", lines)
    calls = {"n": 0}

    def interrupt_on_fourth(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if where == "between_batches" and calls["n"] == 4:
                raise KeyboardInterrupt
            result = original(*args, **kwargs)
            if where == "in_transaction" and calls["n"] == 4:
                raise KeyboardInterrupt  # rows inserted, transaction not yet committed
            return result

        return wrapper

    if where == "in_transaction":
        monkeypatch.setattr(
            store.feedback, "insert_new", interrupt_on_fourth(store.feedback.insert_new)
        )
    else:
        monkeypatch.setattr(service, "submit_batch", interrupt_on_fourth(service.submit_batch))

    summary = run_import(service, path, batch_size=100, progress=False)
    assert summary.interrupted
    assert (summary.imported, summary.rejected, summary.rows) == (300, 1, 301)
    assert count(store) == 300
    out = io.StringIO()
    render_summary(summary, Console(file=out, width=200))
    assert "Interrupted" in out.getvalue() and "again" in out.getvalue()

    monkeypatch.undo()
    rerun = run_import(service, path, batch_size=100, progress=False)
    assert not rerun.interrupted
    assert (rerun.imported, rerun.duplicates, rerun.rejected) == (699, 300, 1)
    assert count(store) == 999


# -- install base -------------------------------------------------------------------------------


def test_install_base_csv(service: IntakeService, store: Store, tmp_path: Path) -> None:
    header = ["day", "model", "build", "channel", "region", "segment", "active_devices",
              "crashes", "returns"]  # fmt: skip
    rows = [
        ["2025-09-01", "Lumo 12", "3.4.2401", "stable", "NL", "novice", "1000", "5", "1"],
        ["2025-09-01", "Lumo 12", "3.4.2401", "beta", "CN", "", "200", "", ""],
        ["2025-09-01", "Lumo 11", "3.4.2401", "stable", "RU", "pro", "50", "1", "60"],  # bad
        ["2025-09-02", "Lumo 12", "3.4.2402", "stable", "US", "advanced", "900", "3", "0"],
    ]
    path = write_csv(tmp_path / "base.csv", header, rows)
    summary = run_install_base_import(service, path, batch_size=2, progress=False)
    assert (summary.kind, summary.imported, summary.rejected) == ("install-base", 3, 1)
    (reject,) = rejects_of(tmp_path / "base.csv.rejects.jsonl")
    assert reject["line"] == 4
    assert "returns cannot exceed active_devices" in reject["reason"]

    rows[0][6] = "1500"
    rows[2][8] = "6"  # fixed
    write_csv(path, header, rows)
    again = run_install_base_import(service, path, progress=False)
    assert (again.imported, again.rejected, again.rejects_path) == (4, 0, None)
    with store.read() as conn:
        samples = store.install_base.list(conn, "default")
    assert len(samples) == 4
    assert {(s.region, s.active_devices) for s in samples} == {
        ("NL", 1500), ("CN", 200), ("RU", 50), ("US", 900)
    }  # fmt: skip


def test_install_base_header_checks(service: IntakeService, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", ["day", "model", "devices"], [["2025-09-01", "x", "1"]])
    with pytest.raises(ImportFailed, match="unknown install-base column"):
        run_install_base_import(service, path, progress=False)
    path = write_csv(tmp_path / "c.csv", ["day", "model"], [["2025-09-01", "x"]])
    with pytest.raises(ImportFailed, match="missing install-base column"):
        run_install_base_import(service, path, progress=False)


def test_progress_bar_on_a_terminal(service: IntakeService, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [{"text": f"Lag {i}"} for i in range(30)])
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    summary = run_import(service, path, batch_size=10, console=console)
    assert summary.imported == 30
    assert "p.jsonl" in out.getvalue() and "rows/s" in out.getvalue()
    render_summary(summary, console)
    assert "imported" in out.getvalue()


def test_truncated_gzip(service: IntakeService, store: Store, tmp_path: Path) -> None:
    # A file that is not UTF-8 stops the import too: tests/intake/test_import_errors.py.
    lines = [
        json.dumps({"text": f"Zoom {i} is blurry", "external_id": f"z{i}"}) for i in range(4000)
    ]
    whole = gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportFailed, match="cannot read") as info:
        run_import(service, cut, batch_size=100, progress=False)
    partial = info.value.summary
    assert partial is not None and 0 < partial.imported < 4000
    assert count(store) == partial.imported  # rows read before the damage are stored
    assert partial.last_line == partial.imported and partial.error is not None


def test_presets_are_registered_by_name() -> None:
    from userloop.intake.importers import APP_STORE, GOOGLE_PLAY, PRESETS, get_preset

    assert PRESETS.names() == ("google-play", "app-store")
    assert get_preset(" Google-Play ") is GOOGLE_PLAY
    assert get_preset(APP_STORE) is APP_STORE
    assert [p.help for p in PRESETS] == [GOOGLE_PLAY.title, APP_STORE.title]
    with pytest.raises(
        ImportFailed, match="unknown preset 'itunes'; presets are google-play, app-store"
    ):
        get_preset("itunes")
