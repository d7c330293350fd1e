"""Report helpers: number filters, self-contained SVG charts, autoescaped pages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from creditfactory.reporting import figure_svg, new_figure, num, pct, render_page, style_axes


@pytest.mark.parametrize(("value", "digits", "text"), [
    (1234.5, 1, "1,234.5"), (0.0, 0, "0"), (math.nan, 2, "–"), (math.inf, 2, "∞"), (-math.inf, 2, "−∞"),
])
def test_num_formats_thousands_and_marks_missing_and_infinite(value: float, digits: int, text: str) -> None:
    assert num(value, digits) == text


def test_pct_formats_shares_and_marks_missing() -> None:
    assert (pct(0.1234), pct(0.1234, 2), pct(1.0, 0), pct(math.nan)) == ("12.3%", "12.34%", "100%", "–")


@pytest.mark.parametrize("fixed_margins", [False, True])
def test_chart_is_inline_svg_with_text_kept_as_text_and_the_same_bytes_each_time(fixed_margins: bool) -> None:
    def draw() -> str:
        fig = new_figure(fixed_margins=fixed_margins)
        ax = fig.add_subplot()
        ax.plot([0, 1, 2], [0.1, 0.3, 0.2], label="Ünïcode & <label>")
        ax.legend()
        style_axes(ax, "A title", "x axis", "y axis")
        return figure_svg(fig)

    svg = draw()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<metadata>" not in svg and "<?xml" not in svg
    assert "A title" in svg and "Ünïcode &amp; &lt;label&gt;" in svg
    assert draw() == svg


def test_page_escapes_values_but_not_values_marked_safe(tmp_path: Path) -> None:
    (tmp_path / "page.html.j2").write_text("<p>{{ text }}</p>{{ chart|safe }}<i>{{ share|pct(2) }}</i>")
    html = render_page(tmp_path, "page.html.j2", text="<b>&</b>", chart="<svg></svg>", share=0.5)
    assert html == "<p>&lt;b&gt;&amp;&lt;/b&gt;</p><svg></svg><i>50.00%</i>"
