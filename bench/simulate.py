"""How fast the world is written: 1,000,000 applications with their whole loan lives.

Target (issue 2): ≤ 60 s and ≤ 4 GB peak memory on 2 cores. No peer exists for this, so the
figure stands alone.

    .venv/bin/python bench/simulate.py [--applications N] [--format parquet|csv]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from creditfactory.world import WorldConfig, write_world
from creditfactory.world.parallel import default_workers


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applications", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--format", default="parquet")
    ap.add_argument("--workers", type=int, default=None, help="default: one per core")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "world"
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        meta = write_world(WorldConfig(args.applications, args.months, 1), out, args.format,
                           workers=args.workers)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += child.ru_utime + child.ru_stime
        size = sum(f.stat().st_size for f in out.iterdir())
    main_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    worker_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    workers = args.workers or default_workers(WorldConfig(args.applications, args.months, 1))
    peak_gb = main_gb + workers * worker_gb  # upper bound: every worker at the largest's peak
    rows = meta["rows"]
    print(f"applications      {rows['applications']:>14,}")
    print(f"performance rows  {rows['performance']:>14,}")
    print(f"wall time         {wall:>14.1f} s   (target ≤ 60 s)")
    print(f"cpu time          {cpu:>14.1f} s   (parent and workers)")
    print(f"workers           {workers:>14d}")
    print(f"peak memory       {peak_gb:>14.2f} GB  (target ≤ 4 GB; parent {main_gb:.2f} + "
          f"{workers} × worker {worker_gb:.2f})")
    print(f"output size       {size / 1024**2:>14.0f} MB ({args.format})")
    print(f"throughput        {rows['applications'] / wall:>14,.0f} applications/s")


if __name__ == "__main__":
    main()
