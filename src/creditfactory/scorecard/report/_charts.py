"""The charts of a scorecard report, drawn with matplotlib and returned as inline SVG text.

Inline SVG keeps the HTML report a single self-contained file (no image files, no URLs, no
script) that prints and zooms cleanly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from creditfactory.reporting import BAD, GOOD, GRID, INK, figure_svg, new_figure, style_axes

if TYPE_CHECKING:
    from creditfactory.scorecard.report._data import ScorecardReport

__all__ = ["report_charts"]


def distribution_chart(report: ScorecardReport) -> str:
    """Goods and bads per score bin, each as a share of its class."""
    d = report.distribution
    fig = new_figure()
    ax = fig.add_subplot()
    width = float((d["right"] - d["left"]).iloc[0]) or 1.0
    goods, bads = d["goods"].to_numpy(float), d["bads"].to_numpy(float)
    ax.bar(d["left"], goods / max(goods.sum(), 1), width=width, align="edge",
           color=GOOD, alpha=0.6, label="goods")
    ax.bar(d["left"], bads / max(bads.sum(), 1), width=width, align="edge",
           color=BAD, alpha=0.6, label="bads")
    ax.legend(fontsize=8, frameon=False)
    style_axes(ax, "Score distribution", "score (points)", "share of class")
    return figure_svg(fig)


def ks_chart(report: ScorecardReport) -> str:
    """Cumulative shares of bads and goods by score, with the KS gap marked."""
    t, bad, good = report.ks_curve
    fig = new_figure()
    ax = fig.add_subplot()
    ax.step(t, bad, where="post", color=BAD, label="bads")
    ax.step(t, good, where="post", color=GOOD, label="goods")
    i = int(np.argmax(np.abs(bad - good)))
    ax.vlines(t[i], good[i], bad[i], colors=INK, linestyles="dashed", linewidth=1)
    ax.annotate(f"KS {abs(bad[i] - good[i]):.3f} at {t[i]:.0f}", (t[i], (bad[i] + good[i]) / 2),
                xytext=(6, 0), textcoords="offset points", fontsize=8, color=INK)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    style_axes(ax, "KS", "score (points)", "cumulative share")
    return figure_svg(fig)


def roc_chart(report: ScorecardReport) -> str:
    """ROC curve of the card against the diagonal."""
    fpr, tpr = report.roc
    fig = new_figure(4.2, 3.3)
    ax = fig.add_subplot()
    ax.plot(fpr, tpr, color=BAD, label=f"AUC {report.summary['auc']:.3f}")
    ax.plot([0, 1], [0, 1], color=GRID, linestyle="--")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    style_axes(ax, "ROC", "share of goods", "share of bads")
    return figure_svg(fig)


def gains_chart(report: ScorecardReport) -> str:
    """Bad rate per score band (bars) and cumulative capture of bads (line)."""
    g = report.gains
    fig = new_figure()
    ax = fig.add_subplot()
    ax.bar(g["band"], g["bad_rate"].fillna(0), color=BAD, alpha=0.7, label="bad rate")
    style_axes(ax, "Gains by score band (1 = riskiest)", "band", "bad rate")
    ax2 = ax.twinx()
    ax2.plot(g["band"], g["cum_bad_capture"], color=INK, marker="o", markersize=3,
             label="cumulative capture")
    ax2.set_ylim(0, 1.05)
    ax2.tick_params(labelsize=8)
    ax2.spines["top"].set_visible(False)
    ax2.set_ylabel("cumulative capture of bads", fontsize=9)
    ax.set_xticks(g["band"])
    return figure_svg(fig)


def psi_chart(report: ScorecardReport) -> str:
    """Base and current shares per score band."""
    assert report.psi_table is not None
    p = report.psi_table
    x = np.arange(len(p))
    fig = new_figure()
    ax = fig.add_subplot()
    ax.bar(x - 0.2, p["expected_pct"], width=0.4, color=GOOD, label="base")
    ax.bar(x + 0.2, p["actual_pct"], width=0.4, color=BAD, label="this sample")
    ax.set_xticks(x, p["band"].tolist())
    ax.legend(fontsize=8, frameon=False)
    style_axes(ax, f"Score bands: PSI {report.psi:.3f}", "band of the base sample", "share")
    return figure_svg(fig)


def report_charts(report: ScorecardReport) -> dict[str, str]:
    """Every chart of the report as inline SVG, keyed by name."""
    charts = {
        "distribution": distribution_chart(report),
        "ks": ks_chart(report),
        "roc": roc_chart(report),
        "gains": gains_chart(report),
    }
    if report.psi_table is not None:
        charts["psi"] = psi_chart(report)
    return charts
