"""How the world compares with the seed business: gathered chunk by chunk while writing.

The simple policy here is the traditional knock-out policy a bank would run (age, local
residence, no recent overdue, bounded inquiries and utilisation). Its cumulative NPL should
be a few per cent, so that a data-driven strategy has room to reach the seed's 2.37 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from creditfactory.data.outcomes import outcome_arrays

SEED_NPL = 0.0237


def _num(table: pa.Table, name: str) -> np.ndarray:
    col = table.column(name)
    if pa.types.is_decimal(col.type):
        col = pc.cast(col, pa.float64())
    return col.to_numpy()


def simple_policy(apps: pa.Table) -> np.ndarray:
    """Knock-out rules of a conventional small-business credit policy."""
    age = _num(apps, "age")
    return (
        (age >= 22) & (age <= 60)
        & (_num(apps, "years_in_city") >= 2)
        & (_num(apps, "overdue_count_6m") == 0)
        & (_num(apps, "overdue_count_12m") <= 1)
        & (_num(apps, "max_dpd_ever") <= 60)
        & (_num(apps, "inquiries_3m") <= 5)
        & (_num(apps, "bureau_utilisation") <= 0.85)
    )


def _outcomes(apps: pa.Table, perf: pa.Table) -> dict[str, np.ndarray]:
    """This chunk's outcomes in the order of ``apps`` (zero for applications without rows)."""
    ids = _num(apps, "application_id").astype(np.int64)
    amount = pd.Series(_num(apps, "amount"), index=ids)
    got = outcome_arrays(_num(perf, "application_id"), _num(perf, "mob"), _num(perf, "dpd"),
                         _num(perf, "balance"), _num(perf, "paid"), amount)
    pos = np.searchsorted(ids, got["application_id"])
    out = {}
    for name in ("npl_balance", "ever90", "net_loss"):
        col = np.zeros(len(ids), dtype=got[name].dtype)
        col[pos] = got[name]
        out[name] = col
    return out


@dataclass
class Calibration:
    """Streaming accumulator of the figures the world is calibrated to."""

    amount: list[np.ndarray] = field(default_factory=list)
    term: list[np.ndarray] = field(default_factory=list)
    channel_type: list[np.ndarray] = field(default_factory=list)
    city: set[str] = field(default_factory=set)
    pd: list[np.ndarray] = field(default_factory=list)
    npl: list[np.ndarray] = field(default_factory=list)
    bad: list[np.ndarray] = field(default_factory=list)
    loss: list[np.ndarray] = field(default_factory=list)
    policy: list[np.ndarray] = field(default_factory=list)
    ring: list[np.ndarray] = field(default_factory=list)
    fraud_type: list[np.ndarray] = field(default_factory=list)
    channel_types: dict[str, str] = field(default_factory=dict)

    def add(self, apps: pa.Table, perf: pa.Table, truth: pa.Table) -> None:
        self.amount.append(_num(apps, "amount"))
        self.term.append(_num(apps, "term_months"))
        ch = apps.column("channel_id").to_numpy(zero_copy_only=False)
        self.channel_type.append(np.char.ljust(ch.astype(str), 2).astype("U2"))
        self.city.update(pc.unique(apps.column("city")).to_pylist())
        self.pd.append(_num(truth, "pd"))
        got = _outcomes(apps, perf)
        self.npl.append(got["npl_balance"])
        self.bad.append(got["ever90"])
        self.loss.append(got["net_loss"])
        self.policy.append(simple_policy(apps))
        self.ring.append(_num(truth, "ring_id"))
        self.fraud_type.append(truth.column("fraud_type").to_numpy(zero_copy_only=False))

    def figures(self) -> list[tuple[str, str, float, bool]]:
        """(figure, target, value, within tolerance) rows."""
        amt = np.concatenate(self.amount)
        term = np.concatenate(self.term)
        ctype = np.concatenate(self.channel_type)
        npl = np.concatenate(self.npl)
        bad = np.concatenate(self.bad)
        loss = np.concatenate(self.loss)
        pol = np.concatenate(self.policy)
        pd = np.concatenate(self.pd)
        ring = np.concatenate(self.ring)
        ftype = np.concatenate(self.fraud_type)
        ring_ids, sizes = np.unique(ring[ring >= 0], return_counts=True)
        booked_npl = npl[pol].sum() / max(amt[pol].sum(), 1)
        booked_loss = loss[pol].sum() / max(amt[pol].sum(), 1)
        order = np.argsort(pd, kind="stable")
        best = order[: int(0.6 * len(pd))]
        oracle = npl[best].sum() / max(amt[best].sum(), 1)
        rows = [
            ("mean amount (CNY)", "≈ 250,000 (±10 %)", float(amt.mean()),
             225_000 <= amt.mean() <= 275_000),
            ("amount range (CNY)", "100,000–500,000", float(amt.max()),
             amt.min() >= 100_000 and amt.max() <= 500_000),
            ("share of 36-month terms", "most (≥ 60 %)", float((term == 36).mean()),
             (term == 36).mean() >= 0.6),
            ("share via the agent app", "≈ 60 % (55–68 %)", float((ctype == "AG").mean()),
             0.55 <= (ctype == "AG").mean() <= 0.68),
            ("cities", "20+", float(len(self.city)), len(self.city) >= 20),
            ("share in fraud rings", "1–2 %", float((ring >= 0).mean()),
             0.01 <= (ring >= 0).mean() <= 0.02),
            ("ring size (min–max)", "3–30", float(sizes.max() if len(sizes) else 0),
             len(sizes) > 0 and sizes.min() >= 3 and sizes.max() <= 30),
            ("share impersonation", "≈ 0.3 %", float((ftype == "impersonation").mean()),
             0.001 <= (ftype == "impersonation").mean() <= 0.006),
            ("all applicants ever 90+ DPD", "—", float(bad.mean()), True),
            ("simple policy approval rate", "50–80 %", float(pol.mean()),
             0.5 <= pol.mean() <= 0.8),
            ("simple policy cumulative NPL", "a few % (3–8 %)", float(booked_npl),
             0.03 <= booked_npl <= 0.08),
            ("simple policy net loss", "below its NPL", float(booked_loss),
             booked_loss < booked_npl),
            ("true-PD best 60 % cumulative NPL", "≤ 2.37 % reachable", float(oracle),
             oracle <= SEED_NPL),
        ]
        return [(f, t, float(v), bool(ok)) for f, t, v, ok in rows]
