"""Known bads learned from repayment performance, with the date each became known.

First-payment default (the first instalment missed and still unpaid at MOB 3) is known at the
start of the month after MOB 3; an early default (over 90 DPD within 12 MOB) at the start of
the month after it happened. Features and rules only count a known bad whose date is before
the application they describe, so training rows and live decisions see the same past.

Only a booked loan has a repayment record: an application the lender rejected never becomes a
known bad from performance, whatever a simulated world says it would have done (``booked``).
Investigation findings are the other source of known bads (``creditfactory.fraud.live``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NEVER = np.iinfo(np.int64).max


def _next_month_seconds(month: pd.Series) -> np.ndarray:
    m = pd.to_datetime(month).to_numpy().astype("datetime64[M]") + np.timedelta64(1, "M")
    return m.astype("datetime64[s]").astype(np.int64)


def known_bad_times(
    performance: pd.DataFrame,
    application_ids: np.ndarray,
    early_default_mob: int | None = 12,
    as_of: int | None = None,
    booked: np.ndarray | None = None,
) -> np.ndarray:
    """Epoch seconds at which each application became a known bad, ``NEVER`` if not (yet).

    ``early_default_mob=None`` counts first-payment defaults only; ``as_of`` drops knowledge
    dated at or after it (the scan's training cut-off); ``booked`` (a mask over
    ``application_ids``) keeps only the loans the lender booked -- the others' outcomes are
    never observed.
    """
    perf = performance[["application_id", "mob", "month", "dpd"]]
    m1 = perf[(perf["mob"] == 1) & (perf["dpd"] > 0)]["application_id"]
    m3 = perf[(perf["mob"] == 3) & (perf["dpd"] > 0)]
    fpd = m3[m3["application_id"].isin(m1)]
    fpd_t = pd.Series(_next_month_seconds(fpd["month"]), index=fpd["application_id"].to_numpy())
    horizon = -1 if early_default_mob is None else early_default_mob
    late = perf[(perf["mob"] <= horizon) & (perf["dpd"] > 90)]
    late_t = pd.Series(_next_month_seconds(late["month"]), index=late["application_id"].to_numpy())
    known = pd.concat([fpd_t, late_t]).groupby(level=0).min()
    aligned = known.reindex(application_ids)
    out = np.full(len(aligned), NEVER, np.int64)
    seen = aligned.notna().to_numpy()
    out[seen] = aligned.to_numpy()[seen].astype(np.int64)
    if as_of is not None:
        out[out >= as_of] = NEVER
    if booked is not None:
        out[~np.asarray(booked, bool)] = NEVER
    return out
