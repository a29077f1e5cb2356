"""New reports of problems the demo already knows join the demo's topic for that problem, in
any of four languages (issue 11: existing topics were closed to new reports).

The texts are written for this test, not taken from the demo generator's phrase bank."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest

from userloop.config import Settings
from userloop.container import Services, build_triage
from userloop.demo import generate
from userloop.demo.loading import load_world
from userloop.domain.filters import FeedbackFilter
from userloop.store import Store

NEW_REPORTS: dict[str, dict[str, str]] = {
    "camera_night_crash": {
        "en": "Switching the camera to night mode closes the app right away",
        "ru": "Камера вылетает, как только выбираю ночную съёмку",
        "zh-Hans": "打开夜景模式相机就直接闪退",
        "nl": "De camera sluit meteen af zodra ik de nachtmodus kies",
    },
    "battery_drain": {
        "en": "My battery goes from full to half overnight while the phone just sits there",
        "ru": "За ночь без использования батарея садится почти наполовину",
        "zh-Hans": "晚上不用手机,早上起来电量掉了一大半",
        "nl": "Mijn batterij loopt 's nachts leeg terwijl ik de telefoon niet gebruik",
    },
    "bt_disconnect": {
        "en": "Bluetooth headphones keep dropping the connection every few minutes",
        "ru": "Bluetooth-наушники постоянно отключаются через пару минут",
        "zh-Hans": "蓝牙耳机用几分钟就自己断开连接",
        "nl": "Mijn bluetooth oordopjes verbreken steeds na een paar minuten de verbinding",
    },
    "keyboard_lag": {
        "en": "The keyboard lags behind my typing, letters show up a second late",
        "ru": "Клавиатура тормозит, буквы появляются с задержкой",
        "zh-Hans": "输入法打字很卡,字要过一秒才出来",
        "nl": "Het toetsenbord loopt achter, letters verschijnen pas na een seconde",
    },
    "screen_flicker": {
        "en": "The display flickers when I lower the brightness",
        "ru": "Экран мерцает на низкой яркости",
        "zh-Hans": "亮度调低以后屏幕一直闪烁",
        "nl": "Het scherm knippert als ik de helderheid laag zet",
    },
}


@pytest.mark.slow
def test_new_reports_in_four_languages_join_the_main_topic_of_their_problem() -> None:
    world = generate(seed=7, n_feedback=1500)
    with tempfile.TemporaryDirectory(prefix="userloop-join-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        settings = Settings().model_copy(update={"database_url": url})
        store = Store.from_url(url)
        store.upgrade()
        services = Services.build(settings, store, build_triage(settings, store))
        try:
            load_world(services, world)
            services.triage.drain()
            services.triage.recluster()  # what `userloop demo` shows a new user
            main: dict[str, int] = {}
            counts: dict[str, Counter[int]] = {}
            for row in services.feedback.export(FeedbackFilter()):
                problem = world.truth.get(f"{row.feedback.source}/{row.feedback.external_id}")
                if problem in NEW_REPORTS and row.triage and row.triage.topic_id is not None:
                    counts.setdefault(problem, Counter())[row.triage.topic_id] += 1
            main = {p: c.most_common(1)[0][0] for p, c in counts.items()}
            items = [
                {
                    "text": text,
                    "language": lang,
                    "external_id": f"{problem}-{lang}",
                    "product": world.product,
                }
                for problem, texts in NEW_REPORTS.items()
                for lang, text in texts.items()
            ]
            services.intake.submit_batch(items, default_source="new-reports")
            services.triage.drain()
            landed = {
                row.feedback.external_id: row.triage.topic_id
                for row in services.feedback.export(FeedbackFilter())
                if row.feedback.source == "new-reports" and row.triage is not None
            }
        finally:
            services.close()
    missed = [
        f"{problem}/{lang}"
        for problem, texts in NEW_REPORTS.items()
        for lang in texts
        if landed.get(f"{problem}-{lang}") != main[problem]
    ]
    assert not missed, f"{len(missed)} of 20 new reports missed their problem's topic: {missed}"
