"""Text for triage: one table of scripts and one family of tokenisers.

Scripts (:data:`THAI`, :data:`HANGUL`, :data:`HAN_KANA`) are regex character-class bodies;
:data:`UNSPACED` joins them: the scripts whose runs the tokenisers cut into characters or
character bigrams (as Lucene's CJK analyzer does) instead of splitting at spaces. Hangul is
written with spaces, but its words carry particles ("시계가", "시계를"), so bigrams match
across them as they do for Han and kana. ``language`` weighs the same scripts to pick a
language; :data:`LEX1_CJK` is the narrower table frozen into the kind model's hashed features.

The tokenisers, each with explicit options (every caller keeps what it did before):

* :func:`index_terms`: case-folded words, identifier parts and bigrams of unspaced runs, for
  BM25 duplicate search (``lexical``);
* :func:`char_ngrams`: character n-grams of accent-stripped words and bigrams of unspaced runs,
  for the topic space's lexical channel (``topics.cluster``);
* :func:`content_words`: words that can be keywords (no numbers, one-letter words or
  stopwords), optionally after a word segmenter, for topic keywords (``topics.keywords``);
* :func:`lex1_words`: the words and characters the kind head hashes (``kind.features``).

Redaction placeholders (``[email]``, ``[phone]``, ...) never become tokens: see
:data:`PLACEHOLDER`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from functools import cache

# Intake writes redaction placeholders; the tokenisers read past them.
from userloop.domain.personal_data import PLACEHOLDER as PLACEHOLDER

#: Thai: no spaces between words.
THAI = r"\u0E00-\u0E7F"
#: Hangul jamo, compatibility jamo and syllables.
HANGUL = r"\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF"
#: Hiragana, katakana (with phonetic extensions and half-width forms) and Han (with the
#: extensions and compatibility ideographs). One class: Japanese mixes them.
HAN_KANA = (
    r"\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F"
    r"\U00020000-\U0003FFFF"
)
#: Han alone (jieba segments it; a lone kana is no keyword, a lone Han character may be).
HAN = r"\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003FFFF"
#: Every script the tokenisers treat as unspaced.
UNSPACED = THAI + HANGUL + HAN_KANA
#: The kind head's hashed features (``kind.features``, version ``lex1``) were fitted with this
#: narrower table (no Thai, no Hangul jamo, no rare Han): widening it would change the
#: features of a shipped model, so it stays as it was until ``FEATURES_VERSION`` changes.
LEX1_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"


_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@cache
def _runs_pattern(unspaced: str, word: str) -> re.Pattern[str]:
    return re.compile(rf"(?P<run>[{unspaced}]+)|(?P<word>{word.format(u=unspaced)})")


#: Word patterns for :func:`runs` (``{u}`` is the unspaced table): letters and digits ...
WORD = r"[^\W_{u}]+"
#: ... starting with a letter, with inner apostrophes and hyphens (keyword candidates).
WORD_WITH_APOSTROPHES = r"[^\W\d_{u}][\w'’-]*"


def runs(text: str, *, unspaced: str = UNSPACED, word: str = WORD) -> Iterator[tuple[str, bool]]:
    """``(run, is_unspaced)`` in order: runs of ``unspaced`` scripts and words of ``word``."""
    for match in _runs_pattern(unspaced, word).finditer(text):
        run = match.group("run")
        yield (run, True) if run is not None else (match.group("word"), False)


def bigrams(run: str) -> list[str]:
    """Overlapping character bigrams of an unspaced run (a single character stays whole)."""
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def fold_accents(text: str) -> str:
    """Case-folded, with combining marks (accents) removed: ``"Déçu"`` → ``"decu"``."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def index_terms(
    text: str,
    *,
    stopwords: Collection[str] = frozenset(),
    split_identifiers: bool = True,
    min_length: int = 1,
) -> list[str]:
    """NFKC, then case-folded words (without ``stopwords`` and words shorter than
    ``min_length``), the parts of camelCase / letter-digit words when ``split_identifiers``,
    and bigrams of unspaced runs (always kept)."""
    out: list[str] = []
    for token, unspaced in runs(unicodedata.normalize("NFKC", text)):
        if unspaced:
            out.extend(bigrams(token))
            continue
        folded = token.casefold()
        if len(folded) >= min_length and folded not in stopwords:
            out.append(folded)
        if split_identifiers and not (token.isalpha() and token.islower()):
            parts = _CAMEL.findall(token)
            if len(parts) > 1:
                for part in parts:
                    p = part.casefold()
                    if len(p) >= min_length and p not in stopwords:
                        out.append(p)
    return out


def char_ngrams(text: str, ngram_min: int = 4, ngram_max: int = 6) -> list[str]:
    """Placeholders dropped, accents folded; then n-grams of each word padded with spaces (a
    word shorter than ``ngram_min`` counts whole) and bigrams of unspaced runs."""
    out: list[str] = []
    for token, unspaced in runs(fold_accents(PLACEHOLDER.sub(" ", text))):
        if unspaced:
            out.extend(bigrams(token))
            continue
        word = f" {token} "
        if len(word) < ngram_min:
            out.append(word)
            continue
        for n in range(ngram_min, min(ngram_max, len(word)) + 1):
            out.extend(word[i : i + n] for i in range(len(word) - n + 1))
    return out


_HAN_CHAR = re.compile(f"[{HAN}]")


def content_words(
    text: str,
    *,
    stopwords: Collection[str] = frozenset(),
    segment: Callable[[str], list[str]] | None = None,
) -> list[str]:
    """Placeholders dropped, NFKC; words case-folded (apostrophes unified, outer ones and
    hyphens stripped) of two letters or more, not in ``stopwords``, not numbers. Unspaced runs
    become bigrams, or stay whole when ``segment`` (a word segmenter such as jieba's) cut the
    text first; a lone character only counts if it is Han."""
    text = unicodedata.normalize("NFKC", PLACEHOLDER.sub(" ", text))
    pieces = segment(text) if segment is not None else [text]
    out: list[str] = []
    for piece in pieces:
        for token, unspaced in runs(piece, word=WORD_WITH_APOSTROPHES):
            if unspaced:
                grams = [token] if segment is not None else bigrams(token)
                out.extend(
                    g for g in grams if g not in stopwords and (len(g) > 1 or _HAN_CHAR.match(g))
                )
                continue
            word = token.casefold().replace("’", "'").strip("'-")
            if len(word) > 1 and word not in stopwords:
                out.append(word)
    return out


def is_han(token: str) -> bool:
    """Whether ``token`` starts with a Han character."""
    return _HAN_CHAR.match(token) is not None


_LEX1_WORD = re.compile(rf"[{LEX1_CJK}]+|[^\W{LEX1_CJK}]+|[?!]")
_LEX1_CJK_CHAR = re.compile(rf"[{LEX1_CJK}]")


def lex1_words(text: str) -> list[str]:
    """NFKC, case-folded: words (``\\w`` runs, underscores included), each character of a
    :data:`LEX1_CJK` run, and the marks ``?`` and ``!``, in order."""
    clean = unicodedata.normalize("NFKC", text).casefold()
    words: list[str] = []
    for run in _LEX1_WORD.findall(clean):
        if _LEX1_CJK_CHAR.match(run):
            words.extend(run)  # one token per character
        else:
            words.append(run)
    return words


#: What a text needs to say something (a title, an umbrella-kind report): words, or
#: characters of an unspaced script.
MIN_TITLE_WORDS = 3
MIN_TITLE_UNSPACED_CHARS = 6


def informative(text: str) -> bool:
    """Whether a report can serve as a title: not a redaction placeholder, a greeting or a
    one-word text, but a few words (or characters of an unspaced script) saying something:
    at least three words of which two have three letters or more ("My IMEI is [imei]" and
    "good app" do not), or six characters of an unspaced script."""
    words = 0
    long_words = 0
    chars = 0
    for token, unspaced in runs(PLACEHOLDER.sub(" ", text)):
        if unspaced:
            chars += len(token)
        elif not token.isdigit():
            words += 1
            long_words += len(token) >= 3
    return (words >= MIN_TITLE_WORDS and long_words >= 2) or chars >= MIN_TITLE_UNSPACED_CHARS


def _model_pattern(model: str) -> re.Pattern[str] | None:
    """The device model's name as people write it: any case, spaces optional, and without its
    first word (the brand: "Galaxy S21" for "Samsung Galaxy S21") when what remains is more than
    a number (a bare "12" would also mask "12 hours")."""
    words = model.split()
    if not words:
        return None
    forms = [words]
    rest = words[1:]
    if rest and any(ch.isalpha() for ch in "".join(rest)) and len("".join(rest)) >= 3:
        forms.append(rest)
    alternatives = sorted(
        (r"\s*".join(re.escape(w) for w in form) for form in forms), key=len, reverse=True
    )
    # Letters and digits of other scripts may touch the name: Chinese has no spaces.
    latin_before, latin_after = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
    return re.compile(
        latin_before + "(?:" + "|".join(alternatives) + ")" + latin_after, re.IGNORECASE
    )


def without_model(text: str, model: str | None) -> str:
    """`text` without the name of the reporter's own device model. Topics group what a report
    says is wrong; a model name in the text would pull reports of different problems on one
    model together (the model is a field of its own, counted per topic)."""
    if not model:
        return text
    pattern = _model_pattern(model)
    if pattern is None:
        return text
    stripped = pattern.sub(" ", text)
    return re.sub(r"[ \t]{2,}", " ", stripped).strip() or text
