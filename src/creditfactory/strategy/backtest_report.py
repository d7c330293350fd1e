"""The back-test report: one self-contained HTML page (a Jinja2 template) with its tables and
matplotlib charts inline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.reporting import render_page
from creditfactory.strategy.backtest import BacktestResult
from creditfactory.strategy.backtest_charts import backtest_charts
from creditfactory.strategy.spec import TIERS

__all__ = ["Table", "render_report"]

TEMPLATES = Path(__file__).parent / "templates"
_FIELDS = (("applications", "{:,}"), ("approval_rate", "{:.1%}"), ("booked_loans", "{:,}"),
           ("booked_principal", "{:,.0f}"), ("mean_limit", "{:,.0f}"), ("mean_rate", "{:.2%}"),
           ("bad_rate", "{:.2%}"), ("npl_rate", "{:.2%}"), ("loss_rate", "{:.2%}"),
           ("interest_income", "{:,.0f}"), ("funding_cost", "{:,.0f}"), ("operating_cost", "{:,.0f}"),
           ("loss", "{:,.0f}"), ("process_cost", "{:,.0f}"),
           ("profit", "{:,.0f}"), ("fraud_caught", "{:.1%}"))
_SWAP = {"share": "{:.1%}", "bad_rate": "{:.2%}", "npl_rate": "{:.2%}", "booked_principal": "{:,.0f}"}
_RULES = {"hit_rate": "{:.2%}", "unique_hit_rate": "{:.2%}"}


@dataclass(frozen=True)
class Table:
    """A table's header and its cells, already formatted as text."""

    columns: list[str]
    rows: list[list[str]]


def _cell(value: Any, fmt: str | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return fmt.format(value) if fmt else str(value)


def frame_table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> Table:
    """``frame`` as text, each column in its format (``str`` where none); blank where missing."""
    formats = formats or {}
    columns = [str(c) for c in frame.columns]
    rows = [[_cell(v, formats.get(c)) for c, v in zip(columns, record, strict=True)]
            for record in frame.itertuples(index=False)]
    return Table(columns, rows)


def summary_table(results: list[BacktestResult]) -> Table:
    """One row per summary figure (those no strategy has left out), one column per strategy."""
    columns = ["figure", *(f"{r.strategy.name} {r.strategy.version}" for r in results)]
    rows = [[key, *(fmt.format(r.summary[key]) if key in r.summary else "" for r in results)]
            for key, fmt in _FIELDS if any(key in r.summary for r in results)]
    rows += [[f"tier: {tier}", *(f"{r.summary['tier_mix'][tier]:.1%}" for r in results)] for tier in TIERS]
    rows += [[f"process cost: {tier}", *(f"{r.summary['process_cost_by_tier'][tier]:,.0f}"
                                         if "process_cost_by_tier" in r.summary else "" for r in results)]
             for tier in TIERS]
    return Table(columns, rows)


def render_report(results: list[BacktestResult], curves: list[pd.DataFrame], comparison: dict[str, Any] | None,
                  swap: pd.DataFrame | None, world_label: str) -> str:
    """The whole report page: summary, cut-off curves, tier mix, limits and rates, the
    comparison with the baseline, the swap set and each strategy's knock-out rules."""
    return render_page(
        TEMPLATES, "backtest_report.html.j2",
        label=world_label,
        summary=summary_table(results),
        charts=backtest_charts(results, curves),
        comparison=frame_table(pd.DataFrame([comparison])) if comparison else None,
        swap=None if swap is None else frame_table(swap, _SWAP),
        rules=[(r.strategy.name, frame_table(r.rules, _RULES)) for r in results],
    )
