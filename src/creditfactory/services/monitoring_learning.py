"""Learning from the book on a portfolio run: the scorecards' monthly performance against
matured outcomes, and a challenger A-card refitted on the book's matured loans (with reject
inference over the world's declined applications) judged by the declared promotion rule.

The split is out of time and point in time: as of the book's last month, the matured loans
(whose 12-month window had closed) are cut by payout month; the latest ``window_months`` of
them are the judging window, the challenger learns from the matured loans paid out before it
and from the applications declined in those same months. The champion is the A-card that
decided the book (``loans.a_pd``); its development reference is its PD on the book's first
three payout months (the monitoring's A-card reference).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.errors import InvalidArgument
from creditfactory.monitoring import MonitoringResult
from creditfactory.monitoring.frame import month_label, month_number
from creditfactory.monitoring.learning import (
    ACARD_WINDOW,
    PromotionRule,
    book_performance,
    decide_promotion,
    matured_outcomes,
)
from creditfactory.services.monitoring_run import BookTables

__all__ = ["attach_performance", "fraud_like_loans", "portfolio_challenger"]


def attach_performance(result: MonitoringResult, tables: BookTables,
                       bscore: pd.DataFrame | None, bcard_train_months: int | None = None
                       ) -> None:
    """Add the A-card's and B-card's performance and calibration to ``result``; the B-card's
    PSI reference is its PD in the book's first ``bcard_train_months`` months (its
    development months)."""
    ref_months = None
    if bscore is not None and bcard_train_months:
        first = int(month_number(tables.monthly["month"]).min())
        ref_months = {str(m) for m in month_label(first + np.arange(bcard_train_months))}
    perf, cal = book_performance(tables.loans, tables.monthly, bscore,
                                 bcard_reference_months=ref_months)
    result.performance, result.calibration = perf, cal


def fraud_like_loans(monthly: pd.DataFrame) -> set[int]:
    """Loans past due at MOB 1 and still at MOB 3 (the first instalment never paid): the
    champion's development sample leaves them out, so the challenger's does too."""
    m = monthly[["loan_id", "mob", "dpd"]]
    m1 = set(m.loc[(m["mob"] == 1) & (m["dpd"] > 0), "loan_id"].to_numpy(np.int64).tolist())
    m3 = m.loc[(m["mob"] == 3) & (m["dpd"] > 0), "loan_id"].to_numpy(np.int64).tolist()
    return {i for i in m3 if i in m1}


def portfolio_challenger(tables: BookTables, world_dir: Path, rule: PromotionRule, *,
                         method: str | None = "parcelling", reject_bad_factor: float = 2.0
                         ) -> dict[str, Any]:
    """Fit the book's challenger A-card and judge it by ``rule``; the decision with every
    figure and what the challenger learnt from."""
    from creditfactory.data.io import read_table
    from creditfactory.models.acard_book import fit_book_challenger

    loans, monthly = tables.loans, tables.monthly
    if "application_id" not in loans.columns or "a_pd" not in loans.columns:
        raise InvalidArgument("the portfolio's loans carry no application_id or a_pd")
    cut = int(month_number(monthly["month"]).max())
    payout = month_number(loans["booked_on"]).astype(np.int64)
    out = matured_outcomes(monthly, loans["loan_id"].to_numpy(np.int64), payout,
                           window=ACARD_WINDOW, as_of=cut)
    full = payout + ACARD_WINDOW <= cut  # the whole window observed, closed early or not
    if not full.any():
        raise InvalidArgument("no loan of the book has a matured 12-month outcome yet")
    last = int(payout[full].max())
    first_window = last - rule.window_months + 1
    window = full & (payout >= first_window)
    train = full & (payout < first_window)
    fraudish = loans["loan_id"].isin(fraud_like_loans(monthly)).to_numpy()
    apps = read_table(world_dir, "applications", "float")
    channels = read_table(world_dir, "channels", "float")
    applied = month_number(apps["applied_at"]).astype(np.int64)
    book_ids = set(loans["application_id"].to_numpy(np.int64).tolist())
    train_ids = loans.loc[train & ~fraudish, "application_id"].to_numpy(np.int64)
    lo = int(payout[train].min()) if train.any() else first_window
    # payout is the day after the decision: applications of the training months not booked
    declined = (~apps["application_id"].isin(book_ids).to_numpy()
                & (applied >= lo - 1) & (applied < first_window - 1))
    keep = apps["application_id"].isin(train_ids).to_numpy() | declined
    train_apps = apps[keep].reset_index(drop=True)
    bad_of = pd.Series(out["bad"].to_numpy(), index=loans["application_id"].to_numpy(np.int64))
    booked = train_apps["application_id"].isin(train_ids).to_numpy()
    bad = bad_of.reindex(train_apps["application_id"]).fillna(0).to_numpy()
    challenger = fit_book_challenger(train_apps, channels, booked, bad, method=method,
                                     reject_bad_factor=reject_bad_factor)
    judged = loans[window].reset_index(drop=True)
    judged_apps = apps.set_index("application_id").loc[
        judged["application_id"].to_numpy(np.int64)].reset_index()
    chall_pd = challenger.predict_pd(judged_apps)
    a_pd = pd.to_numeric(loans["a_pd"], errors="coerce").to_numpy(np.float64)
    ref = a_pd[(payout < payout.min() + 3) & np.isfinite(a_pd)]
    decision = decide_promotion(out["bad"].to_numpy()[window], a_pd[window], chall_pd, ref,
                                rule, window_from=str(month_label(first_window)),
                                window_to=str(month_label(last)))
    return {**asdict(decision), "challenger_version": challenger.version,
            "booked_rows": challenger.booked_rows, "booked_bads": challenger.booked_bads,
            "rejected_rows": challenger.rejected_rows, "method": challenger.method,
            "reject_bad_factor": reject_bad_factor,
            "trained_on": f"{month_label(lo)} to {month_label(first_window - 1)}",
            "as_of": str(month_label(cut))}
