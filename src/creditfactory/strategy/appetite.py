"""Cut-offs and limits from a risk appetite, chosen on the development window.

A strategy file may declare an ``appetite`` (a target cumulative NPL, or a target approval rate
under that NPL as a ceiling) instead of relying on its fixed grade table. Training then decides
the development applications with every candidate -- a score cut-off from ``cutoff_grid``
(the highest adjusted PD still approved) and a scale of every grade's limit factor and cap from
``limit_scales`` -- and keeps the one with the best projected profit within the appetite. The
choice is written into the strategy text as its ``calibration`` (the grade table, the window,
the models and the figures it was chosen on), so the live service decides with exactly the
cut-offs the back-test measured, and the strategy's digest names them.

Only what the lender had seen at ``as_of`` (the models' maturity cut) is used: performance
months before it. Lifetime figures are projected from it:

- NPL: the principal outstanding when a loan first went over 90 DPD, emerged within each loan's
  observed months, developed to the last observed month on book with chain-ladder factors
  measured on the candidate's own older loans (the product's loss emergence, never a world
  parameter); later emergence is not projected, which the appetite's margin must cover;
- interest and cost: the observed months' balances, scaled for loans still performing by their
  schedule's remaining balances (20 % equal instalments, the data's schedule); loss: projected
  NPL times the net-loss share observed on the defaulted loans (recoveries still to come are
  not counted: conservative).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import yaml

from creditfactory.data.outcomes import (
    BAD_DPD,
    align_outcomes,
    loan_outcomes,
    month_start,
    observed_performance,
)
from creditfactory.errors import InvalidArgument
from creditfactory.strategy.backtest import process_costs
from creditfactory.strategy.compiler import CompiledStrategy, compile_strategy
from creditfactory.strategy.decide_frame import decide_frame
from creditfactory.strategy.fields import derive_fields
from creditfactory.strategy.loader import calibrated, parse_strategy
from creditfactory.strategy.spec import Calibration, Grade, StrategySpec

__all__ = ["calibrate", "candidate_grades", "candidate_product_limits", "needs_calibration"]

SCHEDULE_RATE = 0.20
_MAX_LIMIT_FACTOR = Decimal(2)


def needs_calibration(strategy: CompiledStrategy) -> bool:
    """Whether ``strategy`` declares an appetite whose cut-offs are not chosen yet."""
    return strategy.spec.appetite is not None and strategy.spec.calibration is None


def candidate_grades(spec: StrategySpec, cutoff: Decimal, scale: Decimal) -> list[Grade]:
    """The grade table with accepted grades ending at ``cutoff`` (the last one kept stretched
    to it) and every accepted grade's limit factor and cap scaled by ``scale`` but the last
    one's (the marginal grade keeps the file's limits)."""
    accepted = [g for g in spec.grades if not g.decline]
    declined = [g for g in spec.grades if g.decline]
    out: list[Grade] = []
    lower = Decimal(0)
    for g in accepted:
        if lower >= cutoff and out:
            break
        cap = None if g.max_limit is None else min(spec.limit.maximum, _steps(g.max_limit * scale, spec.limit.step))
        out.append(g.model_copy(update={"max_pd": min(g.max_pd, cutoff),
                                        "limit_factor": min(_MAX_LIMIT_FACTOR, g.limit_factor * scale),
                                        "max_limit": cap}))
        lower = g.max_pd
    last = next(g for g in accepted if g.name == out[-1].name)
    # the grade the cut-off ends in is the marginal one: it keeps the file's limits
    out[-1] = out[-1].model_copy(update={"max_pd": cutoff, "limit_factor": last.limit_factor,
                                         "max_limit": last.max_limit})
    names = {g.name for g in out}
    rest = [g for g in accepted if g.name not in names]
    # grades above the cut-off stay (the tier table names them) but decline
    out += [g.model_copy(update={"max_pd": max(g.max_pd, cutoff), "decline": True}) for g in rest]
    out += [g.model_copy(update={"max_pd": max(g.max_pd, cutoff)}) for g in declined]
    return out


def candidate_product_limits(spec: StrategySpec, scale: Decimal) -> dict[str, Decimal]:
    """Every product's limit cap scaled by ``scale``, within the limit engine's range."""
    return {p.code: max(p.min_limit, min(spec.limit.maximum, _steps(p.max_limit * scale, spec.limit.step)))
            for p in spec.products}


def _steps(value: Decimal, step: Decimal) -> Decimal:
    return (value // step) * step


@dataclass(frozen=True)
class _Observed:
    """The development window's loans as seen at ``as_of``, one row per application."""

    amount: np.ndarray
    npl: np.ndarray
    net_loss: np.ndarray
    earning: np.ndarray
    funded: np.ndarray
    first90: np.ndarray  # month on book of the first 90+ DPD month, 0 if none observed
    horizon: np.ndarray  # months on book observed
    remaining: np.ndarray  # schedule's lifetime balance over its observed months' balance

    @classmethod
    def of(cls, apps: pd.DataFrame, performance: pd.DataFrame, as_of: pd.Timestamp) -> _Observed:
        ids = apps["application_id"].to_numpy(np.int64)
        seen = observed_performance(performance[performance["application_id"].isin(ids)], as_of)
        out = align_outcomes(apps, loan_outcomes(apps, seen))
        bad = seen.loc[seen["dpd"] > BAD_DPD].groupby("application_id")["mob"].min()
        first90 = bad.reindex(ids).fillna(0).to_numpy(np.int64)
        applied = pd.to_datetime(apps["applied_at"]).to_numpy().astype("datetime64[M]").astype(np.int64)
        last = np.datetime64(month_start(as_of), "M").astype(np.int64)
        horizon = np.maximum(last - applied - 1, 0)
        term = apps["term_months"].to_numpy(np.int64)
        return cls(apps["amount"].to_numpy(float), out["npl_balance"].to_numpy(float),
                   out["net_loss"].to_numpy(float), out["earning_balance"].to_numpy(float),
                   out["funded_balance"].to_numpy(float), first90, horizon, _remaining(term, horizon))


def _remaining(term: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """Sum of the schedule's opening balances over the whole term over those of the observed
    months (1 once the term is over)."""
    i = SCHEDULE_RATE / 12
    top = int(max(term.max(initial=1), 1))
    k = np.arange(top)
    growth = (1 + i) ** k
    share = {t: 1 - (growth[:t] - 1) / ((1 + i) ** t - 1) for t in np.unique(term) if t > 0}
    cum = {t: np.cumsum(b) for t, b in share.items()}
    out = np.ones(len(term))
    for t, c in cum.items():
        rows = term == t
        seen = np.clip(horizon[rows], 1, t)
        out[rows] = c[-1] / c[seen - 1]
    return out


def _projected_npl(o: _Observed, weight: np.ndarray, chosen: np.ndarray) -> float:
    """Chain-ladder NPL of the ``chosen`` loans (``weight``: limit / amount).

    The factor from month ``k`` to ``k + 1`` is the NPL emerged by ``k + 1`` over that
    emerged by ``k``, on the loans observed at least ``k + 1`` months: both read off one
    table of emerged NPL by months observed and month of emergence.
    """
    w = weight * o.npl
    emerged = np.where((o.first90 > 0) & chosen, w, 0.0)
    top = int(o.horizon[chosen].max(initial=0))
    low = int(o.horizon[chosen].min(initial=0))
    factor = np.ones(top + 2)
    ks = np.arange(max(low, 1), top)
    if len(ks):
        rows = np.flatnonzero(emerged)
        width = top + 2
        cell = o.horizon[rows] * width + np.minimum(o.first90[rows], top + 1)
        table = np.bincount(cell, weights=emerged[rows], minlength=(top + 1) * width).reshape(top + 1, width)
        # [a, g]: emerged on loans observed at least a months, by month g of emergence
        upto = table[::-1].cumsum(axis=0)[::-1].cumsum(axis=1)
        before, after = upto[ks + 1, ks], upto[ks + 1, ks + 1]
        factor[ks] = np.divide(after, before, out=np.ones(len(ks)), where=before > 0)
    develop = np.cumprod(factor[::-1])[::-1]  # develop[k]: from month k to the last observed
    return float(np.sum(emerged * develop[np.minimum(o.horizon, top + 1)]))


@dataclass(frozen=True)
class _Decided:
    """One limit scale's decisions as arrays: every row's limit and rate (0 where none) and
    process cost if approved; ``reject_cost`` is a rejection's."""

    limit: np.ndarray
    rate: np.ndarray
    approve_cost: np.ndarray
    reject_cost: float

    @classmethod
    def of(cls, frame: pd.DataFrame, costs: dict[str, float]) -> _Decided:
        def number(column: str) -> np.ndarray:
            return pd.to_numeric(frame[column].astype(object).fillna(0.0)).to_numpy(float)

        tiers = frame["tier"].astype(object).to_numpy(object)
        by_tier = {t: costs.get(str(t), 0.0) for t in pd.unique(tiers)}
        return cls(number("limit"), number("rate"), np.array([by_tier[t] for t in tiers], float),
                   costs.get("reject", 0.0))


def _figures(o: _Observed, d: _Decided, chosen: np.ndarray, strategy: CompiledStrategy) -> dict[str, float]:
    limit = np.where(chosen, d.limit, 0.0)
    rate = np.where(chosen, d.rate, 0.0)
    weight = np.where(chosen, limit / o.amount, 0.0)
    principal = float(limit.sum())
    npl = _projected_npl(o, weight, chosen)
    emerged = float((weight * o.npl).sum())
    loss_share = float((weight * o.net_loss).sum()) / emerged if emerged > 0 else 0.85
    performing = o.first90 == 0
    grow = np.where(performing, o.remaining, 1.0)
    p = strategy.spec.pricing
    interest = float((weight * rate / 12 * o.earning * grow).sum())
    funding = float((weight * float(p.cost_of_funds) / 12 * o.funded * grow).sum())
    operating = float((weight * float(p.operating_cost) / 12 * o.funded * grow).sum())
    each = np.where(chosen, d.approve_cost, d.reject_cost)
    # summed in row order, one after another, as the per-row figures always were
    process = float(np.cumsum(each)[-1]) if len(each) else 0.0
    loss = npl * loss_share
    return {"approval_rate": float(chosen.mean()), "principal": principal,
            "npl_rate": npl / principal if principal > 0 else 0.0,
            "profit": interest - funding - operating - loss - process}


def calibrate(strategy: CompiledStrategy, data: Any, provider: Any, *, train_months: int,
              as_of: pd.Timestamp) -> CompiledStrategy:
    """``strategy`` with the cut-off and limit scale its appetite chooses on the applications of
    the first ``train_months`` months, scored by ``provider``, with outcomes observed at
    ``as_of``; the choice and its figures are appended to its text as ``calibration``."""
    spec, appetite = strategy.spec, strategy.spec.appetite
    if appetite is None:
        return strategy
    apps = derive_fields(data.applications)
    start = month_start(apps["applied_at"].min())
    end = start + pd.DateOffset(months=train_months)
    apps = apps[(apps["applied_at"] < end).to_numpy()].reset_index(drop=True)
    if apps.empty:
        raise InvalidArgument("calibrating the appetite needs development applications")
    observed = _Observed.of(apps, data.performance, pd.Timestamp(as_of))
    scores = provider.score_frame(apps).reset_index(drop=True)
    costs = process_costs(strategy)
    grid = _cutoffs(spec, appetite.cutoff_grid)
    top = max(grid)
    rows: list[dict[str, Any]] = []
    for scale in appetite.limit_scales:
        variant = calibrated(spec, candidate_grades(spec, top, scale), candidate_product_limits(spec, scale))
        frame = decide_frame(compile_strategy(variant, strategy.source_text), apps, scores)
        approved = (frame["decision"] == "approve").to_numpy()
        pd_ = frame["adjusted_pd"].to_numpy(float) if "adjusted_pd" in frame else np.full(len(frame), np.nan)
        decided = _Decided.of(frame, costs)
        for cutoff in grid:
            chosen = approved & (np.isnan(pd_) | (pd_ <= float(cutoff)))
            rows.append({"cutoff": cutoff, "scale": scale, **_figures(observed, decided, chosen, strategy)})
    table = pd.DataFrame(rows)
    pick = _choose(table, float(appetite.target_npl),
                   None if appetite.target_approval is None else float(appetite.target_approval))
    chosen = table.iloc[pick]
    calibration = Calibration(
        cutoff_pd=chosen["cutoff"], limit_scale=chosen["scale"],
        grades=candidate_grades(spec, chosen["cutoff"], chosen["scale"]),
        product_max_limits=candidate_product_limits(spec, chosen["scale"]),
        window={"development_from": str(start.date()), "development_to": str(end.date()),
                "outcomes_as_of": str(pd.Timestamp(as_of).date())},
        models=dict(provider.versions()),
        figures={"applications": float(len(apps)), "candidates": float(len(table)),
                 **{f"projected_{k}": round(float(chosen[k]), 6) for k in ("approval_rate", "npl_rate", "profit")}},
    )
    return parse_strategy(with_calibration(strategy.source_text, calibration), source=f"{spec.name}+calibration")


def _cutoffs(spec: StrategySpec, grid: list[Decimal]) -> list[Decimal]:
    """The cut-offs that keep the unscored grade (an application without a score) accepted:
    those above its lower bound."""
    names = [g.name for g in spec.grades]
    at = names.index(spec.scoring.unscored_grade)
    lower = spec.grades[at - 1].max_pd if at > 0 else Decimal(0)
    kept = [c for c in grid if c > lower]
    return kept or [max(max(grid), spec.grades[at].max_pd)]


def _choose(table: pd.DataFrame, target_npl: float, target_approval: float | None) -> int:
    """The row the appetite picks.

    With a target approval rate: for each limit scale, the strictest cut-off approving at
    least that rate; of those within the NPL ceiling, the most profitable. Otherwise (or when
    none is within the ceiling): the most profitable row within the NPL target, and with none
    within it, the lowest NPL.
    """
    within = (table["npl_rate"] <= target_npl).to_numpy()
    if target_approval is not None:
        reach = table["approval_rate"].to_numpy() >= target_approval
        first = pd.Series(np.where(reach, table["cutoff"].astype(float), np.inf)).groupby(
            table["scale"].to_numpy()).transform("min").to_numpy()
        at_target = reach & (table["cutoff"].astype(float).to_numpy() == first) & within
        if at_target.any():
            return int(table["profit"].where(at_target, -np.inf).to_numpy().argmax())
    if not within.any():
        return int(table["npl_rate"].to_numpy().argmin())
    return int(table["profit"].where(within, -np.inf).to_numpy().argmax())


def with_calibration(text: str, calibration: Calibration) -> str:
    """Strategy text with ``calibration`` as its last section (replacing an earlier one)."""
    base = text.split("\n# calibration: chosen by the appetite", 1)[0].rstrip("\n")
    body = yaml.safe_dump({"calibration": _plain(calibration.model_dump(exclude_none=True))},
                          sort_keys=False, width=120)
    return f"{base}\n\n# calibration: chosen by the appetite on the development window\n{body}"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
