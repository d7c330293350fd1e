"""CPU and wall time of one submission in process (no HTTP), this tree against another revision.

    .venv/bin/python bench/submission_cost.py --store sqlite --n 1000
    .venv/bin/python bench/submission_cost.py --store both --against cc926a1 --rounds 2

Each run sets up a fresh factory (`creditfactory setup`, trained models), submits ``n``
applications (what an applicant declares; the bureau and registry of their world answer from
`creditfactory world bureau` in a process of its own, no added latency) through
`submit_application` with the simulated banks answering every ten
submissions, and reports CPU and wall milliseconds per submission (on PostgreSQL also the CPU
of the backends serving the run's connections, read from /proc). The live fraud graph reads
other processes' applications once per interval, as under `serve`. With ``--against REV`` the
same run is made on a git worktree of REV, alternating with this tree round by round on the
same machine (the machines are shared and their speed varies: compare only side by side), and
the ratio is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _revisions import python_path, source_of  # noqa: E402


def _serving_context(settings: Any, catch_up_every: float) -> Any:
    """The service context ``serve`` builds, in this revision's way of building it."""
    try:
        from creditfactory.services.bootstrap import bootstrap
    except ImportError:  # a revision from before the wiring moved into one bootstrap module
        try:
            from creditfactory.server import build_context  # type: ignore[attr-defined]
        except ImportError:
            from creditfactory.api import build_context  # type: ignore[attr-defined,no-redef]
        from creditfactory.services.fraud_graph import live_fraud_of  # type: ignore[attr-defined]

        ctx = build_context(settings)
        live = live_fraud_of(ctx.decider)
        if live is not None:
            live.catch_up_every = catch_up_every
        return ctx
    return bootstrap(settings, catch_up_every=catch_up_every)


def measure(kind: str, n: int) -> dict[str, float]:
    """One run in this interpreter (whatever ``creditfactory`` it imports)."""
    import api_load as al
    try:
        from creditfactory.http.schemas.applications import ApplicationCreate
    except ImportError:  # a revision from before the API and the pages stopped importing each other
        from creditfactory.api.schemas.applications import ApplicationCreate  # type: ignore[no-redef]
    from creditfactory.cli import service as service_cli
    from creditfactory.services.bank_answers import simulate_bank_answers
    from creditfactory.services.intake import submit_application
    from creditfactory.services.ports import Actor
    from creditfactory.settings import load_settings

    os.environ["CREDITFACTORY_ADMIN_PASSWORD"] = al.ADMIN_PASSWORD
    store = al.Store(kind, Path(tempfile.mkdtemp()))
    # the payloads' world answers as the bureau and registry, in a process of its own (its CPU
    # is not the submission's), with no added latency
    world_dir = al.write_payload_world(n + 50, Path(tempfile.mkdtemp()) / "world")
    bureau = al.Bureau(world_dir, 0.0)
    os.environ["CREDITFACTORY_BUREAU_URL"] = bureau.url
    try:
        subprocess.run([sys.executable, "-m", "creditfactory", "setup", "--db", store.url],
                       check=True, env=os.environ, stdout=subprocess.DEVNULL)
        # as `serve` has it: the graph reads others' applications once per interval
        ctx = _serving_context(load_settings(db_url=store.url), service_cli._CATCH_UP_EVERY)
        bodies = al.on_channels_of(store, al.payloads(n + 50, world_dir))
        apps = [ApplicationCreate.model_validate(json.loads(json.dumps(b))).model_dump()
                for b in bodies]
        actor = Actor("am", "account_manager")
        for app in apps[n:]:  # warm up: first-call costs and caches
            submit_application(ctx, actor, app, uuid.uuid4().hex)
        wall, cpu, db0 = time.perf_counter(), time.process_time(), store.database_cpu()
        for i, app in enumerate(apps[:n]):
            submit_application(ctx, actor, app, uuid.uuid4().hex)
            if i % 10 == 9:
                while simulate_bank_answers(ctx):
                    pass
        out = {"cpu_ms": (time.process_time() - cpu) / n * 1000,
               "wall_ms": (time.perf_counter() - wall) / n * 1000}
        db = store.database_cpu()
        if db:
            out["db_cpu_ms"] = sum(t - db0.get(p, 0.0) for p, t in db.items()) / n * 1000
        ctx.engine.dispose()
        return out
    finally:
        bureau.stop()
        store.drop()


def run(src: Path | None, kind: str, n: int) -> dict[str, float]:
    """One run in a fresh interpreter, importing the package from ``src`` (None: this tree)."""
    done = subprocess.run([sys.executable, __file__, "--one", kind, "--n", str(n)],
                          env={**os.environ, **python_path(src)},
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _costs(run: dict[str, float]) -> str:
    db = f", {run['db_cpu_ms']:.2f} ms database CPU" if "db_cpu_ms" in run else ""
    return f"{run['cpu_ms']:.2f} ms CPU, {run['wall_ms']:.2f} ms wall{db}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="sqlite")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--against", help="a git revision to measure side by side")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(measure(a.one, a.n)))
        return
    kinds = ["sqlite", "postgresql"] if a.store == "both" else [a.store]
    with source_of(a.against) as other:
        for kind in kinds:
            for r in range(a.rounds):
                ours = run(None, kind, a.n)
                line = f"[{kind}] round {r + 1}: this tree {_costs(ours)} per submission"
                if other is not None:
                    theirs = run(other, kind, a.n)
                    line += (f"; {a.against} {_costs(theirs)}; CPU ratio "
                             f"{theirs['cpu_ms'] / ours['cpu_ms']:.2f}x")
                    if "db_cpu_ms" in ours:
                        line += f", database CPU ratio {theirs['db_cpu_ms'] / ours['db_cpu_ms']:.2f}x"
                print(line, flush=True)

if __name__ == "__main__":
    main()
