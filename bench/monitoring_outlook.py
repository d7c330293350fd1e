"""The industry outlook judged against what the book then did: for each industry, the month
its 90+ onsets peaked (loans first passing 90 DPD, as a share of its active loans), the first
month the outlook flagged it (in the year before that peak), and the other industries flagged
in the same window.

    creditfactory simulate --applications 40000 --seed 5 --downturn F52@30 --out W
    creditfactory portfolio run W --strategy default --out P
    creditfactory monitor P --out M
    .venv/bin/python bench/monitoring_outlook.py --portfolio P --monitor M --industry F52

Target (issue 17): the downturn industry flagged >= 3 months before its 90+ onset peak, with at
most one other industry flagged in the same window.

"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def onset_rates(portfolio: Path) -> pd.DataFrame:
    """Per industry and month: active loans and the share first passing 90 DPD that month."""
    loans = pd.read_parquet(portfolio / "loans.parquet", columns=["loan_id", "industry"])
    m = pd.read_parquet(portfolio / "monthly.parquet", columns=["loan_id", "month", "dpd", "status"])
    m = m.merge(loans, on="loan_id")
    first = m[m["dpd"] > 90].groupby("loan_id")["month"].min().rename("first90")
    m = m.join(first, on="loan_id")
    active = m[m["status"].isin(["current", "delinquent"]) & ~(m["month"] > m["first90"])]
    out = active.groupby(["industry", "month"]).agg(
        active=("loan_id", "size"), onsets=("first90", lambda s: 0))
    onsets = m[m["month"] == m["first90"]].groupby(["industry", "month"]).size()
    out["onsets"] = onsets.reindex(out.index).fillna(0)
    out["rate"] = out["onsets"] / out["active"]
    return out.reset_index()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--portfolio", type=Path, required=True)
    p.add_argument("--monitor", type=Path, required=True)
    p.add_argument("--industry", required=True, help="the industry of the world's downturn")
    p.add_argument("--min-active", type=int, default=100)
    a = p.parse_args()
    rates = onset_rates(a.portfolio)
    rates = rates[rates["active"] >= a.min_active]
    smooth = (rates.sort_values("month").groupby("industry")["rate"]
              .transform(lambda s: s.rolling(3, center=True, min_periods=1).mean()))
    rates = rates.assign(smooth=smooth)
    peak_row = rates.loc[rates[rates["industry"] == a.industry]["smooth"].idxmax()]
    peak = pd.Period(peak_row["month"], freq="M")
    outlook = pd.read_parquet(a.monitor / "industry_outlook.parquet")
    flags = outlook[outlook["flagged"]].assign(period=lambda f: pd.PeriodIndex(f["month"], freq="M"))
    window = flags[(flags["period"] > peak - 12) & (flags["period"] <= peak)]
    mine = window[window["industry"] == a.industry]
    first = mine["period"].min() if len(mine) else None
    lead = (peak - first).n if first is not None else None
    others = sorted(set(window[window["period"] >= (first if first is not None else peak - 12)]
                        ["industry"]) - {a.industry})
    print(f"{a.industry}: 90+ onsets peak {peak} ({peak_row['smooth']:.2%} a month of "
          f"{int(peak_row['active'])} active loans); first flagged {first} "
          f"({'not flagged' if lead is None else f'{lead} months before the peak'})")
    print(f"other industries flagged between the first flag and the peak: {others or 'none'}")
    met = lead is not None and lead >= 3 and len(others) <= 1
    print(f"target (flag >= 3 months ahead, <= 1 other industry): {'met' if met else 'not met'}")
    by = rates.pivot_table(index="month", columns="industry", values="smooth")
    print((by.loc[:, [a.industry]].join(by.drop(columns=a.industry).mean(axis=1).rename("others"))
           .dropna().map(lambda x: f"{x:.2%}")).tail(40).to_string())


if __name__ == "__main__":
    main()
