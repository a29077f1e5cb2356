"""The portal and the console in a real browser (Debian's Chromium via Playwright), against a
live server loaded with the demo data and triaged with the real multilingual models."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser_support import (
    A11Y_JS,
    OVERFLOW_JS,
    PASSWORD,
    LiveServer,
    require_browser,
    sign_in,
    start_server,
    watch,
)
from tests.browser_support import new_page as shared_new_page
from userloop.config import Settings
from userloop.container import Services
from userloop.demo.catalog import PRODUCT
from userloop.domain.enums import Role

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# A problem the demo world does not have, reported only in Chinese: the Russian visitor's
# suggestion can then only come from a Chinese report.
NFC_REPORTS_ZH = (
    "地铁闸机刷手机NFC公交卡没有反应，要刷好几次才能进站",
    "升级后NFC交通卡在地铁闸机上经常识别失败",
    "手机NFC刷公交卡失灵，闸机一直提示重新刷卡",
)
NFC_REPORT_RU = "NFC транспортная карта в телефоне не срабатывает на турникете в метро"


@dataclass
class World:
    server: LiveServer
    services: Services
    nfc_topic: int
    other_topic: int

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    require_browser()
    from userloop.app import create_app
    from userloop.cli.demo import load_demo
    from userloop.demo import generate
    from userloop.demo.staging import stage

    folder = tmp_path_factory.mktemp("browser")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'demo.db'}",
        secure_cookies=False,  # plain HTTP on 127.0.0.1
        default_product=PRODUCT,  # as `userloop demo`: portal reports are about its phones
        worker_poll_seconds=0.2,
        recluster_interval_minutes=10_000,  # nothing moves topics behind the test's back
        portal_submissions_per_hour=1_000,
        portal_votes_per_hour=1_000,
    )
    services = Services.build(settings)
    services.store.upgrade()
    # A fresh demo: the world ends today, as `userloop demo` makes it.
    demo_world = generate(seed=7, n_feedback=1200, end=datetime.now(UTC).date())
    load_demo(services, seed=7, n_feedback=1200, show_progress=False, world=demo_world)
    services.intake.submit_batch(
        [{"text": text, "language": "zh-Hans"} for text in NFC_REPORTS_ZH],
        default_source="browser-test",
    )
    services.triage.drain()
    services.triage.recluster()  # as `userloop demo` does before staging
    stage(services, demo_world)  # statuses for the roadmap, a shipped fix for the changelog
    services.run_after_triage()  # emerging flags and priorities, as the demo's worker would
    for name, role in (("tina", Role.TRIAGER), ("vera", Role.VIEWER)):
        services.users.create(name, PASSWORD, role)
    similar = services.similar.topics(NFC_REPORT_RU, language="ru", k=2)
    assert similar and similar[0].representative_language == "zh-Hans", similar
    nfc = similar[0].topic_id
    others = sorted(
        (t for t in services.topics.all() if t.id != nfc and t.size > 1),
        key=lambda t: t.size,
    )
    app = create_app(settings, services.store, services.triage, worker=True)
    server = start_server(app)
    try:
        yield World(server, services, nfc, others[0].id)
    finally:
        server.stop()
        services.store.close()


def new_page(
    browser: Browser, locale: str = "en-US", width: int = 1280, height: int = 900
) -> tuple[BrowserContext, Page]:
    context, page = shared_new_page(browser, locale, width, height)
    page.on("dialog", lambda dialog: dialog.accept())  # the console confirms merges and splits
    return context, page


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# -- the visitor --------------------------------------------------------------------------------


def test_russian_visitor_sees_a_chinese_report_votes_and_finds_the_report(
    world: World, browser: Browser
) -> None:
    context, page = new_page(browser, locale="ru-RU")
    log = watch(page)
    page.goto(world.url + "/?model=Lumo%20X2&build=5.0.1&channel=beta")
    assert page.get_attribute("html", "lang") == "ru"
    assert page.input_value("#model") == "Lumo X2"
    assert page.input_value("#channel") == "beta"

    page.fill("#text", NFC_REPORT_RU)
    suggestion = page.locator("#suggestions .suggestion").filter(has_text="闸机").first
    suggestion.wait_for()
    assert suggestion.locator("[lang=zh-Hans]").count() >= 1  # shown as Chinese text
    shoot(page, "portal-submit-ru")

    suggestion.locator("form[data-vote] button").click()
    page.wait_for_function(
        "el => el.disabled", arg=suggestion.locator("form[data-vote] button").element_handle()
    )
    with world.services.store.read() as conn:
        assert world.services.store.votes.count(conn, world.nfc_topic) == 1

    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/thanks.*"))
    private = page.locator(".link-box a").get_attribute("href")
    assert private and "/my/" in private
    page.goto(private if private.startswith("http") else world.url + private)
    assert page.get_attribute("html", "lang") == "ru"
    page.get_by_text(NFC_REPORT_RU).first.wait_for()
    assert not log.errors, log.errors
    context.close()


def test_report_with_markup_is_shown_inert(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    page.goto(world.url + "/")
    hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> hi'
    page.fill("#text", hostile + " the screen flickers when charging")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/thanks.*"))
    page.click(".link-box a")
    # The text may show twice (the report, and the title of its topic once triaged): both inert.
    page.get_by_text("<script>window.__pwned = 1</script>", exact=False).first.wait_for()
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("main img").count() == 0
    context.close()


# -- staff ---------------------------------------------------------------------------------------


def test_triager_merges_and_sets_status_and_the_visitor_sees_it(
    world: World, browser: Browser
) -> None:
    context, page = new_page(browser)
    log = watch(page)
    sign_in(page, world.url, "tina")
    page.goto(f"{world.url}/console/topics/{world.other_topic}")
    page.fill("#merge-target", str(world.nfc_topic))
    page.click("form[action$='/merge-into'] button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{world.url}/console/topics/{world.nfc_topic}")
    page.select_option("#new-status", "planned")
    page.click("form[action$='/status'] button[type=submit]")
    page.wait_for_load_state()
    assert not log.errors, log.errors
    context.close()

    visitor, vpage = new_page(browser, locale="zh-CN")
    vpage.goto(f"{world.url}/topics/{world.other_topic}")
    assert vpage.url.endswith(f"/topics/{world.nfc_topic}")  # the merged topic redirects
    assert vpage.get_attribute("html", "lang") == "zh-Hans"
    vpage.locator("main").get_by_text("已计划").first.wait_for()
    visitor.close()
    with world.services.store.read() as conn:
        events = world.services.store.audit.recent(conn)
    actions = {(e.actor, e.action) for e in events}
    assert {("tina", "topic.merge"), ("tina", "topic.status")} <= actions


def test_viewer_has_no_buttons_and_is_refused(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    sign_in(page, world.url, "vera")
    page.goto(f"{world.url}/console/topics/{world.nfc_topic}")
    page.locator("h1").wait_for()
    for action in ("status", "merge-into", "merge-from", "split", "kind"):
        assert page.locator(f"form[action$='/{action}']").count() == 0, action
    before = world.services.topics.get(world.nfc_topic)
    token = page.locator("input[name=csrf_token]").first.input_value()
    status = page.evaluate(
        """async ([url, token]) => {
            const body = new URLSearchParams({csrf_token: token, status: 'declined'});
            const r = await fetch(url, {method: 'POST', body});
            return r.status;
        }""",
        [f"{world.url}/console/topics/{world.nfc_topic}/status", token],
    )
    assert status == 403
    after = world.services.topics.get(world.nfc_topic)
    assert before is not None and after is not None and after.status == before.status
    context.close()


def test_post_without_csrf_token_is_refused(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    sign_in(page, world.url, "tina")
    response = page.request.post(
        f"{world.url}/console/topics/{world.nfc_topic}/status", form={"status": "declined"}
    )
    assert response.status == 403
    response = page.request.post(f"{world.url}/submit", form={"text": "no token here at all"})
    assert response.status == 403
    topic = world.services.topics.get(world.nfc_topic)
    assert topic is not None and topic.status != "declined"
    context.close()


def test_api_docs_render_offline_under_the_content_security_policy(
    world: World, browser: Browser
) -> None:
    context, page = new_page(browser)
    log = watch(page)
    page.goto(world.url + "/api/docs")
    page.wait_for_selector(".opblock")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/feedback:batch" in [p.replace("\u200b", "") for p in paths], paths
    assert not log.errors, log.errors
    context.close()


# -- every page: phone width, console errors, accessibility, screenshots -------------------------

PORTAL_PAGES = {
    "portal-submit": "/",
    "portal-topic": "/topics/{nfc}",
    "portal-roadmap": "/roadmap",
    "portal-changelog": "/changelog",
    "portal-my": "/my",
}
CONSOLE_PAGES = {
    "console-overview": "/console/",
    "console-topics": "/console/topics",
    "console-topic": "/console/topics/{nfc}",
    "console-inbox": "/console/inbox",
    "console-suggestions": "/console/suggestions",
    "console-emerging": "/console/emerging?build=*",
    "console-install-base": "/console/install-base",
    "console-priorities": "/console/priorities",
}


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_have_no_errors_and_pass_basic_accessibility(
    world: World, browser: Browser, width: int
) -> None:
    context, page = new_page(browser, width=width, height=844 if width < 500 else 900)
    log = watch(page)
    page.goto(world.url + "/console/sign-in")
    _check(page, "/console/sign-in", log.errors)
    sign_in(page, world.url, "tina")
    for path in [*PORTAL_PAGES.values(), *CONSOLE_PAGES.values()]:
        page.goto(world.url + path.format(nfc=world.nfc_topic))
        _check(page, path, log.errors)
    context.close()


def test_english_readers_see_english_titles(world: World, browser: Browser) -> None:
    """Roadmap, changelog and the console's topic list, in English: every topic whose reports
    include English ones that say enough shows its English title, marked as English; any
    other shows its one title marked with its language, named when it is not English."""
    context, page = new_page(browser)
    sign_in(page, world.url, "vera")
    checked = fallbacks = 0
    for path, links in (
        ("/roadmap", "h3 a[href^='/topics/']"),
        ("/changelog", "h3 a[href^='/topics/']"),
        ("/console/topics?sort=size&dir=desc", "td a[href^='/console/topics/']"),
        (f"/console/topics?q=%23{world.nfc_topic}", "td a[href^='/console/topics/']"),
    ):
        page.goto(world.url + path + ("&" if "?" in path else "?") + "lang=en")
        shown = page.eval_on_selector_all(
            links,
            "els => els.map(a => { const t = a.querySelector('span[lang]:not(.title-keywords)')"
            " || a; const label = a.querySelector('.title-language'); return ["
            "a.getAttribute('href'), t.getAttribute('lang'), t.innerText,"
            " label ? label.innerText : null] })",
        )
        assert shown, path
        for href, lang, text, label in shown:
            topic = world.services.topics.get(int(href.rstrip("/").split("/")[-1]))
            assert topic is not None
            if "en" in topic.titles:
                assert (lang, text.strip(), label) == ("en", topic.titles["en"], None), (path, href)
                checked += 1
            else:  # no English report says enough: the one title, marked with its language
                assert text.strip() == topic.title and lang, (path, href)
                if lang.split("-")[0] != "en":  # a fallback: the language is named too
                    assert label and label.startswith("(") and label.endswith(")"), (path, href)
                    fallbacks += 1
    assert checked >= 10
    assert fallbacks >= 1  # the NFC topic, reported only in Chinese
    context.close()


def _check(page: Page, path: str, errors: list[str]) -> None:
    page.wait_for_load_state("load")
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow <= 0, f"{path}: {overflow}px wider than the viewport"
    problems = page.evaluate(A11Y_JS)
    assert not problems, f"{path}: {problems}"
    assert not errors, f"{path}: console errors {errors}"


# Each page of a fresh demo with its charts: the number of chart marks (bars with a height, line
# series, intervals) the page must draw at least.
CHART_PAGES = {
    "/console/": 20,  # reports per day over 30 days, nearly every day has some
    "/console/priorities": 3,  # the open breakdown of the top topic: one bar per segment
    "/console/emerging?build=*": 1,  # the planted regression, new on the newest build
    "/console/install-base": 10,  # adoption lines, devices per model and region, rates
}
MARKS_JS = """() => {
  const bars = [...document.querySelectorAll('main svg.chart rect.bar')]
    .filter(r => parseFloat(r.getAttribute('height')) > 0).length;
  const lines = document.querySelectorAll('main svg.chart polyline.series').length;
  const intervals = document.querySelectorAll('main svg.chart g.interval').length;
  return bars + lines + intervals;
}"""


def test_no_title_is_the_boilerplate_around_a_report(world: World) -> None:
    """The demo's reports open with greetings ("Hi Lumo team,") and close with "Still not
    fixed." or "Please fix asap!": in no language may such a sentence title a topic (the
    camera regression's Chinese title once read "what's going on? still not fixed")."""
    from userloop.demo import phrases

    def norm(text: str) -> str:
        return re.sub(r"[\W_]+", "", text).casefold()

    pieces = [phrases.BUG_PREFIX, phrases.BUG_SUFFIX, phrases.FEATURE_SUFFIX]
    boilerplate = {norm(p) for bank in pieces for ps in bank.values() for p in ps if "{" not in p}
    boilerplate |= {norm(p) for p in phrases.STILL_BROKEN.values()}
    longest_first = sorted(boilerplate, key=len, reverse=True)
    titled = 0
    for topic in world.services.topics.all():
        for language, title in [("", topic.title), *topic.titles.items()]:
            rest = norm(title)
            for piece in longest_first:
                rest = rest.replace(piece, "")
            assert len(rest) >= 2, (topic.id, language, title)  # more than boilerplate
            titled += 1
    assert titled > 50


def test_a_fresh_demo_draws_its_charts(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    sign_in(page, world.url, "vera")
    for path, least in CHART_PAGES.items():
        page.goto(world.url + path)
        marks = page.evaluate(MARKS_JS)
        assert marks >= least, f"{path}: {marks} chart marks"
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_screenshots_of_the_main_pages(world: World, browser: Browser, locale: str) -> None:
    context, page = new_page(browser, locale=locale)
    suffix = "en" if locale.startswith("en") else "zh-Hans"
    page.goto(world.url + "/")
    page.fill("#text", "手机NFC刷地铁闸机没反应" if suffix == "zh-Hans" else "NFC card not working")
    page.locator("#suggestions .suggestion").first.wait_for()
    shoot(page, f"portal-submit-{suffix}")
    for name, path in PORTAL_PAGES.items():
        if name == "portal-submit":
            continue
        page.goto(world.url + path.format(nfc=world.nfc_topic))
        shoot(page, f"{name}-{suffix}")
    sign_in(page, world.url, "tina")
    for name, path in CONSOLE_PAGES.items():
        page.goto(world.url + path.format(nfc=world.nfc_topic))
        shoot(page, f"{name}-{suffix}")
    if suffix == "zh-Hans":
        # Real CJK glyphs: a Chinese font is available to the page, not a fallback box.
        assert page.evaluate("() => document.fonts.check('16px \"Noto Sans CJK SC\"', '中文')")
    context.close()
