"""Figures for reports: created without pyplot's global state, saved as inline SVG text."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["BAD", "GOOD", "GRID", "INK", "SERIES", "figure_svg", "new_figure", "style_axes"]

GOOD, BAD, INK, GRID = "#2f6f9f", "#c8553d", "#333333", "#dddddd"
SERIES = (GOOD, BAD, "#4f9a5a", "#d9a13b", "#7b5ea7", "#8c564b")  # one colour per compared series


def new_figure(width: float = 5.6, height: float = 3.3, *, fixed_margins: bool = False) -> Figure:
    """A figure of ``width`` x ``height`` inches at 100 dpi, laid out to fit its labels; with
    ``fixed_margins`` the axes take the same fixed share instead, which draws in about half
    the time (for charts whose labels are known to fit)."""
    from matplotlib.figure import Figure

    if not fixed_margins:
        return Figure(figsize=(width, height), dpi=100, layout="constrained")
    fig = Figure(figsize=(width, height), dpi=100)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.91)
    return fig


def figure_svg(fig: Figure) -> str:
    """``fig`` as an ``<svg>`` element: text kept as text, ids stable from run to run."""
    import matplotlib as mpl

    buf = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "creditfactory"}):
        fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg") :], flags=re.S)


def style_axes(ax: Any, title: str, xlabel: str, ylabel: str) -> None:
    """Title on the left, small ticks, a light grid behind the data, no top or right spine."""
    ax.set_title(title, fontsize=11, color=INK, loc="left")
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
