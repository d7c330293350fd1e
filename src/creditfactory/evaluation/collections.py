"""The collections back-test: strategies played on a portfolio run's delinquent borrowers.

The episodes of the book (:func:`creditfactory.collections.episodes.delinquency_episodes`)
meet the world's borrowers: each gets its hidden reason and contactability from the world's
truth (fraud, the unwilling, hidden debts, the industry cycle, and whether the repayment
model's default clock rang in the run). The book's episodes are cut in time: those that began
in the first half are the development history, played with the conventional ``bucket_only``
(what the lender did before it had a C-card); the C-card is fitted on their bucket-entry rows
with the labels known at the cut, and judged out of time on the second half, where each
strategy is played on the same accounts with the same luck. The comparison runs again in
every perturbed world (each effect x (1 +- 50 %), a fixed set of draws), the C-card refitted
on that world's own development history.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.collections.episodes import delinquency_episodes, linked_since
from creditfactory.collections.reasons import (
    ReasonModel,
    evidence,
    fit_reason_model,
    hindsight,
    load_reason_model,
)
from creditfactory.collections.strategy import (
    REASONS,
    CompiledCollections,
    challenger_mask,
    load_collections_strategy,
)
from creditfactory.errors import InvalidArgument
from creditfactory.evaluation.collections_play import Accounts, Played, play
from creditfactory.fraud.identity import identity_table
from creditfactory.world.collections_response import (
    ResponseModel,
    hidden_reasons,
    load_response,
    perturbed,
)

__all__ = ["BacktestResult", "collections_backtest", "prepare_accounts"]

EPOCH = np.datetime64("2015-01-01", "D")
CURE_ROWS_MIN = 50
QUICK_CURE_STEPS = 2
"""A cure within this many steps of the bucket entry is a quick one."""
HINDSIGHT_STEPS = 12
"""Steps before the development half's last start by which an episode's 90 days had passed."""


@dataclass
class BacktestResult:
    summary: dict[str, Any]
    actions: pd.DataFrame
    played: dict[str, Played]
    snapshots: pd.DataFrame


def prepare_accounts(portfolio: Path, world_dir: Path, response: ResponseModel
                     ) -> tuple[pd.DataFrame, Accounts, int]:
    """The run's episodes and the world's hidden state of their borrowers; the world's seed."""
    from creditfactory.data import load
    from creditfactory.services.monitoring_run import read_portfolio
    from creditfactory.world.repayment_state import (
        hidden_borrowers,
        last_months,
        month_index,
        world_macro,
    )
    from creditfactory.world.vocab import INDUSTRIES

    tables = read_portfolio(portfolio, transactions=False)
    meta = json.loads((Path(world_dir) / "meta.json").read_text("utf-8"))
    seed = int(meta["seed"])
    data = load(world_dir, money="float")
    if data.truth is None:
        raise InvalidArgument(f"{world_dir}: no truth table (a simulated world is needed)")
    # the lender's own intake records (not the world's truth): the bureau debt it was told of
    intake = data.applications[["application_id", "bureau_debt", "has_mortgage", "declared_monthly_revenue"]]
    # the fraud graph over the lender's applications; the hashing key is this run's own (links
    # do not depend on it)
    links = linked_since(identity_table(data.applications, secrets.token_bytes(32)))
    ep = delinquency_episodes(tables.loans, tables.monthly, tables.signals, tables.industry_index, intake,
                              links)
    if len(ep) == 0:
        raise InvalidArgument(f"{portfolio}: no loan was ever past due; nothing to collect")
    loans = tables.loans.set_index("loan_id")
    app_ids = loans["application_id"].reindex(ep["loan_id"]).to_numpy(np.int64)
    uniq, inv = np.unique(app_ids, return_inverse=True)
    apps = data.applications.set_index("application_id").loc[uniq].reset_index()
    borrowers = hidden_borrowers(apps, data.truth, world_macro(meta), seed,
                                 last_months(data.performance, uniq))
    b_idx = inv
    burden = (borrowers.other_service[b_idx] + ep["instalment"].to_numpy(float)) / np.maximum(
        borrowers.true_revenue[b_idx], 1.0)
    codes = [i[0] for i in INDUSTRIES]
    industry = np.array([codes.index(c) for c in ep["industry"]], np.int64)
    cycle = world_macro(meta).multiplier(industry, month_index(ep["month"].to_numpy()))
    key = ep["episode_id"].to_numpy(np.int64)
    reason, contact = hidden_reasons(response, key=key, seed=seed, fraud=borrowers.fraud[b_idx],
                                     unwilling=borrowers.unwilling[b_idx],
                                     rolled=ep["run_max_dpd"].to_numpy() > 90, burden=burden, cycle=cycle)
    start = ((ep["start"].to_numpy().astype("datetime64[D]") - EPOCH).astype(np.int64)
             // response.step_days)
    months = pd.to_datetime(tables.monthly["month"])
    active = tables.monthly["status"].isin(["current", "delinquent"]).groupby(months).sum()
    acc = Accounts(static=ep, key=key, start_step=start, reason=reason, contact=contact, burden=burden,
                   book_size=float(active.mean()))
    return ep, acc, seed


def _subset(acc: Accounts, mask: np.ndarray) -> Accounts:
    return Accounts(static=acc.static[mask].reset_index(drop=True), key=acc.key[mask],
                    start_step=acc.start_step[mask], reason=acc.reason[mask], contact=acc.contact[mask],
                    burden=acc.burden[mask], book_size=acc.book_size)


def _fit_ccard(dev: Played, objective: str) -> Any:
    from creditfactory.models.ccard import CollectionScorecard

    snaps = dev.snapshots
    y = snaps["cured_30d"].to_numpy()
    if len(snaps) < CURE_ROWS_MIN or len(np.unique(y)) < 2:
        raise InvalidArgument("too few delinquent accounts before the cut to fit the C-card")
    exposure = snaps["balance"].to_numpy(float) + snaps["instalment"].to_numpy(float)
    share = np.minimum(dev.cash[snaps["episode"].to_numpy()] / np.maximum(exposure, 1.0), 1.0)
    return CollectionScorecard(objective=objective).fit(snaps, y, recovered=share)


def _fit_reasons(beliefs: ReasonModel, dev: Played, acc: Accounts) -> ReasonModel:
    """The reason model learned on the development history: each bucket entry's evidence and
    what became of it (a quick cure after that entry, a slow one, its episode reaching 90 DPD),
    for the episodes whose 90 days had passed by the cut. A loan that misses again after a cure
    enters M1 anew, and that entry is judged by what followed it."""
    snaps = dev.snapshots
    if not len(snaps):
        return beliefs
    ep = snaps["episode"].to_numpy()
    known = acc.start_step[ep] <= acc.start_step.max() - HINDSIGHT_STEPS
    cure = snaps["steps_to_cure"].to_numpy()
    past = hindsight((cure >= 0) & (cure < QUICK_CURE_STEPS), dev.entered[ep, 3])
    return fit_reason_model(beliefs, evidence(snaps)[known], past[known])


def _metrics(p: Played, acc: Accounts) -> dict[str, Any]:
    entered = p.entered
    n_m1 = max(int(entered[:, 0].sum()), 1)
    snaps = p.snapshots
    m1 = snaps[snaps["bucket"] == 1] if len(snaps) else snaps
    rolls = {f"M{b + 1}->M{b + 2}": float(entered[:, b + 1].sum() / max(entered[:, b].sum(), 1))
             for b in range(5)}
    account_cash, cost = float(p.cash.sum()), float(p.cost.sum())
    collected = account_cash - float(p.serviced.sum())
    names = [f"M{b + 1}" for b in range(6)]
    by_bucket = {names[b]: {"collected": float(p.cash_by_bucket[b]), "cost": float(p.cost_by_bucket[b])}
                 for b in range(6)}
    by_bucket["after hand-over or write-off"] = {"collected": float(p.cash_by_bucket[6]),
                                                 "cost": float(p.cost_by_bucket[6])}
    by_bucket["restructured plans"] = {"collected": float(p.cash_by_bucket[8]), "cost": 0.0}
    performing = float(p.performing_balance.sum())
    m1_reason = acc.reason[m1["episode"].to_numpy()] if len(m1) else np.array([], np.int64)
    return {
        "accounts": int(len(acc.key)), "collected": collected, "cost": cost,
        "net_recovery": collected - cost,
        "instalments_after_cure": float(p.serviced.sum()),
        "performing_balance_at_horizon": performing,
        "net_cash": account_cash - cost,
        "net_value": account_cash + performing - cost,
        "cure_rate_m1_30d": float(m1["cured_30d"].mean()) if len(m1) else 0.0,
        "cure_rate_m1_30d_by_reason": {REASONS[r]: float(m1["cured_30d"].to_numpy()[m1_reason == r].mean())
                                       for r in range(len(REASONS)) if (m1_reason == r).any()},
        "roll_forward": rolls, "entered_m1": n_m1,
        "written_off": int(p.written_off.sum()),
        "write_off_rate": float(p.written_off.sum() / max(len(acc.key), 1)),
        "recovery_after_write_off": float(p.cash_after_write_off.sum() / max(p.write_off_amount.sum(), 1.0)),
        "by_bucket": by_bucket,
    }


def _compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
    return {"net_recovery_gain": a["net_recovery"] / b["net_recovery"] - 1.0,
            "cost_ratio": a["cost"] / max(b["cost"], 1e-9),
            "m1_cure_gain": a["cure_rate_m1_30d"] / max(b["cure_rate_m1_30d"], 1e-9) - 1.0,
            "net_cash_gain": a["net_cash"] / b["net_cash"] - 1.0,
            "net_value_gain": a["net_value"] / b["net_value"] - 1.0,
            "write_off_ratio": a["write_off_rate"] / max(b["write_off_rate"], 1e-9)}


def _split(champion: Played, challenger: Played, acc: Accounts, share: float = 0.5) -> dict[str, Any]:
    """The uplift a live split would measure: accounts on the challenger's side of the stable
    hash of their loan id played with it, the others with the champion; per account."""
    side = challenger_mask(acc.static["loan_id"].to_numpy(np.int64), share)

    def per_account(p: Played, mask: np.ndarray) -> dict[str, float]:
        net = p.cash - p.serviced - p.cost
        return {"accounts": int(mask.sum()), "net_recovery_per_account": float(net[mask].mean()),
                "cost_per_account": float(p.cost[mask].mean()),
                "write_off_rate": float(p.written_off[mask].mean())}

    champ, chall = per_account(champion, ~side), per_account(challenger, side)
    return {"share": share, "champion": champ, "challenger": chall,
            "uplift_net_recovery_per_account": champ["net_recovery_per_account"]
            / chall["net_recovery_per_account"] - 1.0}


def _scorer(card: Any) -> Any:
    def scorer(x: pd.DataFrame) -> np.ndarray:
        return np.asarray(card.predict_proba(x)[:, 1])

    return scorer


def _one_world(world: ResponseModel, acc: Accounts, dev_mask: np.ndarray, strategies: list[CompiledCollections],
               seed: int, objective: str, actions: bool) -> tuple[dict[str, Played], Any, Played, ReasonModel]:
    beliefs = load_reason_model()
    dev_acc, test_acc = _subset(acc, dev_mask), _subset(acc, ~dev_mask)
    history = play(world, dev_acc, load_collections_strategy("bucket_only"), seed=seed, reasons=beliefs)
    card = _fit_ccard(history, objective)
    reasons = _fit_reasons(beliefs, history, dev_acc)
    played = {s.name: play(world, test_acc, s, seed=seed, reasons=reasons, scorer=_scorer(card), actions=actions)
              for s in strategies}
    return played, card, history, reasons


def collections_backtest(portfolio: Path, world_dir: Path, strategy: str, versus: str,
                         objective: str = "logistic", perturb: bool = True,
                         response_file: Path | None = None, ceiling: bool = False) -> BacktestResult:
    """Play ``strategy`` and ``versus`` on the run's out-of-time episodes (and in every
    perturbed world); the C-card's out-of-time AUC, reason inference per reason. ``ceiling``:
    ``strategy`` also played knowing every account's hidden reason (what inference loses)."""
    world = load_response(response_file)
    ep, acc, seed = prepare_accounts(portfolio, world_dir, world)
    cut = np.quantile(acc.start_step, 0.5)
    dev_mask = acc.start_step < cut - 6  # development episodes whose 30-day label closed by the cut
    test_mask = acc.start_step >= cut
    strategies = [load_collections_strategy(strategy), load_collections_strategy(versus)]
    keep = dev_mask | test_mask
    acc = _subset(acc, keep)
    dev_mask = dev_mask[keep]
    played, card, history, reasons = _one_world(world, acc, dev_mask, strategies, seed, objective, actions=True)
    test_acc = _subset(acc, ~dev_mask)
    per = {s.name: _metrics(played[s.name], test_acc) for s in strategies}
    a, b = strategies[0].name, strategies[1].name
    summary: dict[str, Any] = {
        "strategies": per, "comparison": _compare(per[a], per[b]),
        "episodes": {"development": int(dev_mask.sum()), "out_of_time": int((~dev_mask).sum())},
        "world_seed": seed, "step_days": world.step_days, "horizon_days": world.horizon_steps * world.step_days,
    }
    from creditfactory.evaluation.collections_eval import ccard_figures, reason_accuracy

    summary["ccard"] = ccard_figures(history, played, card, objective)
    summary["reasons"] = reason_accuracy(played[a].snapshots, test_acc.reason)
    summary["champion_challenger"] = _split(played[a], played[b], test_acc)
    summary["reasons"]["truth_shares"] = {REASONS[r]: float(np.mean(test_acc.reason == r)) for r in range(len(REASONS))}
    if ceiling:
        known = play(world, test_acc, strategies[0], seed=seed, reasons=reasons,
                     scorer=_scorer(card), known_reasons=True)
        m = _metrics(known, test_acc)
        summary["ceiling"] = {"strategy": a, "metrics": m, "comparison": _compare(m, per[b])}
    if perturb:
        rows = []
        for i, w in enumerate(perturbed(world)):
            pw, _, _, _ = _one_world(w, acc, dev_mask, strategies, seed, objective, actions=False)
            m = {s.name: _metrics(pw[s.name], test_acc) for s in strategies}
            rows.append({"draw": i, **_compare(m[a], m[b]),
                         "net_recovery": {k: v["net_recovery"] for k, v in m.items()},
                         "cost": {k: v["cost"] for k, v in m.items()}})
        gains = np.array([r["net_recovery_gain"] for r in rows])
        summary["perturbed"] = {"draws": rows, "net_recovery_gain_min": float(gains.min()),
                                "net_recovery_gain_median": float(np.median(gains)),
                                "wins": int((gains > 0).sum())}
    acts = []
    for s in strategies:
        frame = played[s.name].actions
        if frame is not None:
            frame = frame.copy()
            frame.insert(0, "strategy", s.name)
            frame["episode_id"] = frame["episode_id"].astype(np.int64)
            acts.append(frame)
    actions = pd.concat(acts, ignore_index=True) if acts else pd.DataFrame()
    if len(actions):
        loan_of = dict(zip(test_acc.key.tolist(), test_acc.static["loan_id"].tolist(), strict=True))
        actions.insert(1, "loan_id", actions["episode_id"].map(loan_of).astype(np.int64))
        actions["day"] = EPOCH + (actions.pop("step").to_numpy() * world.step_days).astype("timedelta64[D]")
    return BacktestResult(summary, actions, played, played[a].snapshots)
