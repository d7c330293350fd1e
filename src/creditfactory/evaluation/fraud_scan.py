"""The fraud scan's flags and channel scores against the world's truth.

For each stage at which a flag could stop a loan -- at the decision, at the re-check before
payout, and retrospectively (everything flagged by the end of the window) -- and for payouts
0.5-7 days after applying, counting the flags raised by then: ring recall; ring-only
precision among all flagged (impersonations count against it); fraud (ring or
impersonation) precision among all flagged; precision among applications flagged for a ring
reason; impersonation recall. Then the share of packaging channels (most applications
packaged) in the top decile of ``packaging_score``, and the channel flags' precision and
recall.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from creditfactory.fraud.scan import STAGES

__all__ = ["evaluate_scan", "payout_curve", "stage_table"]

RING_REASONS = ("RING_SCORE", "RING_LINKED")


def _ratio(num: pd.Series, den: pd.Series) -> float:
    return float(num.sum() / den.sum()) if den.sum() else float("nan")


def stage_table(m: pd.DataFrame) -> pd.DataFrame:
    """Cumulative figures per stage from the scan's applications merged with the truth."""
    ring = m["fraud_type"].eq("ring")
    imp = m["fraud_type"].eq("impersonation")
    fraud = m["is_fraud"].astype(bool)
    ring_reason = m["reasons"].map(lambda r: any(x.startswith(RING_REASONS) for x in r))
    rows = {}
    for k, stage in enumerate(STAGES):
        f = m["flag_stage"].isin(STAGES[: k + 1]) & m["flagged"]
        rows[stage] = {
            "flagged": int(f.sum()),
            "ring_recall": _ratio(f & ring, ring),
            "ring_precision_all_flagged": _ratio(f & ring, f),
            "fraud_precision_all_flagged": _ratio(f & fraud, f),
            "ring_precision_ring_reason": _ratio(f & ring & ring_reason, f & ring_reason),
            "impersonation_recall": _ratio(f & imp, imp),
        }
    return pd.DataFrame(rows).T


def payout_curve(m: pd.DataFrame, days: tuple[float, ...] = (0.5, 1, 2, 3, 5, 7)
                 ) -> pd.DataFrame:
    """Ring recall and ring-only precision among all flagged if the loan were paid out
    ``days`` after applying (flags raised by then stop it)."""
    ring = m["fraud_type"].eq("ring")
    lag = (m["flagged_at"] - m["applied_at"]).dt.total_seconds() / 86_400
    rows = {}
    for d in days:
        f = m["flagged"] & (lag <= d)
        rows[f"{d:g} days"] = {"ring_recall": _ratio(f & ring, ring),
                               "ring_precision_all_flagged": _ratio(f & ring, f),
                               "fraud_precision_all_flagged": _ratio(f & m["is_fraud"], f)}
    return pd.DataFrame(rows).T


def evaluate_scan(scan_dir: Path, applications: pd.DataFrame, truth: pd.DataFrame
                  ) -> tuple[dict[str, float], pd.DataFrame]:
    """Headline figures (retrospective flags, channels) and the per-stage table of the scan
    written to ``scan_dir``; ``applications`` needs ``application_id``, ``channel_id`` and
    ``applied_at``."""
    apps = applications[["application_id", "channel_id", "applied_at"]]
    scored = pd.read_parquet(scan_dir / "applications.parquet")
    m = scored.merge(truth, on="application_id").merge(apps, on="application_id")
    stages = pd.concat([stage_table(m), payout_curve(m)])
    final = stages.loc["retrospective"].to_dict()
    out: dict[str, float] = {
        "window_applications": len(m),
        "ring_members": int(m["fraud_type"].eq("ring").sum()),
        "impersonation": int(m["fraud_type"].eq("impersonation").sum()),
        **{str(k): float(v) for k, v in final.items() if k != "flagged"},
        "flagged": int(final["flagged"]),
    }
    ch = pd.read_parquet(scan_dir / "channels.parquet")
    pk = apps.merge(truth[["application_id", "packaged"]], on="application_id").groupby(
        "channel_id")["packaged"].mean()
    ch["packaging"] = ch["channel_id"].map(pk) > 0.5
    top = ch["packaging_score"] >= np.quantile(ch["packaging_score"], 0.9)
    out["packaging_channels"] = int(ch["packaging"].sum())
    out["packaging_in_top_decile"] = _ratio(top & ch["packaging"], ch["packaging"])
    out["channels_flagged"] = int(ch["flagged"].sum())
    out["channel_flag_precision"] = _ratio(ch["flagged"] & ch["packaging"], ch["flagged"])
    out["channel_flag_recall"] = _ratio(ch["flagged"] & ch["packaging"], ch["packaging"])
    return out, stages
