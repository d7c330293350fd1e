"""The channel scorecard: which intermediaries package their applicants, with evidence.

Each channel's applications are compared with everybody's on signs of packaging: declared
revenue bunched just above round thresholds, template-like applications (the same purpose,
premises, staff count and amount), asking the product maximum, early defaults known so far
and members of fraud rings. Each comparison is a z-score against the population share given
the channel's size, so a small channel needs stronger evidence; the score sums the positive
z-scores and maps them to 0-1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ROUND_THRESHOLDS = np.arange(50_000, 500_001, 50_000, dtype=np.float64)
JUST_ABOVE = 0.05
METRICS: dict[str, str] = {
    "revenue_bunching": "declared revenue just above a round threshold",
    "template": "application identical to another of the channel (purpose, premises, staff, amount)",
    "amount_at_max": "amount at the product maximum",
    "early_default": "known early default or first-payment default",
    "ring_member": "flagged as a fraud-ring member by the identity graph",
}


def _just_above(revenue: np.ndarray) -> np.ndarray:
    rel = revenue[:, None] / ROUND_THRESHOLDS[None, :]
    return np.asarray(((rel >= 1.0) & (rel < 1.0 + JUST_ABOVE)).any(axis=1), dtype=bool)


def _template(apps: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Whether each application repeats another of its channel, and the chance of it by luck."""
    key = pd.MultiIndex.from_frame(
        apps[["purpose", "premises", "employees", "amount"]].astype(str)
    ).factorize()[0]
    frame = pd.DataFrame({"c": apps["channel_id"].to_numpy(), "k": key})
    dup = frame.duplicated(["c", "k"], keep=False).to_numpy()
    n = frame["c"].map(frame["c"].value_counts()).to_numpy()
    in_key = frame["k"].map(frame["k"].value_counts()).to_numpy()
    in_both = frame.groupby(["c", "k"])["k"].transform("size").to_numpy()
    q = (in_key - in_both) / np.maximum(len(frame) - n, 1)  # other channels' habits only
    return dup, 1.0 - (1.0 - q) ** (n - 1)


def channel_scores(
    apps: pd.DataFrame,
    known_bad: np.ndarray,
    labelled: np.ndarray,
    ring_member: np.ndarray,
    threshold: float = 10.0,
    amount_max: float = 500_000.0,
) -> pd.DataFrame:
    """``channel_id, packaging_score, flagged, evidence`` plus the per-metric z-scores.

    ``known_bad`` and ``labelled`` say which applications are known bads and which could be
    known by now (old enough); ``ring_member`` is the identity graph's ring flag.
    """
    dup, dup_chance = _template(apps)
    obs = pd.DataFrame(
        {
            "channel_id": apps["channel_id"].to_numpy(),
            "revenue_bunching": _just_above(apps["declared_monthly_revenue"].to_numpy(float)),
            "template": dup,
            "amount_at_max": apps["amount"].to_numpy(float) >= amount_max,
            "early_default": np.where(labelled, known_bad, np.nan),
            "ring_member": ring_member,
        }
    )
    expected = {k: np.full(len(obs), np.nanmean(obs[k].astype(float))) for k in METRICS}
    expected["template"] = dup_chance
    g = obs.groupby("channel_id", sort=True)
    out = pd.DataFrame({"n_applications": g.size()})
    total = np.zeros(len(out))
    evidence: list[list[str]] = [[] for _ in range(len(out))]
    for k, text in METRICS.items():
        x = obs[k].astype(float)
        e = pd.Series(expected[k], index=obs.index).where(x.notna())
        n = x.notna().groupby(obs["channel_id"]).sum().to_numpy()
        share = x.groupby(obs["channel_id"]).mean().to_numpy()
        base = e.groupby(obs["channel_id"]).mean().to_numpy()
        sd = np.sqrt(np.clip(base * (1 - base), 1e-9, None) / np.maximum(n, 1))
        z = np.where(n > 0, (np.nan_to_num(share) - np.nan_to_num(base)) / sd, 0.0)
        out[f"z_{k}"] = z
        total += np.clip(z, 0, None)
        for r in np.flatnonzero(z >= 3):
            evidence[r].append(
                f"{k}: {text} in {share[r]:.0%} of {int(n[r])} applications, "
                f"expected {base[r]:.0%} (z={z[r]:.1f})"
            )
    out["packaging_score"] = 1.0 - np.exp(-total / threshold)
    out["flagged"] = total >= threshold
    out["evidence"] = evidence
    out = out.reset_index()
    first = ["channel_id", "packaging_score", "flagged", "evidence"]
    return out[first + [c for c in out.columns if c not in first]]
