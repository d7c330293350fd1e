"""The back-test report's charts, drawn with matplotlib and returned as inline SVG text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.reporting import INK, SERIES, figure_svg, new_figure, style_axes
from creditfactory.strategy.backtest import BacktestResult
from creditfactory.strategy.spec import TIERS

__all__ = ["backtest_charts"]

LIMIT_EDGES = np.arange(100_000, 520_000, 50_000, dtype=float)
RATE_EDGES = np.linspace(0.18, 0.24, 7)


def _percent_axis(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0, decimals=None))


def curve_chart(results: Sequence[BacktestResult], curves: Sequence[pd.DataFrame], figure: str,
                title: str, ylabel: str, line_label: str = "{}") -> str:
    """``figure`` against the approval rate along each strategy's cut-off curve, with each
    strategy as configured marked as a point."""
    fig = new_figure(fixed_margins=True)
    ax = fig.add_subplot()
    lines = [(r, c) for r, c in zip(results, curves, strict=True) if len(c) > 1]
    for i, (r, c) in enumerate(lines):
        ax.plot(c["approval_rate"], c[figure], color=SERIES[i % len(SERIES)], linewidth=1.8,
                label=line_label.format(r.strategy.name))
    for j, r in enumerate(results):
        ax.plot([r.summary["approval_rate"]], [r.summary[figure]], "o", markersize=6,
                markeredgecolor=INK, markeredgewidth=0.6,
                color=SERIES[(len(lines) + j) % len(SERIES)], label=f"{r.strategy.name} as configured")
    xs = [x for _, c in lines for x in c["approval_rate"]] + [r.summary["approval_rate"] for r in results]
    ys = [y for _, c in lines for y in c[figure]] + [r.summary[figure] for r in results]
    ax.set_xlim(0, max(xs) * 1.05 or 1.0)
    ax.set_ylim(0, max(ys) * 1.1 or 1.0)
    _percent_axis(ax.xaxis)
    _percent_axis(ax.yaxis)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    style_axes(ax, title, "approval rate", ylabel)
    return figure_svg(fig)


def bar_chart(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], title: str,
              xlabel: str, ylabel: str) -> str:
    """Grouped bars: one group per label, one bar per series, shares on the y axis."""
    fig = new_figure(fixed_margins=True)
    ax = fig.add_subplot()
    x = np.arange(len(groups))
    width = 0.8 / max(len(series), 1)
    for s, (name, values) in enumerate(series):
        ax.bar(x - 0.4 + (s + 0.5) * width, values, width=width * 0.95,
               color=SERIES[s % len(SERIES)], label=name)
    ax.set_xticks(x, list(groups))
    top = max((v for _, values in series for v in values), default=0.0)
    ax.set_ylim(0, top * 1.1 or 1.0)
    _percent_axis(ax.yaxis)
    ax.legend(fontsize=8, frameon=False)
    style_axes(ax, title, xlabel, ylabel)
    return figure_svg(fig)


def histogram(results: Sequence[BacktestResult], column: str, edges: np.ndarray, title: str,
              xlabel: str) -> str:
    """Each strategy's approved applications by ``column`` band, as shares of its approvals."""
    groups = [f"{edges[i]:,.0f}" if edges[i] >= 1 else f"{edges[i]:.1%}" for i in range(len(edges) - 1)]
    series = []
    for r in results:
        approved = r.decisions["decision"] == "approve"
        values = np.array([float(v) for v in r.decisions.loc[approved, column]])
        counts, _ = np.histogram(values, bins=edges)
        series.append((r.strategy.name, list(counts / max(counts.sum(), 1))))
    return bar_chart(groups, series, title, xlabel, "share of approvals")


def backtest_charts(results: Sequence[BacktestResult], curves: Sequence[pd.DataFrame]) -> dict[str, str]:
    """Every chart of the report as inline SVG, keyed by name."""
    return {
        "npl_curve": curve_chart(results, curves, "npl_rate", "Cumulative NPL as the PD cut-off moves",
                                 "cumulative NPL", "{}: moving the PD cut-off"),
        "bad_curve": curve_chart(results, curves, "bad_rate", "Bad rate as the PD cut-off moves",
                                 "bad rate (90+ DPD in 12 MOB)"),
        "tiers": bar_chart(list(TIERS), [(r.strategy.name, [r.summary["tier_mix"][t] for t in TIERS]) for r in results],
                           "Tier mix", "tier", "share of applications"),
        "limits": histogram(results, "limit", LIMIT_EDGES, "Limits of approved applications", "limit from (CNY)"),
        "rates": histogram(results, "rate", RATE_EDGES, "Rates of approved applications", "annual rate from"),
    }
