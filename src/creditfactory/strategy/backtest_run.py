"""Back-test one or two strategies on lending data; write summary, analysis, decisions, report.

Every strategy is judged on the same out-of-time applications: those from the date the
provider's labels were observed at (its maturity cut, ``labels_as_of`` in its versions) on,
and never before the first ``train_months`` months -- a model is never judged on decisions
made before the outcomes it learnt from were known.

Known bads are what a lender can know: the fraud graph of a strategy that reads fraud scores
counts, besides the history before the judged window, only the loans that strategy booked.
The judged months are decided in order, each with the fraud scores of a graph whose known
bads are the history's and the strategy's own earlier bookings (a loan becomes a known bad
months after it is booked, so a month's decisions never wait on one another); an application
the strategy rejected never becomes a known bad. Its cut-off curve reuses those scores.

The data is a lender's own or a simulated world; figures that need a world's truth are added
to the run by ``creditfactory.evaluation`` before it is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from creditfactory.data.outcomes import align_outcomes, loan_outcomes, month_start
from creditfactory.errors import InvalidArgument
from creditfactory.fraud.labels import NEVER, known_bad_times
from creditfactory.strategy.appetite import calibrate, needs_calibration
from creditfactory.strategy.backtest import BacktestResult, run_backtest
from creditfactory.strategy.backtest_analysis import (
    compare_to_baseline,
    cutoff_curve,
    swap_set,
    without_cutoff,
)
from creditfactory.strategy.backtest_report import render_report
from creditfactory.strategy.compiler import CompiledStrategy
from creditfactory.strategy.decide_frame import decide_frame
from creditfactory.strategy.fields import derive_fields
from creditfactory.strategy.providers import ScoreProvider

__all__ = ["BacktestRun", "IncrementalRescoring", "KnownBadRescoring", "MonthlyFraud", "backtest_strategies", "judged_from", "out_of_time_mask",
           "uses_scores", "write_backtest"]

LABELS_AS_OF = "labels_as_of"


@runtime_checkable
class KnownBadRescoring(Protocol):
    """A provider whose fraud scores can be recomputed with the known bads a strategy's own
    bookings give (``creditfactory.models.TrainedModels``)."""

    def fraud_with_known_bads(self, apps: pd.DataFrame, known_bad: np.ndarray) -> pd.DataFrame: ...


class MonthlyFraud(Protocol):
    """Fraud scores of rows ``lo:hi`` of a history under given known bads, its graph built
    once (``creditfactory.models.fraud.FraudRescoring``)."""

    def scores(self, lo: int, hi: int, known_bad: np.ndarray) -> pd.DataFrame: ...


@runtime_checkable
class IncrementalRescoring(Protocol):
    """A provider that re-scores a history month by month on one graph (equal to
    :meth:`KnownBadRescoring.fraud_with_known_bads` of each month's window, on its rows);
    ``None`` when its fraud scores never change."""

    def fraud_rescoring(self, apps: pd.DataFrame) -> MonthlyFraud | None: ...


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


def judged_from(apps: pd.DataFrame, train_months: int, versions: Mapping[str, str] | None = None) -> pd.Timestamp:
    """The first judged date: ``train_months`` after the first month, or the provider's
    maturity cut (``labels_as_of``) when later."""
    start = month_start(apps["applied_at"].min()) + pd.DateOffset(months=train_months)
    cut = (versions or {}).get(LABELS_AS_OF)
    return max(start, pd.Timestamp(cut)) if cut else start


def out_of_time_mask(apps: pd.DataFrame, train_months: int, versions: Mapping[str, str] | None = None) -> np.ndarray:
    """Applications from :func:`judged_from` on."""
    return (apps["applied_at"] >= judged_from(apps, train_months, versions)).to_numpy()


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
    if not apps_all["applied_at"].is_monotonic_increasing:
        apps_all = apps_all.sort_values("applied_at", kind="stable", ignore_index=True)
    versions = provider.versions()
    judged = out_of_time_mask(apps_all, train_months, versions)
    if not judged.any():
        raise InvalidArgument(f"no application on or after {judged_from(apps_all, train_months, versions).date()} "
                              "to judge: the data ends before the models' labels matured")
    if uses_scores(strategies):
        start = judged_from(apps_all, train_months, versions)
        strategies = [calibrate(s, data, provider, train_months=train_months, as_of=start)
                      if needs_calibration(s) else s for s in strategies]
    apps = apps_all[judged].reset_index(drop=True)
    outcomes = align_outcomes(apps, loan_outcomes(apps, data.performance))
    scores = provider.score_frame(apps).reset_index(drop=True)
    known = _KnownBads(apps_all, judged, data.performance) if isinstance(provider, KnownBadRescoring) else None
    own = [known.scores(s, apps, scores, provider) if known is not None and s.spec.fraud.enabled else scores  # type: ignore[arg-type]
           for s in strategies]
    results = [run_backtest(s, apps, sc, outcomes) for s, sc in zip(strategies, own, strict=True)]
    curves = [
        cutoff_curve(run_backtest(without_cutoff(s), apps, sc, outcomes)) if without_cutoff(s) is not s else cutoff_curve(r)
        for s, r, sc in zip(strategies, results, own, strict=True)
    ]
    comparison = compare_to_baseline(curves[0], results[1].summary) if len(results) > 1 else None
    swap = swap_set(results[1], results[0]) if len(results) > 1 else None
    months = int(round((judged_from(apps_all, train_months, versions) - month_start(apps_all["applied_at"].min())).days / 30.44))
    return BacktestRun(results, _labels(strategies), curves, comparison, swap, versions, months)


class _KnownBads:
    """When each application would become a known bad if booked, and the history before the
    judged window (every application of it booked: the lender's own records)."""

    def __init__(self, apps_all: pd.DataFrame, judged: np.ndarray, performance: pd.DataFrame):
        self.apps = apps_all
        self.judged = judged
        self.bad_if_booked = known_bad_times(performance, apps_all["application_id"].to_numpy(np.int64))
        self.month = pd.to_datetime(apps_all["applied_at"]).to_numpy().astype("datetime64[M]").astype(np.int64)
        self._rescoring: tuple[MonthlyFraud | None] | None = None

    def scores(self, strategy: CompiledStrategy, apps: pd.DataFrame, scores: pd.DataFrame,
               provider: KnownBadRescoring) -> pd.DataFrame:
        """``scores`` with the fraud columns of each judged month recomputed from the known
        bads of the history and of ``strategy``'s bookings in the months before."""
        booked = ~self.judged
        out = scores.copy()
        rows = np.flatnonzero(self.judged)
        judged_month = self.month[rows]
        monthly = self._monthly(provider)
        for month in np.unique(judged_month):
            lo = int(np.searchsorted(self.month, month, side="left"))
            upto = int(np.searchsorted(self.month, month, side="right"))
            known = np.where(booked[:upto], self.bad_if_booked[:upto], NEVER)
            if monthly is None:
                fraud = provider.fraud_with_known_bads(self.apps.iloc[:upto], known)
            else:
                fraud = monthly.scores(lo, upto, known)
            mine = np.flatnonzero(judged_month == month)
            ids = apps["application_id"].to_numpy(np.int64)[mine]
            out.loc[mine, "fraud_score"] = fraud["fraud_score"].reindex(ids).to_numpy(float)
            out.loc[mine, "fraud_rule_hits"] = fraud["fraud_rule_hits"].reindex(ids).fillna("").to_numpy(object)
            decided = decide_frame(strategy, apps.iloc[mine], out.iloc[mine])
            booked[rows[mine]] = (decided["decision"] == "approve").to_numpy()
        return out

    def _monthly(self, provider: KnownBadRescoring) -> MonthlyFraud | None:
        """The provider's one-graph re-scoring of the history when it has one, built once."""
        if not isinstance(provider, IncrementalRescoring):
            return None
        if self._rescoring is None:
            self._rescoring = (provider.fraud_rescoring(self.apps),)
        return self._rescoring[0]


def write_backtest(run: BacktestRun, out: Path) -> None:
    """Write ``summary.json``, ``analysis.json``, ``decisions.parquet`` and ``report.html``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(run.summary, indent=2), "utf-8")
    calibrations = {label: r.strategy.spec.calibration.model_dump(mode="json")
                    for label, r in zip(run.labels, run.results, strict=True) if r.strategy.spec.calibration}
    extra = {"comparison": run.comparison, "model_versions": run.model_versions, "train_months": run.train_months,
             "calibration": calibrations,
             "curves": {label: c.to_dict("records") for label, c in zip(run.labels, run.curves, strict=True)},
             "swap_set": None if run.swap is None else run.swap.to_dict("records")}
    (out / "analysis.json").write_text(json.dumps(_jsonable(extra), indent=2, default=str), "utf-8")
    _write_decisions(run.results, run.labels, out / "decisions.parquet")
    n = len(run.results[0].decisions)
    label = (f"{n:,} out-of-time applications, from month {run.train_months} on (the models' labels were "
             f"observed then); models: {run.model_versions}")
    for name, cal in calibrations.items():
        label += (f"; {name}: cut-off PD {cal['cutoff_pd']} and limit scale {cal['limit_scale']} chosen by its "
                  f"appetite on {cal['window']}, projected {cal['figures']}")
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
