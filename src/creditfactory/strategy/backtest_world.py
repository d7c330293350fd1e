"""Back-test one or two strategies on a world directory and write summary, decisions, report.

Models are trained on the first ``train_months`` of applications (only when a strategy uses
scores) and every strategy is judged on the same out-of-time applications after them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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
from creditfactory.strategy.providers import NoScores, ScoreProvider


@dataclass(frozen=True)
class BacktestRun:
    """What ``backtest_world`` produced."""

    results: list[BacktestResult]
    summary: dict[str, Any]
    comparison: dict[str, Any] | None
    out: Path


def out_of_time_mask(apps: pd.DataFrame, train_months: int) -> np.ndarray:
    start = pd.Timestamp(apps["applied_at"].min()).to_period("M").to_timestamp()
    return (apps["applied_at"] >= start + pd.DateOffset(months=train_months)).to_numpy()


def backtest_world(
    world: Any,
    strategies: list[CompiledStrategy],
    out: Path,
    *,
    provider: ScoreProvider | None = None,
    train_months: int = 12,
) -> BacktestRun:
    """Decide the out-of-time applications with each strategy and write the three outputs."""
    uses_scores = any(s.spec.scoring.enabled or s.spec.fraud.enabled for s in strategies)
    if provider is None:
        if uses_scores:
            from creditfactory.models.training import train_lending_models

            provider = train_lending_models(world, train_months=train_months)
        else:
            provider = NoScores()
    apps_all = derive_fields(world.applications)
    oot = out_of_time_mask(apps_all, train_months)
    apps = apps_all[oot].reset_index(drop=True)
    outcomes = align_outcomes(apps, loan_outcomes(apps, world.performance))
    scores = provider.score_frame(apps).reset_index(drop=True)
    truth = world.truth.set_index("application_id").reindex(apps["application_id"]).reset_index()
    results = [run_backtest(s, apps, scores, outcomes, truth) for s in strategies]
    curves = [
        cutoff_curve(run_backtest(without_cutoff(s), apps, scores, outcomes)) if without_cutoff(s) is not s else cutoff_curve(r)
        for s, r in zip(strategies, results, strict=True)
    ]
    labels = _labels(strategies)
    summary = {label: r.summary for label, r in zip(labels, results, strict=True)}
    comparison = compare_to_baseline(curves[0], results[1].summary) if len(results) > 1 else None
    swap = swap_set(results[1], results[0]) if len(results) > 1 else None
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2), "utf-8")
    extra = {"comparison": comparison, "model_versions": provider.versions(), "train_months": train_months,
             "curves": {label: c.to_dict("records") for label, c in zip(labels, curves, strict=True)},
             "swap_set": None if swap is None else swap.to_dict("records")}
    (out / "analysis.json").write_text(json.dumps(_jsonable(extra), indent=2, default=str), "utf-8")
    _write_decisions(results, labels, out / "decisions.parquet")
    label = f"{len(apps):,} out-of-time applications (models trained on the first {train_months} months); models: {provider.versions()}"
    (out / "report.html").write_text(render_report(results, curves, comparison, swap, label), "utf-8")
    return BacktestRun(results, summary, comparison, out)


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
