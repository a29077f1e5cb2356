"""Server-rendered SVG charts: accessible, escaped, legible with one bar or two hundred."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from markupsafe import Markup

from userloop.web.charts import MAX_BAR_WIDTH, Bar, bar_chart, day_buckets, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def chart(bars: list[Bar], **kw: object) -> Markup:
    options: dict[str, object] = {
        "title": "Reports per day",
        "summary": "Reports per day: 3 in all",
        "x_label": "Day",
        "y_label": "Reports",
    }
    options.update(kw)
    return bar_chart(bars, **options)  # type: ignore[arg-type]


def parse(svg: Markup) -> ET.Element:
    # Well-formed XML is also the proof that every piece of text was escaped.
    return ET.fromstring(str(svg))


def rects(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{SVG}rect")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, (1, 1)), (1, (1, 1)), (3, (3, 1)), (7, (8, 2)), (14, (15, 5)), (100, (100, 50))],
)
def test_nice_ceiling(value: int, expected: tuple[int, int]) -> None:
    assert nice_ceiling(value) == expected


def test_one_bar_is_accessible_and_labelled() -> None:
    svg = chart([Bar("3 Mar", 3)])
    assert isinstance(svg, Markup)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Reports per day: 3 in all"
    assert root.findtext(f"{SVG}title") == "Reports per day"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Day" in texts and "Reports" in texts and "3 Mar" in texts
    (bar,) = rects(root)
    # One bar keeps a bar's shape instead of filling the whole plot.
    assert 0 < float(bar.get("width", "0")) <= MAX_BAR_WIDTH
    assert float(bar.get("height", "0")) > 0
    assert bar.findtext(f"{SVG}title") == "3 Mar: 3"
    assert "style=" not in str(svg)  # CSP forbids inline styles, in SVG too


def test_two_hundred_days_stay_legible() -> None:
    bars = [Bar(f"d{i}", i % 7) for i in range(200)]
    root = parse(chart(bars))
    drawn = rects(root)
    assert len(drawn) == 200
    assert all(float(r.get("width", "0")) > 0 for r in drawn)
    # Bars stay inside the view box.
    right = max(float(r.get("x", "0")) + float(r.get("width", "0")) for r in drawn)
    assert right <= 640
    x_labels = [t.text for t in root.iter(f"{SVG}text") if (t.text or "").startswith("d")]
    assert 1 < len(x_labels) <= 8


def test_heights_follow_values() -> None:
    root = parse(chart([Bar("a", 1), Bar("b", 2), Bar("c", 0)]))
    a, b, c = (float(r.get("height", "0")) for r in rects(root))
    assert b == pytest.approx(2 * a) and c == 0


def test_no_bars_draws_axes_only() -> None:
    root = parse(chart([]))
    assert rects(root) == []
    assert root.get("role") == "img"


def test_every_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & "quoted"'
    svg = chart([Bar(evil, 2, title=evil)], title=evil, summary=evil, x_label=evil, y_label=evil)
    assert "<script>" not in str(svg)
    assert "&lt;script&gt;" in str(svg)
    root = parse(svg)
    assert root.get("aria-label") == evil
    assert root.findtext(f"{SVG}title") == evil
    assert rects(root)[0].findtext(f"{SVG}title") == evil


def test_long_labels_are_shortened_but_kept_in_the_tooltip() -> None:
    label = "3.14.159-beta.2+build.2653"
    root = parse(chart([Bar(label, 1)]))
    shown = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert label not in shown and any(s.endswith("…") and len(s) <= 12 for s in shown)
    assert rects(root)[0].findtext(f"{SVG}title") == f"{label}: 1"


def test_numbers_use_the_given_formatter() -> None:
    svg = chart([Bar("a", 1500)], number=lambda n: f"<{n:,}>")
    assert "&lt;1,500&gt;" in str(svg)
    assert re.search(r">&lt;1,000&gt;</text>", str(svg))  # a tick label


def test_day_buckets_fill_gaps() -> None:
    start = date(2026, 3, 1)
    size, buckets = day_buckets(
        {start: 2, start + timedelta(days=3): 5}, start, start + timedelta(4)
    )
    assert size == 1
    assert buckets == [
        (start, 2),
        (start + timedelta(1), 0),
        (start + timedelta(2), 0),
        (start + timedelta(3), 5),
        (start + timedelta(4), 0),
    ]
    assert day_buckets({start: 1}, start, start) == (1, [(start, 1)])
    # Reversed bounds are read in order.
    assert day_buckets({}, start + timedelta(1), start)[1] == [
        (start, 0),
        (start + timedelta(1), 0),
    ]


def test_long_spans_group_into_weeks() -> None:
    start = date(2025, 1, 1)
    counts = {start + timedelta(days=i): 1 for i in range(400)}
    size, buckets = day_buckets(counts, start, start + timedelta(days=200 - 1))
    assert size == 1 and len(buckets) == 200
    size, buckets = day_buckets(counts, start, start + timedelta(days=399))
    assert size == 7 and len(buckets) <= 200
    assert sum(n for _, n in buckets) == 400
    assert buckets[1][0] == start + timedelta(days=7)
