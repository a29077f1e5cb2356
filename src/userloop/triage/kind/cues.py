"""Request cues for the kind head: a few hand-written multilingual patterns of how people ask
for something ("would be nice", "please add", "ce serait bien", "hätte gern", "было бы здорово",
"希望"), one dense 0/1 feature each (:func:`request_cues`, :data:`REQUEST_CUES`); see the
comment below for why. The shipped head uses them for the ``feature`` kind only
(``kind.model.CUE_KINDS``): on Mini-BAR they help a head trained in one language on another
language, but not a head trained on one app on another app (see BENCHMARKS.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: Version of :data:`REQUEST_CUES` (change it with any pattern); a kind model that uses the
#: cues records ``FEATURES_VERSION + "+" + CUES_VERSION`` instead, so a userloop without these
#: cues (or with other ones) refuses it.
CUES_VERSION = "cues1"

# --- request cues (dense, a handful of hand-written multilingual patterns) ----------------
#
# Why: the sentence embedding (USE-m3) places a text by its *topic* far more than by its
# *speech act*: "the sleep graph is wrong" and "please add a sleep graph" land close together.
# The hashed words (``kind.features``) can learn "please add", but only in the languages and
# phrasings seen in training. These few cues name the phrasings that mark a request in any app
# (a wish, "would be nice", "please add", "can you add", "should have", "... is missing", "an
# option to", "support for") in every language we triage, so a head trained in one language
# still sees the speech act of a text in another. Each cue is one binary feature (does the
# text match?), joined to the embedding in the kind head (``kind.model``, ``cue_scale``),
# which learns how much each cue counts for each kind: a cue is evidence, not a rule ("I wish
# it would stop crashing" matches ``wish`` and is a bug report).
#
# Measured on Mini-BAR (BENCHMARKS.md, "Kind"): trained on English, tested on French, they
# raise feature F1 by about 0.07; trained on one app, tested on the other (both in en + fr),
# they change nothing, as the hashed words already learn the same phrases there. The shipped
# head uses them (``training.kind.CUE_SCALE``) for the languages its training data lacks.
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
