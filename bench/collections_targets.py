"""Collections against every target of its issue, in one run, each line saying met or NOT met
(not ``bench/collections.py``: a file of that name would stand in for the standard library's
``collections`` module in every script run from this folder).

    .venv/bin/python bench/collections_targets.py [--root DIR] [--seeds 5 6 7 8] [--db URL] [--loans 100000]
                                          [--big 1000000 --big-world W]   # W: creditfactory simulate --applications 1000000

The strategies on worlds of 40,000 applications (``bench/collections_backtest.py``, worlds and
portfolio runs kept in ``--root``): ``default`` against ``bucket_only`` in net recovery (>= 15 %
at no higher cost) and M1 cure within 30 days (>= 10 %), the C-card's out-of-time AUC for a
cure within 30 days (>= 0.75), reason recall per reason (reported); the night's assignment of
``--loans`` delinquent accounts on ``--db`` (``bench/collections_assign.py``, <= 5 s); with
``--big``, the back-test of a book of that many loans (<= 120 s).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from collections_assign import night
from collections_backtest import big, seeds


def _line(name: str, value: str, met: bool | None) -> str:
    verdict = "reported" if met is None else ("met" if met else "NOT met")
    return f"{name:<44} {value:<44} {verdict}"


def verdicts(rows: list[dict[str, Any]], assign: dict[str, float] | None,
             big_run: dict[str, Any] | None) -> list[str]:
    """One line per target and seed."""
    out = []
    for r in rows:
        s = r["seed"]
        gain, cost = r["net_recovery_gain"], r["cost_ratio"]
        out.append(_line(f"seed {s}: net recovery gain, cost ratio", f"{gain:+.1%} at x{cost:.2f}",
                         gain >= 0.15 and cost <= 1.0))
        out.append(_line(f"seed {s}: M1 cure within 30 days", f"{r['m1_cure_gain']:+.1%}",
                         r["m1_cure_gain"] >= 0.10))
        out.append(_line(f"seed {s}: perturbed worlds won, worst cost ratio",
                         f"{r['perturbed_wins']}/{r['perturbed_draws']}, x{r['perturbed_cost_ratio_max']:.2f}",
                         None))
        out.append(_line(f"seed {s}: C-card AUC out of time", f"{r['ccard_auc_oot']:.3f}",
                         r["ccard_auc_oot"] >= 0.75))
        recall = ", ".join(f"{k} {v:.0%}" for k, v in r["reason_recall"].items())
        out.append(_line(f"seed {s}: reasons right", f"{r['reason_accuracy']:.1%} ({recall})", None))
    if assign is not None:
        out.append(_line(f"night: {int(assign['accounts']):,} accounts assigned", f"{assign['seconds']:.2f} s",
                         assign["seconds"] <= 5.0))
    if big_run is not None:
        out.append(_line(f"back-test of {big_run['loans']:,} loans", f"{big_run['total_seconds']:.1f} s",
                         big_run["total_seconds"] <= 120.0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path("bench-collections"))
    ap.add_argument("--applications", type=int, default=40_000)
    ap.add_argument("--seeds", type=int, nargs="*", default=[5, 6, 7, 8])
    ap.add_argument("--db", help="the store for the night's assignment (default: a fresh SQLite file)")
    ap.add_argument("--loans", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=0)
    ap.add_argument("--big-world", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    rows = seeds(args)
    with tempfile.TemporaryDirectory() as tmp:
        assign = night(args.db or f"sqlite:///{tmp}/collections.db", args.loans) if args.loans else None
    big_run = big(args) if args.big else None
    lines = verdicts(rows, assign, big_run)
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"seeds": rows, "assign": assign, "big": big_run, "verdicts": lines},
                                        indent=2, default=str))


if __name__ == "__main__":
    main()
