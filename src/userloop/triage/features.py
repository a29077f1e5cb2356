"""Shared by the kind and sentiment heads: hashed lexical features and numpy model fitting.

Lexical features (pure numpy, no vocabulary), used by the kind head's residual
(``classify``). A sentence embedding says what a text is *about*; whether it *asks* for
something ("would be nice", "please add", "pourriez-vous", "希望") or reports a fault is partly
carried by a few words. These features add that signal without shipping any vocabulary:
each token is hashed with CRC-32 (stable across processes and machines, unlike Python's
salted ``hash``) into one of ``n_features`` buckets, like scikit-learn's
``HashingVectorizer(alternate_sign=False)``, so a fitted model holds one weight per bucket
and no text from its training data.

Tokens of a text (NFKC-normalised, case-folded):

* words (``\\w+`` runs outside CJK scripts) and word bigrams;
* for CJK runs, which have no spaces, single characters and character bigrams;
* the marks ``?`` and ``!`` (full-width forms become ASCII under NFKC) as their own tokens;
* a word's last four letters (``~ment``), which carries French and Russian inflections.

Each distinct token counts once (binary presence); a text's row is L2-normalised.

Request cues (:func:`request_cues`, :data:`REQUEST_CUES`): a few hand-written multilingual
patterns of how people ask for something ("would be nice", "please add", "ce serait bien",
"hätte gern", "было бы здорово", "希望"), one dense 0/1 feature each, for the kind head; see
the section below for why. The shipped head does not use them (``classify.CUE_SCALE = 0``):
on Mini-BAR they help a head trained in one language on another language, but not a head
trained on one app on another app (see BENCHMARKS.md).

Fitting: logistic and ridge regression, folds and thresholds, in numpy only, so that a model
can be trained (``userloop model train-kind``, the tests) without scikit-learn.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: Version of what :func:`tokens` and :func:`hash_texts` compute; a kind model records it and
#: is refused by a userloop that computes other features.
FEATURES_VERSION = "lex1"
#: Version of :data:`REQUEST_CUES` (change it with any pattern); a kind model that uses the
#: cues records ``FEATURES_VERSION + "+" + CUES_VERSION`` instead, so a userloop without these
#: cues (or with other ones) refuses it.
CUES_VERSION = "cues1"

# Han, Hiragana, Katakana, Hangul: scripts written without spaces between words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}]+|[?!]")
_CJK_RUN = re.compile(rf"[{_CJK}]")
_SUFFIX_MIN_WORD = 6  # words at least this long also give their last four letters


def tokens(text: str) -> list[str]:
    """The distinct features of one text, in first-seen order (before hashing)."""
    clean = unicodedata.normalize("NFKC", text).casefold()
    words: list[str] = []
    for run in _TOKEN.findall(clean):
        if _CJK_RUN.match(run):
            words.extend(run)  # one token per character; bigrams below join them
        else:
            words.append(run)
    feats = ["w:" + w for w in words]
    feats += ["b:" + a + " " + b for a, b in itertools.pairwise(words)]
    feats += ["s:" + w[-4:] for w in words if len(w) >= _SUFFIX_MIN_WORD]
    return list(dict.fromkeys(feats))


@dataclass(frozen=True, slots=True)
class HashedRows:
    """A sparse (n_texts, n_features) matrix in CSR form with L2-normalised rows."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    data: npt.NDArray[np.float32]
    n_features: int

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.indptr) - 1, self.n_features)

    def dot(self, weights: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """``rows @ weights`` for a dense ``(n_features, k)`` matrix: ``(n_texts, k)``."""
        n = len(self.indptr) - 1
        out = np.zeros((n, weights.shape[1]), dtype=np.float32)
        if len(self.indices) == 0:
            return out
        contrib = weights[self.indices] * self.data[:, None]
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        np.add.at(out, rows, contrib)
        return out


def hash_texts(texts: Sequence[str], n_features: int) -> HashedRows:
    """Hash every text's :func:`tokens` into ``n_features`` buckets (binary, L2-normalised)."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        buckets = sorted({zlib.crc32(t.encode("utf-8")) % n_features for t in tokens(text)})
        if buckets:
            indices.extend(buckets)
            values.extend([1.0 / float(np.sqrt(len(buckets)))] * len(buckets))
        indptr.append(len(indices))
    return HashedRows(
        indptr=np.asarray(indptr, dtype=np.int64),
        indices=np.asarray(indices, dtype=np.int64),
        data=np.asarray(values, dtype=np.float32),
        n_features=n_features,
    )


# --- request cues (dense, a handful of hand-written multilingual patterns) ----------------
#
# Why: the sentence embedding (USE-m3) places a text by its *topic* far more than by its
# *speech act*: "the sleep graph is wrong" and "please add a sleep graph" land close together.
# The hashed words above can learn "please add", but only in the languages and phrasings seen
# in training. These few cues name the phrasings that mark a request in any app (a wish,
# "would be nice", "please add", "can you add", "should have", "... is missing", "an option
# to", "support for") in every language we triage, so a head trained in one language still
# sees the speech act of a text in another. Each cue is one binary feature (does the text
# match?), joined to the embedding in the kind head (``classify``, ``cue_scale``), which learns
# how much each cue counts for each kind: a cue is evidence, not a rule ("I wish it would stop
# crashing" matches ``wish`` and is a bug report).
#
# Measured on Mini-BAR (BENCHMARKS.md, "Kind"): trained on English, tested on French, they
# raise feature F1 by about 0.07; trained on one app, tested on the other (both in en + fr),
# they change nothing, as the hashed words already learn the same phrases there. The shipped
# head uses them (``classify.CUE_SCALE``) for the languages its training data lacks.
#
# Patterns run on the NFKC-normalised, case-folded text (so "ß" is "ss", full-width forms are
# ASCII); accents are optional where users often drop them. Languages: en, fr, de, es, nl, ru,
# zh (simplified and traditional).

_APOS = "['\u2019]"


def _any(words: str) -> str:
    """``"a b c"`` as the regex group ``(?:a|b|c)`` (words separated by spaces; ``_`` is a
    space inside a word)."""
    return "(?:" + "|".join(w.replace("_", " ") for w in words.split()) + ")"


# Verbs of adding something, per language (stems where the language inflects).
_ADD_EN = _any(
    "add include implement bring_back bring introduce integrate put make create give allow "
    "enable support offer provide consider"
)
_ADD_FR = _any(r"ajout rajout int[eé]gr mett propos permett impl[eé]ment remett pr[eé]voi fai")
_ADD_FR += r"\w*"
_ADD_DE = (
    _any(r"hinzuf[uü]g einbau erg[aä]nz integrier implementier anbiet einf[uü]hr erm[oö]glich")
    + r"\w*"
)
_ADD_ES = _any("agreg añad anad inclu pon implement integr permit incorpor") + r"\w*"
_ADD_NL = _any("toevoeg toe_te_voegen toegevoegd inbouw integre implemente mogelijk_maken")
_ADD_NL += r"\w*"
_ADD_RU = _any("добав сдела внедр верн встро включ реализ") + r"\w*"
_ADD_ZH = (
    "(?:加(?![载載速密])|增加|添加|加入|加上|新增|支持|开发|開發|推出|[出做]一?个|提供|增[设設])"
)
_GOOD_EN = _any(
    "nice great good awesome helpful useful cool amazing better fantastic handy ideal perfect "
    "brilliant appreciated welcome"
)
_GOOD_FR = _any(
    r"bien bon super g[eé]nial top pratique utile cool chouette int[eé]ressant sympa parfait "
    r"id[eé]al mieux agr[eé]able appr[eé]ciable souhaitable appr[eé]ci[eé]"
)
_GOOD_DE = _any(
    r"sch[oö]n toll gut super praktisch klasse cool hilfreich nett genial w[uü]nschenswert "
    r"besser ideal perfekt"
)
_GOOD_ES = _any(
    r"genial bueno buena [uú]til estupendo ideal bien incre[ií]ble interesante perfecto mejor "
    r"fant[aá]stico"
)
_GOOD_NL = _any("fijn mooi handig leuk goed top geweldig prettig beter ideaal super")
_GOOD_RU = _any(
    "здорово неплохо хорошо удобно классно полезно круто отлично замечательно прекрасно "
    "лучше супер идеально"
)
_FUNCTION_EN = _any("option feature setting way function ability possibility")

REQUEST_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile("|".join(parts)))
    for name, parts in (
        (
            # the writer wishes for or would like something
            "wish",
            [
                r"\bi (?:really |just |do |so )?wish\b",
                rf"\bi(?: would|{_APOS}d) (?:really )?(?:like|love) "
                r"(?:to (?:see|have|be able)|an?\b|the option|more|it if)",
                rf"\bj{_APOS}aimerais\b",
                r"\bje (?:souhaite|souhaiterais|voudrais)\b",
                r"\bich (?:w[uü]nsche|w[uü]rde mir|h[aä]tte gern|w[uü]rde gern|m[oö]chte gern)",
                r"\bhoffentlich\b",
                r"\bme (?:gustar[ií]a|encantar[ií]a)\b|\bojal[aá]\b|\bquisiera\b",
                r"\bik (?:zou graag|wil graag|hoop dat)\b",
                r"\bхотел(?:ось|а|и)? бы\b|\bхочу,? чтобы\b",
                "希望|但愿|要是.{0,12}就好|想要",
            ],
        ),
        (
            # "it would be nice / great / useful if ..."
            "nice_if",
            [
                rf"\b(?:would|it{_APOS}d|will) be "
                rf"(?:really |very |so |super |much |a lot )?{_GOOD_EN}\b",
                rf"\b(?:ce|[cç]a|il) serait (?:(?:vraiment|tr[eè]s|trop|plus) )?{_GOOD_FR}",
                rf"\bw[aä]re(?: es)? (?:(?:sehr|echt|wirklich|super|total) )?{_GOOD_DE}",
                rf"\b(?:ser[ií]a|estar[ií]a) (?:(?:muy|realmente|s[uú]per|m[aá]s) )?{_GOOD_ES}",
                rf"\bzou(?: het)? (?:(?:heel|erg|echt|super) )?{_GOOD_NL} (?:zijn|wezen)",
                rf"\bздорово бы|было бы (?:(?:очень|куда|гораздо) )?{_GOOD_RU}",
                "就好了|会更好|會更好|就更好|就完美了|就太好了",
            ],
        ),
        (
            # an imperative asking to add something
            "please_add",
            [
                rf"\bplease,? (?:(?:do |just |could you |can you )?){_ADD_EN}\b",
                rf"\b{_ADD_EN} .{{0,60}}\bplease\b",
                rf"\b(?:merci|veuillez|svp|s{_APOS}il vous pla[iî]t),? "
                rf"(?:de |d{_APOS})?{_ADD_FR}",
                r"\b(?:ajoutez|rajoutez|int[eé]grez|mettez|proposez|permettez|remettez)\b",
                rf"\bbitte .{{0,60}}{_ADD_DE}",
                r"\b(?:f[uü]gt|baut|f[uü]gen sie|bauen sie) .{0,60}\b(?:hinzu|ein)\b",
                rf"\bpor favor,? .{{0,30}}{_ADD_ES}",
                r"\b(?:agreguen|añadan|anadan|incluyan|pongan|implementen|integren|permitan)\b",
                r"\bvoeg .{0,60}\btoe\b|\bgraag .{0,40}\b(?:toevoegen|toegevoegd)\b",
                r"\b(?:добавьте|сделайте|верните|внедрите|встройте|реализуйте)\b",
                rf"\bпожалуйста,? .{{0,30}}{_ADD_RU}",
                f"(?:请|請|麻烦|麻煩|求|建议|建議).{{0,4}}{_ADD_ZH}",
            ],
        ),
        (
            # a question that asks for something to be added
            "can_you",
            [
                r"\b(?:can|could|would|will) (?:you|they|u|the developers?|devs?|garmin|huawei)"
                rf"(?: guys| please)? (?:please )?{_ADD_EN}\b",
                r"\b(?:is it|is there any way it(?:'s| is)|would it be) possible to "
                r"(?:add|have|get|make|set|see|use|choose|change)\b",
                r"\bany (?:chance|plans?|hope) (?:of|to|for|that)\b",
                rf"\b(?:pourriez|pouvez|pourrais)(?:-vous| vous)? (?:\w+ ){{0,2}}{_ADD_FR}",
                r"\b(?:serait-il|est-il|est-ce) possible\b",
                rf"\b(?:k[oö]nnt ihr|k[oö]nnten sie|k[oö]nnen sie|k[oö]nntet ihr) "
                rf".{{0,60}}{_ADD_DE}",
                r"\b(?:w[aä]re es|ist es) m[oö]glich\b",
                rf"\b(?:podr[ií]an|pueden|podr[ií]as|puedes) (?:\w+ ){{0,2}}{_ADD_ES}",
                r"\b(?:ser[ií]a|es) posible\b",
                rf"\b(?:kunnen jullie|kun je|zouden jullie) .{{0,60}}{_ADD_NL}",
                r"\bzou het mogelijk zijn\b|\bis het mogelijk\b",
                rf"\bне могли бы\b|\bможно (?:ли )?(?:\w+ )?{_ADD_RU}",
                f"(?:能不能|能否|可不可以|可否|是否可以|是否能).{{0,3}}{_ADD_ZH}",
            ],
        ),
        (
            # it should have / needs something
            "should_have",
            [
                r"\b(?:should|needs? to|ought to) (?:(?:also|really|definitely) )?"
                r"(?:have|add|include|be able|allow|offer|support|let|give|show|provide)\b",
                rf"\bneeds? (?:an?|the|more|some) {_FUNCTION_EN}",
                r"\bil faudrait\b",
                r"\bdevrai(?:t|ent) (?:\w+ )?"
                r"(?:avoir|permettre|proposer|int[eé]grer|pouvoir|inclure|ajouter|offrir)",
                r"\bsollte(?:n)? .{0,40}"
                r"(?:k[oö]nnen|haben|geben|anbieten|hinzugef[uü]gt|einbauen|integrieren)\b",
                r"\bdeber[ií]a(?:n)? (?:\w+ )?"
                r"(?:tener|poder|incluir|permitir|haber|añadir|agregar|ofrecer|poner)",
                r"\bzou(?:den)? (?:\w+ )?moeten (?:\w+ )?"
                r"(?:hebben|kunnen|worden|toevoegen|bieden)",
                r"\bдолж(?:ен|на|ны|но) (?:быть|уметь)\b",
                rf"\b(?:нужно|надо|следует|стоит) (?:бы )?{_ADD_RU}",
                f"(?:应该|應該|最好|应当)(?:要|能|可以)?.{{0,2}}(?:{_ADD_ZH}|有)",
            ],
        ),
        (
            # something is missing, or its absence is the one regret
            "missing",
            [
                rf"\b(?:lacks?|lacking|missing) (?:an?|the|any|some|more) {_FUNCTION_EN}",
                r"\bthe only (?:thing|downside|complaint|negative|issue) "
                r"(?:missing|i miss|is that there)",
                r"\b(?:it(?:'s| is) )?a (?:shame|pity) (?:that )?(?:there|it|you|i can)",
                r"\bil (?:me |nous )?manque\b|\bdommage qu|\bmanque (?:juste|seulement|encore)\b",
                r"\bseul (?:regret|b[eé]mol|reproche|point n[eé]gatif)",
                r"\bschade,? dass\b|\bes fehlt\b|\bfehlt (?:nur|noch|leider|mir)\b|\bvermisse\b",
                r"\bl[aá]stima que\b|\bfalta(?:n)? (?:una?|la|el|los|las|solo|s[oó]lo)\b",
                r"\becho de menos\b|\blo [uú]nico que (?:le )?falta",
                r"\bjammer dat\b|\bmis ik\b|\bontbreekt\b|\bhet enige (?:minpunt|nadeel)\b",
                r"\bжаль,? что\b|\bне хватает\b|\bнедоста[её]т\b",
                "可惜|遗憾|遺憾|美中不足|缺少|缺了|缺个|唯一的(?:缺点|不足)",
            ],
        ),
        (
            # a function named as wanted: "an option to ...", "the ability to ..."
            "option_to",
            [
                r"\b(?:option|ability|possibility|feature|function(?:ality)?|toggle|(?:an?|some) "
                r"way) (?:to|for (?:\w+ing|more|a|an|the)|that (?:would|lets|allows)|where)\b",
                r"\b(?:possibilit[eé]|option|fonction(?:nalit[eé])?|param[eè]tre|bouton) "
                r"(?:de (?:pouvoir|choisir|mettre|voir|\w+er)|pour (?:pouvoir|\w+er)"
                r"|permettant|qui permet)",
                r"\b(?:m[oö]glichkeit|option|funktion|einstellung),? .{0,40}\bzu (?:\w+en)\b",
                r"\b(?:opci[oó]n|posibilidad|funci[oó]n|bot[oó]n) (?:de|para) "
                r"(?:poder |\w+(?:ar|er|ir)\b)",
                r"\b(?:optie|mogelijkheid|functie|instelling|knop) (?:om|waarmee|voor het)\b",
                r"\b(?:возможност[ьи]|опци[юя]|функци[юя]|настройк[уа]|кнопк[уа]) (?:бы )?"
                r"(?:\w+(?:ть|ться)|для)\b",
                "选项|選項|新功能|这个功能|這個功能|个功能|個功能|设置项",
            ],
        ),
        (
            # support for / integration with another product
            "support_for",
            [
                r"\b(?:support|integration) (?:for|with)\b",
                r"\b(?:prise en charge|prendre en charge|int[eé]gration) (?:avec|de|du|des)\b",
                r"\b(?:unterst[uü]tzung|integration|anbindung) (?:f[uü]r|von|mit|an)\b",
                r"\b(?:soporte|integraci[oó]n) (?:para|con|de)\b",
                r"\b(?:ondersteuning|integratie|koppeling) (?:voor|van|met)\b",
                r"\b(?:поддержк[уиа]|интеграци[июя]) (?:с|со|для)\b",
                "支持|对接|對接|接入",
            ],
        ),
    )
)
CUE_NAMES: tuple[str, ...] = tuple(name for name, _ in REQUEST_CUES)


def request_cues(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """``(n_texts, len(CUE_NAMES))``: 1 where a text matches a request cue, else 0."""
    out = np.zeros((len(texts), len(REQUEST_CUES)), dtype=np.float32)
    for i, text in enumerate(texts):
        clean = unicodedata.normalize("NFKC", text).casefold()
        for j, (_, pattern) in enumerate(REQUEST_CUES):
            if pattern.search(clean):
                out[i, j] = 1.0
    return out


# --- fitting (training time only; pure numpy, deterministic) ------------------------------

F64 = npt.NDArray[np.float64]


def stratified_folds(y: npt.NDArray[np.bool_], folds: int, seed: int) -> npt.NDArray[np.int64]:
    """A fold number in ``[0, folds)`` per row, each fold holding its share of both classes."""
    rng = np.random.default_rng(seed)
    out = np.empty(len(y), dtype=np.int64)
    for value in (False, True):
        idx = np.flatnonzero(y == value)
        idx = idx[rng.permutation(len(idx))]
        out[idx] = np.arange(len(idx)) % folds
    return out


def fit_logistic(
    x: npt.NDArray[np.floating[Any]],
    y: npt.NDArray[np.bool_],
    c: float,
    sample_weight: npt.NDArray[np.floating[Any]] | None = None,
    max_iter: int = 100,
) -> tuple[F64, float]:
    """L2-regularised logistic regression by Newton's method: ``(weights, bias)``.

    Minimises ``0.5 * |w|^2 + c * sum_i s_i * logloss_i`` (scikit-learn's ``C`` convention;
    the bias is not penalised), with a backtracking line search, so it converges on separable
    data too. Dense features of a few hundred dimensions: each step solves one (d+1)^2 system.
    """
    n, d = x.shape
    xb = np.hstack([np.asarray(x, dtype=np.float64), np.ones((n, 1))])
    t = y.astype(np.float64)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    reg = np.ones(d + 1)
    reg[d] = 0.0
    theta = np.zeros(d + 1)
    prior = float(np.clip(np.average(t, weights=s), 1e-6, 1 - 1e-6))
    theta[d] = np.log(prior / (1 - prior))

    def loss(th: F64) -> float:
        z = xb @ th
        return float(0.5 * th @ (reg * th) + c * np.sum(s * (np.logaddexp(0.0, z) - t * z)))

    current = loss(theta)
    for _ in range(max_iter):
        z = xb @ theta
        p = 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function, without overflow
        grad = reg * theta + c * (xb.T @ (s * (p - t)))
        curv = c * s * p * (1.0 - p) + 1e-12
        hess = (xb * curv[:, None]).T @ xb
        hess[np.diag_indices_from(hess)] += reg + 1e-10
        step = np.linalg.solve(hess, grad)
        decrement = float(grad @ step)
        if decrement < 1e-10 * max(1.0, abs(current)):
            break
        alpha = 1.0
        while True:
            candidate = theta - alpha * step
            value = loss(candidate)
            if value <= current - 1e-4 * alpha * decrement or alpha < 1e-8:
                break
            alpha *= 0.5
        theta, current = candidate, value
    return theta[:d], float(theta[d])


def fit_ridge(
    x: npt.NDArray[np.floating[Any]],
    y: npt.NDArray[np.floating[Any]],
    alpha: float,
    sample_weight: npt.NDArray[np.floating[Any]] | None = None,
) -> tuple[F64, float]:
    """Ridge regression with an unpenalised intercept, in closed form: ``(weights, bias)``."""
    xf = np.asarray(x, dtype=np.float64)
    yf = np.asarray(y, dtype=np.float64)
    s = np.ones(len(yf)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    mx = np.average(xf, axis=0, weights=s)
    my = float(np.average(yf, weights=s))
    xc = xf - mx
    gram = (xc * s[:, None]).T @ xc
    gram[np.diag_indices_from(gram)] += alpha
    w = np.asarray(np.linalg.solve(gram, (xc * s[:, None]).T @ (yf - my)), dtype=np.float64)
    return w, my - float(mx @ w)


def sigmoid(z: npt.NDArray[np.floating[Any]]) -> F64:
    """The logistic function, computed without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def f1_at(y: npt.NDArray[np.bool_], predicted: npt.NDArray[np.bool_]) -> float:
    """F1 of the positive class (0 when nothing is predicted or nothing is positive)."""
    tp = float(np.sum(y & predicted))
    denom = float(np.sum(y) + np.sum(predicted))
    return 0.0 if denom == 0 else 2.0 * tp / denom


def best_threshold(
    y: npt.NDArray[np.bool_], scores: npt.NDArray[np.floating[Any]]
) -> tuple[float, float]:
    """The threshold on ``scores`` (0.05 .. 0.95 by 0.01) with the highest F1: ``(thr, F1)``.

    Ties go to the middle of the best run of thresholds, which moves least when the data does.
    """
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1 = np.array([f1_at(y, scores >= g) for g in grid])
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)
    # the longest run of consecutive best thresholds, then its middle
    runs = np.split(best, np.flatnonzero(np.diff(best) != 1) + 1)
    run = max(runs, key=len)
    return float(grid[run[len(run) // 2]]), float(f1.max())


def fit_logistic_sparse(
    rows: HashedRows,
    y: npt.NDArray[np.bool_],
    offset: npt.NDArray[np.floating[Any]],
    c: float,
    sample_weight: npt.NDArray[np.floating[Any]] | None = None,
    max_iter: int = 300,
    memory: int = 10,
) -> F64:
    """Weights ``w`` of the logistic model ``sigmoid(offset + rows @ w)`` (no bias), by
    L-BFGS: minimises ``0.5 * |w|^2 + c * sum_i s_i * logloss_i``.

    ``offset`` holds each row's fixed logit from another model, so ``w`` learns only what
    that model misses (a residual); buckets that no row uses keep a weight of exactly 0.
    """
    n, d = rows.shape
    counts = np.diff(rows.indptr)
    row_of = np.repeat(np.arange(n), counts)
    t = y.astype(np.float64)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    off = np.asarray(offset, dtype=np.float64)
    data = rows.data.astype(np.float64)

    def matvec(w: F64) -> F64:
        return np.asarray(np.bincount(row_of, weights=data * w[rows.indices], minlength=n))

    def value_grad(w: F64) -> tuple[float, F64]:
        z = off + matvec(w)
        r = c * s * (sigmoid(z) - t)
        g = w + np.bincount(rows.indices, weights=data * r[row_of], minlength=d)
        return float(0.5 * w @ w + c * np.sum(s * (np.logaddexp(0.0, z) - t * z))), g

    w = np.zeros(d)
    f, g = value_grad(w)
    hist_s: list[F64] = []
    hist_y: list[F64] = []
    for _ in range(max_iter):
        # two-loop recursion: direction = -H g
        q = g.copy()
        alphas: list[float] = []
        for sv, yv in zip(reversed(hist_s), reversed(hist_y), strict=True):
            a = float(sv @ q) / float(yv @ sv)
            alphas.append(a)
            q -= a * yv
        if hist_s:
            q *= float(hist_s[-1] @ hist_y[-1]) / float(hist_y[-1] @ hist_y[-1])
        for sv, yv, a in zip(hist_s, hist_y, reversed(alphas), strict=True):
            q += sv * (a - float(yv @ q) / float(yv @ sv))
        direction = -q
        slope = float(g @ direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            hist_s.clear()
            hist_y.clear()
            direction, slope = -g, -float(g @ g)
        step = 1.0
        while True:
            w_new = w + step * direction
            f_new, g_new = value_grad(w_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        sv, yv = w_new - w, g_new - g
        if float(sv @ yv) > 1e-12:
            hist_s.append(sv)
            hist_y.append(yv)
            if len(hist_s) > memory:
                hist_s.pop(0)
                hist_y.pop(0)
        converged = f - f_new <= 1e-9 * max(1.0, abs(f))
        w, f, g = w_new, f_new, g_new
        if converged or float(np.max(np.abs(g))) < 1e-6:
            break
    return w


def keep_buckets(rows: HashedRows, buckets: npt.NDArray[np.int64]) -> HashedRows:
    """``rows`` with only the entries in ``buckets`` (sorted), other entries dropped."""
    keep = np.isin(rows.indices, buckets)
    kept_per_row = np.add.reduceat(np.append(keep, False).astype(np.int64), rows.indptr[:-1]) * (
        np.diff(rows.indptr) > 0
    )
    indptr = np.zeros(len(rows.indptr), dtype=np.int64)
    np.cumsum(kept_per_row, out=indptr[1:])
    return HashedRows(indptr, rows.indices[keep], rows.data[keep], rows.n_features)


def document_frequency(rows: HashedRows) -> npt.NDArray[np.int64]:
    """How many rows use each bucket: ``(n_features,)``."""
    return np.asarray(np.bincount(rows.indices, minlength=rows.n_features), dtype=np.int64)
