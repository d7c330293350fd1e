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
