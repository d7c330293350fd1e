"""Evaluate ``creditfactory fraud scan`` output against a world's truth (evaluation only).

    python bench/fraud_scan_eval.py WORLD_DIR SCAN_DIR

Ring recall and precision among flagged, impersonation recall, and the share of packaging
channels (most applications packaged) in the top decile of ``packaging_score``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd


def evaluate(world_dir: Path, scan_dir: Path) -> dict[str, float]:
    truth = pd.read_parquet(world_dir / "truth.parquet")
    apps = pd.read_parquet(world_dir / "applications.parquet", columns=["application_id",
                                                                        "channel_id"])
    scored = pd.read_parquet(scan_dir / "applications.parquet")
    decisions = pd.read_parquet(scan_dir / "decisions.parquet")
    m = scored.merge(truth, on="application_id").merge(decisions, on="application_id")
    ring = m["fraud_type"].eq("ring")
    imp = m["fraud_type"].eq("impersonation")
    f, d = m["flagged"], m["decision_flagged"]
    ring_reason = m["reasons"].map(lambda r: any(x.startswith(("RING_SCORE", "RING_LINKED"))
                                                 for x in r))
    out = {
        "window_applications": len(m),
        "ring_members": int(ring.sum()),
        "ring_recall": float((f & ring).sum() / ring.sum()),
        "ring_precision_all_flagged": float((f & ring).sum() / f.sum()),
        "ring_precision_ring_reason": float((f & ring & ring_reason).sum()
                                            / (f & ring_reason).sum()),
        "fraud_precision_all_flagged": float((f & m["is_fraud"]).sum() / f.sum()),
        "decision_time_ring_recall": float((d & ring).sum() / ring.sum()),
        "decision_time_ring_precision": float((d & ring).sum() / d.sum()),
        "impersonation": int(imp.sum()),
        "impersonation_recall": float((f & imp).sum() / imp.sum()),
        "flagged": int(f.sum()),
    }
    ch = pd.read_parquet(scan_dir / "channels.parquet")
    pk = apps.merge(truth[["application_id", "packaged"]], on="application_id").groupby(
        "channel_id")["packaged"].mean()
    ch["packaging"] = ch["channel_id"].map(pk) > 0.5
    top = ch["packaging_score"] >= np.quantile(ch["packaging_score"], 0.9)
    out["packaging_channels"] = int(ch["packaging"].sum())
    out["packaging_in_top_decile"] = float((top & ch["packaging"]).sum() / ch["packaging"].sum())
    out["channels_flagged"] = int(ch["flagged"].sum())
    out["channel_flag_precision"] = float((ch["flagged"] & ch["packaging"]).sum()
                                          / max(1, ch["flagged"].sum()))
    return out


if __name__ == "__main__":
    for k, v in evaluate(Path(sys.argv[1]), Path(sys.argv[2])).items():
        print(f"{k:32s} {v:.4f}" if isinstance(v, float) else f"{k:32s} {v}")
