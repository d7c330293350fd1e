"""Load the credit-factory API over loopback: fixed-rate submissions, latency percentiles, crash.

    .venv/bin/python bench/api_load.py --store both --rate 200 --seconds 60
    .venv/bin/python bench/api_load.py --store sqlite --find-max
    .venv/bin/python bench/api_load.py --store sqlite --crash
    .venv/bin/python bench/api_load.py --store sqlite --workers 1 --rate 100 --seconds 20
    .venv/bin/python bench/api_load.py --store postgresql --seconds 30 --against HEAD~3 --rounds 3
    .venv/bin/python bench/api_load.py --store both --bureau-fail-rate 0.1 --bureau-fail-seconds 60

Each store gets a fresh database, `creditfactory setup` (with the trained models), an account
manager, and `creditfactory serve --workers N` (default 2: one per core) in its own process
group; the CPU figure counts every server process (on PostgreSQL the database CPU figure counts
the backends serving the server's connections, found by their application name). Requests are
sent open-loop at a fixed rate; latency is measured from each request's *scheduled* time (no coordinated omission), and
every request carries its own Idempotency-Key. `--crash` kills every server process with SIGKILL
mid-load, restarts the server and checks that every application that got a 201 is there with its
decision and case, that nothing is half-written, and that cases carry on (bank answers resume).
The peer figure is the same run on the other store: the script prints SQLite/PostgreSQL ratios.
`--against REV` serves another revision (a git worktree of it) in alternate runs with this tree
and prints each pair's ratios: the machines' speed drifts by minutes, so only neighbours compare.

The platform pulls each applicant's credit report and business registration itself: the bench
writes the payloads' world to a directory and serves its bureau and registry with
`creditfactory world bureau` on loopback (`--bureau-latency-ms`, 20 by default, on every call),
which `serve` finds at CREDITFACTORY_BUREAU_URL; the bodies carry only what an applicant
declares (their age as of today, since the server's clock stamps the application). With
`--bureau-fail-rate R` the bureau fails that share of calls for the first
`--bureau-fail-seconds` of the load, then recovers; the bench then waits for the held cases
and checks that no request got a 5xx, no case was lost and every case was decided.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _load_checks import OUTAGE, _outage, carried_on, crash, outage_check  # noqa: E402,F401
from _load_client import (  # noqa: E402,F401
    OPEN_CONNECTIONS,
    RawClient,
    run_load,
    summarise,
    warm_up,
)
from _load_setup import (  # noqa: E402,F401
    ADMIN_PASSWORD,
    AM_PASSWORD,
    BUREAU,
    BUREAU_PROCESS,
    CLI,
    PG_URL,
    Bureau,
    Server,
    Store,
    env,
    free_port,
    machine_ticks,
    on_channels_of,
    payload_world,
    payloads,
    prepare,
    served,
    write_payload_world,
)
from _revisions import source_of  # noqa: E402


def steady(kind: str, rate: float, seconds: float, bodies: list[dict[str, Any]],
           source: Path | None = None) -> dict[str, float]:
    with served(kind, source) as (store, server):
        bodies = on_channels_of(store, bodies)
        token = server.token()
        warm_up(server.base, token, bodies)
        by0, load0, own0 = server.cpu_by_process(), os.getloadavg()[0], time.process_time()
        db0 = store.database_cpu()
        ticks0 = machine_ticks()
        failing = bool(BUREAU_PROCESS and OUTAGE["fail_rate"] > 0)
        res = asyncio.run(run_load(server.base, token, bodies, rate, seconds,
                                   on_tick=_outage if failing else None))
        busy, steal, total = (b - a for a, b in zip(ticks0, machine_ticks(), strict=True))
        used = {p: t - by0.get(p, 0.0) for p, t in server.cpu_by_process().items()}
        cpu = sum(used.values()) / max(len(res), 1) * 1000
        db = sum(t - db0.get(p, 0.0) for p, t in store.database_cpu().items()) / max(len(res), 1) * 1000
        busiest = sorted((t for t in used.values() if t > 0.05 * seconds), reverse=True)
        own = (time.process_time() - own0) / max(len(res), 1) * 1000
        out = summarise(kind, rate, seconds, res)
        out["cpu_ms"] = cpu
        out["db_cpu_ms"] = db
        print(f"[{kind}] load generator CPU {own:.2f} ms per request", flush=True)
        print(f"[{kind}] server CPU {cpu:.2f} ms per submission, all {Server.workers} server "
              f"process(es) (ceiling about {1000 / cpu:.0f}/s per free core); machine load average "
              f"{load0:.1f} on {os.cpu_count()} cores", flush=True)
        if kind == "postgresql":
            print(f"[{kind}] database CPU {db:.2f} ms per submission (the PostgreSQL backends of the "
                  f"server's connections)", flush=True)
        print(f"[{kind}] busy server processes' share of a core each: "
              f"{', '.join(f'{t / seconds:.0%}' for t in busiest)}", flush=True)
        if total:
            cores = os.cpu_count() or 1
            print(f"[{kind}] machine: {busy / total * cores:.2f} of {cores} cores busy, "
                  f"{steal / total:.1%} of CPU time stolen by the hypervisor", flush=True)
        if failing:
            out["outage_ok"] = float(outage_check(kind, store, res))
        return out


def find_max(kind: str, seconds: float, bodies: list[dict[str, Any]]) -> float:
    """Raise the rate until p99 > 100 ms or an error; return the last rate that held."""
    best = 0.0
    with served(kind) as (store, server):
        bodies = on_channels_of(store, bodies)
        token = server.token()
        warm_up(server.base, token, bodies)
        for rate in (20, 35, 50, 100, 150, 200, 250, 300, 400, 500, 600, 800):
            cpu0 = server.cpu_seconds()
            res = asyncio.run(run_load(server.base, token, bodies, rate, seconds))
            s = summarise(kind, rate, seconds, res)
            print(f"[{kind}]   server CPU {(server.cpu_seconds() - cpu0) / len(res) * 1000:.2f} ms per "
                  f"submission; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
            if s["errors"] or s["p99"] > 100:
                break
            best = rate
    print(f"[{kind}] highest sustainable rate (p99 <= 100 ms, no errors, {seconds:.0f}s steps): {best:.0f}/s")
    return best


def side_by_side(kinds: list[str], rev: str, rounds: int, rate: float, seconds: float,
                 bodies: list[dict[str, Any]]) -> None:
    """Alternate steady runs of this tree and of ``rev`` (the machine's speed drifts: only runs
    next to each other compare); print each pair's p99 and server CPU ratios."""
    with source_of(rev) as other:
        assert other is not None
        for kind in kinds:
            for r in range(rounds):
                pair = {}
                for label, src in (("this tree", None), (rev, other)):
                    print(f"[{kind}] round {r + 1}, {label}:", flush=True)
                    pair[label] = steady(kind, rate, seconds, bodies, src)
                ours, theirs = pair["this tree"], pair[rev]
                db = (f", database CPU per submission {theirs['db_cpu_ms'] / ours['db_cpu_ms']:.2f}"
                      if ours.get("db_cpu_ms") else "")
                print(f"[{kind}] round {r + 1}: {rev}/this tree p99 "
                      f"{theirs['p99'] / ours['p99']:.2f}, server CPU per submission "
                      f"{theirs['cpu_ms'] / ours['cpu_ms']:.2f}{db}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--find-max", action="store_true")
    ap.add_argument("--crash", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="server processes (`serve --workers`)")
    ap.add_argument("--against", help="a git revision served in alternate runs, side by side")
    ap.add_argument("--rounds", type=int, default=2, help="alternate runs of each (--against)")
    ap.add_argument("--bureau-latency-ms", type=float, default=20.0,
                    help="added to every call of the simulated bureau and registry")
    ap.add_argument("--bureau-fail-rate", type=float, default=0.0,
                    help="share of the bureau's calls failing during the outage")
    ap.add_argument("--bureau-fail-seconds", type=float, default=None,
                    help="how long the outage lasts from the load's start (default: all of it)")
    a = ap.parse_args()
    Server.workers = a.workers
    kinds = ["sqlite", "postgresql"] if a.store == "both" else [a.store]
    OUTAGE.update(fail_rate=a.bureau_fail_rate,
                  seconds=a.seconds if a.bureau_fail_seconds is None else a.bureau_fail_seconds)
    with payload_world(min(int(a.rate * a.seconds), 5000), a.bureau_latency_ms) as bodies:
        _run(a, kinds, bodies)


def _run(a: argparse.Namespace, kinds: list[str], bodies: list[dict[str, Any]]) -> None:
    if a.crash:
        sys.exit(0 if all(crash(k, a.rate, a.seconds, bodies) for k in kinds) else 1)
    if a.find_max:
        best = {k: find_max(k, a.seconds, bodies) for k in kinds}
        if len(best) == 2 and best["postgresql"]:
            print(f"sqlite/postgresql sustainable-rate ratio {best['sqlite'] / best['postgresql']:.2f}")
        return
    if a.against:
        side_by_side(kinds, a.against, a.rounds, a.rate, a.seconds, bodies)
        return
    res = {k: steady(k, a.rate, a.seconds, bodies) for k in kinds}
    if len(res) == 2:
        print(f"sqlite/postgresql ratios: p99 {res['sqlite']['p99'] / res['postgresql']['p99']:.2f}, "
              f"server CPU per submission {res['sqlite']['cpu_ms'] / res['postgresql']['cpu_ms']:.2f}")
    if a.bureau_fail_rate > 0:
        held = all(r.get("outage_ok") == 1.0 for r in res.values())
        print(f"bureau failing {a.bureau_fail_rate:.0%} of calls for {OUTAGE['seconds']:.0f} s: "
              f"no 5xx, no case lost, every case decided after recovery: "
              f"{'MET' if held else 'NOT MET'}")
    met = all(r["errors"] == 0 and r["p99"] <= 100 for r in res.values())
    if a.rate < 200 or a.seconds < 60:
        print(f"target 200/s for 60 s p99<=100ms zero errors: not measured by this run "
              f"({a.rate:.0f}/s for {a.seconds:.0f} s {'held' if met else 'did not hold'})")
    else:
        print(f"target 200/s for 60 s p99<=100ms zero errors: {'MET' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
