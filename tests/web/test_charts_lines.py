"""The line and interval charts of the install base page: well-formed, escaped, accessible, and
each value where the axis says it is."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from userloop.web.charts import (
    SERIES_COLOURS,
    Interval,
    Line,
    interval_chart,
    line_chart,
    nice_float_ceiling,
)

SVG = "{http://www.w3.org/2000/svg}"
TITLE, SUMMARY = "Adoption", "Adoption <of> builds"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, (1.0, 0.25)), (1.0, (1.0, 0.5)), (0.62, (0.8, 0.2)), (46.9, (60.0, 20.0))],
)
def test_nice_float_ceiling(value: float, expected: tuple[float, float]) -> None:
    top, step = nice_float_ceiling(value)
    assert (top, step) == pytest.approx(expected)
    assert top >= value and round(top / step) == pytest.approx(top / step)


def test_line_chart_draws_each_series_with_a_legend_and_escapes_labels() -> None:
    lines = [Line("2.0", (1.0, 0.8, 0.375)), Line("<b>2.1</b>", (0.0, 0.2, 0.625), "2.1: 62.5%")]
    svg = line_chart(
        lines,
        ["d0", "d1", "d2"],
        number=lambda v: f"{v:.0%}",
        y_max=1.0,
        title=TITLE,
        summary=SUMMARY,
        x_label="Day",
        y_label="Share",
    )
    root = ET.fromstring(str(svg))  # well-formed: every text was escaped
    assert root.get("role") == "img" and root.get("aria-label") == "Adoption <of> builds"
    assert root.find(f"{SVG}title").text == "Adoption"  # type: ignore[union-attr]
    polylines = root.findall(f"{SVG}polyline")
    assert [p.get("stroke") for p in polylines] == list(SERIES_COLOURS[:2])
    assert [p.find(f"{SVG}title").text for p in polylines] == ["2.0", "2.1: 62.5%"]  # type: ignore[union-attr]
    # 100% is at the top of the plot (y = 12), 0% at its bottom (y = 204).
    first = [tuple(map(float, pt.split(","))) for pt in polylines[0].get("points", "").split()]
    assert [y for _x, y in first] == pytest.approx([12.0, 12 + 192 * 0.2, 12 + 192 * 0.625])
    legend = [t.text for g in root.findall(f"{SVG}g") for t in g.findall(f"{SVG}text")]
    assert legend == ["2.0", "<b>2.1</b>"]
    assert len(root.findall(f"{SVG}circle")) == 6  # a dot per point: one day still shows


def test_interval_chart_puts_the_dot_inside_its_whisker() -> None:
    points = [Interval("2.0", 10.0, 6.9, 14.0), Interval("2.1", 46.9, 35.9, 60.3)]
    svg = interval_chart(
        points,
        number=lambda v: f"{v:g}",
        title=TITLE,
        summary=SUMMARY,
        x_label="Day",
        y_label="Share",
    )
    root = ET.fromstring(str(svg))
    groups = root.findall(f"{SVG}g")
    assert len(groups) == 2
    assert groups[1].find(f"{SVG}title").text == "2.1: 46.9 [35.9, 60.3]"  # type: ignore[union-attr]
    for g in groups:
        dot = float(g.find(f"{SVG}circle").get("cy", ""))  # type: ignore[union-attr]
        path = g.find(f"{SVG}path").get("d", "")  # type: ignore[union-attr]
        start, end = path.split("M")[1].split("V")  # "x y_low", "y_high"
        low, high = float(start.split()[1]), float(end)
        assert high < dot < low  # SVG y grows downwards
    empty = ET.fromstring(
        str(interval_chart([], title=TITLE, summary=SUMMARY, x_label="Day", y_label="Share"))
    )
    assert empty.findall(f"{SVG}g") == []
