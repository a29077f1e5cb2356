"""The console's topic list: sorting, filters, search, paging, inert markup, title language."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from tests.triage_fakes import topics_of
from tests.web.console.support import (
    listed_ids,
    submit,
    topic,
    topic_of,
)
from tests.web_helpers import sign_in_as
from userloop.config import Settings
from userloop.domain.enums import Role, TopicStatus
from userloop.store import Store
from userloop.store.tables import topics
from userloop.triage.service import Triage

# -- topic list -------------------------------------------------------------------------------


def test_list_sorts(client: TestClient, world: dict[str, int], store: Store) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    battery, camera, dark = world["battery"], world["camera"], world["dark"]
    page = client.get("/console/topics").text
    assert listed_ids(page) == [battery, camera, dark]  # most reports first
    assert re.search(r'aria-sort="descending">\s*<a href="[^"]*sort=size&amp;dir=asc"', page)
    assert listed_ids(client.get("/console/topics?sort=size&dir=asc").text) == [
        dark,
        camera,
        battery,
    ]
    with store.write() as conn:
        for voter in ("a", "b", "c"):
            store.votes.add(conn, dark, voter)
        store.votes.add(conn, camera, "a")
    page = client.get("/console/topics?sort=votes").text
    assert listed_ids(page) == [dark, camera, battery]
    assert 'aria-sort="descending"' in page
    assert listed_ids(client.get("/console/topics?sort=id&dir=asc").text) == sorted(
        [battery, camera, dark]
    )
    assert listed_ids(client.get("/console/topics?sort=id&dir=desc").text) == sorted(
        [battery, camera, dark], reverse=True
    )
    assert len(listed_ids(client.get("/console/topics?sort=last_seen").text)) == 3
    # Nonsense parameters fall back to the defaults instead of failing.
    assert client.get("/console/topics?sort=drop&dir=sideways&page=x").status_code == 200


def test_list_filters_and_search(client: TestClient, world: dict[str, int], triage: Triage) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    battery, camera, dark = world["battery"], world["camera"], world["dark"]

    def ids(query: str) -> set[int]:
        return set(listed_ids(client.get(f"/console/topics?{query}").text))

    assert ids("kind=feature") == {dark}
    assert ids("kind=bug") == {battery, camera}
    assert ids("language=nl") == {battery}
    assert ids("language=ru") == {battery, camera, dark}
    assert ids("build=1.9") == {camera}
    assert ids("build=2.1") == {battery, dark}
    assert ids("model=Phone+Z") == {dark}
    assert ids("channel=dev") == {camera}
    assert ids("channel=beta") == {battery, camera}
    # Report filters combine on one report: no beta report was made on Phone X.
    assert ids("channel=beta&model=Phone+X") == set()
    assert ids("q=night+mode") == {camera}
    assert ids("q=%D1%82%D1%91%D0%BC%D0%BD%D1%83%D1%8E") == {dark}  # "тёмную", report text
    assert ids("q=BATTERY") == {battery}
    assert ids(f"q=%23{camera}") == {camera}
    assert ids("q=100%25") == set()  # LIKE wildcards are taken literally
    topics_of(triage).set_status(camera, TopicStatus.CONFIRMED, "test")
    assert ids("status=confirmed") == {camera}
    assert ids("status=new&kind=bug") == {battery}
    # The selects offer the values present.
    page = client.get("/console/topics").text
    for value in ("Phone Y", "1.9", '"nl"', '"dev"', '"feature"'):
        assert value in page
    assert "No topic matches these filters." in client.get("/console/topics?q=zzzz").text


def test_list_pages_by_fifty(client: TestClient, store: Store, settings: Settings) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    product = store.dimensions.product_id(settings.default_product)
    with store.write() as conn:
        made = [store.topics.create(conn, product, None, None) for _ in range(53)]
    page = client.get("/console/topics?sort=id&dir=asc").text
    assert listed_ids(page) == made[:50]
    assert "53 topics" in page and "page 1 of 2" in page
    assert 'href="/console/topics?sort=id&amp;dir=asc&amp;page=2"' in page
    page = client.get("/console/topics?sort=id&dir=asc&page=2").text
    assert listed_ids(page) == made[50:]
    assert 'rel="prev"' in page and 'rel="next"' not in page
    # Past the end: the last page.
    assert listed_ids(client.get("/console/topics?sort=id&dir=asc&page=99").text) == made[50:]


def test_report_markup_is_shown_inert(client: TestClient, world: dict[str, int]) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    for path in (
        "/console/topics",
        "/console/topics?q=pwn",
        f"/console/topics/{world['camera']}",
        "/console/inbox",
    ):
        page = client.get(path).text
        assert "<script>alert" not in page, path
    detail = client.get(f"/console/topics/{world['camera']}").text
    assert "&lt;script&gt;alert(&#39;pwn&#39;)&lt;/script&gt;" in detail
    # Report text carries its language; so does a title, by its script.
    for topic_id in (world["battery"], world["camera"], world["dark"]):
        page = client.get(f"/console/topics/{topic_id}").text
        found = re.search(r'<h1><span lang="([^"]+)">([^<]+)</span></h1>', page)
        assert found, topic_id
        tag, title = found.groups()
        if re.search(r"[\u4e00-\u9fff]", title):
            assert tag == "zh-Hans", title
        elif re.search(r"[а-яё]", title.lower()):
            assert tag == "ru", title
        else:
            assert tag in ("en", "nl"), title
    assert re.search(r'<p class="quote" lang="ru">Камера вылетает', detail)
    assert '<p class="quote" lang="nl">' in client.get(f"/console/topics/{world['battery']}").text


def test_the_stored_title_language_marks_the_title(
    client: TestClient, world: dict[str, int], store: Store
) -> None:
    # Without a title in the reader's language, the topic's one title shows, marked with the
    # language stored with it (which wins over any guess from its script).
    with store.write() as conn:
        conn.execute(
            topics.update()
            .where(topics.c.id == world["battery"])
            .values(title_language="ja", titles={})
        )
    sign_in_as(client, "vera", Role.VIEWER)
    page = client.get(f"/console/topics/{world['battery']}").text
    # Japanese is not the reader's language: a fallback, which names the language too.
    assert re.search(r'<h1><span class="title-fallback">.*<span lang="ja">.*\(Japanese\)', page)
    listing = client.get("/console/topics").text
    battery = world["battery"]
    assert re.search(rf'<a href="/console/topics/{battery}"><span class="title-fallback">', listing)
    assert re.search(rf'/console/topics/{battery}">[^\n]*<span lang="ja">', listing)


def test_titles_are_in_the_readers_language(
    client: TestClient, world: dict[str, int], store: Store
) -> None:
    # The battery topic has reports in English, Russian, Chinese and Dutch: whatever its one
    # title, each reader sees a title from the reports in their own language.
    sign_in_as(client, "vera", Role.VIEWER)
    with store.write() as conn:
        conn.execute(
            topics.update()
            .where(topics.c.id == world["battery"])
            .values(title="更新后电池耗电很快,一晚上就没电", title_language="zh-Hans")
        )
    page = client.get(f"/console/topics/{world['battery']}").text
    found = re.search(r'<h1><span lang="([^"]+)">([^<]+)</span>', page)
    assert found and found.group(1) == "en" and "Battery" in found.group(2)
    listing = client.get("/console/topics").text
    assert re.search(rf'/console/topics/{world["battery"]}"><span lang="en">Battery', listing)
    page = client.get(f"/console/topics/{world['battery']}?lang=ru").text
    found = re.search(r'<h1><span lang="([^"]+)">([^<]+)</span>', page)
    assert found and found.group(1) == "ru" and "Батарея" in found.group(2)


def test_a_topic_with_only_chinese_reports_falls_back_for_english_readers(
    client: TestClient, world: dict[str, int], triage: Triage
) -> None:
    ids = submit(
        client,
        [
            {"k": "z1", "text": "蓝牙耳机经常断开连接"},
            {"k": "z2", "text": "更新后蓝牙一直断开"},
            {"k": "z3", "text": "蓝牙连接不稳定老是断开"},
        ],
    )
    triage.drain()
    chinese = topic(triage, topic_of(triage, ids["z1"]))
    assert set(chinese.languages) == {"zh-Hans"} and "en" not in chinese.titles
    words = chinese.keywords["zh-Hans"][:3]
    assert words
    sign_in_as(client, "vera", Role.VIEWER)
    # English: the keywords, the original marked as Chinese, and the language named; the same
    # on the topic's page, in the list and in the inbox.
    fallback = (
        f'<span class="title-fallback"><span class="title-keywords" lang="zh-Hans">'
        f'{escape(" · ".join(words))}</span> — <span lang="zh-Hans">{escape(chinese.title)}'
        '</span> <span class="title-language">(Chinese)</span></span>'
    )
    page = client.get(f"/console/topics/{chinese.id}").text
    assert f"<h1>{fallback}</h1>" in page
    for path in ("/console/topics", "/console/inbox"):
        assert f'<a href="/console/topics/{chinese.id}">{fallback}</a>' in client.get(path).text
    # Topics with English reports keep their English title, with no fallback.
    listing = client.get("/console/topics").text
    assert listing.count('class="title-fallback"') == 1
    # Chinese: the Chinese title alone.
    page = client.get(f"/console/topics/{chinese.id}?lang=zh-Hans").text
    title = chinese.titles.get("zh-Hans") or chinese.title
    assert f'<h1><span lang="zh-Hans">{escape(title)}</span></h1>' in page
    assert "title-fallback" not in page and "（中文）" not in page
