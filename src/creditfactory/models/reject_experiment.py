"""Reject inference on the world: what a card trained on booked loans only can recover.

A lender's history holds outcomes only for the loans its policy booked. On the world every
applicant's outcome is known, so the experiment can compare, on the whole out-of-time
through-the-door population:

* a card trained on the booked loans of the development year (what a lender can do),
* the same with the rejected applicants added by parcelling or fuzzy augmentation,
* a card trained on every development applicant (possible only on a simulation),
* reference risks passed in, such as the world's true PD (the ceiling), which
  ``creditfactory.evaluation`` reads from the world's truth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from creditfactory.models.acard import (
    DEFAULT_CARD,
    evaluate,
    features_of,
    modelling_table,
    split_out_of_time,
)
from creditfactory.scorecard.reject_inference import FixedBinner, RejectInference

__all__ = ["booking_policy", "reject_inference_experiment"]


def booking_policy(table: pd.DataFrame) -> np.ndarray:
    """A conventional knock-out policy (age, local residence, clean recent bureau record).

    The same rules the world's calibration applies as its "simple policy": it books about
    three quarters of the applicants.
    """
    return (
        table["age"].between(22, 60)
        & (table["years_in_city"] >= 2)
        & (table["overdue_count_6m"] == 0)
        & (table["overdue_count_12m"] <= 1)
        & (table["max_dpd_ever"] <= 60)
        & (table["inquiries_3m"] <= 6)
        & (table["bureau_utilisation"] <= 0.9)
    ).to_numpy()


def _scores(card: Any, part: pd.DataFrame) -> np.ndarray:
    return -np.asarray(card.points(features_of(part)), dtype=np.float64)


def reject_inference_experiment(
    world: Any,
    *,
    methods: Sequence[str] = ("parcelling", "fuzzy"),
    reject_bad_factors: Sequence[float] = (1.0, 2.0),
    objective: str = "logistic",
    train_until: str | pd.Timestamp | None = None,
    card_params: Mapping[str, Any] | None = None,
    random_state: int = 0,
    policy: Callable[[pd.DataFrame], np.ndarray] = booking_policy,
    keep_accepted_bins: bool = True,
    references: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Cards from booked loans only, with reject inference, and from everyone, side by side.

    Returns one row per model: its training rows, AUC/KS on the whole out-of-time
    population (``auc_all``, ``ks_all``) and on its booked part (``auc_booked``), and
    ``recovered``: the share of the AUC gap between the booked-only card and the card
    trained on everyone that the model closes on the whole population (noisy when that gap
    is small). ``policy`` maps a modelling table to a booked mask (default
    :func:`booking_policy`); ``card_params`` update ``DEFAULT_CARD`` for every card.
    With ``keep_accepted_bins`` the augmented cards keep the bins and WoE fitted on the
    booked loans and refit only their weights (with the sample weights); otherwise they
    re-bin the augmented sample, where the binner counts rows without their weights.
    Each of ``references`` (a risk per ``application_id``) adds a row with no training rows
    and no ``recovered`` share.
    """
    from creditfactory.scorecard import Scorecard

    table = modelling_table(world)
    dev, oot = split_out_of_time(table, train_until)
    booked_dev = np.asarray(policy(dev), dtype=bool)
    booked_oot = np.asarray(policy(oot), dtype=bool)
    acc, rej = dev[booked_dev], dev[~booked_dev]
    y_oot = oot["bad"].to_numpy()

    def card(binner: Any = None) -> Any:
        params = DEFAULT_CARD | dict(card_params or {})
        return Scorecard(objective=objective, **({"binner": binner} | params))

    def row(name: str, model_risk: np.ndarray, train_rows: int) -> dict[str, Any]:
        whole = evaluate(name, "out-of-time", y_oot, model_risk)
        booked = evaluate(name, "out-of-time booked", y_oot[booked_oot], model_risk[booked_oot])
        return {
            "model": name, "train_rows": train_rows,
            "auc_all": whole["auc"], "ks_all": whole["ks"],
            "auc_booked": booked["auc"], "ks_booked": booked["ks"],
        }

    rows = []
    booked_card = card().fit(features_of(acc), acc["bad"].to_numpy())
    rows.append(row("booked only", _scores(booked_card, oot), len(acc)))
    binner = None
    if keep_accepted_bins:
        from creditfactory.scorecard import Binner

        base = Binner() if booked_card.binner is None else booked_card.binner
        fitted_bins = clone(base).fit(features_of(acc), acc["bad"].to_numpy()).binnings_
        binner = FixedBinner(fitted_bins)
    for method in methods:
        for factor in reject_bad_factors:
            ri = RejectInference(method, estimator=card(), reject_bad_factor=factor,
                                 random_state=random_state)
            aug = ri.fit_augment(features_of(acc), acc["bad"].to_numpy(), features_of(rej))
            fitted = card(binner).fit(aug.X, aug.y, sample_weight=aug.sample_weight)
            rows.append(row(f"booked + {method} (rejects ×{factor:g} bad)",
                            _scores(fitted, oot), len(aug.y)))
    everyone = card().fit(features_of(dev), dev["bad"].to_numpy())
    rows.append(row("everyone (world only)", _scores(everyone, oot), len(dev)))
    for name, risk in (references or {}).items():
        rows.append(row(name, risk.reindex(oot["application_id"]).to_numpy(), 0))
    out = pd.DataFrame(rows)
    low, high = out["auc_all"].iloc[0], out.loc[out["model"] == "everyone (world only)", "auc_all"]
    gap = float(high.iloc[0]) - float(low)
    out["recovered"] = (out["auc_all"] - low) / gap if gap > 0 else np.nan
    out.loc[out["model"].isin(list(references or {})), "recovered"] = np.nan
    out.attrs["approval_rate_dev"] = float(booked_dev.mean())
    out.attrs["bad_rate_booked_dev"] = float(acc["bad"].mean())
    out.attrs["bad_rate_rejected_dev"] = float(rej["bad"].mean())
    return out
