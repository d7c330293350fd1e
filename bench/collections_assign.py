"""The nightly collections assignment on the store, timed.

Seeds L loans (100,000-500,000 CNY, 18 %, 36 months, paid out 31-60 days before the business
date, written straight into the tables as ``bench/servicing_store.py`` does), marks each past
due (1-179 DPD, spread over the buckets), optionally keeps a C-card fitted on a synthetic
sample in the model registry, and times ``assign_collections`` for the business date: the
read of every delinquent account, features, C-card scores and reasons, the reason model, the
strategy, the teams' capacity cascade, and the bulk write of the episodes and assignments.
Then times a second run of the same date (idempotent: nothing to do).

Run: .venv/bin/python bench/collections_assign.py --db sqlite:////tmp/coll.db [--loans 100000] [--ccard]
     (PostgreSQL: --db postgresql://postgres@127.0.0.1:5432/test uses a fresh schema)
Target: 100,000 delinquent accounts assigned in <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from _book_seed import bench_store, seed
from creditfactory.models.ccard import FEATURES, CollectionScorecard
from creditfactory.services.collections_assign import assign_collections, store_ccard
from creditfactory.store import UnitOfWork

BUSINESS_DATE = date(2026, 3, 31)


def _synthetic_card(rng: np.random.Generator) -> CollectionScorecard:
    """A C-card fitted on a synthetic development sample (the bench times scoring, not fit)."""
    n = 4000
    x = pd.DataFrame({f: rng.normal(size=n) for f in FEATURES})
    x["bucket"] = rng.integers(1, 7, n).astype(float)
    logit = 1.0 - 0.8 * x["bucket"] + 0.5 * x["paid_share"] - 0.4 * x["broken"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return CollectionScorecard(objective="logistic").fit(x, y)


def night(db: str, loans: int, *, ccard: bool = False, keep: bool = False) -> dict[str, float]:
    """Seed ``loans`` delinquent loans on ``db`` and time the night's assignment of them (and a
    second run of the same date); prints as it goes and returns the times."""
    with bench_store(db, keep=keep, fresh_sqlite=True) as engine:
        rng = np.random.default_rng(7)
        amounts = rng.integers(10_000, 50_001, loans) * 1000
        lag = rng.integers(0, 30, loans) + 31
        t0 = time.perf_counter()
        seed.seed_paid_out(engine, amounts, lag, first_id=1, business_date=BUSINESS_DATE,
                           step=50_000)
        with UnitOfWork(engine) as uow:
            uow.conn.execute(sa.text(
                "UPDATE loan_accounts SET dpd = 1 + (loan_id * 7919) % 179, bucket = 'M1'"))
            if ccard:
                store_ccard(uow, _synthetic_card(rng), "bench")
            uow.commit()
        print(f"seeded {loans:,} delinquent loans in {time.perf_counter() - t0:.1f} s "
              f"(load {os.getloadavg()[0]:.1f})")
        c0, t0 = time.process_time(), time.perf_counter()
        done = assign_collections(engine, BUSINESS_DATE)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"assigned {done.accounts:,} accounts in {wall:.2f} s ({cpu:.2f} s CPU here; "
              f"score: {done.score_source}; teams {done.by_team}; load "
              f"{os.getloadavg()[0]:.1f}) target <= 5 s: {'met' if wall <= 5 else 'NOT met'}")
        t0 = time.perf_counter()
        again = assign_collections(engine, BUSINESS_DATE)
        repeat = time.perf_counter() - t0
        print(f"again for the same date: {repeat:.3f} s (already assigned: {again.already})")
    return {"accounts": float(done.accounts), "seconds": wall, "cpu_seconds": cpu, "again_seconds": repeat}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True)
    p.add_argument("--loans", type=int, default=100_000)
    p.add_argument("--ccard", action="store_true", help="score with a fitted C-card")
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    a = p.parse_args()
    night(a.db, a.loans, ccard=a.ccard, keep=a.keep)


if __name__ == "__main__":
    main()
