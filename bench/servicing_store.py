"""The loan book on the store: a bank file's import and the close of business, timed.

Seeds L fresh loans (100,000-500,000 CNY, 18 %, 36 months, paid out 31-60 days before the
business date, written straight into the tables with the vectorised schedules), imports two
bank files of R repayments: the loans' second instalment, dated after the business date (the
day's file imported before that day's close: posted by the close; the few dated on or before
it are caught up inline), then their first instalment, dated on or before the business date
(a late file: every row's loan caught up inline, replayed from its payout by the vectorised
book); then closes business D days. Prints seconds for each part; the close's first line
includes loading the book.

Measured on the shared 2-core machine, 1,000,000 loans and two files of 1,000,000 rows
(`--loans 1000000 --rows 1000000 --days 1`; load averages in brackets):
SQLite [load 1.1-4.3]: the file after the business date 21.1 s (66,471 loans caught up),
the late file 55.1 s (1,000,000 loans caught up), one day's close 14.0 s.
PostgreSQL [load 1.6-4.5]: 46.2 s and 112.4 s, close 19.3 s; alone earlier [load 3.7-4.1]:
33.7 s and 102.8 s, close 19.9 s.
With the catch-up's states written in one bulk write instead of one per due-day group (each
joins the whole book on PostgreSQL): the late file 97.9 s on PostgreSQL [load 4.0-7.6], close
25.8 s (100,000 loans: 24.1 s before, 16.4 s after at load 7-9, 6.1 s at load 3.5).
On a busier machine (two of these runs at once and other work [load 6-11]): SQLite 67.9-76.3 s
and 172-189 s, PostgreSQL 99.8 s and 186.8 s. Before (per-row checks and inserts, per-loan
statements): 100,000 rows took 10 s on SQLite and 19 s on PostgreSQL.

Run: .venv/bin/python bench/servicing_store.py --db sqlite:////tmp/book.db [--loans 100000]
     [--rows 100000] [--days 35] [--behind] [--profile]
     (PostgreSQL: --db postgresql://postgres@127.0.0.1:5432/test uses a fresh schema)
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import pstats
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from _book_seed import bench_store, seed
from creditfactory.services.servicing_close import close_business
from creditfactory.services.servicing_files import import_bank_file
from creditfactory.servicing.book import day_number
from creditfactory.servicing.book_terms import book_from_terms
from creditfactory.servicing.schedules import add_months

BUSINESS_DATE = date(2026, 3, 31)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True)
    p.add_argument("--loans", type=int, default=100_000)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--days", type=int, default=35)
    p.add_argument("--behind", action="store_true",
                   help="only the file dated on or before the business date")
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    p.add_argument("--profile", action="store_true", help="print the import's profile")
    a = p.parse_args()
    with bench_store(a.db, keep=a.keep) as engine:
        rng = np.random.default_rng(7)
        amounts = rng.integers(10_000, 50_001, a.loans) * 1000  # fen, whole 10 CNY
        lag = rng.integers(0, 30, a.loans) + 31  # paid out 31-60 days before the business date
        t0 = time.perf_counter()
        seed.seed_paid_out(engine, amounts, lag, first_id=1, business_date=BUSINESS_DATE,
                           step=50_000)
        print(f"seeded {a.loans:,} loans in {time.perf_counter() - t0:.1f} s")

        first = book_from_terms(amounts, np.full(a.loans, 180_000), np.full(a.loans, 36),
                                np.full(a.loans, day_number(BUSINESS_DATE)))
        level = first.principal_left[first.offsets[:-1]] + first.interest_left[first.offsets[:-1]]
        payers = rng.choice(a.loans, min(a.rows, a.loans), replace=False)
        with tempfile.TemporaryDirectory() as tmp:
            # first the instalment after the business date (posted by its close), then the one
            # on or before it (each row's loan caught up inline); under --behind only the latter
            for name, month in ((("ahead", 2),) if not a.behind else ()) + (("behind", 1),):
                file = Path(tmp) / f"bank-{name}.csv"
                with file.open("w", newline="") as f:
                    w = csv.writer(f)
                    w.writerow(("reference", "loan", "date", "amount"))
                    for r, i in enumerate(payers):
                        due = add_months(BUSINESS_DATE - timedelta(days=int(lag[i])), month)
                        w.writerow((f"{name[0]}{r:08d}", f"CF-B01-{i + 1:09d}", due.isoformat(),
                                    f"{Decimal(int(level[i])).scaleb(-2)}"))
                t0 = time.perf_counter()
                prof = cProfile.Profile() if a.profile else None
                if prof:
                    prof.enable()
                s = import_bank_file(engine, file, "B01", Path(tmp) / "report.csv")
                if prof:
                    prof.disable()
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
                print(f"import {len(payers):,} rows dated {name} of the business date: "
                      f"{time.perf_counter() - t0:.1f} s (posted {s.posted:,}, refused "
                      f"{s.refused:,}, loans caught up {s.restated:,})", flush=True)

        stamps = [time.perf_counter()]

        def tick(day: date, changed: int) -> None:
            stamps.append(time.perf_counter())

        t0 = time.perf_counter()
        summary = close_business(engine, BUSINESS_DATE + timedelta(days=a.days), on_day=tick)
        total = time.perf_counter() - t0
        per_day = np.diff(stamps)
        print(f"close {len(summary.days)} days over {summary.loans:,} loans: {total:.1f} s "
              f"(load {summary.seconds_load:.1f} s, first day {per_day[0]:.2f} s, "
              f"median day {np.median(per_day):.2f} s, slowest {per_day.max():.2f} s); "
              f"{summary.payments:,} payments, {summary.changed:,} loan-days written")
        t0 = time.perf_counter()
        again = close_business(engine, BUSINESS_DATE + timedelta(days=a.days))
        print(f"close again (nothing to do): {time.perf_counter() - t0:.2f} s, "
              f"{len(again.days)} days")


if __name__ == "__main__":
    main()
