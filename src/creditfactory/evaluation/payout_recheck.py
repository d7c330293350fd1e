"""The re-check before payout, replayed through the live fraud graph, against a world's truth.

The batch scan (:mod:`creditfactory.fraud.scan`) says which flags a re-check before payout
could have raised (``flag_stage``). Here the same world goes through the live path instead:
the training part seeds a :class:`~creditfactory.fraud.live.LiveFraud`, then the later
applications arrive one at a time in time order under an injected clock, each assessed at its
decision with the scan's ring card (the model behind the scan's decision-time flags, as the
live graph's model) and re-checked by the service's own re-check
(:meth:`LiveFraud.recheck`) when it would be paid out, ``payout_days`` after applying. Known
bads reach the graph when they become known, as the store's findings do. Only
:func:`replay_figures` reads the truth.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.fraud.identity import applied_seconds, identity_table
from creditfactory.fraud.labels import NEVER, known_bad_times
from creditfactory.fraud.live import CatchUp, KnownBad, LiveFraud, RecheckPolicy
from creditfactory.fraud.scan import FLAG_RULES, ScanOptions

__all__ = ["ReplayOptions", "live_replay", "replay_figures"]

_GRID = 1_000_000  # the live score is the card's probability to six decimals


@dataclass(frozen=True)
class ReplayOptions:
    """When payout comes and how the re-check reads the graph (the scan's spreading rules)."""

    payout_days: float = 2.0
    known_bads: bool = True
    scan: ScanOptions = ScanOptions()


def live_replay(apps: pd.DataFrame, perf: pd.DataFrame, scan_dir: Path, key: bytes,
                options: ReplayOptions | None = None) -> pd.DataFrame:
    """Per application of the scan's window: flagged at its decision, tied to fraud at the
    re-check before payout, and the re-check's first tie."""
    from creditfactory.scorecard import load_card

    options = options or ReplayOptions()
    apps = apps.sort_values(["applied_at", "application_id"], kind="stable", ignore_index=True)
    ids = apps["application_id"].to_numpy(np.int64)
    t = applied_seconds(apps["applied_at"])
    window = np.isin(ids, pd.read_parquet(scan_dir / "applications.parquet",
                                          columns=["application_id"])["application_id"])
    bad = known_bad_times(perf, ids)
    path = scan_dir / "ring_scorecard.json"
    threshold = float(json.loads(path.read_text())["metadata"]["threshold"])
    card = load_card(path)
    scorer, columns = card.scorer_, list(card.features_)
    now = [0]
    live = LiveFraud(lambda row: float(scorer.pd_record(dict(zip(columns, row, strict=True)))),
                     columns, np.arange(1, _GRID + 1) / _GRID, key, options.scan.config,
                     clock=lambda: float(now[0]))
    live.background_refresh = False
    history = identity_table(apps.loc[~window], key)
    live.seed(history, bad[~window])
    live.ensure_seeded()
    policy = RecheckPolicy(flag_score=threshold, strong_kinds=options.scan.strong_kinds,
                           burst_days=options.scan.burst_days,
                           burst_score=min(options.scan.burst_score_ratio * threshold, 1.01),
                           known_bads=options.known_bads)
    payout = int(options.payout_days * 86_400)
    rows = np.flatnonzero(window)
    decided = np.zeros(len(rows), bool)
    tied = np.zeros(len(rows), bool)
    first_tie = np.full(len(rows), "", dtype=object)
    events: list[tuple[int, int, int]] = []  # (time, kind, k): kind 0 known bad, 1 re-check
    records: list[dict[str, Any]] = apps.iloc[rows].to_dict("records")  # type: ignore[assignment]

    def run_until(limit: int) -> None:
        while events and events[0][0] < limit:
            at, kind, k = heapq.heappop(events)
            now[0] = at
            if kind == 0:
                live.take(CatchUp(known_bads=[KnownBad(k, int(ids[rows[k]]), at)],
                                  finding_ids=[k]))
                continue
            found = live.recheck(int(ids[rows[k]]), policy, at=at)
            if found is not None and found.hit:
                tied[k] = True
                first_tie[k] = f"{found.ties[0].reason}:{found.ties[0].key}"

    for k, app in enumerate(records):
        run_until(int(t[rows[k]]))
        now[0] = int(t[rows[k]])
        identity = live.identity_of(app)
        found = live.assess(app, identity)
        live.kept(identity, int(app["application_id"]))
        decided[k] = found.fraud_score >= threshold or any(
            code in FLAG_RULES for code, _ in found.hits)
        heapq.heappush(events, (int(t[rows[k]]) + payout, 1, k))
        if bad[rows[k]] < NEVER:
            heapq.heappush(events, (int(bad[rows[k]]), 0, k))
    run_until(np.iinfo(np.int64).max)
    return pd.DataFrame({"application_id": ids[rows], "decision_flagged": decided,
                         "recheck_flagged": tied & ~decided,
                         "flagged_by_payout": decided | tied, "first_tie": first_tie})


def replay_figures(replay: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Ring recall and precision at the decision and at payout (evaluation: reads the truth)."""
    m = replay.merge(truth[["application_id", "fraud_type", "is_fraud"]], on="application_id")
    ring = m["fraud_type"].eq("ring")
    fraud = m["is_fraud"].astype(bool)
    out: dict[str, float] = {"window_applications": float(len(m)),
                             "ring_members": float(ring.sum())}
    for stage, column in (("decision", "decision_flagged"), ("payout", "flagged_by_payout")):
        f = m[column]
        out[f"{stage}_flagged"] = float(f.sum())
        out[f"{stage}_ring_recall"] = float((f & ring).sum() / max(ring.sum(), 1))
        out[f"{stage}_ring_precision"] = float((f & ring).sum() / max(f.sum(), 1))
        out[f"{stage}_fraud_precision"] = float((f & fraud).sum() / max(f.sum(), 1))
    return out
