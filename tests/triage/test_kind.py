"""Kind classification at inference: the shipped head on sentences written for these tests
(several languages), shapes, determinism, the primary-kind rule, loading, the request cues.
No data set is read here. Training is in ``test_training.py``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from userloop.triage.embed.base import Vectors
from userloop.triage.embed.use_m3 import UseM3Embedder
from userloop.triage.kind import DEFAULT_KIND_MODEL, KindModel, KindModelError
from userloop.triage.kind.cues import CUE_NAMES, CUES_VERSION, REQUEST_CUES, request_cues
from userloop.triage.kind.features import FEATURES_VERSION
from userloop.triage.stages import KINDS
from userloop.triage.training.kind import seed_examples_digest

# Written for these tests (not among the seed examples the head was trained on).
BUGS = {
    "en": "The app freezes on the loading screen since yesterday's update and then closes.",
    "fr": "Depuis la dernière mise à jour, l'appli plante dès que je lance une activité.",
    "zh": "更新之后应用一打开就闪退，根本没法用。",
    "ru": "После обновления приложение вылетает сразу при запуске.",
    "nl": "Sinds de update crasht de app meteen bij het opstarten.",
}
FEATURES = {
    "en": "Please add an option to set a monthly distance goal.",
    "fr": "Ce serait super d'ajouter un objectif de distance mensuel.",
    "zh": "希望增加每月运动距离目标的设置。",
    "ru": "Добавьте, пожалуйста, возможность ставить цель по дистанции на месяц.",
    "nl": "Voeg alsjeblieft een maandelijks afstandsdoel toe.",
}
PRAISE = {
    "en": "Love it, great app!",
    "fr": "Génial, j'adore cette appli !",
    "zh": "非常好用，我很喜欢！",
    "ru": "Классное приложение, очень нравится!",
    "nl": "Heerlijke app, ik ben er blij mee!",
}
QUESTIONS = {
    "en": "How do I connect the watch to a second phone?",
    "fr": "Comment connecter la montre à un deuxième téléphone ?",
    "zh": "请问手表怎么连接第二部手机？",
    "ru": "Как подключить часы ко второму телефону?",
    "nl": "Hoe koppel ik het horloge aan een tweede telefoon?",
}


@pytest.fixture(scope="module")
def shipped() -> KindModel:
    return KindModel.load()


@pytest.fixture(scope="module")
def use_m3() -> UseM3Embedder:
    return UseM3Embedder(threads=2)


def _unit(n: int, dim: int, seed: int = 0) -> Vectors:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    out: Vectors = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


# ---------- the shipped model ----------


def test_shipped_model_files_are_small_numbers_only(shipped: KindModel) -> None:
    assert shipped.classes == KINDS
    assert shipped.version.startswith("kind-")
    assert shipped.embedder.startswith("use-m3@")
    assert shipped.dim == 512
    assert DEFAULT_KIND_MODEL.stat().st_size < 5 * 1024 * 1024
    with np.load(DEFAULT_KIND_MODEL, allow_pickle=False) as arrays:
        assert {"bias", "thresholds", "weights"} <= set(arrays.files)
        # Numbers only: hashed feature indices and weights, never text.
        assert all(arrays[k].dtype.kind in "fiu" for k in arrays.files)
    meta = json.loads(DEFAULT_KIND_MODEL.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["version"] == shipped.version
    assert "Mini-BAR" in meta["training"]["description"]
    assert set(meta["thresholds"]) == set(KINDS)
    # hashed tokens and the request cues (CUE_SCALE; see BENCHMARKS.md)
    assert meta["lexical"]["features"] == f"{FEATURES_VERSION}+{CUES_VERSION}"
    assert shipped.features_version == meta["lexical"]["features"]
    assert shipped.cue_weights.shape == (len(KINDS), len(CUE_NAMES))
    # trained on the seed examples in this tree (else rerun scripts/train_models.py)
    assert meta["training"]["seed_examples_sha256"] == seed_examples_digest()


@pytest.mark.parametrize(
    ("texts", "expected"),
    [(BUGS, "bug"), (FEATURES, "feature"), (PRAISE, "praise"), (QUESTIONS, "question")],
    ids=["bug", "feature", "praise", "question"],
)
def test_shipped_model_in_five_languages(
    shipped: KindModel, use_m3: UseM3Embedder, texts: dict[str, str], expected: str
) -> None:
    results = shipped.predict(list(texts.values()), use_m3.embed(list(texts.values())))
    got = {lang: r.kind for lang, r in zip(texts, results, strict=True)}
    # The expected kind scores highest in every language, and is the primary kind in all five
    # (questions, the kind only our seed examples teach: in at least four).
    for r in results:
        assert max(r.scores, key=lambda k: r.scores[k]) == expected, r.scores
    need = 4 if expected == "question" else 5
    assert sum(kind == expected for kind in got.values()) >= need, got


# More questions, on topics no seed example covers, some outside the five seed languages.
# The shipped model makes 7 of these 10 primary kind `question` (the misses are read as a
# wish or fall just under the question threshold), so the test asks for 6.
OTHER_QUESTIONS = [
    "Can I export my data to Strava?",
    "What does body battery mean?",
    "Is the app available in Dutch?",
    "Wie kann ich die Sprache ändern?",
    "¿Cómo cambio la contraseña?",
    "请问这个功能在哪里打开？",
    "Где посмотреть историю тренировок?",
    "Waar kan ik mijn wachtwoord wijzigen?",
    "Où trouver l'historique de mes entraînements ?",
    "How can I delete my account?",
]


def test_shipped_model_on_other_questions(shipped: KindModel, use_m3: UseM3Embedder) -> None:
    results = shipped.predict(OTHER_QUESTIONS, use_m3.embed(OTHER_QUESTIONS))
    kinds = [r.kind for r in results]
    assert kinds.count("question") >= 6, list(zip(OTHER_QUESTIONS, kinds, strict=True))
    assert "bug" not in kinds and "praise" not in kinds


def test_shipped_model_bug_and_wish_at_once(shipped: KindModel, use_m3: UseM3Embedder) -> None:
    text = (
        "The heart rate graph has been empty for a week after the update, please fix it. "
        "Also, please add a way to export my runs to a spreadsheet."
    )
    [r] = shipped.predict([text], use_m3.embed([text]))
    assert {"bug", "feature"} <= set(r.labels)
    assert r.kind in ("bug", "feature")


def test_predict_shapes_ranges_and_determinism(shipped: KindModel) -> None:
    vectors = _unit(7, shipped.dim)
    texts = [f"text {i}" for i in range(7)]
    first = shipped.predict(texts, vectors)
    again = shipped.predict(texts, vectors.copy())
    assert first == again
    assert len(first) == 7
    for r in first:
        assert tuple(r.scores) == KINDS
        assert all(0.0 <= s <= 1.0 for s in r.scores.values())
        assert r.kind in KINDS
        assert set(r.labels) <= set(KINDS)
    assert shipped.scores(texts, vectors).shape == (7, len(KINDS))
    assert shipped.predict([], np.zeros((0, shipped.dim), dtype=np.float32)) == []


def test_predict_rejects_vectors_of_another_size(shipped: KindModel) -> None:
    with pytest.raises(KindModelError, match="512-dim"):
        shipped.predict(["x"], _unit(1, 64))
    with pytest.raises(KindModelError):
        shipped.predict(["x", "y"], _unit(1, shipped.dim))


# ---------- the decision rule ----------


def _manual(bias: list[float], thresholds: list[float]) -> KindModel:
    return KindModel(
        classes=KINDS,
        weights=np.zeros((len(KINDS), 4), dtype=np.float32),
        bias=np.array(bias, dtype=np.float32),
        thresholds=np.array(thresholds, dtype=np.float32),
        embedder="test@1",
    )


def test_primary_kind_prefers_actionable_labels() -> None:
    # bug, praise and other above threshold, praise furthest: the bug still comes first
    m = _manual([0.5, -3.0, -3.0, 4.0, 0.1], [0.5, 0.5, 0.5, 0.5, 0.5])
    [r] = m.predict(["x"], np.zeros((1, 4), dtype=np.float32))
    assert r.labels == ("bug", "praise", "other")
    assert r.kind == "bug"
    # bug and feature: the one further above its own threshold
    m = _manual([1.0, 1.0, -3.0, -3.0, -3.0], [0.7, 0.5, 0.5, 0.5, 0.5])
    [r] = m.predict(["x"], np.zeros((1, 4), dtype=np.float32))
    assert r.labels == ("bug", "feature")
    assert r.kind == "feature"
    # a question beats praise
    m = _manual([-3.0, -3.0, 0.3, 2.0, -3.0], [0.5] * 5)
    [r] = m.predict(["x"], np.zeros((1, 4), dtype=np.float32))
    assert r.kind == "question"
    # bug and question: the one further above its own threshold
    m = _manual([1.0, -3.0, 0.3, -3.0, -3.0], [0.5] * 5)
    [r] = m.predict(["x"], np.zeros((1, 4), dtype=np.float32))
    assert (r.labels, r.kind) == (("bug", "question"), "bug")
    m = _manual([0.2, -3.0, 2.0, -3.0, -3.0], [0.5] * 5)
    [r] = m.predict(["x"], np.zeros((1, 4), dtype=np.float32))
    assert (r.labels, r.kind) == (("bug", "question"), "question")


def test_no_label_gives_the_kind_closest_to_its_threshold() -> None:
    m = _manual([-3.0, -1.0, -3.0, -3.0, -2.0], [0.5] * 5)
    [r] = m.predict(["x"], np.zeros((1, 4), dtype=np.float32))
    assert r.labels == ()
    assert r.kind == "feature"


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(KindModelError, match="no kind model"):
        KindModel.load(tmp_path / "missing.npz")


# ---------- request cues ----------

# Written for these tests: per language, requests in several phrasings, and plain bug reports.
CUE_REQUESTS = {
    "en": [
        "It would be great if the widget showed my heart rate.",
        "I wish I could export my rides as GPX files.",
        "Can you add support for Polar chest straps?",
        "The app should have a dark theme.",
    ],
    "fr": [
        "Ce serait bien de pouvoir masquer les pas.",
        "Pourriez-vous ajouter un mode sombre ?",
        "J'aimerais pouvoir exporter mes sorties.",
        "Il manque juste une option pour changer d'unité.",
    ],
    "zh": ["希望能加一个夜间模式。", "能不能增加导出数据的功能？", "如果能显示心率就好了。"],
    "ru": ["Было бы здорово видеть пульс на виджете.", "Сделайте, пожалуйста, тёмную тему."],
    "nl": [
        "Het zou handig zijn als ik mijn routes kon exporteren.",
        "Kunnen jullie een donkere modus toevoegen?",
    ],
    "de": [
        "Es wäre schön, wenn man die Schritte ausblenden könnte.",
        "Bitte fügt einen Dunkelmodus hinzu.",
    ],
    "es": ["Sería genial poder exportar mis rutas.", "Por favor agreguen un modo oscuro."],
}
CUE_BUGS = {
    **BUGS,
    "de": "Seit dem Update stürzt die App beim Start sofort ab.",
    "es": "Desde la actualización la aplicación se cierra al abrirla.",
}


@pytest.mark.parametrize("lang", sorted(CUE_REQUESTS))
def test_request_cues_match_requests_not_bug_reports(lang: str) -> None:
    requests = request_cues(CUE_REQUESTS[lang])
    assert requests.shape == (len(CUE_REQUESTS[lang]), len(CUE_NAMES))
    assert set(np.unique(requests)) <= {0.0, 1.0}
    assert requests.any(axis=1).all(), [
        t for t, row in zip(CUE_REQUESTS[lang], requests, strict=True) if not row.any()
    ]
    assert not request_cues([CUE_BUGS[lang]]).any()
    # the feature sentence the shipped-model tests use matches too
    if lang in FEATURES:
        assert request_cues([FEATURES[lang]]).any()


def test_request_cues_are_named_and_case_and_width_blind() -> None:
    assert tuple(name for name, _ in REQUEST_CUES) == CUE_NAMES
    assert len(set(CUE_NAMES)) == len(CUE_NAMES) >= 7
    row = request_cues(["PLEASE ADD a map", "please add a map", "ｐｌｅａｓｅ ａｄｄ a map"])
    assert (row == row[0]).all() and row[0, CUE_NAMES.index("please_add")] == 1.0
    assert request_cues([]).shape == (0, len(CUE_NAMES))
    assert not request_cues(["", "5 stars", "升级后闪退"]).any()
