"""Model inputs for the world models: the scorecard package's application features, for a
frame and for one record, plus LightGBM's integer-coded view of them, and the fraud-like label."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.models.acard import CATEGORICAL, NUMERIC, REFERENCE_RATE, application_features


@dataclass(frozen=True)
class CardFeatures:
    """Channel types and category codes fixed at training time."""

    channel_types: dict[str, str]
    categories: dict[str, list[str]]

    @classmethod
    def fit(cls, apps: pd.DataFrame, channels: pd.DataFrame) -> CardFeatures:
        kinds = {str(k): str(v) for k, v in zip(channels["channel_id"], channels["channel_type"], strict=True)}
        x = application_features(apps, channels)
        cats = {c: sorted(str(v) for v in x[c].dropna().unique()) for c in CATEGORICAL}
        return cls(kinds, cats)

    def frame(self, apps: pd.DataFrame) -> pd.DataFrame:
        channels = pd.DataFrame({"channel_id": list(self.channel_types), "channel_type": list(self.channel_types.values())})
        return application_features(apps, channels)[list(NUMERIC) + list(CATEGORICAL)]

    def record(self, app: Mapping[str, Any]) -> dict[str, Any]:
        """The same features for one application (plain Python, microseconds)."""
        out: dict[str, Any] = {n: _f(app.get(n)) for n in NUMERIC[:22]}
        revenue = out["declared_monthly_revenue"]
        safe = revenue if revenue == revenue and revenue > 0 else float("nan")
        rate = REFERENCE_RATE / 12
        instalment = out["amount"] * rate / (1.0 - (1.0 + rate) ** -out["term_months"])
        out["loan_to_annual_revenue"] = out["amount"] / (12 * safe)
        out["debt_to_annual_revenue"] = out["bureau_debt"] / (12 * safe)
        out["instalment_to_revenue"] = instalment / safe
        out["premium_to_annual_revenue"] = out["insurance_annual_premium"] / (12 * safe)
        out["channel_type"] = self.channel_types.get(str(app.get("channel_id")))
        for name in ("city", "product_requested", "purpose", "education", "marital_status", "home_ownership", "premises"):
            out[name] = app.get(name)
        industry = app.get("industry")
        out["industry_section"] = str(industry)[0] if isinstance(industry, str) else None
        return out

    def encoded(self, x: pd.DataFrame) -> pd.DataFrame:
        out = x[list(NUMERIC)].astype(float).copy()
        for c in CATEGORICAL:
            codes = pd.Index(self.categories[c]).get_indexer(pd.Index(x[c].astype(object))).astype(float)
            out[c] = np.where(codes < 0, np.nan, codes)  # a category unseen in fitting: missing
        return out

    def encoded_record(self, rec: Mapping[str, Any]) -> list[float]:
        """The row LightGBM sees, as a list (see ``encoded``)."""
        row = [float(rec[n]) for n in NUMERIC]
        for c in CATEGORICAL:
            row.append(self._codes[c].get(rec.get(c), _NAN))
        return row

    @property
    def _codes(self) -> dict[str, dict[Any, float]]:
        cached = self.__dict__.get("_codes_cache")
        if cached is None:
            cached = {c: {v: float(i) for i, v in enumerate(cats)} for c, cats in self.categories.items()}
            object.__setattr__(self, "_codes_cache", cached)
        return cached


_NAN = float("nan")


def _f(v: Any) -> float:
    if v is None:
        return float("nan")
    return float(v)


def fraud_like(apps: pd.DataFrame, perf: pd.DataFrame) -> np.ndarray:
    """Never paid the first instalment: past due at MOB 1 and still at MOB 3."""
    m1 = set(perf.loc[(perf["mob"] == 1) & (perf["dpd"] > 0), "application_id"].to_numpy())
    m3 = perf.loc[(perf["mob"] == 3) & (perf["dpd"] > 0), "application_id"].to_numpy()
    ids = {int(i) for i in m3 if i in m1}
    return apps["application_id"].isin(ids).to_numpy(bool)
