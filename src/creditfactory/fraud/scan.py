"""``fraud scan``: train on the earlier part of a world, score and explain the later part.

Two ``creditfactory.scorecard`` cards learn first-payment defaults (known from performance by
the cut-off, never from the world's truth): the ring card on point-in-time graph features, the
fraud card on those plus rule hits (its probability is ``fraud_score``). Out of time, an
application is flagged when its decision-time ring score passes the threshold (picked on the
training rows) or an impersonation rule fires; the scan then flags, as a retrospective
investigation, every window application strongly linked (two or more kinds of shared value)
to a ring-flagged one, since a ring is usually recognised only once several members applied.
Decision-time scores and flags are kept beside it in ``decisions.parquet``.

``flag_stage`` and ``flagged_at`` say when each flag could have stopped the loan: at the
decision; at a re-check before payout (outside the auto tier, verification and the bank's
approval take days -- ``payout_days`` -- and the ring's next members may arrive meanwhile:
the first member of a ring has no earlier link to be caught by); or only retrospectively.
``flagged`` keeps its meaning: flagged by the end of the window, at any stage.

The channel scorecard (:mod:`creditfactory.fraud.packaging`) learns from the development
period which channels' applications turn into credit early defaults (those the scan
attributes to fraud left out) and scores every channel active in the window.

Only booked loans have outcomes: an application without performance rows (a lender's rejected
one) is never a known bad and never a training row of the cards -- its outcome is unknown, not
good.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from creditfactory.fraud.errors import WorldIncomplete
from creditfactory.fraud.graph import IdentityGraph
from creditfactory.fraud.graph_config import KIND_CODE, KINDS, GraphConfig
from creditfactory.fraud.identity import applied_seconds, hash_strings, identity_table
from creditfactory.fraud.labels import NEVER, known_bad_times
from creditfactory.fraud.model import card_reasons, fraud_card, save_fraud_card
from creditfactory.fraud.packaging import FINDINGS, ChannelFrame, fit_and_score
from creditfactory.fraud.rules import RULES, reasons_by_row, rule_hits

MONTH = 30 * 86_400
FLAG_RULES = ("IMP_AGE_MISMATCH", "IMP_ID_REUSED")
STAGES = ("decision", "pre_payout", "retrospective")


@dataclass(frozen=True)
class ScanOptions:
    """Where the out-of-time window starts and how flags are decided."""

    train_fraction: float = 2 / 3
    label_lag_months: int = 5
    threshold: float | None = None  # None: best F1 on the last fifth of the training rows
    strong_kinds: int = 2
    burst_days: int = 30
    burst_score_ratio: float = 2.0  # a burst spreads from ring scores >= ratio x threshold
    channel_watch_share: float = 0.1  # channels flagged: the worst tenth, if above the population
    payout_days: float = 2.0  # application to payout outside the auto tier: the re-check date
    config: GraphConfig = GraphConfig()


def _load(world_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from creditfactory.data import load

    for name in ("applications", "performance"):
        if not any((world_dir / f"{name}.{ext}").exists() for ext in ("parquet", "csv")):
            raise WorldIncomplete(f"{world_dir} has no {name} table")
    world = load(world_dir, money="float")
    return world.applications, world.performance


def scan_world(world_dir: str | Path, out_dir: str | Path, key: bytes,
               options: ScanOptions | None = None) -> dict[str, float]:
    """Run the scan and write ``applications.parquet`` and ``channels.parquet``; a summary.

    A ``findings`` table beside the world (``application_id`` and any of the verification
    findings columns) feeds the channel scorecard."""
    world = Path(world_dir)
    apps, perf = _load(world)
    findings_file = world / "findings.parquet"
    findings = pd.read_parquet(findings_file) if findings_file.exists() else None
    return scan(apps, perf, Path(out_dir), key, options or ScanOptions(), findings)


def scan(apps: pd.DataFrame, perf: pd.DataFrame, out: Path, key: bytes, options: ScanOptions,
         findings: pd.DataFrame | None = None) -> dict[str, float]:
    """The scan on in-memory tables (applications sorted by ``applied_at``); ``key``: the
    identity HMAC key (``Settings.identity_key``)."""
    apps = apps.sort_values(["applied_at", "application_id"], kind="stable", ignore_index=True)
    t = applied_seconds(apps["applied_at"])
    ids = apps["application_id"].to_numpy(np.int64)
    month = t.astype("datetime64[s]").astype("datetime64[M]")
    cut = int(np.quantile(t, options.train_fraction).astype("datetime64[s]")
              .astype("datetime64[M]").astype("datetime64[s]").astype(np.int64))
    end = int(t.max())
    bad = known_bad_times(perf, ids)
    graph = IdentityGraph.build(identity_table(apps, key), bad, options.config)
    hits = rule_hits(graph, apps)
    X = graph.features.drop(columns="application_id")
    for code in RULES:
        X[f"rule_{code}"] = np.bincount(hits["row"][hits["code"] == code], minlength=len(X))

    fpd = known_bad_times(perf, ids, early_default_mob=None, as_of=cut)
    booked = np.isin(ids, perf["application_id"].to_numpy(np.int64))
    train = (t < cut - options.label_lag_months * MONTH) & booked
    window = t >= cut
    y = fpd[train] < NEVER
    graph_cols = [c for c in X.columns if not c.startswith("rule_")]
    ring_th = _pick_threshold(X.loc[train, graph_cols], y, options.threshold)
    ring_model = fraud_card().fit(X.loc[train, graph_cols], y)
    rule_cols = [c for c in X.columns if c.startswith("rule_")]
    fraud_model = fraud_card(rule_cols).fit(X[train], y)
    p_ring = ring_model.predict_proba(X[graph_cols])[:, 1]
    p = fraud_model.predict_proba(X)[:, 1]
    ring_decided = (p_ring >= ring_th) & window
    imp = _impersonation(hits, graph, apps, key)
    imp_any = imp.copy()
    imp &= window
    decided = ring_decided | imp

    ring_score, ring_flag, linked = _spread(graph, p_ring, ring_decided, window,
                                            options.strong_kinds, options.burst_days,
                                            options.burst_score_ratio * ring_th)
    flagged = ring_flag | imp
    known_at = _known_at(graph, ring_decided, ring_flag, linked, options.strong_kinds)
    stage = flag_stages(t, decided, flagged, known_at, options.payout_days)
    score = np.maximum(p, np.where(ring_flag, ring_score, 0.0))
    reasons = reasons_by_row(hits, len(X))
    decided_rows = np.flatnonzero(ring_decided)
    top = card_reasons(ring_model, X.iloc[decided_rows])
    for row, why in zip(decided_rows.tolist(), top, strict=True):
        reasons[row].insert(0, f"RING_SCORE: {p_ring[row]:.2f} ({', '.join(why)})")
    for r, (src, kinds) in linked.items():
        reasons[r].append(f"RING_LINKED: shares {kinds} with flagged application #{ids[src]} "
                          f"(ring score {p_ring[src]:.2f}, applied {month[src]})")
    out.mkdir(parents=True, exist_ok=True)
    rows = np.flatnonzero(window)
    pd.DataFrame({"application_id": ids[rows], "fraud_score": score[rows],
                  "flagged": flagged[rows], "reasons": [reasons[r] for r in rows],
                  "flag_stage": stage[rows], "flagged_at": _flag_times(t, decided, known_at,
                                                                       flagged)[rows]}
                 ).to_parquet(out / "applications.parquet", index=False)
    pd.DataFrame({"application_id": ids[rows], "decision_score": p[rows],
                  "decision_flagged": decided[rows]}).to_parquet(out / "decisions.parquet",
                                                                 index=False)
    ring = (p_ring >= ring_th) | ring_flag
    fraud = ring | imp_any
    frame = ChannelFrame.from_applications(apps, t, np.where(fraud, NEVER, bad), ring, fraud,
                                           _aligned_findings(findings, ids), booked=booked)
    active = np.unique(apps["channel_id"].to_numpy()[window])
    channels, channel_model, channel_summary = fit_and_score(
        frame, cut, end + 1, options.channel_watch_share, active)
    channels = channels.reset_index(drop=True)
    channels.to_parquet(out / "channels.parquet", index=False)
    trained = {"training_rows": int(train.sum()), "training_bads": int(y.sum())}
    save_fraud_card(fraud_model, out / "fraud_scorecard.json", "fraud_score", **trained)
    save_fraud_card(ring_model, out / "ring_scorecard.json", "ring_score",
                    threshold=ring_th, **trained)
    if channel_model is not None:
        save_fraud_card(channel_model, out / "channel_scorecard.json", "packaging_score",
                        target="credit_early_default_of_channel", **channel_summary)
    graph.save(out / "graph")
    return {"applications": float(len(rows)), "flagged": float(flagged[rows].sum()),
            "decision_flagged": float(decided.sum()),
            "pre_payout_flagged": float((stage == STAGES[1]).sum()), "channels": float(len(channels)),
            "channels_flagged": float(channels["flagged"].sum()),
            **channel_summary, "hubs": float(len(graph.hubs)),
            **{f"hubs_{k}": float(v) for k, v in graph.hubs["kind"].value_counts().items()},
            "ring_threshold": ring_th}


def _impersonation(hits: pd.DataFrame, graph: IdentityGraph, apps: pd.DataFrame, key: bytes
                   ) -> np.ndarray:
    """Rows an impersonation rule flags. A reused ID counts only when an earlier application
    bore it with the same name: an impersonator presents the victim's ID and name together,
    while the same ID number under another name is a keying error or a forgery the ID check
    rejects, not a stolen identity (measured on a 200,000-application world: the reused-ID
    hits under another name were none of them impersonations)."""
    flag = np.zeros(len(graph.identity), bool)
    flag[hits.loc[hits["code"].isin(FLAG_RULES), "row"].to_numpy()] = True
    if "name" not in apps:
        return flag
    f = pd.DataFrame({"rid": graph.identity["resident_id"].to_numpy(np.uint64),
                      "name": hash_strings(apps["name"], key, "name"),
                      "t": graph.identity["applied_at"].to_numpy()})
    same_before = (f.groupby(["rid", "name"], sort=False)["t"].rank(method="min") > 1).to_numpy()
    reused = hits.loc[hits["code"] == "IMP_ID_REUSED", "row"].to_numpy()
    other = hits.loc[hits["code"].isin(FLAG_RULES) & (hits["code"] != "IMP_ID_REUSED"),
                     "row"].to_numpy()
    flag[reused[~same_before[reused]]] = False
    flag[other] = True
    return flag


def _aligned_findings(findings: pd.DataFrame | None, ids: np.ndarray) -> pd.DataFrame | None:
    """Verification findings per application in ``ids`` order, NaN where none were made."""
    if findings is None:
        return None
    cols = [c for c in FINDINGS if c in findings]
    table = findings.drop_duplicates("application_id", keep="last").set_index("application_id")
    return table[cols].astype(float).reindex(ids).reset_index(drop=True)


def _pick_threshold(X: pd.DataFrame, y: np.ndarray, fixed: float | None) -> float:
    """The given threshold, or the best-F1 one on the latest fifth of the training rows."""
    if fixed is not None:
        return fixed
    split = int(len(X) * 0.8)
    if y[:split].sum() == 0 or y[split:].sum() == 0:
        return 0.5
    p = fraud_card().fit(X.iloc[:split], y[:split]).predict_proba(X.iloc[split:])[:, 1]
    grid = np.round(np.arange(0.05, 0.96, 0.05), 2)
    flag = p[None, :] >= grid[:, None]
    tp = (flag & y[None, split:]).sum(axis=1)
    f1 = 2 * tp / np.maximum(flag.sum(axis=1) + y[split:].sum(), 1)
    return float(grid[int(np.argmax(f1))])


def _spread(graph: IdentityGraph, p: np.ndarray, decided: np.ndarray, window: np.ndarray,
            strong_kinds: int, burst_days: int = 0, burst_min_score: float = 0.0
            ) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[int, str]]]:
    """Flag window applications sharing a strong component with a decided one."""
    labels = graph.strong_components(strong_kinds)
    src = np.flatnonzero(decided)
    best = pd.Series(p[src], index=src).groupby(labels[src]).idxmax()
    comp_src = np.full(labels.max() + 1, -1, np.int64)
    comp_src[best.index.to_numpy()] = best.to_numpy()
    origin = comp_src[labels]
    flagged = decided | (window & (origin >= 0))
    score = p.copy()
    new = np.flatnonzero(flagged & ~decided)
    score[new] = np.maximum(p[new], p[origin[new]])
    links = graph.links
    strong = np.bitwise_count(links.pmask.astype(np.uint32)) >= strong_kinds
    kinds = np.zeros(len(p), np.int64)
    np.bitwise_or.at(kinds, links.pi[strong], links.pmask[strong].astype(np.int64))
    np.bitwise_or.at(kinds, links.pj[strong], links.pmask[strong].astype(np.int64))
    linked = {int(r): (int(origin[r]), kind_names(int(kinds[r]))) for r in new}
    if burst_days > 0:
        sources = decided & (p >= burst_min_score)
        _burst_neighbours(graph, p, sources, window, burst_days, score, flagged, linked)
    return score, flagged, linked


def _burst_neighbours(graph: IdentityGraph, p: np.ndarray, decided: np.ndarray,
                      window: np.ndarray, burst_days: int, score: np.ndarray,
                      flagged: np.ndarray, linked: dict[int, tuple[int, str]]) -> None:
    """Also flag single-link neighbours of a decided application from the same channel
    within ``burst_days``: ring members arrive in bursts through one broker. One shared value
    is weak evidence, so the caller passes only confidently scored sources as ``decided``
    (scan: twice the threshold; measured on a 200,000-application world, sources just over
    it spread to 12 applications, none of them ring members)."""
    links, t = graph.links, graph.links.times
    channel = graph.identity["channel"].to_numpy()
    weak = links.pmask & ~(1 << KIND_CODE["business_name"]) != 0
    near = weak & (channel[links.pi] == channel[links.pj]) & (
        t[links.pi] - t[links.pj] <= burst_days * 86_400)
    for a, b in ((links.pi, links.pj), (links.pj, links.pi)):
        hit = near & decided[a] & window[b] & ~flagged[b]
        for src, dst, m in zip(a[hit].tolist(), b[hit].tolist(), links.pmask[hit].tolist(),
                               strict=True):
            if not flagged[dst] or p[src] > score[dst]:
                flagged[dst] = True
                score[dst] = max(p[dst], p[src])
                linked[dst] = (src, kind_names(m) + " in the same burst and channel")


def _known_at(graph: IdentityGraph, decided: np.ndarray, flagged: np.ndarray,
              linked: dict[int, tuple[int, str]], strong_kinds: int) -> np.ndarray:
    """When each flagged application's tie to a decided one could first be seen (epoch
    seconds, ``NEVER`` for the unflagged): over strong links, the earliest moment a path to a
    decided application exists among applications already arrived (a bottleneck path, found
    by relaxing every link until nothing changes); over a burst link, the later arrival."""
    links = graph.links
    t = links.times
    known = np.where(decided, t, NEVER)
    strong = np.bitwise_count(links.pmask.astype(np.uint32)) >= strong_kinds
    later, earlier = links.pi[strong], links.pj[strong]
    while True:
        step = known.copy()
        np.minimum.at(step, later, np.maximum(known[earlier], t[later]))
        np.minimum.at(step, earlier, np.maximum(known[later], t[earlier]))
        if np.array_equal(step, known):
            break
        known = step
    for row, (src, _) in linked.items():
        known[row] = min(known[row], max(t[src], t[row]))
    return np.where(flagged, known, NEVER)


def flag_stages(t: np.ndarray, decided: np.ndarray, flagged: np.ndarray, known_at: np.ndarray,
                payout_days: float) -> np.ndarray:
    """When each flag could have stopped the loan: ``decision`` (at the decision),
    ``pre_payout`` (a re-check before payout, ``payout_days`` after applying, sees the tie),
    ``retrospective`` (only later, as an investigation); empty for the unflagged."""
    before_payout = known_at <= t + int(payout_days * 86_400)
    stage = np.where(decided, STAGES[0], np.where(before_payout, STAGES[1], STAGES[2]))
    return np.where(flagged, stage, "").astype(object)


def _flag_times(t: np.ndarray, decided: np.ndarray, known_at: np.ndarray,
                flagged: np.ndarray) -> np.ndarray:
    """When each flag could first be raised (NaT for the unflagged)."""
    at = np.where(decided, t, np.where(flagged, known_at, 0)).astype("datetime64[s]")
    return np.where(flagged, at, np.datetime64("NaT", "s"))


def kind_names(mask: int) -> str:
    """Link kinds in a bit mask, comma-separated."""
    return ", ".join(k for c, k in enumerate(KINDS) if mask >> c & 1)
