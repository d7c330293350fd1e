"""Our own worker supervisor against gunicorn with uvicorn workers, in alternate runs.

    .venv/bin/python bench/serve_supervisors.py --store both --rounds 3 --rate 200 --seconds 60

Both serve the same application (``creditfactory.cli.service:worker_app`` of ``--rev``, checked
out in a git worktree) with two workers, each worker on a ``SO_REUSEPORT`` socket of its own,
through ``serve_workers`` of ``src/creditfactory/cli/workers.py`` (the file alone: it needs only
the standard library and the server packages) as two revisions have it:

- supervisor: ``--supervisor-rev``, our own process supervisor (before gunicorn replaced it);
- gunicorn: ``--gunicorn-rev``, gunicorn's arbiter with ``uvicorn_worker.UvicornWorker`` and
  ``reuse_port`` (``WORKTREE``: the file as it is in this working tree).

Each run gets a fresh store (`creditfactory setup` of ``--rev``), a warm-up, then the load of
``bench/api_load.py`` (open loop, latency from each request's scheduled time); the CPU counts
every process of the server (the supervisor or gunicorn's arbiter and the workers). The order
of the two alternates round by round, and only runs next to each other compare: the machine
is shared and its speed drifts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import api_load as al  # noqa: E402
from _revisions import source_of  # noqa: E402

APP = "creditfactory.cli.service:worker_app"
WORKERS = 2


def _command(module: str, port: int) -> list[str]:
    code = (f"from {module} import serve_workers; "
            f"serve_workers({WORKERS}, '127.0.0.1', {port}, {APP!r}, "
            "{'log_level': 'warning', 'access_log': False})")
    return [sys.executable, "-c", code]


VARIANTS = ("supervisor", "gunicorn")


class Served(al.Server):
    """The server of one variant (``api_load.Server`` with another command)."""

    def __init__(self, store: al.Store, source: Path, variant: str, folder: Path):
        super().__init__(store, source)
        self.variant = variant
        self.folder = folder

    def start(self) -> float:
        t = time.perf_counter()
        env = {**al.env(self.source), "PYTHONPATH": f"{self.source}{os.pathsep}{self.folder}",
               "CREDITFACTORY_DB_URL": self.store.url, "CREDITFACTORY_SERVE_THREADS": "8",
               "OMP_NUM_THREADS": "1"}
        command = _command(f"{self.variant}_under_test", self.port)
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "died")
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return time.perf_counter() - t
            except httpx.HTTPError:
                time.sleep(0.2)


@contextmanager
def served(kind: str, source: Path, variant: str, folder: Path) -> Iterator[tuple[al.Store, Served]]:
    with tempfile.TemporaryDirectory() as tmp:
        store = al.Store(kind, Path(tmp))
        server = Served(store, source, variant, folder)
        try:
            al.prepare(store, source)
            print(f"[{kind}] {variant} ready in {server.start():.1f}s", flush=True)
            yield store, server
        finally:
            server.stop()
            store.drop()


def steady(kind: str, variant: str, rate: float, seconds: float, bodies: list[dict[str, Any]],
           source: Path, folder: Path) -> dict[str, float]:
    with served(kind, source, variant, folder) as (store, server):
        bodies = al.on_channels_of(store, bodies)
        token = server.token()
        al.warm_up(server.base, token, bodies)
        before = server.cpu_by_process()
        res = asyncio.run(al.run_load(server.base, token, bodies, rate, seconds))
        used = {p: t - before.get(p, 0.0) for p, t in server.cpu_by_process().items()}
        out = al.summarise(f"{kind} {variant}", rate, seconds, res)
        out["cpu_ms"] = sum(used.values()) / max(len(res), 1) * 1000
        shares = sorted((t / seconds for t in used.values() if t > 0.01 * seconds), reverse=True)
        print(f"[{kind} {variant}] server CPU {out['cpu_ms']:.2f} ms per submission; processes' "
              f"share of a core: {', '.join(f'{s:.0%}' for s in shares)}", flush=True)
        return out


def _workers_file(rev: str) -> str:
    """``src/creditfactory/cli/workers.py`` as ``rev`` has it (``WORKTREE``: as this tree has it)."""
    path = "src/creditfactory/cli/workers.py"
    if rev == "WORKTREE":
        return (ROOT / path).read_text()
    return subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rev", default="HEAD", help="the revision whose application is served")
    ap.add_argument("--bureau-latency-ms", type=float, default=20.0,
                    help="added to every call of the simulated bureau and registry")
    ap.add_argument("--supervisor-rev", default="65e1a5f",
                    help="the revision whose src/creditfactory/cli/workers.py is the supervisor")
    ap.add_argument("--gunicorn-rev", default="HEAD",
                    help="the revision whose cli/workers.py runs gunicorn (WORKTREE: this tree)")
    a = ap.parse_args()
    kinds = ["sqlite", "postgresql"] if a.store == "both" else [a.store]
    runners = {variant: _workers_file(rev) for variant, rev in
               (("supervisor", a.supervisor_rev), ("gunicorn", a.gunicorn_rev))}
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    with (source_of(a.rev) as source, tempfile.TemporaryDirectory() as folder,
          al.payload_world(min(int(a.rate * a.seconds), 5000), a.bureau_latency_ms) as bodies):
        assert source is not None
        sys.path.insert(0, str(source))  # this process too reads the store with that revision
        for variant, text in runners.items():
            (Path(folder) / f"{variant}_under_test.py").write_text(text)
        for kind in kinds:
            for r in range(a.rounds):
                order = VARIANTS if r % 2 == 0 else VARIANTS[::-1]
                pair = {}
                for variant in order:
                    print(f"[{kind}] round {r + 1}, {variant}:", flush=True)
                    pair[variant] = steady(kind, variant, a.rate, a.seconds, bodies, source,
                                           Path(folder))
                    results.setdefault((kind, variant), []).append(pair[variant])
                g, s = pair["gunicorn"], pair["supervisor"]
                print(f"[{kind}] round {r + 1}: gunicorn/supervisor p99 {g['p99'] / s['p99']:.2f}, "
                      f"server CPU per submission {g['cpu_ms'] / s['cpu_ms']:.2f}", flush=True)
    for (kind, variant), runs in results.items():
        print(f"{kind:10} {variant:10} p99 ms {[round(x['p99'], 1) for x in runs]} "
              f"CPU ms/submission {[round(x['cpu_ms'], 2) for x in runs]} "
              f"errors {sum(int(x['errors']) for x in runs)}")


if __name__ == "__main__":
    main()
