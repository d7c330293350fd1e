"""The application scorecard (A-card) on a world: modelling table, out-of-time validation.

Bad is *ever more than 90 DPD within the first 12 months on book*. The table stands at
``as_of`` (default: the month after the last performance month, everything the data holds):
a loan whose 12th month on book falls after it is immature and left out. The out-of-time
sample starts at the development period's maturity cut, twelve months after it, when every
development label had been observed: a card is never judged on applications decided before
the outcomes it learnt from were known. Features are what the application and the bureau
report show at application time, plus a few ratios. Lending data is all it reads: the
figures that need a simulated world's truth (the true-PD ceiling, the sample without fraud)
are passed in by ``creditfactory.evaluation``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.data.outcomes import maturity_cut
from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import metrics

__all__ = [
    "CATEGORICAL",
    "NUMERIC",
    "acard_experiment",
    "application_features",
    "evaluate",
    "modelling_table",
]

RAW_NUMERIC = (
    "amount", "term_months", "age", "years_in_city", "years_in_business", "employees",
    "declared_monthly_revenue", "bureau_cards", "bureau_utilisation", "bureau_loans",
    "bureau_debt", "overdue_count_6m", "overdue_count_12m", "overdue_count_24m", "max_dpd_ever",
    "inquiries_1m", "inquiries_3m", "inquiries_6m", "has_mortgage", "has_car_loan",
    "has_insurance_policy", "insurance_annual_premium",
)
DERIVED = (
    "loan_to_annual_revenue", "debt_to_annual_revenue", "instalment_to_revenue",
    "premium_to_annual_revenue",
)
NUMERIC = RAW_NUMERIC + DERIVED
# gender is left out on purpose (fair lending); identifiers and contact data carry no risk
# signal a card may use (the fraud graph reads them instead).
CATEGORICAL = (
    "channel_type", "city", "product_requested", "purpose", "education", "marital_status",
    "home_ownership", "industry_section", "premises",
)
REFERENCE_RATE = 0.20
# the customary floor on information value keeps noise features off the card (and fast)
DEFAULT_CARD: dict[str, Any] = {"min_iv": 0.02}


def application_features(applications: pd.DataFrame, channels: pd.DataFrame) -> pd.DataFrame:
    """The card's candidate features of every application, indexed like ``applications``."""
    apps = applications
    out = pd.DataFrame(index=apps.index)
    for name in RAW_NUMERIC:
        out[name] = apps[name].astype(np.float64)
    revenue = apps["declared_monthly_revenue"].to_numpy(np.float64)
    safe = np.where(revenue > 0, revenue, np.nan)
    amount = apps["amount"].to_numpy(np.float64)
    rate = REFERENCE_RATE / 12
    term = apps["term_months"].to_numpy(np.float64)
    instalment = amount * rate / (1.0 - (1.0 + rate) ** -term)
    out["loan_to_annual_revenue"] = amount / (12 * safe)
    out["debt_to_annual_revenue"] = apps["bureau_debt"].to_numpy(np.float64) / (12 * safe)
    out["instalment_to_revenue"] = instalment / safe
    out["premium_to_annual_revenue"] = (
        apps["insurance_annual_premium"].to_numpy(np.float64) / (12 * safe)
    )
    kind = channels.set_index("channel_id")["channel_type"]
    out["channel_type"] = apps["channel_id"].map(kind).astype(object)
    for name in ("city", "product_requested", "purpose", "education", "marital_status",
                 "home_ownership", "premises"):
        out[name] = apps[name].astype(object)
    out["industry_section"] = apps["industry"].astype(str).str[0].astype(object)
    return out


def _first_month(performance: pd.DataFrame) -> pd.Series:
    first = performance.loc[performance["mob"] == 1, ["application_id", "month"]]
    return pd.to_datetime(first.set_index("application_id")["month"])


def modelling_table(
    world: Any, *, window: int = 12, bad_dpd: int = 90, as_of: str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """One row per mature application: id, applied_at, features and ``bad`` (0/1).

    Parameters
    ----------
    world : World
        Uses ``applications``, ``performance`` and ``channels`` (never ``truth``).
    window : int
        Months on book in which the bad event counts.
    bad_dpd : int
        Bad when days past due exceed this within the window.
    as_of : date, optional
        Observation date; default the first day after the last performance month.
    """
    apps, perf = world.applications, world.performance
    if as_of is None:
        as_of = pd.Timestamp(pd.to_datetime(perf["month"]).max()).to_period("M").to_timestamp() + pd.DateOffset(months=1)
    cutoff = pd.Timestamp(as_of)
    first = _first_month(perf)
    last_needed = first + pd.DateOffset(months=window - 1)
    mature_ids = last_needed.index[last_needed < cutoff]
    in_window = perf[(perf["mob"] <= window) & (pd.to_datetime(perf["month"]) < cutoff)]
    bad_ids = in_window.loc[in_window["dpd"] > bad_dpd, "application_id"].unique()
    keep = apps["application_id"].isin(mature_ids).to_numpy()
    table = application_features(apps.loc[keep], world.channels)
    table.insert(0, "applied_at", apps.loc[keep, "applied_at"].to_numpy())
    table.insert(0, "application_id", apps.loc[keep, "application_id"].to_numpy())
    table["bad"] = table["application_id"].isin(bad_ids).astype(np.int64)
    return table.reset_index(drop=True)


def features_of(table: pd.DataFrame) -> pd.DataFrame:
    """The candidate feature columns of a modelling table."""
    return table[list(NUMERIC) + list(CATEGORICAL)]


def evaluate(name: str, sample: str, y: np.ndarray, risk: np.ndarray) -> dict[str, Any]:
    """One results row: AUC, KS, Gini and divergence of a risk score (higher = riskier)."""
    return {
        "model": name, "sample": sample, "rows": int(y.size), "bad_rate": float(y.mean()),
        "auc": metrics.auc(y, risk), "ks": metrics.ks(y, risk),
        "gini": metrics.gini(y, risk), "divergence": metrics.divergence(y, risk),
    }


def split_out_of_time(
    table: pd.DataFrame, train_until: str | pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Development sample (applied before ``train_until``; default the first 12 months) and
    out-of-time sample (applied from its maturity cut on, when the development labels were
    known)."""
    start = pd.Timestamp(table["applied_at"].min()).to_period("M").to_timestamp()
    cut = pd.Timestamp(train_until) if train_until else start + pd.DateOffset(months=12)
    dev, oot = table[table["applied_at"] < cut], table[table["applied_at"] >= maturity_cut(cut)]
    if dev["bad"].nunique() < 2 or oot["bad"].nunique() < 2:
        raise InvalidArgument(
            f"both samples need goods and bads: development {len(dev)} rows, "
            f"out-of-time {len(oot)} rows; generate more applications or months"
        )
    return dev, oot


def _challenger_risk(dev: pd.DataFrame, parts: Sequence[pd.DataFrame]) -> list[np.ndarray]:
    """A gradient-boosted challenger on the same features (the design's LightGBM)."""
    import lightgbm as lgb

    def frame(part: pd.DataFrame) -> pd.DataFrame:
        x = features_of(part).copy()
        for name in CATEGORICAL:
            seen = sorted(dev[name].dropna().unique())
            x[name] = pd.Categorical(x[name].where(x[name].isin(seen)), categories=seen)
        return x

    model = lgb.LGBMClassifier(n_estimators=300, learning_rate=0.03, num_leaves=15,
                               min_child_samples=50, subsample=0.8, subsample_freq=1,
                               colsample_bytree=0.8, random_state=0, verbose=-1)
    model.fit(frame(dev), dev["bad"].to_numpy())
    return [np.asarray(model.predict_proba(frame(p)))[:, 1] for p in parts]


def acard_experiment(
    world: Any,
    *,
    objectives: Sequence[str] = ("logistic", "divergence"),
    train_until: str | pd.Timestamp | None = None,
    card_params: Mapping[str, Any] | None = None,
    window: int = 12,
    challenger: bool = False,
    excluded: Mapping[str, Collection[int]] | None = None,
    references: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Fit the A-card with each objective on the first year; validate out of time.

    Returns one row per model and sample with rows, bad rate, AUC, KS, Gini, divergence and
    the number of features. Samples: ``development``, ``out-of-time`` and, per entry of
    ``excluded``, the out-of-time applications without the given application ids (on a
    simulated world: without its fraud, the credit risk a card can see). Beside the cards:
    with ``challenger=True`` a LightGBM model, then each of ``references`` (a risk per
    ``application_id``, such as a world's true PD, the ceiling of any model).
    ``card_params`` update ``DEFAULT_CARD`` (``min_iv=0.02``) for every card.
    """
    from creditfactory.scorecard import Scorecard

    table = modelling_table(world, window=window)
    dev, oot = split_out_of_time(table, train_until)
    samples = [("development", dev), ("out-of-time", oot)]
    samples += [(name, oot[~oot["application_id"].isin(list(ids))]) for name, ids in (excluded or {}).items()]
    risks: dict[str, list[np.ndarray]] = {}
    features: dict[str, int] = {}
    for objective in objectives:
        card = Scorecard(objective=objective, **(DEFAULT_CARD | dict(card_params or {})))
        card.fit(features_of(dev), dev["bad"].to_numpy())
        name = f"A-card ({objective})"
        risks[name] = [-card.points(features_of(part)) for _, part in samples]
        features[name] = len(card.features_)
    if challenger:
        risks["LightGBM challenger"] = _challenger_risk(dev, [part for _, part in samples])
        features["LightGBM challenger"] = len(NUMERIC) + len(CATEGORICAL)
    for name, risk in (references or {}).items():
        risks[name] = [risk.reindex(part["application_id"]).to_numpy() for _, part in samples]
        features[name] = 0
    rows = [
        evaluate(name, sample, part["bad"].to_numpy(), risk) | {"features": features[name]}
        for name, model_risks in risks.items()
        for (sample, part), risk in zip(samples, model_risks, strict=True)
    ]
    return pd.DataFrame(rows)
