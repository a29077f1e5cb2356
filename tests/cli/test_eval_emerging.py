"""`userloop eval emerging`: the errors a user meets before any model loads (the scoring is
tested in tests/eval/test_idea.py; real runs read ../shared, which tests never need)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import run


def test_a_missing_datasets_folder_or_app_stops_with_a_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    code, out, err = run(url, "eval", "emerging", "--datasets", str(tmp_path / "none"), "--exact")
    assert code == 1 and "no datasets folder" in err and out == ""
    (tmp_path / "idea" / "someapp").mkdir(parents=True)
    code, _, err = run(
        url, "eval", "emerging", "--datasets", str(tmp_path), "--app", "other", "--exact"
    )
    assert code == 1 and "no IDEA app folder other" in err


def test_a_changelog_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    app = tmp_path / "idea" / "tiny"
    app.mkdir(parents=True)
    (app / "total_info.txt").write_text("5.0******fine******2020-01-01******1.0\n")
    (app / "changelog_tiny.txt").write_text("theme\n")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    code, _, err = run(url, "eval", "emerging", "--datasets", str(tmp_path), "--exact")
    assert code == 1 and "1 changelog lines for 0 versions" in err
