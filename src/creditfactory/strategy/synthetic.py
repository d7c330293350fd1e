"""Synthetic applications and scores with the world's columns, for tests and benchmarks.

Not a world: no performance, no truth. Values are spread so that every engine's branches fire.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INDUSTRIES = np.array(["F52", "C13", "H62", "E48", "K70", "J66", "G54", "O80", "R90", "M74"], dtype=object)
CHANNELS = np.array(["AG0001", "AG0002", "PA0001", "IM0001", "IM0002"], dtype=object)
FRAUD_HITS = np.array(["", "", "", "", "", "", "VELOCITY", "IMP_AGE_MISMATCH", "BLACKLIST,IMP_ID_REUSED"], dtype=object)


def synthetic_applications(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` applications with the columns the shipped strategies read, money as float64."""
    rng = np.random.default_rng(seed)
    fen = lambda x: np.round(x, 2)  # noqa: E731
    frame = pd.DataFrame(
        {
            "application_id": np.arange(1, n + 1, dtype=np.int64),
            "channel_id": rng.choice(CHANNELS, n),
            "amount": fen(rng.choice([80_000, 100_000, 150_000, 200_000, 250_000, 300_000, 500_000, 600_000], n)
                          + rng.choice([0.0, 0.0, 0.0, 1234.56], n)),
            "term_months": rng.choice([3, 6, 12, 24, 36, 48], n).astype(np.int16),
            "resident_id": np.array([f"R{i}" for i in rng.integers(0, max(n // 2, 1), n)], dtype=object),
            "phone": np.array([f"139{i:08d}" for i in rng.integers(0, 10**8, n)], dtype=object),
            "age": rng.integers(19, 66, n).astype(np.int16),
            "years_in_city": rng.integers(0, 30, n).astype(np.int16),
            "industry": rng.choice(INDUSTRIES, n),
            "years_in_business": rng.integers(0, 20, n).astype(np.int16),
            "declared_monthly_revenue": fen(rng.lognormal(11.2, 0.7, n)),
            "bureau_utilisation": rng.uniform(0, 1.2, n),
            "bureau_loans": rng.integers(0, 11, n).astype(np.int16),
            "bureau_debt": fen(rng.exponential(150_000, n)),
            "overdue_count_6m": rng.poisson(0.3, n).astype(np.int16),
            "overdue_count_12m": rng.poisson(0.8, n).astype(np.int16),
            "overdue_count_24m": rng.poisson(1.5, n).astype(np.int16),
            "max_dpd_ever": rng.choice([0, 0, 0, 15, 45, 120], n).astype(np.int16),
            "inquiries_1m": rng.poisson(0.8, n).astype(np.int16),
            "inquiries_3m": rng.poisson(2.0, n).astype(np.int16),
            "inquiries_6m": rng.poisson(4.0, n).astype(np.int16),
            "has_mortgage": rng.random(n) < 0.3,
            "has_car_loan": rng.random(n) < 0.2,
            "has_insurance_policy": rng.random(n) < 0.25,
            "insurance_annual_premium": fen(rng.choice([0.0, 2000.0, 5000.0, 12000.0], n)),
        }
    )
    revenue = frame["declared_monthly_revenue"].to_numpy().copy()
    revenue[rng.random(n) < 0.01] = np.nan
    frame["declared_monthly_revenue"] = revenue
    return frame


def synthetic_scores(n: int, seed: int = 1) -> pd.DataFrame:
    """Scores for ``n`` applications, with some missing, as a provider would return them."""
    rng = np.random.default_rng(seed)
    a_pd = rng.beta(1.2, 40, n)
    a_pd[rng.random(n) < 0.02] = np.nan
    challenger = np.clip(a_pd + rng.normal(0, 0.03, n), 0, 1)
    challenger[rng.random(n) < 0.02] = np.nan
    fraud = rng.beta(1.0, 6.0, n)
    fraud[rng.random(n) < 0.02] = np.nan
    packaging = rng.beta(1.5, 5.0, n)
    packaging[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame(
        {
            "a_score": np.round(600 - 50 * np.log2(np.nan_to_num(a_pd, nan=0.5) / 0.02), 1),
            "a_pd": a_pd,
            "challenger_pd": challenger,
            "fraud_score": fraud,
            "fraud_rule_hits": rng.choice(FRAUD_HITS, n),
            "packaging_score": packaging,
        }
    )
