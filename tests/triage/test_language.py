"""Language detection (lingua restricted to USE-m3's languages, Chinese script, `und`,
client precedence) and the language eval runners on a tiny data set written here."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from userloop.eval.data import (
    clean_vscode_text,
    read_vscode_multilingual,
    vscode_original_text,
)
from userloop.eval.language import label_tag, run_crosslingual_eval, run_language_eval
from userloop.triage.embed.base import Vectors
from userloop.triage.language import (
    USE_M3_LANGUAGES,
    Detection,
    LanguageDetector,
    chinese_script,
    focus_text,
)


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    # One detector for the module: lingua loads ~250 MB of models on first use.
    return LanguageDetector()


SENTENCES = [
    ("en", "The camera app crashes every time I switch to night mode."),
    ("ru", "Камера вылетает каждый раз, когда я включаю ночной режим."),
    ("nl", "De camera-app crasht telkens als ik de nachtmodus aanzet."),
    ("zh-Hans", "每次切换到夜间模式，相机应用就会崩溃。"),
    ("zh-Hant", "每次切換到夜間模式，相機應用程式就會當機。"),
    ("fr", "L'application photo plante chaque fois que je passe en mode nuit."),
    ("de", "Die Kamera-App stürzt jedes Mal ab, wenn ich in den Nachtmodus wechsle."),
    ("es", "La aplicación de la cámara se cierra cada vez que activo el modo nocturno."),
    ("pt", "O aplicativo da câmera fecha sozinho toda vez que eu ativo o modo noturno."),
    ("ja", "夜間モードに切り替えるたびにカメラアプリが落ちます。"),
    ("ko", "야간 모드로 바꿀 때마다 카메라 앱이 꺼져요."),
    ("tr", "Gece moduna her geçtiğimde kamera uygulaması çöküyor."),
]


@pytest.mark.parametrize(("tag", "text"), SENTENCES, ids=[t for t, _ in SENTENCES])
def test_sentences_get_their_tag(detector: LanguageDetector, tag: str, text: str) -> None:
    got = detector.detect(text)
    assert got.tag == tag
    assert 0.5 <= got.confidence <= 1.0


@pytest.mark.parametrize("text", ["12345 !!!", "😀😀🎉", "", "   ", "+31 (0)20 555 0100 #42"])
def test_no_letters_is_undetermined(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text) == Detection("und", 0.0)


def test_low_confidence_is_undetermined(detector: LanguageDetector) -> None:
    assert detector.detect("ok").tag == "und"  # a word of many languages
    assert LanguageDetector(min_confidence=0.0).detect("ok").tag != "und"
    with pytest.raises(ValueError):
        LanguageDetector(min_confidence=1.5)


def test_mixed_with_english_is_the_other_language(detector: LanguageDetector) -> None:
    assert (
        detector.detect("vscode 终端 terminal 无法输入中文, after update to 1.90").tag == "zh-Hans"
    )
    text = "Ошибка после обновления: Extension host terminated unexpectedly, не могу работать"
    assert detector.detect(text).tag == "ru"
    # one foreign name in an English sentence stays English
    assert detector.detect("Please add login with 微信 to the phone app settings").tag == "en"


def test_detect_many_matches_detect(detector: LanguageDetector) -> None:
    texts = [t for _, t in SENTENCES] + ["12345 !!!", "😀"]
    one_by_one = [detector.detect(t) for t in texts]
    for parallel in (False, True):
        many = detector.detect_many(texts, parallel=parallel)
        assert [d.tag for d in many] == [d.tag for d in one_by_one]
        # lingua's sums are not bit-for-bit repeatable
        assert [d.confidence for d in many] == pytest.approx([d.confidence for d in one_by_one])
    assert detector.detect_many([]) == []


def test_resolve_prefers_the_client(detector: LanguageDetector) -> None:
    russian = SENTENCES[1][1]
    assert detector.resolve("pt_br", russian) == ("pt-BR", "client")
    assert detector.resolve("EN", russian) == ("en", "client")
    assert detector.resolve("zh-Hant", "每次切换到夜间模式") == ("zh-Hant", "client")
    # a language outside the detector's set still wins: the reporter knows best
    assert detector.resolve("uk", russian) == ("uk", "client")
    for missing in (None, "", "  ", "und", "not a tag!"):
        assert detector.resolve(missing, russian) == ("ru", "detected")
    assert detector.resolve(None, "12345 !!!") == ("und", "detected")


def test_default_languages_and_version(detector: LanguageDetector) -> None:
    assert detector.languages == USE_M3_LANGUAGES
    assert len(set(detector.languages)) == 16
    assert detector.version.startswith("lingua-")
    assert LanguageDetector(min_confidence=0.3).version != detector.version


def test_restricted_languages() -> None:
    d = LanguageDetector(["en", "de"], low_accuracy=True)
    assert set(d.languages) == {"en", "de"}
    assert d.detect("Die Kamera-App stürzt jedes Mal ab.").tag == "de"
    assert d.detect("Камера вылетает").tag == "und"  # no configured language fits

    pinned = LanguageDetector(["en", "zh-TW"], low_accuracy=True)
    assert pinned.languages == ("en", "zh-Hant")
    assert pinned.detect("每次切换到夜间模式，相机应用就会崩溃。").tag == "zh-Hant"

    single = LanguageDetector(["nl"])
    assert single.detect("wat dan ook").tag == "nl"
    assert single.detect("!!!").tag == "und"

    with pytest.raises(ValueError, match="unsupported"):
        LanguageDetector(["en", "xx"])
    with pytest.raises(ValueError, match="Chinese script"):
        LanguageDetector(["zh-Latn", "en"])
    with pytest.raises(ValueError):
        LanguageDetector([])


def test_chinese_script() -> None:
    assert chinese_script("这个应用的电池耗电太快了") == "zh-Hans"
    assert chinese_script("這個應用的電池耗電太快了") == "zh-Hant"
    assert chinese_script("中文") == "zh-Hans"  # shared characters only: the common one
    assert chinese_script("皇后") == "zh-Hans"  # 后 is valid in both scripts
    assert chinese_script("臺灣的網路連線") == "zh-Hant"


def test_focus_text() -> None:
    assert focus_text("plain English text") == "plain English text"
    assert focus_text("vscode 终端无法输入 when typing") == "终端无法输入"
    assert focus_text("Ошибка: file not found") == "Ошибка"
    assert focus_text("Please add 微信 login to the settings page") == (
        "Please add 微信 login to the settings page"
    )
    assert focus_text("только русский") == "только русский"


# --- eval runners on a tiny CSV in the data set's layout -------------------------------

_COLUMNS = [
    "labels",
    "created_at",
    "body",
    "number",
    "state_reason",
    "title",
    "state",
    "translation",
    "src_lang",
    "gpt_translation",
    "gpt_src_lang",
    "deepL_translation",
    "deepL_src_lang",
    "aws_translation",
    "aws_src_lang",
]

_ISSUES = [
    # (label, src_lang, title, body, english)
    (
        "chinese-simplified",
        "zh-CN",
        "终端无法输入中文",
        "Type: <b>Bug</b>\n\n升级以后终端里面不能输入中文了，输入法切换也没有用。",
        "After the upgrade I can no longer type Chinese in the terminal.",
    ),
    (
        "russian",
        "ru",
        "Не работает подсветка синтаксиса",
        "<!-- Please search existing issues -->\nПосле обновления подсветка пропала в файлах.",
        "After the update syntax highlighting disappeared in files.",
    ),
    (
        "portuguese-brazil",
        "pt",
        "Botão apagar não funciona",
        "Não consigo apagar nada com o teclado depois da atualização do editor.",
        "I cannot delete anything with the keyboard after the editor update.",
    ),
    (
        "chinese-traditional",
        "zh-TW",
        "搜尋功能失效",
        "於側邊欄直接鍵入檔名搜尋，結果一直是空白的。",
        "Typing a file name in the sidebar search always gives an empty result.",
    ),
    (  # the two sources disagree: left out of `agreed`
        "japanese",
        "en",
        "ターミナルが開けない",
        "I cannot open the terminal since version 1.69, nothing happens at all.",
        "I cannot open the terminal since version 1.69, nothing happens at all.",
    ),
    (  # outside the detector's languages
        "vietnamese",
        "vi",
        "Báo cáo lỗi tiện ích",
        "Tiện ích mở rộng không cài đặt được trên máy của tôi.",
        "The extension cannot be installed on my machine.",
    ),
]


def _write_vscode_set(root: Path) -> Path:
    path = root / "gitbugs" / "multilingual" / "multilingual_labelled_translated.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=_COLUMNS)
        w.writeheader()
        for n, (label, src, title, body, english) in enumerate(_ISSUES):
            w.writerow(
                {
                    "labels": f"*english-please:translation-required-{label}",
                    "created_at": "2024-06-10T18:18:44Z",
                    "body": body,
                    "number": str(1000 + n),
                    "state_reason": "completed",
                    "title": title,
                    "state": "closed",
                    "translation": english,
                    "src_lang": src,
                    "gpt_translation": f"{title}. Issue Type: Bug {english}",
                    "gpt_src_lang": src[:2],
                    "deepL_translation": english,
                    "deepL_src_lang": src[:2].upper(),
                    "aws_translation": "" if n == 0 else english,
                    "aws_src_lang": src,
                }
            )
    return root


class _BagOfWordsEmbedder:
    """Hashed character bigrams: a text and itself (or a near copy) embed alike."""

    name = "bigram-fake"
    version = "1"
    dim = 128

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            low = re.sub(r"\s+", " ", text.lower())
            for i in range(len(low) - 1):
                h = hashlib.blake2b(low[i : i + 2].encode(), digest_size=4).digest()
                out[row, int.from_bytes(h, "big") % self.dim] += 1.0
            out[row] /= float(np.linalg.norm(out[row])) or 1.0
        return out


def test_vscode_reader_and_cleaning(tmp_path: Path) -> None:
    issues = read_vscode_multilingual(_write_vscode_set(tmp_path))
    assert len(issues) == len(_ISSUES)
    first = issues[0]
    assert first.src_lang == "zh-CN"
    assert set(first.translations) == {"google", "gpt", "deepl"}  # empty aws cell left out
    assert label_tag(first) == "zh-Hans"
    assert vscode_original_text(first).startswith("终端无法输入中文 升级以后")
    assert "Type" not in vscode_original_text(first)
    assert clean_vscode_text("<!-- hint -->A &amp; B\n```code```\nsee https://x.y/z") == "A & B see"


def test_run_language_eval(tmp_path: Path, detector: LanguageDetector) -> None:
    report = run_language_eval(_write_vscode_set(tmp_path), detector)
    agreed = report["gold"]["agreed"]
    assert agreed["n"] == 4  # zh-Hans, ru, pt, zh-Hant
    assert agreed["accuracy"] == 1.0
    assert set(agreed["per_language"]) == {"zh-Hans", "ru", "pt", "zh-Hant"}
    assert report["gold"]["label"]["n"] == 5  # + the Japanese-labelled English text
    (outside,) = report["outside_detector_languages"]
    assert outside.startswith("vi → ")


def test_run_crosslingual_eval(tmp_path: Path) -> None:
    report = run_crosslingual_eval(
        _write_vscode_set(tmp_path), _BagOfWordsEmbedder(), cache_dir=tmp_path / "cache"
    )
    assert report["services"] == ["google", "gpt", "deepl", "aws"]
    assert report["per_service"]["aws"]["candidates"] == len(_ISSUES) - 1
    assert report["pooled"]["candidates"] == 4 * len(_ISSUES) - 1
    for service in ("google", "deepl", "aws"):
        part = report["per_service"][service]
        assert part["queries"] == part["candidates"]
        assert 0.0 <= part["recall@1"] <= part["recall@5"] == 1.0
    # The cache holds the vectors: a second run reads them back and agrees.
    again = run_crosslingual_eval(tmp_path, _BagOfWordsEmbedder(), cache_dir=tmp_path / "cache")
    assert again == report
    assert any((tmp_path / "cache").glob("bigram-fake-*.npy"))
