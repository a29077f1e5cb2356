"""The install base page: the hand-made install base's numbers in charts and tables for any
staff member, the filters, the empty state, escaping, bad filters; on both stores."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from tests.install_base_world import MARKUP_MODEL, add_install_base
from tests.web.console.support import main_html
from tests.web_helpers import sign_in_as
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.store import Store

PATH = "/console/install-base"


def _table(page: str, table_id: str) -> list[list[str]]:
    found = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, table_id
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]


def _svgs(page: str) -> list[str]:
    return re.findall(r'<svg class="chart".*?</svg>', page, re.S)


def test_a_viewer_sees_the_numbers_in_charts_and_tables(
    client: TestClient, store: Store, settings: Settings
) -> None:
    add_install_base(store, settings)
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(PATH + "?lang=en")
    assert response.status_code == 200
    assert f'<a href="{PATH}" aria-current="page">Install base</a>' in response.text
    page = main_html(response.text)
    assert "3 days, from" in page and "2 builds" in page
    builds = _table(page, "build-table")
    # 2.1: 62.5% of the latest day, 1,300 device-days, 61 crashes: 46.92 per 1,000
    assert builds[1][:5] == ["2.1", "62.5%", "1,300", "61", "46.92"]
    assert builds[1][6:8] == ["8", "6.15"]
    assert builds[0][:5] == ["2.0", "37.5%", "3,300", "33", "10"]
    low, high = (float(x) for x in builds[1][5].split(" to "))
    assert low < 46.92 < high
    adoption = _table(page, "adoption-table")
    assert [row[1:] for row in adoption] == [["37.5%", "62.5%"], ["80%", "20%"], ["100%", "0%"]]
    models = _table(page, "model-table")
    assert models == [["X1", "1,100", "1,033.3"], [MARKUP_MODEL, "500", "500"]]
    regions = _table(page, "region-table")
    assert [r[1] for r in regions] == ["1,100", "300", "200"]
    assert regions[0][0] == "Netherlands"
    # Five charts: adoption, models, regions, crash rates, return rates; all well-formed.
    charts = _svgs(page)
    assert len(charts) == 5
    for svg in charts:
        ET.fromstring(svg)
    assert charts[0].count('<polyline class="series"') == 2
    assert charts[1].count('<rect class="bar"') == 2 and charts[2].count('<rect class="bar"') == 3
    assert charts[3].count('<g class="interval">') == 2
    assert "2.1: 46.92 (95% interval" in charts[3]
    # Escaped everywhere: the model name's markup is text.
    assert "<i>lite</i>" not in page and "X2 &lt;i&gt;lite&lt;/i&gt;" in page

    # The same in Chinese: translated words, the same numbers.
    page = main_html(client.get(PATH + "?lang=zh-Hans").text)
    assert "Crashes and returns per build" not in page and "46.92" in page


def test_filters_narrow_the_page(client: TestClient, store: Store, settings: Settings) -> None:
    add_install_base(store, settings)
    sign_in_as(client, "tina", Role.TRIAGER)
    page = main_html(client.get(PATH, params={"lang": "en", "channel": "beta"}).text)
    assert [r[0] for r in _table(page, "build-table")] == ["2.1"]
    assert '<option value="beta" selected>beta</option>' in page
    page = main_html(client.get(PATH, params={"lang": "en", "region": "FR"}).text)
    assert _table(page, "region-table") == [["France", "300", "133.3"]]
    assert '<option value="FR" selected>France</option>' in page
    page = main_html(client.get(PATH, params={"lang": "en", "model": "X9"}).text)
    assert "No install-base rows match these filters." in page and "<svg" not in page
    response = client.get(PATH, params={"lang": "en", "segment": "vip"})
    assert response.status_code == 422 and "segment must be one of" in response.text
    response = client.get(PATH, params={"lang": "en", "product": "watch"})
    assert response.status_code == 404 and "no product &#39;watch&#39;" in response.text


def test_without_install_base_the_page_says_how_to_import_it(
    client: TestClient, settings: Settings
) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(PATH + "?lang=en")
    assert response.status_code == 200
    page = main_html(response.text)
    assert (
        f"No install-base data for {settings.default_product}: import daily aggregates with "
        "<code>userloop import --install-base</code>." in page
    )
    assert "<svg" not in page
    page = main_html(client.get(PATH + "?lang=ru").text)
    assert "<code>userloop import --install-base</code>" in page and "No install-base" not in page


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get(PATH, follow_redirects=False)
    assert response.status_code in (303, 307)
    assert "/console/sign-in" in response.headers["location"]
