"""Back-test strategies on past applications whose outcomes are known.

Every approved application is booked at its limit (balances of the world's as-if-booked loan
scaled by limit / amount) and priced at its rate. Figures are analytics (floats), not ledger
money: cumulative NPL = principal outstanding when each booked loan first went over 90 DPD
over booked principal; loss = that less what was paid afterwards; interest = rate on the
opening balance of months paid on time; funding cost and operating cost = ``cost_of_funds`` and
``operating_cost`` (the strategy's pricing parameters, the same in both shipped strategies) on
every opening balance before default; profit = interest - funding cost - operating cost - loss -
the process cost of each application's tier (``process_cost`` in the strategy file: a visit
costs more than a phone call), shown per tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.strategy.compiler import CompiledStrategy
from creditfactory.strategy.decide_frame import decide_frame
from creditfactory.strategy.spec import TIERS


@dataclass(frozen=True)
class BacktestResult:
    """Decisions (one row per application, with outcome columns) and the summary figures."""

    strategy: CompiledStrategy
    decisions: pd.DataFrame
    summary: dict[str, Any]
    rules: pd.DataFrame


def run_backtest(
    strategy: CompiledStrategy,
    apps: pd.DataFrame,
    scores: pd.DataFrame,
    outcomes: pd.DataFrame,
) -> BacktestResult:
    """Decide ``apps`` (with ``scores``) and measure the booked book against ``outcomes``.

    ``outcomes`` must be aligned row by row with ``apps`` (see ``align_outcomes``). Figures
    that need a simulated world's truth are added by ``creditfactory.evaluation``.
    """
    frame = decide_frame(strategy, apps, scores)
    frame["a_pd"] = pd.to_numeric(scores["a_pd"], errors="coerce").to_numpy(float) if "a_pd" in scores else np.nan
    if "adjusted_pd" not in frame.columns:
        frame["adjusted_pd"] = frame["a_pd"]
    frame["amount"] = apps["amount"].to_numpy(float)
    for col in ("bad12", "npl_balance", "net_loss", "earning_balance", "funded_balance"):
        frame[col] = outcomes[col].to_numpy()
    summary = summarise(strategy, frame)
    return BacktestResult(strategy, frame, summary, rule_hits(strategy, frame))


def _floats(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A Decimal column as float64 (0 where missing), converted once per frame."""
    cached = f"_{col}_float"
    if cached not in frame.columns:
        frame[cached] = pd.to_numeric(frame[col].astype(object).where(frame[col].notna(), 0.0).astype(float))
    return frame[cached].to_numpy(float)


def booked_figures(frame: pd.DataFrame, approved: np.ndarray, strategy: CompiledStrategy) -> dict[str, float]:
    """NPL, loss, bad rate, income and profit of the loans in ``approved``."""
    limit = _floats(frame, "limit")[approved]
    rate = _floats(frame, "rate")[approved]
    scale = limit / frame["amount"].to_numpy(float)[approved]
    npl = scale * frame["npl_balance"].to_numpy(float)[approved]
    loss = scale * frame["net_loss"].to_numpy(float)[approved]
    interest = scale * rate / 12 * frame["earning_balance"].to_numpy(float)[approved]
    p = strategy.spec.pricing
    funded = scale / 12 * frame["funded_balance"].to_numpy(float)[approved]
    funding, operating = float(p.cost_of_funds) * funded, float(p.operating_cost) * funded
    cost = funding + operating
    booked = limit.sum()
    safe = booked if booked > 0 else np.nan
    return {
        "booked_loans": int(approved.sum()),
        "booked_principal": round(float(booked), 2),
        "mean_limit": round(float(limit.mean()), 2) if len(limit) else 0.0,
        "mean_rate": round(float((rate * limit).sum() / safe), 6) if booked > 0 else 0.0,
        "bad_rate": float(frame["bad12"].to_numpy(bool)[approved].mean()) if approved.any() else 0.0,
        "npl_rate": float(npl.sum() / safe) if booked > 0 else 0.0,
        "loss_rate": float(loss.sum() / safe) if booked > 0 else 0.0,
        "interest_income": round(float(interest.sum()), 2),
        "funding_cost": round(float(funding.sum()), 2),
        "operating_cost": round(float(operating.sum()), 2),
        "funding_and_operating_cost": round(float(cost.sum()), 2),
        "loss": round(float(loss.sum()), 2),
        "profit": round(float(interest.sum() - cost.sum() - loss.sum()), 2),
    }


def summarise(strategy: CompiledStrategy, frame: pd.DataFrame) -> dict[str, Any]:
    """The summary a ``summary.json`` holds for one strategy."""
    n = len(frame)
    approved = (frame["decision"] == "approve").to_numpy()
    tiers = frame["tier"].value_counts()
    out: dict[str, Any] = {
        "strategy": strategy.name,
        "version": strategy.version,
        "digest": strategy.digest,
        "applications": n,
        "approval_rate": float(approved.mean()) if n else 0.0,
        "tier_mix": {t: float(tiers.get(t, 0)) / n if n else 0.0 for t in TIERS},
    }
    out.update(booked_figures(frame, approved, strategy))
    costs = process_costs(strategy)
    by_tier = {t: round(costs.get(t, 0.0) * float(tiers.get(t, 0)), 2) for t in TIERS}
    process = float(sum(by_tier.values()))
    out["process_cost_by_tier"] = by_tier
    out["process_cost"] = round(process, 2)
    out["profit"] = round(out["profit"] - process, 2)
    return out


def process_costs(strategy: CompiledStrategy) -> dict[str, float]:
    """What deciding one application costs in each tier (``process_cost``), CNY."""
    return {str(t): float(c) for t, c in strategy.spec.process_cost.items()}


def rule_hits(strategy: CompiledStrategy, frame: pd.DataFrame) -> pd.DataFrame:
    """Per knock-out rule: share of applications it hits, and share it alone rejects."""
    hits = frame["policy_hits"].fillna("").astype(str)
    counts = hits.str.count(";") + (hits != "").astype(int)
    rows = []
    n = max(len(frame), 1)
    exploded = hits[hits != ""].str.split(";").explode()
    single = hits[counts == 1]
    hit_counts = exploded.value_counts()
    unique_counts = single.value_counts()
    for code in strategy.policy_codes:
        rows.append({"rule": code, "hit_rate": hit_counts.get(code, 0) / n, "unique_hit_rate": unique_counts.get(code, 0) / n})
    return pd.DataFrame(rows)
