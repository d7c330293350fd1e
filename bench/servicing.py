"""Servicing speed and exactness, in one run.

1. Schedules: Apache Fineract's documented schedules (the test table) reproduced row by row
   with half-even; N random product contracts (100,000-500,000 CNY, 18-24 %, 6-36 months)
   against numpy-financial's annuity (level instalment within a fen, how many equal to the
   rounded annuity), and contract schedules per second.
2. The book: schedules of L loans computed at once (equal, to the fen, to the contracts'),
   then a close of business over every active loan on D days (payments posted, credit,
   penalty, write-off, DPD, M-bucket, class), with the book's figures.

Run: .venv/bin/python bench/servicing.py [--loans 1000000] [--contracts 5000] [--days 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy_financial as npf

from creditfactory.servicing import repayment_schedule
from creditfactory.servicing.book import close_day, day_number
from creditfactory.servicing.book_terms import book_from_terms
from creditfactory.servicing.close import BUCKETS, CLASSES


def fineract_rows() -> tuple[int, int]:
    path = Path(__file__).parent.parent / "tests/unit/servicing/test_fineract_schedules.py"
    spec = importlib.util.spec_from_file_location("fineract_cases", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    equal = total = 0
    for amount, rate, term, start, _level, rows in mod.FINERACT:
        s = repayment_schedule(Decimal(amount).quantize(Decimal("0.01")), Decimal(rate) / 100,
                               term, start=start, rounding="half_even")
        for got, want in zip(s.instalments, rows, strict=True):
            total += 1
            equal += (got.closing_balance, got.principal, got.interest) == tuple(
                Decimal(v) for v in want)
    return equal, total


def contracts(n: int) -> None:
    rng = np.random.default_rng(1)
    amounts = rng.integers(100_000_00, 500_000_01, n)
    rates = rng.integers(1800, 2401, n)
    terms = rng.choice([6, 12, 18, 24, 36], n)
    for rounding in ("half_up", "half_even"):
        within = exact = 0
        worst = 0.0
        t0 = time.perf_counter()
        for a, r, t in zip(amounts, rates, terms, strict=True):
            s = repayment_schedule(Decimal(int(a)) / 100, Decimal(int(r)) / 10_000, int(t),
                                   start=date(2026, 1, 31), rounding=rounding)
            level = float(s.instalments[0].total)
            annuity = -npf.pmt(int(r) / 120_000, int(t), int(a) / 100)
            worst = max(worst, abs(level - annuity))
            within += abs(level - annuity) <= 0.01 + 1e-9
            exact += round(level * 100) == int(np.floor(annuity * 100 + 0.5))
        dt = time.perf_counter() - t0
        print(f"  {rounding}: {within:,}/{n:,} level instalments within a fen of "
              f"numpy-financial's annuity (worst {worst * 100:.2f} fen), {exact:,} equal to it "
              f"rounded; {n / dt:,.0f} schedules/s")


def book_state(n: int, today: date, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    """A book of n active loans paid out before ``today``: most paid every instalment, a
    few stopped paying at some instalment."""
    term = rng.choice([12, 24, 36], n, p=[0.2, 0.3, 0.5])
    age = (rng.random(n) * term * 30.4).astype(np.int64) + 1
    start = day_number(today) - age
    amount = (rng.lognormal(np.log(250_000), 0.35, n).clip(100_000, 500_000) * 100).astype(
        np.int64)
    rate = rng.integers(1800, 2401, n) * 100
    t0 = time.perf_counter()
    book = book_from_terms(amount, rate, term, start)
    built = time.perf_counter() - t0
    stops = np.where(rng.random(n) < 0.05, rng.integers(0, 36, n), 999)
    index = np.arange(len(book.due)) - np.repeat(book.offsets[:-1], np.diff(book.offsets))
    paid = (book.due < day_number(today)) & (index < stops[book.loan])
    book.principal_left[paid] = 0
    book.interest_left[paid] = 0
    return book, stops, built


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=1_000_000)
    ap.add_argument("--contracts", type=int, default=5_000)
    ap.add_argument("--days", type=int, default=5)
    args = ap.parse_args()
    print("1. Schedules")
    equal, total = fineract_rows()
    print(f"  Fineract's documented schedules: {equal}/{total} rows equal to the fen (half-even)")
    contracts(args.contracts)
    print(f"2. The book: {args.loans:,} active loans")
    rng = np.random.default_rng(7)
    today = date(2026, 12, 1)
    book, stops, built = book_state(args.loans, today, rng)
    print(f"  schedules of {args.loans:,} loans ({len(book.due):,} instalments) in {built:.1f} s")
    times = []
    for k in range(args.days):
        day = today + timedelta(days=k)
        d = day_number(day)
        rows = np.flatnonzero(book.due == d)
        loans = book.loan[rows]
        payers = stops[loans] > (rows - book.offsets[loans])
        amount = (book.principal_left[rows] + book.interest_left[rows]).astype(np.int64)
        partial = rng.random(len(rows)) < 0.02
        amount = np.where(partial, amount // 2, amount)
        keep = payers & (amount > 0)
        t0 = time.perf_counter()
        close = close_day(book, day, loans[keep], amount[keep])
        times.append(time.perf_counter() - t0)
        print(f"  close of {day}: {times[-1]:.2f} s, {keep.sum():,} payments posted")
    live = ~close.written_off
    out = close.principal_outstanding[live].sum()
    npl = close.principal_outstanding[live & (close.five_class >= 2)].sum()
    print(f"  close of business: mean {np.mean(times):.2f} s, max {max(times):.2f} s "
          f"over {args.days} days")
    print("  buckets: " + ", ".join(f"{BUCKETS[b]} {c:,}" for b, c in enumerate(
        np.bincount(close.bucket[live], minlength=8))))
    print("  classes: " + ", ".join(f"{CLASSES[c]} {k:,}" for c, k in enumerate(
        np.bincount(close.five_class[live], minlength=5))))
    print(f"  outstanding {out / 100:,.2f} CNY, non-performing {npl / out:.2%}; written off "
          f"{int(close.written_off.sum()):,} loans, "
          f"{book.written_off_principal.sum() / 100:,.2f} CNY; penalty accrued "
          f"{book.penalty_accrued.sum() / 100:,.2f} CNY")


if __name__ == "__main__":
    main()
