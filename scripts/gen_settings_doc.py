"""Regenerate docs/settings.md from the settings table (tests/test_docs.py checks it)."""

from __future__ import annotations

from pathlib import Path

from userloop.config import describe_settings

HEADER = """# Settings

Every setting can be given as a `USERLOOP_*` environment variable or in a TOML file passed
with `userloop --config FILE` (or named by `USERLOOP_CONFIG`), either at the top level or in a
`[userloop]` table. Precedence, highest first: command-line options (such as `--database-url`),
environment variables, the TOML file, the defaults. `userloop settings` prints the values in
force. An unknown key in the file, or a value of the wrong type, stops the program with a
message naming it.

```toml
[userloop]
database_url = "postgresql+psycopg://userloop@db.internal/userloop"
env = "production"
secret_key = "a private value of at least 32 characters"
```

| setting | environment variable | type | default | meaning |
|---|---|---|---|---|
"""


def render() -> str:
    rows = [
        f"| `{s.name}` | `{s.env_var}` | {s.type.replace('|', '/')} | `{s.default}` | {s.help} |"
        for s in describe_settings()
    ]
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "docs" / "settings.md"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
