"""Industry default outlook: per industry and month, the share of its active loans expected to
pass 90 DPD within the next six months, with a band, flagged when it rises significantly.

The forecast starts from the B-card: the mean PD of the industry's scored loans that month
(the B-card's PD is exactly "90+ within six months"). It is then calibrated on what the book
has already seen, point in time: at month *t* only windows that closed by *t* (months up to
*t − 6*) are used, pooling the industries, to fit ``log(observed / B-card) = a + b · Δindex``
where ``Δindex`` is the change of the public industry indicator over the six months before the
month (weighted least squares, smoothed rates so an empty window is finite). So an industry
whose indicator is falling is forecast above its B-card mean by as much as such falls have
meant before. The band adds the binomial spread of the loans' PDs to the calibration's
residual spread (±1.96 standard errors): it is the range of the rate the industry will show.

An industry is flagged, with ``min_loans`` loans scored, for ``persist`` months running, by
either of two routes. The B-card's: its forecast over the book's forecast that month, compared
with the mean of that relation over the ``baseline_months`` before (the ``baseline`` column is
the forecast the industry would have at its usual relation), is at least ``rise`` times the
baseline, ``min_rise`` and ``z`` binomial standard errors of its loans' PDs above it. The
indicator's: its public indicator's six-month change lies ``index_z`` standard deviations below
the other industries' that month (a cross-section of the industries) while its forecast is at
or above its baseline. Seasoning and the common cycle lift every industry together and raise
no flag; one industry's downturn does -- in a large industry through its loans' PDs first, in
a small one (whose 90+ rate is as noisy as the rise) through its indicator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.monitoring.frame import MonitoringBook, loan_rows, month_label, month_number

__all__ = ["OUTLOOK_COLUMNS", "industry_outlook", "observed_90plus"]

OUTLOOK_COLUMNS = ("month", "industry", "loans", "mean_pd", "index_change", "forecast_90plus_6m",
                   "low", "high", "baseline", "flagged", "observed_90plus_6m")
HORIZON = 6


def observed_90plus(book: MonitoringBook, loan_rows: np.ndarray, months: np.ndarray) -> np.ndarray:
    """1.0 when the loan (row of ``loans``) first passes 90 DPD within the six months after the
    month (0-based month index), 0.0 when not, NaN when the window ends after the book's last
    month."""
    first = np.full(len(book.loan_ids), np.iinfo(np.int32).max, dtype=np.int64)
    bad = book.dpd > 90
    np.minimum.at(first, book.loan[bad], book.month[bad])
    f = first[loan_rows]
    hit = ((f > months) & (f <= months + HORIZON)).astype(np.float64)
    hit[months + HORIZON > book.n_months - 1] = np.nan
    return hit


def _calibration(table: pd.DataFrame, n_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per month index, the coefficients (a, b) and the residual variance of the log ratio,
    from the windows closed by then (cumulative weighted sums: one pass)."""
    done = table.dropna(subset=["observed_90plus_6m"])
    w = done["loans"].to_numpy(np.float64)
    x = done["index_change"].fillna(0.0).to_numpy(np.float64)
    y = np.log((done["observed_90plus_6m"] * w + 0.5) / (done["mean_pd"] * w + 0.5)).to_numpy()
    t = done["t"].to_numpy(np.int64)
    sums = np.zeros((n_months + HORIZON + 1, 6))
    for j, v in enumerate((w, w * x, w * x * x, w * y, w * x * y, w * y * y)):
        sums[:, j] = np.bincount(t + HORIZON, v, minlength=sums.shape[0])[:sums.shape[0]]
    c = np.cumsum(sums, axis=0)[:n_months]  # at t: windows of months <= t - HORIZON
    sw, sx, sxx, sy, sxy, syy = c.T
    with np.errstate(invalid="ignore", divide="ignore"):
        det = sw * sxx - sx * sx
        b = np.where(det > 1e-9 * np.maximum(sw, 1) ** 2, (sw * sxy - sx * sy) / det, 0.0)
        a = np.where(sw > 0, (sy - b * sx) / sw, 0.0)
        resid = (syy - 2 * a * sy - 2 * b * sxy + a * a * sw + 2 * a * b * sx + b * b * sxx)
        var = np.where(sw > 0, np.maximum(resid, 0) / sw, 0.0)
    enough = np.cumsum(np.bincount(t + HORIZON, minlength=sums.shape[0]))[:n_months] >= 12
    return np.where(enough, a, 0.0), np.where(enough, b, 0.0), np.where(enough, var, 0.0)


def industry_outlook(book: MonitoringBook, bscore: pd.DataFrame,
                     industry_index: pd.DataFrame | None = None, *, rise: float = 1.5,
                     baseline_months: int = 12, min_rise: float = 0.002, z: float = 2.0,
                     persist: int = 2, min_loans: int = 100, index_z: float = 2.5) -> pd.DataFrame:
    """The outlook table (``OUTLOOK_COLUMNS``) from the B-card's ``bscore`` (loan_id, month,
    pd) and the public ``industry_index`` (month, industry, index), if there is one."""
    ids = bscore["loan_id"].to_numpy(np.int64)
    rows = loan_rows(book.loan_ids, ids)
    t = month_number(bscore["month"]) - book.first_month
    codes, labels = book.dims["industry"]
    ind = codes[rows]
    pd_ = bscore["pd"].to_numpy(np.float64)
    hit = observed_90plus(book, rows, t)
    n_ind = len(labels)
    key = t.astype(np.int64) * n_ind + ind
    size = book.n_months * n_ind
    known = ~np.isnan(hit)

    def total(weights: np.ndarray | None) -> np.ndarray:
        return np.bincount(key, weights, minlength=size)[:size]

    loans = total(None)
    cells = np.flatnonzero(loans)
    table = pd.DataFrame({"t": cells // n_ind, "ind": cells % n_ind,
                          "loans": loans[cells].astype(np.int64),
                          "mean_pd": total(pd_)[cells] / loans[cells],
                          "var": total(pd_ * (1 - pd_))[cells],
                          "hits": total(np.where(known, hit, 0.0))[cells],
                          "known": total(known.astype(np.float64))[cells]})
    table["observed_90plus_6m"] = np.where(table["known"] == table["loans"],
                                           table["hits"] / table["loans"], np.nan)
    table["industry"] = labels[table["ind"].to_numpy()]
    table["month"] = month_label(book.first_month + table["t"].to_numpy())
    table["index_change"] = _index_change(industry_index, table, book.first_month)
    a, b, var_log = _calibration(table, book.n_months)
    tt = table["t"].to_numpy()
    x = table["index_change"].fillna(0.0).to_numpy()
    f = np.clip(table["mean_pd"].to_numpy() * np.exp(a[tt] + b[tt] * x), 0.0, 1.0)
    n = table["loans"].to_numpy(np.float64)
    se = np.sqrt(table["var"].to_numpy() / n ** 2 + f ** 2 * var_log[tt])
    table["forecast_90plus_6m"] = f
    table["low"], table["high"] = np.maximum(f - 1.96 * se, 0.0), np.minimum(f + 1.96 * se, 1.0)
    table["se"] = np.sqrt(table["var"].to_numpy()) / n * np.exp(a[tt] + b[tt] * x)
    table["flagged"] = _flags(table, rise, baseline_months, min_rise, z, persist, min_loans,
                              index_z)
    return table.sort_values(["month", "industry"], kind="stable")[list(OUTLOOK_COLUMNS)
                                                                    ].reset_index(drop=True)


def _flags(table: pd.DataFrame, rise: float, baseline_months: int, min_rise: float, z: float,
           persist: int, min_loans: int, index_z: float) -> pd.Series:
    """Flag an industry that has risen against the rest of the book: its forecast over the
    book's (loan-weighted) forecast that month, against the mean of that relation over the
    ``baseline_months`` before (so seasoning and the common cycle, which lift every industry,
    raise no flag); sets ``baseline`` (the forecast the industry would have at its usual
    relation to the book)."""
    f, n = table["forecast_90plus_6m"], table["loans"]
    weighted = (f * n).groupby(table["t"]).transform("sum")
    book = weighted / n.groupby(table["t"]).transform("sum")
    relative = f / book
    usual = (relative.groupby(table["industry"]).transform(
        lambda s: s.shift(1).rolling(baseline_months, min_periods=baseline_months // 2).mean()))
    table["baseline"] = base = book * usual
    by_card = (f >= rise * base) & (f - base >= min_rise) & (f - base >= z * table["se"])
    change = table["index_change"]
    spread = change.groupby(table["t"]).transform("std")
    index_gap = (change - change.groupby(table["t"]).transform("mean")) / spread
    by_index = (index_gap <= -index_z) & (f >= base)
    raw = ((by_card | by_index) & (n >= min_loans)).fillna(False).astype(int)
    run = raw.groupby(table["industry"]).transform(
        lambda s: s.rolling(persist, min_periods=persist).sum())
    return (run >= persist).fillna(False).astype(bool)


def _index_change(index: pd.DataFrame | None, table: pd.DataFrame, first: int) -> pd.Series:
    """The industry indicator's change over the six months before each month (NaN without)."""
    if index is None or index.empty:
        return pd.Series(np.nan, index=table.index)
    ix = pd.DataFrame({"t": month_number(index["month"]) - first,
                       "industry": index["industry"].astype(str).to_numpy(),
                       "index": index["index"].to_numpy(np.float64)})
    wide = ix.pivot_table(index="t", columns="industry", values="index", aggfunc="mean")
    wide = wide.reindex(range(int(wide.index.min()), int(wide.index.max()) + 1)).ffill()
    change = pd.Series((wide - wide.shift(HORIZON)).stack(), name="index_change")
    return table.join(change, on=["t", "industry"])["index_change"]
