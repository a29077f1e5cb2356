"""Triage with another embedder than the shipped heads were trained for: refused with the fix
at start, and made to work by training both heads for it from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from userloop.cli.main import app
from userloop.triage.embed.hashing import HashingEmbedder
from userloop.triage.factory import TriageSetupError, check_head
from userloop.triage.sentiment import SentimentModel

# Written for this test: rated reviews, half happy, half not.
GOOD = [
    "Works great, the sync is fast and the battery lasts all week",
    "Lovely app, the sleep charts are clear and useful",
    "Five stars, pairing took seconds and everything just works",
    "Very happy with the new widgets, thank you",
    "Excellent update, much smoother than before",
]
BAD = [
    "Crashes every time I open the map, useless",
    "Since the update the watch never syncs, terrible",
    "Battery drains overnight, I want a refund",
    "Login fails again and again, awful support",
    "Notifications stopped working, very disappointed",
]


def _cli(url: str, env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--database-url", url, *args], env=env)
    return result.exit_code, result.stdout + result.stderr


def test_check_head_matches_name_and_dimension() -> None:
    embedder = HashingEmbedder(64)
    check_head("kind", f"{embedder.name}@other-version", 64, embedder, "fix it")
    with pytest.raises(TriageSetupError, match=r"kind model reads 512-dim vectors of use-m3"):
        check_head("kind", "use-m3@0.2.1", 512, embedder, "fix it")
    with pytest.raises(TriageSetupError, match="fix it"):
        check_head("sentiment", f"{embedder.name}@x", 32, embedder, "fix it")


def test_heads_for_another_embedder_are_trained_from_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    env = {"USERLOOP_EMBEDDER": "hashing:128"}
    assert _cli(url, env, "db", "upgrade")[0] == 0
    rows = [{"text": t, "rating": 5} for t in GOOD] + [{"text": t, "rating": 1} for t in BAD]
    data = tmp_path / "rated.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    code, out = _cli(url, env, "import", str(data), "--source", "store")
    assert code == 0, out

    # The shipped heads read use-m3 vectors: triage stops before any batch, naming the fix.
    code, out = _cli(url, env, "triage", "--no-progress")
    assert code == 1
    flat = " ".join(out.split())
    assert "kind model reads 512-dim vectors of use-m3" in flat
    assert "userloop model train-kind" in flat

    missing = str(tmp_path / "no-datasets")
    code, out = _cli(
        url, env, "model", "train-sentiment", "--datasets", missing, "--output", str(tmp_path / "x")
    )
    assert code == 1 and "only 10 rated text(s)" in out, out
    assert not list(tmp_path.glob("x*"))

    more = tmp_path / "more.jsonl"
    more.write_text(
        "\n".join(
            json.dumps({"text": f"{t} ({n})", "rating": r["rating"]})
            for n in range(3)
            for r in rows
            for t in [r["text"]]
        )
        + "\n",
        encoding="utf-8",
    )
    assert _cli(url, env, "import", str(more), "--source", "store")[0] == 0
    sentiment_path = tmp_path / "s.npz"
    kind_path = tmp_path / "k.npz"
    code, out = _cli(
        url, env, "model", "train-sentiment", "--datasets", missing, "--output", str(sentiment_path)
    )
    assert code == 0, out
    assert SentimentModel.load(sentiment_path).embedder.startswith("hashing@")
    code, out = _cli(
        url, env, "model", "train-kind", "--datasets", missing, "--output", str(kind_path)
    )
    assert code == 0, out

    env |= {
        "USERLOOP_KIND_MODEL_PATH": str(kind_path),
        "USERLOOP_SENTIMENT_MODEL_PATH": str(sentiment_path),
    }
    code, out = _cli(url, env, "triage", "--no-progress")
    assert code == 0, out
    assert "triaged 40 item(s)" in out
