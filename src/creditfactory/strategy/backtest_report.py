"""The back-test report: one self-contained HTML page with tables and inline SVG charts."""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.strategy._svg import bar_chart, line_chart
from creditfactory.strategy.backtest import BacktestResult
from creditfactory.strategy.spec import TIERS

_FIELDS = (("applications", "{:,}"), ("approval_rate", "{:.1%}"), ("booked_loans", "{:,}"),
           ("booked_principal", "{:,.0f}"), ("mean_limit", "{:,.0f}"), ("mean_rate", "{:.2%}"),
           ("bad_rate", "{:.2%}"), ("npl_rate", "{:.2%}"), ("loss_rate", "{:.2%}"),
           ("interest_income", "{:,.0f}"), ("funding_and_operating_cost", "{:,.0f}"), ("loss", "{:,.0f}"),
           ("process_cost", "{:,.0f}"),
           ("profit", "{:,.0f}"), ("fraud_caught", "{:.1%}"))


def _table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for c in frame.columns:
            v = row[c]
            text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else (formats[c].format(v) if c in formats else str(v))
            cells.append(f"<td>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _summary_table(results: list[BacktestResult]) -> str:
    head = "<tr><th>figure</th>" + "".join(f"<th>{escape(r.strategy.name)} {escape(r.strategy.version)}</th>" for r in results) + "</tr>"
    rows = []
    for key, fmt in _FIELDS:
        cells = "".join(f"<td>{fmt.format(r.summary[key]) if key in r.summary else ''}</td>" for r in results)
        rows.append(f"<tr><td>{key}</td>{cells}</tr>")
    for tier in TIERS:
        cells = "".join(f"<td>{r.summary['tier_mix'][tier]:.1%}</td>" for r in results)
        rows.append(f"<tr><td>tier: {tier}</td>{cells}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _hist(results: list[BacktestResult], column: str, edges: np.ndarray, label: str) -> str:
    groups = [f"{edges[i]:,.0f}" if edges[i] >= 1 else f"{edges[i]:.1%}" for i in range(len(edges) - 1)]
    series = []
    for r in results:
        approved = r.decisions["decision"] == "approve"
        values = np.array([float(v) for v in r.decisions.loc[approved, column]])
        counts, _ = np.histogram(values, bins=edges)
        series.append((r.strategy.name, list(counts / max(counts.sum(), 1))))
    return bar_chart(groups, series, label)


def render_report(results: list[BacktestResult], curves: list[pd.DataFrame], comparison: dict[str, Any] | None,
                  swap: pd.DataFrame | None, world_label: str) -> str:
    """The whole report page."""
    curve_svg = line_chart(
        [(f"{r.strategy.name}: moving the PD cut-off", list(c["approval_rate"]), list(c["npl_rate"]))
         for r, c in zip(results, curves, strict=True) if len(c) > 1],
        "approval rate", "cumulative NPL",
        points=[(f"{r.strategy.name} as configured", r.summary["approval_rate"], r.summary["npl_rate"]) for r in results],
    )
    bad_svg = line_chart(
        [(r.strategy.name, list(c["approval_rate"]), list(c["bad_rate"])) for r, c in zip(results, curves, strict=True) if len(c) > 1],
        "approval rate", "bad rate (90+ DPD in 12 MOB)",
        points=[(f"{r.strategy.name} as configured", r.summary["approval_rate"], r.summary["bad_rate"]) for r in results],
    )
    tier_svg = bar_chart(list(TIERS), [(r.strategy.name, [r.summary["tier_mix"][t] for t in TIERS]) for r in results], "share of applications")
    limit_svg = _hist(results, "limit", np.arange(100_000, 520_000, 50_000, dtype=float), "share of approvals")
    rate_svg = _hist(results, "rate", np.linspace(0.18, 0.24, 7), "share of approvals")
    parts = [
        f"<h1>Strategy back-test</h1><p>{escape(world_label)}</p>",
        "<h2>Summary</h2>", _summary_table(results),
        "<h2>Cut-off curves</h2>", curve_svg, bad_svg,
        "<h2>Tier mix</h2>", tier_svg,
        "<h2>Limits and prices of approved applications</h2>", limit_svg, rate_svg,
    ]
    if comparison:
        parts.append("<h2>Against the baseline</h2>")
        parts.append(_table(pd.DataFrame([{k: v for k, v in comparison.items()}])))
    if swap is not None:
        parts.append("<h2>Swap set</h2>")
        parts.append(_table(swap, {"share": "{:.1%}", "bad_rate": "{:.2%}", "npl_rate": "{:.2%}", "booked_principal": "{:,.0f}"}))
    for r in results:
        parts.append(f"<h2>Knock-out rules: {escape(r.strategy.name)}</h2>")
        parts.append(_table(r.rules, {"hit_rate": "{:.2%}", "unique_hit_rate": "{:.2%}"}))
    style = ("body{font-family:sans-serif;margin:24px;max-width:1200px} table{border-collapse:collapse;margin:8px 0}"
             "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right} svg{margin:8px}")
    return f"<!doctype html><html><head><meta charset='utf-8'><title>Strategy back-test</title><style>{style}</style></head><body>{''.join(parts)}</body></html>"
