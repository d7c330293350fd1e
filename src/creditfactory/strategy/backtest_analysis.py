"""Cut-off curves, the default-against-baseline comparison and swap sets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creditfactory.strategy.backtest import BacktestResult, booked_figures
from creditfactory.strategy.compiler import CompiledStrategy, compile_strategy


def without_cutoff(strategy: CompiledStrategy) -> CompiledStrategy:
    """The same strategy with its declining grades priced, sized and tiered like the worst
    accepted grade, so a cut-off curve can run past the configured cut-off."""
    spec = strategy.spec
    grades = list(spec.grades)
    if not spec.scoring.enabled or not any(g.decline for g in grades):
        return strategy
    worst = grades[max(i for i, g in enumerate(grades) if not g.decline)]
    declined = [g.name for g in grades if g.decline]
    new_grades = [
        g.model_copy(update={"decline": False, "limit_factor": worst.limit_factor, "pricing_pd": worst.pricing_pd,
                             "max_limit": worst.max_limit})
        if g.decline else g
        for g in grades
    ]
    tiers = [
        t.model_copy(update={"grades": [*t.grades, *declined]}) if t.grades and worst.name in t.grades else t
        for t in spec.tiers
    ]
    variant = spec.model_copy(update={"grades": new_grades, "tiers": tiers, "version": f"{spec.version}+no-cutoff"})
    return compile_strategy(variant, strategy.source_text + "\n# variant: no score cut-off\n")


def cutoff_curve(result: BacktestResult, points: int = 25) -> pd.DataFrame:
    """Approval rate against bad and NPL rates as the A-card cut-off moves.

    Give it the back-test of ``without_cutoff(strategy)``: its approvals are removed worst
    score first (applications without a score last), so each point is the strategy with a
    different cut-off, from very strict to none at all.
    """
    frame = result.decisions
    approved = (frame["decision"] == "approve").to_numpy()
    a_pd = frame["adjusted_pd"].to_numpy(float)
    if not approved.any() or np.isnan(a_pd[approved]).all():
        figures = booked_figures(frame, approved, result.strategy)
        return pd.DataFrame([{"cutoff_pd": np.nan, "approval_rate": approved.mean(), **figures}])
    key = np.where(np.isnan(a_pd), np.inf, a_pd)
    cuts = np.unique(np.quantile(key[approved & np.isfinite(key)], np.linspace(0.05, 1.0, points)))
    rows = []
    for cut in cuts:
        chosen = approved & (key <= cut)
        rows.append({"cutoff_pd": float(cut), "approval_rate": float(chosen.mean()),
                     **booked_figures(frame, chosen, result.strategy)})
    rows.append({"cutoff_pd": np.inf, "approval_rate": float(approved.mean()),
                 **booked_figures(frame, approved, result.strategy)})
    return pd.DataFrame(rows).drop_duplicates("approval_rate").sort_values("approval_rate")


def compare_to_baseline(curve: pd.DataFrame, baseline: dict[str, Any]) -> dict[str, Any]:
    """The strategy's NPL at the baseline's approval rate, and its approval rate at the
    baseline's NPL (interpolated along the cut-off curve; ``None`` beyond its range)."""
    x = curve["approval_rate"].to_numpy(float)
    y = curve["npl_rate"].to_numpy(float)
    base_rate, base_npl = baseline["approval_rate"], baseline["npl_rate"]
    npl_at_rate = float(np.interp(base_rate, x, y)) if x.min() <= base_rate <= x.max() else None
    under = curve[curve["npl_rate"] <= base_npl]
    approval_at_npl = float(under["approval_rate"].max()) if len(under) else None
    return {
        "baseline": baseline["strategy"],
        "baseline_approval_rate": base_rate,
        "baseline_npl_rate": base_npl,
        "npl_at_baseline_approval": npl_at_rate,
        "npl_ratio_at_same_approval": None if npl_at_rate is None or base_npl == 0 else npl_at_rate / base_npl,
        "approval_at_baseline_npl": approval_at_npl,
        "approval_gain_at_same_npl": None if approval_at_npl is None or base_rate == 0 else approval_at_npl / base_rate - 1,
    }


def swap_set(first: BacktestResult, second: BacktestResult) -> pd.DataFrame:
    """Who each strategy approves that the other rejects, and how those loans performed."""
    a = (first.decisions["decision"] == "approve").to_numpy()
    b = (second.decisions["decision"] == "approve").to_numpy()
    rows = []
    for label, mask, source in (
        ("both approve", a & b, second),
        (f"only {second.strategy.name} approves (swap-in)", b & ~a, second),
        (f"only {first.strategy.name} approves (swap-out)", a & ~b, first),
        ("both reject", ~a & ~b, None),
    ):
        row: dict[str, Any] = {"set": label, "applications": int(mask.sum()), "share": float(mask.mean())}
        row["bad_rate"] = float(first.decisions["bad12"].to_numpy(bool)[mask].mean()) if mask.any() else None
        if source is not None:
            figures = booked_figures(source.decisions, mask, source.strategy)
            row["npl_rate"] = figures["npl_rate"]
            row["booked_principal"] = figures["booked_principal"]
        rows.append(row)
    return pd.DataFrame(rows)
