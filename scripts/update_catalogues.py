"""Extract the web pages' messages and update every catalogue part (keeps translations).

    python scripts/update_catalogues.py        # then fill in the empty msgstr entries
"""

from __future__ import annotations

from userloop.web.catalogue_tools import problems, update


def main() -> None:
    missing = update()
    for line in problems():
        print(line)
    print("untranslated:", missing or "none")


if __name__ == "__main__":
    main()
