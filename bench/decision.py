"""Decision speed, side by side in one run.

1. Policy + tier table: our compiled evaluator against the same tables in GoRules zen-engine
   (exported JDM decision tables; results checked equal), per decision.
2. A full decision (policy, scoring, anti-fraud, product, pricing, limit, tier, record) with
   scores from the provider: median and p99 in process.
3. The batch evaluator on N synthetic applications (default 1,000,000) and, when a world
   directory is given, a whole back-test of it.

Run: .venv/bin/python bench/decision.py [--rows 1000000] [--world DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from decimal import Decimal
from typing import Any, cast

import numpy as np
import pandas as pd

from creditfactory.strategy import decide_frame, decide_one, derive_fields, load_strategy
from creditfactory.strategy.synthetic import synthetic_applications, synthetic_scores
from creditfactory.strategy.zen_export import policy_jdm, tier_jdm


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dictionaries keyed by column name."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def _clean(v):  # type: ignore[no-untyped-def]
    return None if v is None or v != v else v


def bench_policy_tier(n: int) -> float:
    import zen

    s = load_strategy("default")
    apps = derive_fields(synthetic_applications(n, seed=21))
    scores = synthetic_scores(n, seed=22)
    records = _records(apps)
    full = [decide_one(s, a, b) for a, b in zip(records, _records(scores), strict=True)]
    grades = {g.name: i for i, g in enumerate(s.spec.grades)}
    bands = {b.name: i for i, b in enumerate(s.spec.fraud.bands)}
    tier_in = [
        (grades.get(r.grade or "A", 0), bands.get(r.fraud_band or "low", 0), r.limit or Decimal(0), bool(r.disagreement))
        for r in full
    ]
    fields = sorted({c.field for r in s.spec.policy for c in r.when})
    zen_ctx = [{f: _clean(a.get(f)) for f in fields} for a in records]
    g_names = [g.name for g in s.spec.grades]
    b_names = [b.name for b in s.spec.fraud.bands]
    zen_tier = [{"grade": g_names[g], "fraud_band": b_names[b], "limit": int(lim), "disagreement": d} for g, b, lim, d in tier_in]
    engine = zen.ZenEngine()
    zp = engine.create_decision(json.dumps(policy_jdm(s)))
    zt = engine.create_decision(json.dumps(tier_jdm(s)))

    def ours() -> list[tuple[tuple[int, ...], int]]:
        hits, tier_of = s.policy_hits, s.tier_of
        return [(hits(a), (row.tier if (row := tier_of(g, b, lim, d)) else 3)) for a, (g, b, lim, d) in zip(records, tier_in, strict=True)]

    def theirs() -> list[tuple[Any, Any]]:
        return [(zp.evaluate(c)["result"], zt.evaluate(t)["result"]) for c, t in zip(zen_ctx, zen_tier, strict=True)]

    def per_call_ours() -> np.ndarray:
        hits, tier_of, clock = s.policy_hits, s.tier_of, time.perf_counter_ns
        out = np.empty(n)
        for i, (a, (g, b, lim, d)) in enumerate(zip(records, tier_in, strict=True)):
            t0 = clock()
            hits(a)
            tier_of(g, b, lim, d)
            out[i] = clock() - t0
        return out

    def per_call_zen() -> np.ndarray:
        clock = time.perf_counter_ns
        out = np.empty(n)
        for i, (c, t) in enumerate(zip(zen_ctx, zen_tier, strict=True)):
            t0 = clock()
            zp.evaluate(c)
            zt.evaluate(t)
            out[i] = clock() - t0
        return out

    gc.collect()
    gc.freeze()
    t_ours = float(np.median(per_call_ours())) / 1e9
    t_zen = float(np.median(per_call_zen())) / 1e9
    inner = []
    for c, t in zip(zen_ctx[:2000], zen_tier[:2000], strict=True):
        inner.append(_us(zp.evaluate(c)["performance"]) + _us(zt.evaluate(t)["performance"]))
    t_inner = float(np.median(inner)) / 1e6
    o, z = ours(), theirs()
    tiers = ("auto_approve", "remote_verification", "field_investigation", "reject")
    same = sum(
        tuple(s.policy_codes[i] for i in oh) == tuple(x["code"] for x in zh) and tiers[ot] == zt_["tier"]
        for (oh, ot), (zh, zt_) in zip(o, z, strict=True)
    )
    print(f"policy+tier (median per call)  ours {t_ours * 1e6:7.2f} µs   zen-engine {t_zen * 1e6:7.2f} µs   "
          f"ratio {t_zen / t_ours:5.1f}x   (agree on {same}/{n})")
    print(f"policy+tier  zen-engine's self-reported engine time (excludes its Python binding) "
          f"median {t_inner * 1e6:7.2f} µs   ratio to ours {t_inner / t_ours:5.1f}x")
    return t_zen / t_ours


def _us(text: str) -> float:
    for unit, scale in (("ns", 1e-3), ("µs", 1.0), ("ms", 1e3), ("s", 1e6)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    raise ValueError(text)


def bench_full(n: int, provider_name: str) -> None:
    from creditfactory.strategy.providers import ColumnScores

    s = load_strategy("default")
    apps = derive_fields(synthetic_applications(n, seed=31))
    scores = synthetic_scores(n, seed=32)
    merged = _records(apps.join(scores))
    provider = ColumnScores({"a_card": "synthetic"})
    times = []
    gc.collect()
    gc.freeze()  # a long-lived decision service freezes its start-up heap the same way
    for rec in merged:
        t = time.perf_counter_ns()
        decide_one(s, rec, provider.score_record(rec), model_versions=provider.versions())
        times.append(time.perf_counter_ns() - t)
    arr = np.array(times) / 1000
    print(f"full decision ({provider_name})  median {statistics.median(arr):6.1f} µs   p99 {np.percentile(arr, 99):7.1f} µs   "
          f"mean {arr.mean():6.1f} µs   over {n} applications")


def bench_batch(rows: int) -> None:
    apps = derive_fields(synthetic_applications(rows, seed=41))
    scores = synthetic_scores(rows, seed=42)
    for name in ("default", "policy_only"):
        s = load_strategy(name)
        t = time.perf_counter()
        frame = decide_frame(s, apps, scores)
        took = time.perf_counter() - t
        print(f"batch {name:12s} {rows:>9,} applications in {took:6.2f} s  ({rows / took:,.0f}/s)  "
              f"approval {np.mean(frame['decision'] == 'approve'):.3f}")


def bench_world(world_dir: str, decisions: int) -> None:
    """Real models trained on the world's first year; full decisions with model scoring per
    record; batch = per-application on every application; the back-test itself."""
    from pathlib import Path

    from creditfactory.data import load
    from creditfactory.evaluation.backtest import evaluate_backtest
    from creditfactory.models import train_lending_models
    from creditfactory.settings import load_settings
    from creditfactory.strategy.backtest_run import backtest_strategies, write_backtest

    world = load(world_dir, money="float")
    t = time.perf_counter()
    models = train_lending_models(world, key=load_settings().identity_key)
    print(f"world {world_dir}: {len(world.applications):,} applications; models trained in {time.perf_counter() - t:.1f} s: {models.versions()}")
    apps = derive_fields(world.applications)
    t = time.perf_counter()
    scores = models.score_frame(apps)
    print(f"scoring every application (A-card, LightGBM, fraud, packaging) {time.perf_counter() - t:.2f} s")
    s = load_strategy("default")
    records = _records(apps)
    times = []
    gc.collect()
    gc.freeze()  # a long-lived decision service freezes its start-up heap the same way
    for rec in records[-decisions:]:
        t0 = time.perf_counter_ns()
        decide_one(s, rec, models.score_record(rec), model_versions=models.versions())
        times.append(time.perf_counter_ns() - t0)
    arr = np.array(times) / 1000
    print(f"full decision with model scoring per record  median {np.median(arr):6.1f} µs   p99 {np.percentile(arr, 99):7.1f} µs   over {len(arr)}")
    for name in ("default", "policy_only"):
        strategy = load_strategy(name)
        batch = decide_frame(strategy, apps, scores)
        single = [decide_one(strategy, a, b).outcome() for a, b in zip(records, _records(scores), strict=True)]
        cols = ("decision", "tier", "reasons", "policy_hits", "segment", "grade", "fraud_band", "product", "rate", "limit")
        same = all(
            [None if v is None or v != v else v for v in batch[c].astype(object)] == [r[c] for r in single] for c in cols
        )
        print(f"batch == per-application on all {len(records):,} world applications ({name}): {same}")

    class Cached:
        def versions(self) -> dict[str, str]:
            return models.versions()

        def score_frame(self, frame):  # type: ignore[no-untyped-def]
            return scores.set_index(apps["application_id"]).reindex(frame["application_id"]).reset_index(drop=True)

        def score_record(self, app, fraud=None):  # type: ignore[no-untyped-def]
            return models.score_record(app, fraud)

        def fraud_with_known_bads(self, frame, known_bad):  # type: ignore[no-untyped-def]
            return models.fraud_with_known_bads(frame, known_bad)

    t = time.perf_counter()
    run = evaluate_backtest(backtest_strategies(world, [load_strategy("default"), load_strategy("policy_only")], Cached()),
                            world.truth)
    write_backtest(run, Path("/tmp/bench_backtest"))
    print(f"back-test (two strategies, cut-off curves, swap set, report; scores precomputed) {time.perf_counter() - t:.1f} s")
    for label, summ in run.summary.items():
        print(f"  {label:12s} approval {summ['approval_rate']:.1%}  NPL {summ['npl_rate']:.2%}  loss {summ['loss_rate']:.2%}  profit {summ['profit']:,.0f}")
    print_profit_parts(run)
    for label, result in zip(run.labels, run.results, strict=True):
        cal = result.strategy.spec.calibration
        if cal is not None:
            print(f"  {label} calibrated: cut-off PD {cal.cutoff_pd}, limit scale {cal.limit_scale}, "
                  f"window {cal.window}, figures {cal.figures}")
    print(f"  comparison {run.comparison}")


PROFIT_PARTS = ("interest_income", "funding_cost", "operating_cost", "loss", "process_cost", "profit")


def print_profit_parts(run) -> None:  # type: ignore[no-untyped-def]
    """Profit and its parts (CNY, millions), the strategies side by side; process cost by tier."""
    labels = list(run.summary)
    print("  " + f"{'profit parts (M CNY)':28s}" + "".join(f"{label:>14s}" for label in labels))
    rows = [(k, [run.summary[label][k] for label in labels]) for k in PROFIT_PARTS]
    rows[-1:-1] = [(f"  process: {tier}", [run.summary[label]["process_cost_by_tier"][tier] for label in labels])
                   for tier in run.summary[labels[0]]["process_cost_by_tier"]]
    for key, values in rows:
        print("  " + f"{key:28s}" + "".join(f"{v / 1e6:14.1f}" for v in values))


def bench_big_backtest(world_dir: str) -> None:
    """The back-test itself on a big world: both strategies, outcomes, curves, swap set,
    report and parquet. Scores are drawn synthetically (model scoring is timed above)."""
    from pathlib import Path

    from creditfactory.data import load
    from creditfactory.evaluation.backtest import evaluate_backtest
    from creditfactory.strategy.backtest_run import backtest_strategies, write_backtest

    t = time.perf_counter()
    world = load(world_dir, money="float")
    loaded = time.perf_counter() - t

    class Synthetic:
        def versions(self) -> dict[str, str]:
            return {"scores": "synthetic"}

        def score_frame(self, frame):  # type: ignore[no-untyped-def]
            return synthetic_scores(len(frame), seed=5).set_index(frame.index)

        def score_record(self, app, fraud=None):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    import resource

    before = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    run = evaluate_backtest(backtest_strategies(world, [load_strategy("default"), load_strategy("policy_only")],
                                                Synthetic(), train_months=0), world.truth)
    write_backtest(run, Path("/tmp/bench_backtest_big"))
    took = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    n = run.summary["default"]["applications"]
    print(f"back-test of {n:,} applications x 2 strategies (+ no-cut-off variant for the curve): wall {took:.1f} s, "
          f"CPU {cpu:.1f} s (world load {loaded:.1f} s not included)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--world", default=None)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--big-world", default=None, help="a (1M-application) world for the back-test timing")
    args = parser.parse_args()
    if args.big_world:
        bench_big_backtest(args.big_world)
    if args.world:
        bench_world(args.world, args.decisions)
    if args.skip_synthetic:
        return
    bench_policy_tier(args.decisions)
    bench_full(args.decisions, "precomputed scores through ColumnScores")
    bench_batch(args.rows)


if __name__ == "__main__":
    main()
