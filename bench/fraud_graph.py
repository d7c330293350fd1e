"""Benchmark: the identity graph with all point-in-time features, ours vs networkx.

    python bench/fraud_graph.py [--small 100000] [--large 1000000] [--repeat 3]
    python bench/fraud_graph.py --seed-live [--seed-compare 50000] [--large 1000000]

Both run on the same synthetic hashed identity table (bench/_fraud_synth.py) in one run:
networkx on ``--small`` applications, ours on ``--small`` and ``--large``. The ratio is
reported at ``--small`` (like for like) and, extrapolating networkx linearly (its per
application work is local, so linear is if anything generous to it), at ``--large``. Every
feature except the propagated risk is checked to be identical between the two. Then the
online graph: replay ``--online`` applications and time ``add`` for the next 2,000.

``--seed-live`` measures only how the live service's online graph is loaded: replaying
``--seed-compare`` applications through ``add`` against seeding them in one vectorised pass
(checking both then give the same features for the next 2,000), and seeding ``--large`` alone,
with the memory the seeded graph holds and the ``add`` latency on top of it.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import cast

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _fraud_networkx import nx_features  # noqa: E402
from _fraud_synth import synthetic_identity  # noqa: E402
from creditfactory.fraud import GraphConfig, IdentityGraph, OnlineGraph  # noqa: E402

NEVER = np.iinfo(np.int64).max


def labels(identity, ring):  # type: ignore[no-untyped-def]
    return np.where(ring >= 0, identity["applied_at"].to_numpy() + 120 * 86_400, NEVER)


def time_ours(identity, bad, repeat: int) -> tuple[list[float], list[float], IdentityGraph]:  # type: ignore[no-untyped-def]
    times, cpu = [], []
    graph = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        graph = IdentityGraph.build(identity, bad, GraphConfig())
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert graph is not None
    return times, cpu, graph


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def replay(online: OnlineGraph, identity, bad) -> None:  # type: ignore[no-untyped-def]
    for app_id, b in zip(identity["application_id"], bad, strict=True):
        if b != NEVER:
            online.mark_bad(int(app_id), int(b))
    for r in identity.to_dict("records"):
        online.add(r)


def add_latency_ms(online: OnlineGraph, rows: list) -> tuple[np.ndarray, list]:  # type: ignore[type-arg]
    lat, feats = [], []
    for r in rows:
        s = time.perf_counter()
        feats.append(online.add(r))
        lat.append(time.perf_counter() - s)
    return np.asarray(lat) * 1000, feats


def seed_live(args: argparse.Namespace) -> None:
    ident, ring = synthetic_identity(args.seed_compare + 2_000, seed=1)
    bad = labels(ident, ring)
    head, tail = ident.head(args.seed_compare), ident.iloc[args.seed_compare:]
    rows = tail.to_dict("records")
    start = time.perf_counter()
    replayed = OnlineGraph(GraphConfig())
    replay(replayed, head, bad[: args.seed_compare])
    t_replay = time.perf_counter() - start
    start = time.perf_counter()
    seeded = OnlineGraph(GraphConfig())
    seeded.seed(head, bad[: args.seed_compare])
    t_seed = time.perf_counter() - start
    lat_r, want = add_latency_ms(replayed, rows)
    lat, got = add_latency_ms(seeded, rows)
    print(f"seeding {args.seed_compare:,} applications: replay {t_replay:.2f} s, vectorised "
          f"{t_seed:.2f} s ({t_replay / t_seed:.0f}x); next {len(rows):,} adds give identical "
          f"features: {got == want}; add median {np.median(lat_r):.3f} ms after replay, "
          f"{np.median(lat):.3f} ms after seeding")
    del replayed, seeded, ident, head, tail, rows
    gc.collect()

    ident_l, ring_l = synthetic_identity(args.large + 2_000, seed=1)
    bad_l = labels(ident_l, ring_l)
    head_l, rows_l = ident_l.head(args.large), ident_l.iloc[args.large:].to_dict("records")
    before = rss_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    online = OnlineGraph(GraphConfig())
    online.seed(head_l, bad_l[: args.large])
    t_l, cpu_l = time.perf_counter() - start, time.process_time() - start_cpu
    gc.collect()
    held = rss_mb() - before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.freeze()
    lat, _ = add_latency_ms(online, rows_l)
    print(f"seeding {args.large:,} applications: vectorised {t_l:.2f} s (CPU {cpu_l:.2f} s); "
          f"seeded graph holds {held:,.0f} MB (process peak {peak:,.0f} MB); add after "
          f"seeding median {np.median(lat):.3f} ms, p99 {np.quantile(lat, 0.99):.3f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=100_000)
    ap.add_argument("--large", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--online", type=int, default=100_000)
    ap.add_argument("--seed-live", action="store_true")
    ap.add_argument("--seed-compare", type=int, default=50_000)
    args = ap.parse_args()
    if args.seed_live:
        seed_live(args)
        return

    ident_l, ring_l = synthetic_identity(args.large, seed=1)
    bad_l = labels(ident_l, ring_l)
    ident_s, ring_s = synthetic_identity(args.small, seed=1)
    bad_s = labels(ident_s, ring_s)
    IdentityGraph.build(ident_s.head(2_000), bad_s[:2_000])  # compile the union-find once

    ours_s, cpu_s, graph_s = time_ours(ident_s, bad_s, args.repeat)
    ours_l, cpu_l, graph_l = time_ours(ident_l, bad_l, args.repeat)
    start, start_cpu = time.perf_counter(), time.process_time()
    peer = nx_features(ident_s, bad_s, GraphConfig())
    nx_s, nx_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    exact = [c for c in peer.columns if c != "propagated_risk"]
    mine = graph_s.features[exact].reset_index(drop=True)
    same = bool((mine.to_numpy() == peer[exact].to_numpy()).all())
    corr = float(np.corrcoef(graph_s.features["propagated_risk"], peer["propagated_risk"])[0, 1])

    best_s, best_l = min(ours_s), min(ours_l)
    print(f"links: {len(graph_l.links.pi):,} pairs at {args.large:,}; hubs capped: "
          f"{len(graph_l.hubs):,} ({graph_l.hubs['kind'].value_counts().to_dict()})")
    print(f"features identical to networkx (all but propagated_risk): {same}; "
          f"propagated_risk correlation with nx.pagerank version: {corr:.3f}")
    print(f"{'':28s}{'ours (min / median)':>24s}{'networkx':>14s}{'ratio':>10s}")
    print(f"{args.small:>12,} applications  {best_s:>10.2f} / {statistics.median(ours_s):5.2f} s"
          f"{nx_s:>12.1f} s{nx_s / best_s:>9.1f}x")
    nx_l = nx_s * args.large / args.small
    print(f"{args.large:>12,} applications  {best_l:>10.2f} / {statistics.median(ours_l):5.2f} s"
          f"{nx_l:>10.1f} s*{nx_l / best_l:>8.1f}x   (* networkx extrapolated linearly)")
    print(f"CPU seconds (process_time; the machine is shared): ours {min(cpu_s):.2f} s at "
          f"{args.small:,}, {min(cpu_l):.2f} s at {args.large:,}; networkx {nx_cpu:.1f} s at "
          f"{args.small:,}; CPU ratio at {args.large:,} (networkx extrapolated): "
          f"{nx_cpu * args.large / args.small / min(cpu_l):.1f}x")

    online = OnlineGraph(GraphConfig())
    rows = cast(list[dict[str, int]], ident_l.head(args.online + 2_000).to_dict("records"))
    for app_id, b in zip(ident_l["application_id"][: len(rows)], bad_l[: len(rows)],
                         strict=True):
        if b != NEVER:
            online.mark_bad(int(app_id), int(b))
    start = time.perf_counter()
    for r in rows[: args.online]:
        online.add(r)
    replay = time.perf_counter() - start
    gc.collect()
    gc.freeze()  # a long-lived service freezes its warm state out of the cyclic collector
    lat, cpu, refresh = [], [], []
    for r in rows[args.online:]:
        before = online._boundary
        s, c = time.perf_counter(), time.thread_time()
        online.add(r)
        if online._boundary != before:
            refresh.append(time.perf_counter() - s)
        else:
            lat.append(time.perf_counter() - s)
            cpu.append(time.thread_time() - c)
    lat_ms = np.asarray(lat) * 1000
    cpu_ms = np.asarray(cpu) * 1000
    print(f"online add CPU time: median {np.median(cpu_ms):.3f} ms, p99 "
          f"{np.quantile(cpu_ms, 0.99):.3f} ms, max {cpu_ms.max():.2f} ms")
    print(f"online add after {args.online:,} applications: median {np.median(lat_ms):.3f} ms, "
          f"p99 {np.quantile(lat_ms, 0.99):.3f} ms, max {lat_ms.max():.2f} ms over {len(lat):,} "
          f"adds; {len(refresh)} add(s) ran the monthly risk refresh: "
          f"{1000 * max(refresh, default=0):.0f} ms; replay {replay:.1f} s")


if __name__ == "__main__":
    main()
