"""Self-contained HTML reports: Jinja2 templates and matplotlib charts as inline SVG.

A report is one file (inline CSS and SVG; no script, no image files, no URLs) that prints and
zooms cleanly. The scorecard and back-test reports are drawn with these helpers, so every
report has the same figure size, SVG output and axis style.
"""

from creditfactory.reporting._charts import (
    BAD,
    GOOD,
    GRID,
    INK,
    SERIES,
    figure_svg,
    new_figure,
    style_axes,
)
from creditfactory.reporting._pages import num, pct, render_page

__all__ = [
    "BAD",
    "GOOD",
    "GRID",
    "INK",
    "SERIES",
    "figure_svg",
    "new_figure",
    "num",
    "pct",
    "render_page",
    "style_axes",
]
