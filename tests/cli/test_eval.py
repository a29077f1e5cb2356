"""`userloop eval ...`: what the README shows a user can run."""

from __future__ import annotations

from pathlib import Path


def test_readme_eval_example_needs_no_folder_the_user_lacks() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (line,) = [x for x in readme.splitlines() if x.startswith("userloop eval")]
    assert "../shared" not in line and "--datasets" in line
    assert "minibar/clustering/" in readme
