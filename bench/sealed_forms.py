"""CPU of sealing one submission's personal values (``sealed_forms``), this tree against another
revision, alternating in separate processes on the same machine.

    .venv/bin/python bench/sealed_forms.py
    .venv/bin/python bench/sealed_forms.py --against 7ff971f --rounds 3

Each process seals the 400 applications of a small simulated world ``--passes`` times and
reports the best and median CPU microseconds per application over 9 repetitions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _revisions import python_path, source_of  # noqa: E402


def measure(passes: int) -> dict[str, float]:
    """Best and median CPU seconds per ``sealed_forms`` call in this process's revision."""
    from creditfactory.services.application_input import sealed_forms
    from creditfactory.store import PersonalDataVault
    from creditfactory.world import generate

    rows = cast(list[dict[str, Any]],
                generate(400, 12, 11).applications.drop(columns="application_id").to_dict("records"))
    vault = PersonalDataVault("k" * 40)
    runs = []
    for _ in range(9):
        start = time.process_time()
        for _ in range(passes):
            for row in rows:
                sealed_forms(row, vault)
        runs.append((time.process_time() - start) / (passes * len(rows)))
    runs.sort()
    return {"best": runs[0], "median": runs[len(runs) // 2]}


def _run(src: Path | None, passes: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--passes", str(passes)],
        env={**os.environ, **python_path(src)}, capture_output=True, text=True, check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", help="another revision to measure side by side")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(measure(a.passes)))
        return
    with source_of(a.against) as other:
        sides = [("this tree", None)] + ([(a.against, other)] if a.against else [])
        for n in range(a.rounds):
            for name, src in sides:
                got = _run(src, a.passes)
                print(f"round {n + 1} {name}: best {got['best'] * 1e6:.1f} us, "  # noqa: T201
                      f"median {got['median'] * 1e6:.1f} us per application")


if __name__ == "__main__":
    main()
