"""Keywords and a short title for a topic, per language.

:func:`keywords` scores the words (and two-word phrases) of a topic's texts in one language
with a class-based TF-IDF, as BERTopic's c-TF-IDF: a term's weight is the share of the topic's
texts that contain it times ``log(1 + A / f)``, where ``f`` is how many texts of the topic and
of the background (the other topics' texts in that language, passed in) contain it and ``A``
is the mean number of texts per class. Without a background this ranks by document frequency.

Tokens (``triage.text.content_words``): Chinese is segmented with ``jieba`` (without it, runs
of Han characters fall back to overlapping bigrams); Japanese, Korean and Thai runs always
become bigrams; other scripts are split into words and case-folded. Stopwords are short lists
of our own for English, Russian, Dutch, French and Chinese; numbers, one-letter words and redaction
placeholders such as ``[email]`` never count.
"""

from __future__ import annotations

import importlib
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache
from itertools import pairwise

from userloop.triage.text import content_words, is_han

_STOPWORD_TEXT = {
    "en": """a about after again all also am an and any app application apps are as at be
        because been before being but by can cannot could did do does doesn't don't even ever
        for from get gets got had has have having he her here him his how i i'm if in into is
        isn't it it's its just me more most much my no not now of on once one only or other
        our out over please really same she should since so some still such than that the
        their them then there these they this those through to too up use used using very
        want was we well were what when where which while who why will with would you your
        i've can't won't""",
    "fr": """a à afin ai aie alors au aucun aussi autre aux avec avoir bien c c'est ça ce ceci
        cela ces cet cette chaque comme d dans de des donc dont du elle elles en encore est et
        été être eu fait faire il ils j je jour l la le les leur lui m ma mais me même mes moi
        mon n ne ni nos notre nous on ont ou où par pas peu peut plus pour pourquoi qu que
        quel quelle qui quand s sa sans se ses si son sont sur ta te tes toi ton tous tout
        très tu un une vos votre vous y application appli""",
    "nl": """aan al alle als ben bij dan dat de der deze die dit doch doen door dus een en er
        geen had heb hebben heeft hem het hier hij hoe hun ik in is ja je kan kon maar me meer
        men met mij mijn na naar niet nog nu of om omdat ook op over te tegen toch tot u uit
        van veel voor want was wat we wel werd wie wij wordt zal ze zelf zich zij zijn zo zou
        app""",
    "ru": """а без бы был была были было быть в вам вас весь во вот все всё всего вы где да
        даже для до его ее её если есть еще ещё же за и из или им их к как когда кто ли либо
        мне мы на над не нет ни но ну о об однако он она они оно от очень по под после при
        про с со так также такой там те тем то того тоже только том ты у уже хотя чем что
        чтобы эта эти это этот я приложение""",
    "zh": """的 了 是 我 你 他 她 它 们 我们 你们 他们 在 有 和 与 就 都 而 及 也 还 又 很 太
        把 被 让 给 对 从 到 这 那 这个 那个 一个 什么 怎么 为什么 没有 不 没 吗 吧 呢 啊 哦
        呀 嘛 就是 但是 可是 所以 因为 如果 或者 还是 已经 可以 能 会 要 想 用 使用 应用
        软件 一下 一些 现在 时候 问题 请 谢谢""",
}

STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(text.split()) for lang, text in _STOPWORD_TEXT.items()
}

# Sentence ends: ". " and the like; the ideographic marks; "!" or "?" right before a
# character of a script written without spaces (text is NFKC-normalised on intake, which turns
# "？" into "?": "怎么回事?还是没修好" is two sentences); and a colon before a capital letter
# ("Not sure if this is known, but: The screen flickers").
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])\s+|(?<=[。！？])|(?<=[!?])(?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])"
    r"|(?<=:)\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ])|\n+"
)


def sentences(text: str) -> list[str]:
    """The sentences of `text`, whitespace collapsed, empty ones dropped."""
    return [" ".join(p.split()) for p in _SENTENCE_END.split(text.strip()) if p.strip()]


def base_language(language: str) -> str:
    """``zh-Hans`` → ``zh``, ``pt_BR`` → ``pt``."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


@cache
def _jieba_cut() -> Callable[[str], list[str]] | None:
    try:
        jieba = importlib.import_module("jieba")
    except ImportError:
        return None
    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on stderr

    def cut(text: str) -> list[str]:
        return [str(t) for t in jieba.lcut(text)]

    return cut


def tokenize(text: str, language: str) -> list[str]:
    """Content tokens of ``text`` in order: stopwords, numbers, one-letter words and
    placeholders removed (see the module docstring)."""
    lang = base_language(language)
    cut = _jieba_cut() if lang == "zh" else None
    out = content_words(text, stopwords=STOPWORDS.get(lang, frozenset()), segment=cut)
    if lang == "zh":
        out = [t for t in out if len(t) > 1 or not is_han(t)]
    return out


def _terms(tokens: Sequence[str]) -> set[str]:
    """Words and adjacent word pairs of one text (a text counts once per term)."""
    terms = set(tokens)
    terms.update(f"{a} {b}" for a, b in pairwise(tokens) if a != b)
    return terms


def keywords(
    texts_by_language: dict[str, list[str]],
    k: int = 8,
    *,
    background: dict[str, list[str]] | None = None,
) -> dict[str, list[str]]:
    """Up to ``k`` keywords per language of a topic's texts, best first, scored with c-TF-IDF
    against ``background`` (the other topics' texts by language; optional). A two-word phrase
    needs two texts; a word already inside a chosen phrase is skipped. Languages whose texts
    yield no term are left out."""
    out: dict[str, list[str]] = {}
    for language, texts in texts_by_language.items():
        topic_df = Counter(t for text in texts for t in _terms(tokenize(text, language)))
        if not topic_df:
            continue
        others = (background or {}).get(language, [])
        back_df = Counter(t for text in others for t in _terms(tokenize(text, language)))
        classes = 2 if others else 1
        mean_texts = (len(texts) + len(others)) / classes
        scores = {
            term: (df / len(texts)) * math.log(1.0 + mean_texts / (df + back_df.get(term, 0)))
            for term, df in topic_df.items()
            if " " not in term or df >= 2
        }
        ranked = sorted(scores, key=lambda t: (-scores[t], -topic_df[t], t))
        chosen: list[str] = []
        for term in ranked:
            if len(chosen) >= k:
                break
            parts = term.split(" ")
            if len(parts) == 1 and any(term in c.split(" ") for c in chosen):
                continue
            if len(parts) == 2 and all(p in chosen for p in parts):
                continue
            chosen.append(term)
        # A phrase chosen after its words makes them redundant.
        chosen = [
            t for t in chosen if " " in t or not any(t in c.split(" ") for c in chosen if " " in c)
        ]
        out[language] = chosen
    return out


def first_sentence(text: str) -> str:
    """The first non-empty sentence of ``text``, whitespace collapsed."""
    for part in _SENTENCE_END.split(text.strip()):
        sentence = " ".join(part.split())
        if sentence:
            return sentence
    return ""


def trim(text: str, limit: int = 80) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "…" when cut
    (scripts without spaces are cut at the limit)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text.rstrip(".。")
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def title(keywords: Sequence[str], representative_text: str, limit: int = 80) -> str:
    """A short human title: the first sentence of the representative text (the topic's
    medoid) that contains one of the first three keywords, else its first sentence, trimmed
    to ``limit`` characters; the keywords joined when there is no text."""
    found = sentences(representative_text)
    if not found:
        return trim(", ".join(keywords[:4]), limit)
    return trim(keyword_sentence(found, keywords), limit)


def keyword_sentence(found: Sequence[str], keywords: Sequence[str]) -> str:
    """The first of `found` (non-empty) with one of the first three keywords, else the first."""
    top = [k.casefold() for k in keywords[:3]]
    return next((s for s in found if any(k in s.casefold() for k in top)), found[0])
