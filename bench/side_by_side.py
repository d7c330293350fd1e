"""Any benchmark of this tree and of another git revision, in alternate runs of one command.

Each round runs the benchmark script as this tree has it, on this tree's package, then the same
script as the other revision has it, on that revision's package (same installed dependencies),
and prints both outputs with each run's wall and CPU time (the process and its children). The
machine is shared and noisy: read figures of the same round side by side, never one absolute.

Run: .venv/bin/python bench/side_by_side.py --against REV [--rounds 2] -- decision.py --decisions 5000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from _revisions import ROOT, python_path, source_of


def _run(bench: Path, args: list[str], src: Path | None) -> tuple[str, float, float]:
    """Output, wall seconds and CPU seconds of one run of ``bench``."""
    env = {**os.environ, **python_path(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, str(bench), *args], env=env, cwd=bench.parents[1],
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = done.stdout + (f"\n[exit {done.returncode}]\n{done.stderr[-2000:]}" if done.returncode else "")
    return out, wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--against", required=True, help="the git revision to run beside this tree")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("bench", help="a script in bench/, e.g. decision.py")
    ap.add_argument("args", nargs=argparse.REMAINDER, help="its arguments (after --)")
    a = ap.parse_args()
    args = [x for x in a.args if x != "--"] if a.args[:1] == ["--"] else a.args
    totals: dict[str, list[tuple[float, float]]] = {"this tree": [], a.against: []}
    with source_of(a.against) as other_src:
        assert other_src is not None
        sides = [("this tree", ROOT / "bench" / a.bench, None),
                 (a.against, other_src.parent / "bench" / a.bench, other_src)]
        for r in range(1, a.rounds + 1):
            for label, bench, src in sides:
                out, wall, cpu = _run(bench, args, src)
                totals[label].append((wall, cpu))
                print(f"===== round {r}, {label}: {wall:.1f} s wall, {cpu:.1f} s CPU =====")
                print(out.rstrip(), flush=True)
    ours, theirs = totals["this tree"], totals[a.against]
    for r, ((w1, c1), (w2, c2)) in enumerate(zip(ours, theirs, strict=True), 1):
        print(f"round {r}: whole command this tree / {a.against}: "
              f"wall {w1 / w2:.2f}, CPU {c1 / c2:.2f}")


if __name__ == "__main__":
    main()
