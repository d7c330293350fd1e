"""A rejected application has no repayment record: it never becomes a known bad."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.fraud import known_bad_times
from creditfactory.fraud.labels import NEVER


def test_only_booked_loans_become_known_bads() -> None:
    p = pd.DataFrame({"application_id": [1, 1, 1, 2, 2, 2], "mob": [1, 2, 3, 1, 2, 3],
                      "month": pd.to_datetime(["2021-02-01", "2021-03-01", "2021-04-01"] * 2),
                      "dpd": [20, 50, 80, 20, 50, 80]})
    ids = np.array([1, 2])
    both = known_bad_times(p, ids)
    assert (both < NEVER).all()
    only_first = known_bad_times(p, ids, booked=np.array([True, False]))
    assert only_first.tolist() == [both[0], NEVER]


def test_the_channel_card_learns_only_from_booked_applications() -> None:
    from creditfactory.fraud.packaging import ChannelFrame, channel_features, training_rows

    n = 400
    rng = np.random.default_rng(0)
    t = (np.sort(rng.uniform(0, 24, n)) * 30 * 86_400 + 1_546_300_800).astype(np.int64)
    apps = pd.DataFrame({"channel_id": rng.choice(["A", "B"], n), "purpose": "stock", "premises": "shop",
                         "employees": 3, "amount": 200_000.0, "declared_monthly_revenue": 60_000.0})
    bad_time = np.where(rng.random(n) < 0.1, t + 120 * 86_400, NEVER)
    booked = rng.random(n) < 0.6
    cut = int(t.max())
    frames = [ChannelFrame.from_applications(apps, t, bad_time, np.zeros(n, bool), np.zeros(n, bool), booked=b)
              for b in (None, booked)]
    everyone, only_booked = (training_rows(f, cut, first_months=1, step_months=1) for f in frames)
    assert 0 < len(only_booked[1]) < len(everyone[1])
    feats = channel_features(frames[1], cut)[0]
    assert (feats["early_default_n"] <= pd.Series(booked).groupby(apps["channel_id"]).sum()).all()
