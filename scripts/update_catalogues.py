"""Extract the web pages' messages and update every catalogue part (keeps translations).

python scripts/update_catalogues.py [--part portal|console|common]
# then fill in the empty msgstr entries of src/userloop/web/locales/*/LC_MESSAGES/*.po
"""

from __future__ import annotations

import argparse

from userloop.web.catalogue_tools import PARTS, problems, update


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=PARTS, action="append", help="only these parts")
    args = parser.parse_args()
    missing = update(parts=tuple(args.part or PARTS))
    for line in problems():
        print(line)
    print("untranslated:", missing or "none")


if __name__ == "__main__":
    main()
