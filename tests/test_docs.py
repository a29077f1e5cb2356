"""The docs stay honest: every setting, CLI command and option, and API route is documented,
and CI runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from userloop.app import create_app
from userloop.cli.main import app as cli_app
from userloop.config import describe_settings, load_settings
from userloop.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _commands() -> list[tuple[str, Any]]:
    """Leaf commands of the CLI (typer ships its own click, so this goes by duck typing)."""
    found: list[tuple[str, Any]] = []
    root: Any = typer.main.get_command(cli_app)
    ctx = typer.Context(root)

    def walk(cmd: Any, path: str) -> None:
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None
                walk(sub, f"{path} {name}")
        else:
            found.append((path, cmd))

    walk(root, "userloop")
    return found


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


@pytest.mark.parametrize("info", describe_settings(), ids=lambda i: i.name)
def test_every_setting_is_documented(info: object) -> None:
    text = (DOCS / "settings.md").read_text()
    assert f"`{info.env_var}`" in text  # type: ignore[attr-defined]
    assert info.help in text  # type: ignore[attr-defined]


def test_every_command_and_option_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = _commands()
    assert len(commands) >= 9
    for path, cmd in commands:
        heading = f"## `{path}`"
        assert heading in text, f"docs/cli.md lacks a section {heading}"
        section = _section(text, heading)
        for param in cmd.params:
            if param.param_type_name == "option":
                names = [n for n in param.opts + param.secondary_opts if n.startswith("--")]
                assert any(n in section for n in names), f"{path}: option {names} undocumented"


def test_every_api_route_is_documented() -> None:
    text = (DOCS / "api.md").read_text()
    app = create_app(load_settings(database_url="sqlite://"))
    routes = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]
    assert routes
    for method, path in routes:
        assert f"`{method} {path}`" in text, f"docs/api.md lacks {method} {path}"


def test_readme_has_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    section = _section(readme, "## Two commands")
    blocks = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    assert len(blocks) == 2 and all("\n" not in b for b in blocks)
    assert "userloop demo" in blocks[0]
    assert "pytest" in blocks[1]
    assert blocks[1] in (ROOT / ".ci" / "run").read_text().splitlines()


def test_every_embedder_name_is_documented() -> None:
    from userloop.triage.embed.registry import EMBEDDER_NAMES

    text = (DOCS / "triage.md").read_text()
    for name in EMBEDDER_NAMES:
        assert f"`{name}`" in text, f"docs/triage.md lacks embedder {name}"


def _registries() -> dict[str, tuple[Registry[Any], str]]:
    """Every registry of pluggable parts, by its kind, with the doc page for that kind."""
    from userloop.intake.importers.presets import PRESETS
    from userloop.notify.base import NOTIFIERS
    from userloop.store.vectors import VECTOR_INDEXES
    from userloop.triage.embed.registry import EMBEDDERS

    return {
        r.kind: (r, page)
        for r, page in (
            (EMBEDDERS, "triage.md"),
            (VECTOR_INDEXES, "vectors.md"),
            (NOTIFIERS, "notify.md"),
            (PRESETS, "import.md"),
        )
    }


def test_every_registry_is_known_to_the_docs_check() -> None:
    # A registry added without a line in `_registries` would escape the check below.
    made = re.compile(r"""Registry\(\s*["']([^"']+)["']""")
    kinds = {
        kind
        for path in (ROOT / "src" / "userloop").rglob("*.py")
        if path.name != "registry.py" or path.parent.name != "userloop"
        for kind in made.findall(path.read_text())
    }
    assert kinds == set(_registries())


@pytest.mark.parametrize("kind", ["embedder", "vector index", "notifier", "import preset"])
def test_every_registered_part_is_documented(kind: str) -> None:
    registry, page = _registries()[kind]
    text = (DOCS / page).read_text()
    plugins = list(registry)
    assert plugins, f"no {kind} is registered"
    for plugin in plugins:
        for form in plugin.usage.split(" | "):
            assert f"`{form.strip()}`" in text, f"docs/{page} lacks {kind} {form.strip()!r}"


def test_readme_screenshot_links_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\((docs/screenshots/[^)]+\.png)\)", readme)
    assert len(links) >= 19
    for link in links:
        assert (ROOT / link).is_file(), link
