"""The monthly monitoring job over a book of 1,000,000 loans x 36 month-ends (target <= 60 s on
pandas).

A portfolio run of that size takes longer than this machine allows, so the book is synthesised
from a real portfolio run's files by replication: every loan with at least 36 month-ends gives
its first 36 rows, and copies of these loans (new loan ids, payout shifted by 0..23 months so
vintages and calendar months spread) make up the loans. The B-card's PDs are the real run's
B-card scores (``DIR/bscore.parquet`` of ``creditfactory monitor``) replicated with their rows,
so the industry outlook runs at full size too.

    .venv/bin/python bench/monitoring.py --portfolio P --bscore M/bscore.parquet [--loans 1000000]
        [--engine spark] [--out DIR]

Prints the time of each step (preparing the arrays is inside the job), rows, peak memory.

"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from creditfactory.monitoring import run_monthly
from creditfactory.monitoring.outputs import write_outputs
from creditfactory.services.monitoring_run import read_portfolio

MONTHS = 36


def synthesise(portfolio: Path, bscore_path: Path | None, n_loans: int
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    tables = read_portfolio(portfolio, transactions=False)
    loans, monthly = tables.loans, tables.monthly.sort_values(["loan_id", "month"], kind="stable")
    rank = monthly.groupby("loan_id").cumcount().to_numpy()
    sizes = monthly.groupby("loan_id")["month"].size()
    keep_ids = sizes.index[sizes >= MONTHS].to_numpy()
    base = monthly[(rank < MONTHS) & monthly["loan_id"].isin(keep_ids)].reset_index(drop=True)
    base_loans = loans.set_index("loan_id").loc[keep_ids].reset_index()
    k = len(keep_ids)
    copies = -(-n_loans // k)
    print(f"template: {k:,} loans with {MONTHS}+ month-ends, {copies} copies")
    copy = np.repeat(np.arange(copies), k)[:n_loans]
    which = np.tile(np.arange(k), copies)[:n_loans]
    shift = (copy % 24).astype(np.int64)
    new_id = np.arange(1, n_loans + 1, dtype=np.int64)
    big_loans = base_loans.iloc[which].reset_index(drop=True)
    big_loans["loan_id"] = new_id
    big_loans["booked_on"] = (pd.to_datetime(big_loans["booked_on"]).to_numpy().astype("datetime64[M]")
                              + shift.astype("timedelta64[M]")).astype("datetime64[ns]")
    rows = np.repeat(which * MONTHS, MONTHS) + np.tile(np.arange(MONTHS), n_loans)
    big = base.iloc[rows].reset_index(drop=True)
    row_shift = np.repeat(shift, MONTHS)
    big["loan_id"] = np.repeat(new_id, MONTHS)
    big["month"] = (big["month"].to_numpy().astype("datetime64[M]")
                    + row_shift.astype("timedelta64[M]")).astype("datetime64[ns]")
    scores = None
    if bscore_path is not None:
        b = pd.read_parquet(bscore_path, columns=["loan_id", "month", "pd"])
        b["month"] = pd.PeriodIndex(b["month"], freq="M").to_timestamp()
        key = big[["loan_id", "month"]].copy()
        key["src"] = base["loan_id"].to_numpy()[rows]
        key["src_month"] = base["month"].to_numpy()[rows]
        merged = key.merge(b.rename(columns={"loan_id": "src", "month": "src_month"}),
                           on=["src", "src_month"], how="inner")
        scores = merged[["loan_id", "month", "pd"]]
    return big_loans, big, scores


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--portfolio", type=Path, required=True)
    p.add_argument("--bscore", type=Path)
    p.add_argument("--loans", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, help="also write the files (report, workbook) here")
    p.add_argument("--engine", default="pandas", choices=("pandas", "spark"))
    a = p.parse_args()
    t0 = time.perf_counter()
    loans, monthly, scores = synthesise(a.portfolio, a.bscore, a.loans)
    print(f"synthesised {len(loans):,} loans, {len(monthly):,} month-end rows, "
          f"{0 if scores is None else len(scores):,} B-card scores in {time.perf_counter() - t0:.1f} s")
    spark = None
    if a.engine == "spark":
        from creditfactory.monitoring.spark import local_session

        spark = local_session()
        print(f"spark {spark.version} session up")
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_monthly(loans, monthly, bscore=scores, engine=a.engine, spark=spark)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"monthly job ({a.engine}): {wall:.1f} s wall, {cpu:.1f} s CPU of this process -- {len(result.mix):,} book rows, "
          f"{len(result.vintages):,} vintage rows, {len(result.roll_rates):,} roll/flow rows, "
          f"{len(result.alerts):,} alerts, "
          f"{0 if result.outlook is None else len(result.outlook):,} outlook rows")
    if a.out is not None:
        t0 = time.perf_counter()
        files = write_outputs(result, a.out, excel=True)
        print(f"files ({', '.join(files)}): {time.perf_counter() - t0:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(f"peak memory {peak:.2f} GB")


if __name__ == "__main__":
    main()
