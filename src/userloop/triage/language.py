"""Language detection for feedback text: lingua restricted to the languages we embed well.

Tags are BCP 47: the ISO 639-1 code (``en``, ``ru``, ``nl``), Chinese with its script
(``zh-Hans`` or ``zh-Hant``), and ``und`` when the text has no letters or the detector is not
confident enough. A language the client supplied always wins over detection (:meth:`resolve`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Literal

import langcodes
from lingua import ConfidenceValue, IsoCode639_1, Language, LanguageDetectorBuilder
from lingua import LanguageDetector as LinguaDetector

from userloop.triage.text import HAN_KANA, HANGUL, THAI

UNDETERMINED = "und"

# Bumped whenever a change here could give a text another tag.
_REVISION = "1"

#: The 16 languages Google's multilingual Universal Sentence Encoder v3 was trained on.
USE_M3_LANGUAGES: tuple[str, ...] = (
    "ar",
    "zh-Hans",
    "zh-Hant",
    "en",
    "fr",
    "de",
    "it",
    "ja",
    "ko",
    "nl",
    "pl",
    "pt",
    "es",
    "th",
    "tr",
    "ru",
)

#: Default minimum confidence (lingua's relative probability of the top language).
DEFAULT_MIN_CONFIDENCE = 0.5

#: Default for ``focus_share``: see :func:`focus_text`; 1.0 turns focusing off.
DEFAULT_FOCUS_SHARE = 0.2

# Letters of the scripts that single out a language (or a few) among those we support,
# with how many Latin letters one of their characters is worth.
_LATIN = re.compile(r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]")
_SCRIPTS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"[\u0370-\u03FF]+"), 1.0),  # Greek
    (re.compile(r"[\u0400-\u052F]+"), 1.0),  # Cyrillic
    (re.compile(r"[\u0590-\u05FF]+"), 1.0),  # Hebrew
    (re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]+"), 1.0),
    (re.compile(f"[{THAI}]+"), 1.0),
    (re.compile(f"[{HANGUL}]+"), 3.0),
    # Han and kana together: Japanese mixes them, and lingua tells it from Chinese.
    (re.compile(f"[{HAN_KANA}]+"), 3.0),
)

_HANT_REGIONS = frozenset({"TW", "HK", "MO"})

Source = Literal["client", "detected"]


@dataclass(frozen=True, slots=True)
class Detection:
    """A detected language tag and the detector's confidence in it (0..1)."""

    tag: str
    confidence: float


_UND = Detection(UNDETERMINED, 0.0)


class LanguageDetector:
    """Detects the language of feedback text among a configurable set of languages.

    ``languages`` are BCP 47 tags; ``zh`` stands for both Chinese scripts, ``zh-Hans`` /
    ``zh-CN`` or ``zh-Hant`` / ``zh-TW`` for one (Chinese text is then always tagged with
    it). ``min_confidence`` is lingua's relative confidence in the top language, below
    which the text is ``und``; ``focus_share`` is passed to :func:`focus_text` (1.0 turns
    it off).

    lingua loads models lazily, on the first text that needs them: for the default set,
    the first Latin-script text loads them (3.5-6 s, +250 MB RSS); Cyrillic, kana, Han,
    Hangul, Thai and Arabic text is told by script alone and loads nothing. ``preload=True``
    loads every model in the constructor instead (about 6 s, +370 MB: it also loads models
    the script rules make unnecessary), so it only helps to move the delay out of the first
    request. ``low_accuracy=True`` uses trigram models only (0.2 s, +17 MB), at some cost on
    short texts (98.2% against 99.0% on the VS Code eval). The detector is immutable and
    safe to share between threads.
    """

    def __init__(
        self,
        languages: Sequence[str] | None = None,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        *,
        preload: bool = False,
        low_accuracy: bool = False,
        focus_share: float = DEFAULT_FOCUS_SHARE,
    ) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must lie in [0, 1]; got {min_confidence}")
        self.min_confidence = min_confidence
        self.focus_share = focus_share
        chosen = USE_M3_LANGUAGES if languages is None else tuple(languages)
        self._tags: dict[Language, str] = {}
        scripts: set[str] = set()
        for raw in chosen:
            language, script = _parse_configured(raw)
            self._tags[language] = _tag_of(language)
            if language == Language.CHINESE:
                scripts.update({"Hans", "Hant"} if script is None else {script})
        if not self._tags:
            raise ValueError("LanguageDetector needs at least one language")
        self._chinese_scripts = frozenset(scripts)
        self.languages: tuple[str, ...] = tuple(
            tag
            for language, base in self._tags.items()
            for tag in (
                [f"zh-{s}" for s in sorted(self._chinese_scripts)]
                if language == Language.CHINESE
                else [base]
            )
        )
        self._version = ";".join(
            (
                f"lingua-{_lingua_version()}+{_REVISION}",
                ",".join(self.languages),
                f"min={min_confidence:g}",
                f"focus={focus_share:g}",
                "low" if low_accuracy else "high",
            )
        )
        self._only: Language | None = None
        self._detector: LinguaDetector | None = None
        if len(self._tags) == 1:  # lingua needs two; one language needs no model at all
            self._only = next(iter(self._tags))
            return
        builder = LanguageDetectorBuilder.from_languages(*self._tags)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        if preload:
            builder = builder.with_preloaded_language_models()
        self._detector = builder.build()

    @property
    def version(self) -> str:
        """Changes whenever the same text could get a different tag (stored with each tag)."""
        return self._version

    def detect(self, text: str) -> Detection:
        """The language of ``text``; ``und`` without letters or below ``min_confidence``."""
        if not has_letters(text):
            return Detection(UNDETERMINED, 0.0)
        if self._detector is None:
            return (
                Detection(self._tag_for(self._only, text), 1.0) if self._only is not None else _UND
            )
        values = self._detector.compute_language_confidence_values(self._focus(text))
        return self._decide(text, values)

    def detect_many(self, texts: Sequence[str], *, parallel: bool = False) -> list[Detection]:
        """:meth:`detect` for each text, in order.

        ``parallel=True`` goes through lingua's batch API, which spreads the texts over all
        idle cores (rayon's pool; ``RAYON_NUM_THREADS`` caps it). On a busy two-core machine
        it was no faster than one thread (0.41-0.61 s against 0.40-0.48 s for 1,381 issue
        texts), so one thread is the default.
        """
        if not parallel or self._detector is None:
            return [self.detect(text) for text in texts]
        out = [_UND] * len(texts)
        todo = [i for i, text in enumerate(texts) if has_letters(text)]
        batch = [self._focus(texts[i]) for i in todo]
        values = self._detector.compute_language_confidence_values_in_parallel(batch)
        for i, vals in zip(todo, values, strict=True):
            out[i] = self._decide(texts[i], vals)
        return out

    def resolve(self, client_tag: str | None, text: str) -> tuple[str, Source]:
        """The language to use: the client's tag when it gave a valid one, else detection.

        The client's tag is standardised (``pt_br`` → ``pt-BR``) but kept as given
        otherwise, even outside the detector's languages: the reporter knows best.
        """
        if client_tag is not None:
            tag = client_tag.strip().replace("_", "-")
            if tag and langcodes.tag_is_valid(tag):
                standard = str(langcodes.standardize_tag(tag))
                if standard != UNDETERMINED:
                    return standard, "client"
        return self.detect(text).tag, "detected"

    def _focus(self, text: str) -> str:
        return focus_text(text, self.focus_share) if self.focus_share < 1.0 else text

    def _decide(self, text: str, values: Sequence[ConfidenceValue]) -> Detection:
        if not values or values[0].value < self.min_confidence or values[0].value <= 0.0:
            return Detection(UNDETERMINED, values[0].value if values else 0.0)
        top = values[0]
        return Detection(self._tag_for(top.language, text), top.value)

    def _tag_for(self, language: Language, text: str) -> str:
        if language != Language.CHINESE:
            return self._tags[language]
        if len(self._chinese_scripts) == 1:
            return f"zh-{next(iter(self._chinese_scripts))}"
        return chinese_script(text)


def has_letters(text: str) -> bool:
    """Whether ``text`` has at least one letter (digits, punctuation and emoji are not)."""
    return any(ch.isalpha() for ch in text)


def focus_text(text: str, share: float = DEFAULT_FOCUS_SHARE) -> str:
    """The part of ``text`` written in its main non-Latin script, when that script carries
    at least ``share`` of the text's letters (a Han, kana or Hangul character counts as
    three letters); otherwise ``text`` unchanged.

    Users who write Chinese, Russian or Japanese mix in English product names, error
    messages and UI strings; the language to answer them in is that of the non-Latin part,
    which a detector sees more clearly without the English around it.
    """
    if text.isascii():
        return text
    best: re.Pattern[str] | None = None
    best_weight = 0.0
    total = float(len(_LATIN.findall(text)))
    for pattern, weight in _SCRIPTS:
        found = sum(len(run) for run in pattern.findall(text)) * weight
        total += found
        if found > best_weight:
            best, best_weight = pattern, found
    if best is None or best_weight < 3.0 or best_weight < share * total or best_weight == total:
        return text
    return " ".join(best.findall(text))


def chinese_script(text: str) -> str:
    """``zh-Hant`` when ``text`` has more traditional-only than simplified-only characters.

    Ties (including text made only of characters shared by both scripts) give ``zh-Hans``,
    by far the more common of the two.
    """
    simplified = traditional = 0
    for ch in text:
        if ch in _SIMPLIFIED_ONLY:
            simplified += 1
        elif ch in _TRADITIONAL_ONLY:
            traditional += 1
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def _parse_configured(raw: str) -> tuple[Language, str | None]:
    """A configured tag → lingua's language and, for Chinese, the script it pins (or None)."""
    parts = raw.strip().replace("_", "-").split("-")
    base = parts[0].lower()
    try:
        language = Language.from_iso_code_639_1(IsoCode639_1.from_str(base))
    except ValueError:
        raise ValueError(f"unsupported language tag for detection: {raw!r}") from None
    script: str | None = None
    if language == Language.CHINESE:
        for part in parts[1:]:
            if len(part) == 4:
                script = part.title()
            elif part.upper() in _HANT_REGIONS and script is None:
                script = "Hant"
            elif len(part) == 2 and script is None:
                script = "Hans"
        if script not in (None, "Hans", "Hant"):
            raise ValueError(f"unsupported Chinese script in {raw!r}: use zh-Hans or zh-Hant")
    return language, script


def _lingua_version() -> str:
    try:
        return metadata.version("lingua-language-detector")
    except metadata.PackageNotFoundError:
        return "unknown"


def _tag_of(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


# Characters written in only one of the two Chinese scripts, most frequent first: the 800
# most common simplified-only characters and the 800 most common traditional-only ones
# (Taiwan variants included). Derived once from OpenCC's STCharacters / TSCharacters /
# TWVariants tables (Apache-2.0), ranked by character frequency in jieba's dictionary;
# characters valid in both scripts (后, 里, 干, 么, ...) are left out.
_SIMPLIFIED_ONLY = frozenset(
    "国为这个来会时学说们发对长过业经门动进区开产军还现机体与当两实关从内没将员东头间无见战点"
    "场数样问并级应资务气汉总电声设义统处马儿领队计别权话报给变书华议称决张导术结师达题条规县"
    "风运组听济论强黄选记却职号类传带农边联质阳难历专认车举线团备争众连调转该尔让较际亲单红约"
    "亚则属积图装许参观鱼办复远构随势热网语铁断爱纪况证编满觉双乐标织项飞节龙响药轻击请离显罗"
    "营视护创兴虽费试宝识维宫环乡责严桥仅杀围态杨负层须续状银终钱赛独细冲获习医尽脸弹楼艺陆协"
    "镇检写苏验紧劳户优财养陈卫伤绝阶刘刚亿闻审压监敌兰温园树词岛预继执谁惊画辑剑谈礼乱讲临挥"
    "欧简担岁荆贵辖帮块额错剧欢够孙阵销坚练脚读测吴宁换异顾顺鲜败货矿归买险评吗遗笔输渐顶训录"
    "毕献爷纳钟脑饭扩齐赶诉诗础届静盘卖湾减灵杂泽侧庆妈馆补旧轮妇载怀软枪墙恶顿稳诸绿荣针宽库"
    "罢谢页拥圣戏奖币圆烧讨烟误疗闭脱寻岗丽横驻纸夺灯丝径购阴择宪鲁庙舰课奥虚隐粮络摇潜庄厅赵"
    "访韦吨扬纵纷贸汇灭仪缓盖迹释润岭虑钢码坛锛损税综伦韩竞乌铺脉纯谋剂谓频壮骑鸡绍铜摆签缩废"
    "订绩盐萨贴触莲抢闹纺讯誉梦峡残闪贼倾贫诺麦泪辈镜贡缘贝骂饮奋跃赞启阁劲晋沟锋胆凭闯汤迁叹"
    "储贯彻凤赏辽询毁净弃亩伟览龄绕浓绪蓝荡阅鸿惯鸟辞穷键递隶厉闲袭灾涨湿郑译邓肠诏册锅阔趋锦"
    "颜悬诚晓蒋摄罚辆腾绘扑颁违贷饰滚迟辅烦盗凉冈驾肃抚炼纲忧扫暂渔宾寿猪邻劝践顷赋莱拟贤愤轰"
    "陕犹辉颇浅丧惨驱牵详纤档岂绣吓赖卢颗邮凯帅锁帐胶壳脏弯挡筹肿债贾谱夹尘钻丛贺扰锡炉纹亏鉴"
    "齿兽碍辩拨恒励鸣偿拦胁纽烂尝艰乔轴喷轨畅雾丢洁窝飘肤砖赢挤狮诊篮唤侠枢栏纠链恋惧笼弥叙剥"
    "骗猎俩缝携滩祸驰狱纬踪浑绳颈遥忆阀逻恼贪疯侦鹰驶斩鹤赐闷轿辐伪抛侨吕饱玛碱冯仓钦庞祯舱坝"
    "艳聪瑶谦卧猫衔苍浆铸惩迈锐颤滨缠饿怜撑肾胀谨鹅镑兑贞诞禀饼狭杩赔绵诱顽摊账鸭挣芦睁纱冻轩"
    "蛮晕郧鹏栖叠舆斋萧皱蚀钉阐逊铭硕赌饶沪掷厌渊氢溃颠铅禅韵婴悦肴凑兹烛歼钧渗窑厦谐谊壶赚谭"
    "勋饲裤畴耻牺贩竖"
)
_TRADITIONAL_ONLY = frozenset(
    "國為爲這個來會時學說麼們後發對長過業裡裏經門動進區開產軍還種現機體與當兩實關從內沒將員東"
    "頭間無見戰點場數樣問並萬級應資務氣漢總電聲設義箇統處馬兒領隊計別權話報給變書幾華議稱決張"
    "導術結師達題條規縣風運組聽濟黨論強黃齣選記卻職號類傳帶幹農邊據聯廣質陽難歷專傢認車臺遊舉"
    "線參團備爭衆眾連調轉髮該爾讓較際親單紅價約亞則屬積圖準極裝許喫觀魚辦復遠羣構隨劃勢熱網語"
    "鐵斷愛紀況證編滿覺麪麵雙樂標確織項飛節龍響藥輕擊請衕離顯羅營視護創餘興佔雖費試寶識維採宮"
    "環鬥鄉責嚴錶橋僅勝殺圍態楊負層須續狀銀噹範終錢賽獨細衝獲習醫盡臉彈樓藝陸隻協鎮檢寫蘇驗緊"
    "勞戶優財製養適陳衛雲傷絕階劉剛億聞審壓監敵蘭溫園樹詞島預繼執閤誰驚畫輯劍談禮願築亂講臨揮"
    "歐葉簡曏嚮擔歲荊貴轄幫塊額錯劇歡夠孫併幷陣銷堅練腳讀測吳寧換異顧順鮮敗迴貨繫係礦歸買險評"
    "嗎廠遺筆輸鍾漸頂訓錄畢豐獻爺納腦飯擴齊趕針訴詩礎屆靜盤賣灣減靈雜澤側慶媽館補彆舊輪婦載懷"
    "軟槍朮纔牆惡頓穩諸綠榮寬庫罷謝頁擁聖戲獎巖幣圓燒討佈煙誤療閉脫尋崗麗橫駐紙奪燈壞絲徑購陰"
    "牀擇憲峯魯廟艦課奧虛隱糧絡搖潛榦莊廳趙訪韋噸揚縱紛貿匯滅儀曆緩蓋跡釋潤嶺慮檯颱鋼碼壇糰錛"
    "損稅綜倫掛韓競烏鋪脈純謀劑謂頻壯騎雞蟲紹銅擺賙週籤縮廢韆訂績鹽薩貼觸蓮搶鬧紡訊蔘譽夢峽殘"
    "閃賊傾貧麥諾淚輩鏡複貢緣貝罵嶽飲奮躍贊啓啟閣勁晉溝鋒膽憑闖湯遷嘆儲貫徹鳳証賞遼侷詢毀淨棄"
    "畝屍偉覽齡誌繞濃葯緒藍蕩閱鴻慣鳥辭窮鍵遞隸厲閒襲災漲溼鄭譯鄧腸詔冊鍋闊趨錦顏懸誠曉蔣攝寀"
    "罰輛騰繪撲頒蓆違貸鬚飾滾遲輔煩盜涼岡駕緻肅撫煉綱沖傑穫憂掃暫儘漁賓壽豬湧鄰勸踐頃賦囌萊擬"
    "賢憤轟註陝臘猶輝頗淺喪慘驅唸塗牽鹹詳纖檔豈繡嚇賴盧顆郵凱帥鎖帳膠殼髒彎擋籌腫兇債賈譜夾塵"
    "鑽叢賀擾錫爐紋虧鑑覈齒獸礙辯撥恆勵鳴償攔脅紐爛嘗闢闆鬍衚艱薦樑喬軸噴軌孃諮暢霧丟窩潔飄膚"
    "磚贏擠獅診籃喚俠樞欄糾鏈戀懼籠彌敘麴剝硃騙獵倆縫攜灘禍馳獄緯蹤渾繩頸遙鬆鬱彔憶閥邏惱貪瘋"
    "鐘鈡偵鷹駛斬鶴賜"
)
