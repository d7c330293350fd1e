"""The collections back-test's files: ``summary.json``, ``actions.parquet`` and ``report.html``
(the shared reporting templates' style, matplotlib charts as inline SVG)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from creditfactory.evaluation.collections import BacktestResult
from creditfactory.reporting import (
    SERIES,
    figure_svg,
    new_figure,
    num,
    pct,
    render_page,
    style_axes,
)

__all__ = ["write_collections"]

_TEMPLATES = Path(__file__).parent / "templates"


def _nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _bars(per: dict[str, Any], names: list[str], what: str, title: str, ylabel: str) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    labels = list(per[names[0]]["by_bucket"])
    x = np.arange(len(labels))
    width = 0.8 / len(names)
    for i, n in enumerate(names):
        ax.bar(x + i * width, [per[n]["by_bucket"][b][what] / 1e6 for b in labels], width,
               label=n, color=SERIES[i])
    ax.set_xticks(x + width * (len(names) - 1) / 2,
                  [b.replace("instalments after cure or restructure", "after cure")
                    .replace("after hand-over or write-off", "handed over") for b in labels],
                  rotation=30, ha="right")
    style_axes(ax, title, "bucket", ylabel)
    ax.legend(fontsize=8, frameon=False)
    return figure_svg(fig)


def _rolls(per: dict[str, Any], names: list[str]) -> str:
    fig = new_figure()
    ax = fig.add_subplot()
    for i, n in enumerate(names):
        rolls = per[n]["roll_forward"]
        ax.plot(list(rolls), list(rolls.values()), marker="o", label=n, color=SERIES[i])
    style_axes(ax, "Roll-forward rate", "from bucket to the next", "share of accounts")
    ax.legend(fontsize=8, frameon=False)
    return figure_svg(fig)


def write_collections(result: BacktestResult, out: Path, label: str) -> dict[str, Any]:
    """Write the back-test's files into ``out``; returns the summary."""
    out.mkdir(parents=True, exist_ok=True)
    s = result.summary
    (out / "summary.json").write_text(json.dumps(s, indent=2, default=str), "utf-8")
    result.actions.to_parquet(out / "actions.parquet", index=False)
    per = s["strategies"]
    names = list(per)
    rows = [("accounts (out of time)", "accounts", "{:,}"), ("collected (CNY)", "collected", "n0"),
            ("cost (CNY)", "cost", "n0"), ("net recovery (CNY)", "net_recovery", "n0"),
            ("balance still performing at the horizon (CNY)", "performing_balance_at_horizon", "n0"),
            ("net value: net recovery + performing balance (CNY)", "net_value", "n0"),
            ("M1 cure within 30 days", "cure_rate_m1_30d", "p"), ("written off", "write_off_rate", "p"),
            ("recovery after write-off", "recovery_after_write_off", "p")]

    def fmt(v: Any, f: str) -> str:
        return pct(v) if f == "p" else num(v, 0) if f == "n0" else f.format(v)

    figures = [(name, [fmt(per[n][key], f) for n in names]) for name, key, f in rows]
    figures += [(f"roll {k}", [pct(per[n]["roll_forward"][k]) for n in names]) for k in per[names[0]]["roll_forward"]]
    buckets = [(b, [v for n in names for v in (per[n]["by_bucket"][b]["collected"], per[n]["by_bucket"][b]["cost"])])
               for b in per[names[0]]["by_bucket"]]
    charts = [_bars(per, names, "collected", "Collected by bucket", "million CNY"),
              _bars(per, names, "cost", "Cost by bucket", "million CNY"), _rolls(per, names)]
    cc = s.get("ccard", {})
    ccard_rows = [(k.replace("_", " "), {"rows": v["rows"], "cure_rate": _nan(v.get("cure_rate")),
                                          "auc": _nan(v.get("auc")), "auc_lightgbm": _nan(v.get("auc_lightgbm"))})
                  for k, v in cc.items() if isinstance(v, dict)]
    reasons = [(k, {**v, "mean_probability_of_truth": _nan(v["mean_probability_of_truth"])})
               for k, v in s.get("reasons", {}).get("per_reason", {}).items()]
    (out / "report.html").write_text(render_page(
        _TEMPLATES, "collections_report.html.j2", names=names, label=label, figures=figures,
        buckets=buckets, charts=charts, perturbed=s.get("perturbed", {}).get("draws", []),
        ccard=cc, ccard_rows=ccard_rows, reasons=reasons, split=s.get("champion_challenger"),
        comparison=s["comparison"]), "utf-8")
    return s
