"""The dashboard's hand-written SVG charts: round axes, one bar per value, text escaped, and
nothing the pages' CSP refuses (no script, no style attribute)."""

from __future__ import annotations

import re

from creditfactory.web.charts_svg import grouped_bars, nice_max, stacked_days


def test_axis_tops_are_four_round_steps_holding_the_largest_value() -> None:
    assert [nice_max(v) for v in (0, 3, 5, 9, 41, 100, 1234)] == [4, 4, 8, 20, 80, 100, 2000]


def test_stacked_days_draws_one_rect_per_nonzero_value_and_escapes_names() -> None:
    svg = str(stacked_days("Per day <x>", ("2026-12-06", "2026-12-07"),
                           (("a&b", (1.0, 0.0)), ("c", (2.0, 3.0))), "chart-t"))
    assert svg.startswith('<svg id="chart-t"') and svg.endswith("</svg>")
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)
    assert len(bars) == 3 + 2  # three bars (the zero is not drawn) and two legend keys
    assert "Per day &lt;x&gt;" in svg and "a&amp;b" in svg and "<x>" not in svg
    assert "style=" not in svg and "<script" not in svg
    assert "<title>2026-12-07: c 3</title>" in svg


def test_grouped_bars_label_each_bar_with_its_value_and_unit() -> None:
    svg = str(grouped_bars("Times", ("auto approve",), (("median", (1.5,)), ("p90", (12.0,))),
                           "chart-g", " h"))
    assert ">1.5 h</text>" in svg and ">12 h</text>" in svg
    assert "auto approve, p90: 12 h" in svg
