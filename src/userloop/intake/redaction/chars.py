"""Character classes and the context window shared by the detectors."""

from __future__ import annotations

import re

# Letters and digits that make up "words" next to which a number is not a standalone number:
# ASCII, Latin-1/Latin Extended and Cyrillic. CJK is deliberately absent, since Chinese text
# glues numbers and addresses to the surrounding characters without spaces.
_W = "0-9A-Za-z\u00c0-\u024f\u0400-\u04ff"
# The same for the character before (_WB) or after (_WA) a match, extended by the outer bracket
# of a placeholder: "[phone]::1" must behave like the "4155550134::1" it came from, otherwise a
# second pass could find something new next to a placeholder.
_WB = _W + r"\]"
_WA = _W + r"\["
_LETTERS = "A-Za-z\u00c0-\u024f\u0400-\u04ff"

# Cheap gate: the digit detectors run only when the text contains a digit (see ``engine``).
_ANY_DIGIT_RE = re.compile(r"[0-9]")

# How much of the text before a number is looked at for version and phone context words.
_WINDOW = 40
