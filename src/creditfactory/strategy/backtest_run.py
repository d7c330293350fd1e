"""Back-test one or two strategies on lending data; write summary, analysis, decisions, report.

Every strategy is judged on the same out-of-time applications: those after the first
``train_months`` months, the months the caller's score provider was trained on. The data is
a lender's own or a simulated world; figures that need a world's truth are added to the run
by ``creditfactory.evaluation`` before it is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from creditfactory.data.outcomes import align_outcomes, loan_outcomes
from creditfactory.strategy.backtest import BacktestResult, run_backtest
from creditfactory.strategy.backtest_analysis import (
    compare_to_baseline,
    cutoff_curve,
    swap_set,
    without_cutoff,
)
from creditfactory.strategy.backtest_report import render_report
from creditfactory.strategy.compiler import CompiledStrategy
from creditfactory.strategy.fields import derive_fields
from creditfactory.strategy.providers import ScoreProvider

__all__ = ["BacktestRun", "backtest_strategies", "out_of_time_mask", "uses_scores", "write_backtest"]


@dataclass(frozen=True)
class BacktestRun:
    """The strategies' results on the out-of-time applications, with their cut-off curves,
    the comparison with the baseline (the second strategy) and the swap set."""

    results: list[BacktestResult]
    labels: list[str]
    curves: list[pd.DataFrame]
    comparison: dict[str, Any] | None
    swap: pd.DataFrame | None
    model_versions: dict[str, str]
    train_months: int

    @property
    def summary(self) -> dict[str, dict[str, Any]]:
        """Each strategy's summary figures, keyed by its label."""
        return {label: r.summary for label, r in zip(self.labels, self.results, strict=True)}

    def with_figures(self, figures: Mapping[str, Mapping[str, Any]]) -> BacktestRun:
        """The same run with more summary figures per strategy label (evaluation figures)."""
        results = [replace(r, summary=r.summary | dict(figures.get(label, {})))
                   for label, r in zip(self.labels, self.results, strict=True)]
        return replace(self, results=results)


def uses_scores(strategies: list[CompiledStrategy]) -> bool:
    """Whether any strategy reads model scores (so the caller must train or load models)."""
    return any(s.spec.scoring.enabled or s.spec.fraud.enabled for s in strategies)


def out_of_time_mask(apps: pd.DataFrame, train_months: int) -> np.ndarray:
    """Applications from ``train_months`` after the first month on."""
    start = pd.Timestamp(apps["applied_at"].min()).to_period("M").to_timestamp()
    return (apps["applied_at"] >= start + pd.DateOffset(months=train_months)).to_numpy()


def backtest_strategies(
    data: Any,
    strategies: list[CompiledStrategy],
    provider: ScoreProvider,
    *,
    train_months: int = 12,
) -> BacktestRun:
    """Decide the out-of-time applications of ``data`` (lending tables: ``applications`` and
    ``performance``) with each strategy, scores from ``provider``."""
    apps_all = derive_fields(data.applications)
    apps = apps_all[out_of_time_mask(apps_all, train_months)].reset_index(drop=True)
    outcomes = align_outcomes(apps, loan_outcomes(apps, data.performance))
    scores = provider.score_frame(apps).reset_index(drop=True)
    results = [run_backtest(s, apps, scores, outcomes) for s in strategies]
    curves = [
        cutoff_curve(run_backtest(without_cutoff(s), apps, scores, outcomes)) if without_cutoff(s) is not s else cutoff_curve(r)
        for s, r in zip(strategies, results, strict=True)
    ]
    comparison = compare_to_baseline(curves[0], results[1].summary) if len(results) > 1 else None
    swap = swap_set(results[1], results[0]) if len(results) > 1 else None
    return BacktestRun(results, _labels(strategies), curves, comparison, swap, provider.versions(), train_months)


def write_backtest(run: BacktestRun, out: Path) -> None:
    """Write ``summary.json``, ``analysis.json``, ``decisions.parquet`` and ``report.html``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(run.summary, indent=2), "utf-8")
    extra = {"comparison": run.comparison, "model_versions": run.model_versions, "train_months": run.train_months,
             "curves": {label: c.to_dict("records") for label, c in zip(run.labels, run.curves, strict=True)},
             "swap_set": None if run.swap is None else run.swap.to_dict("records")}
    (out / "analysis.json").write_text(json.dumps(_jsonable(extra), indent=2, default=str), "utf-8")
    _write_decisions(run.results, run.labels, out / "decisions.parquet")
    n = len(run.results[0].decisions)
    label = (f"{n:,} out-of-time applications (models trained on the first {run.train_months} months); "
             f"models: {run.model_versions}")
    (out / "report.html").write_text(render_report(run.results, run.curves, run.comparison, run.swap, label), "utf-8")


def _jsonable(value: Any) -> Any:
    """NaN and infinity as ``null`` so the file is strict JSON."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _labels(strategies: list[CompiledStrategy]) -> list[str]:
    labels: list[str] = []
    for s in strategies:
        label = s.name
        while label in labels:
            label += "_vs"
        labels.append(label)
    return labels


def _write_decisions(results: list[BacktestResult], labels: list[str], path: Path) -> None:
    tables = []
    for label, r in zip(labels, results, strict=True):
        d = r.decisions
        cols = {
            "strategy": pa.array([label] * len(d)),
            "strategy_version": pa.array([r.strategy.version] * len(d)),
            "application_id": pa.array(d["application_id"].to_numpy(np.int64)),
        }
        for c in ("decision", "tier", "reasons", "policy_hits", "segment", "grade", "fraud_band", "product"):
            cols[c] = pa.array(d[c].astype(object), pa.string(), from_pandas=True)
        cols["disagreement"] = pa.array(d["disagreement"], pa.bool_(), from_pandas=True)
        cols["term_months"] = pa.array(d["term_months"], pa.int16(), from_pandas=True)
        cols["rate"] = pa.array(d["rate"].tolist(), pa.decimal128(6, 4))
        cols["limit"] = pa.array(d["limit"].tolist(), pa.decimal128(14, 2))
        cols["a_pd"] = pa.array(d["a_pd"].to_numpy(float))
        tables.append(pa.table(cols))
    pq.write_table(pa.concat_tables(tables), path)
