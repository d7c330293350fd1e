"""The Spark engine gives exactly the pandas engine's tables on a small book (local mode)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from creditfactory.monitoring import run_monthly
from creditfactory.monitoring.frame import BUCKETS, CLASSES

pytest.importorskip("pyspark")
pytestmark = pytest.mark.slow


def _book(n: int = 300, months: int = 20, seed: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    start = rng.integers(0, 6, n)
    loans = pd.DataFrame({
        "loan_id": ids, "principal": rng.integers(10, 50, n) * 10_000.0,
        "booked_on": pd.to_datetime("2024-01-15") + pd.to_timedelta(start * 31, "D"),
        "branch": rng.choice(["SZ01", "GZ01", "HZ01"], n), "product": rng.choice(["A", "B"], n),
        "industry": rng.choice(["C18", "F52", "H62"], n), "channel_id": rng.choice(["AG1", "AG2"], n),
        "bank": rng.choice(["X", "Y"], n), "a_pd": rng.beta(2, 40, n)})
    rows = []
    for i, s in zip(ids, start, strict=True):
        life = rng.integers(3, months - s + 1)
        dpd = np.maximum(0, np.cumsum(rng.choice([-30, 0, 0, 0, 30], life)))
        bucket = np.minimum(np.ceil(dpd / 30), 7).astype(int)
        cls = np.select([dpd > 360, dpd > 270, dpd > 90, dpd > 0], [4, 3, 2, 1], 0)
        rows.append(pd.DataFrame({
            "loan_id": i, "month": pd.period_range(pd.Period("2024-01", "M") + int(s), periods=life,
                                                   freq="M").to_timestamp(),
            "mob": np.arange(life), "dpd": dpd, "bucket": np.array(BUCKETS)[bucket],
            "class5": np.array(CLASSES)[cls],
            "principal_outstanding": np.round(rng.uniform(1_000, 400_000, life), 2),
            "status": np.where(dpd > 0, "delinquent", "current")}))
    monthly = pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=1)  # any order
    return loans, monthly


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from creditfactory.monitoring.spark import local_session

    session = local_session(cores="1", partitions=1)  # a small book: one task a stage
    yield session
    session.stop()


def test_spark_engine_equals_pandas_engine_exactly(spark: Any) -> None:
    loans, monthly = _book()
    a = run_monthly(loans, monthly)
    b = run_monthly(loans, monthly, engine="spark", spark=spark)
    for name in ("mix", "vintages", "roll_rates", "early", "psi", "metrics", "alerts"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True,
                                      obj=name)
    assert len(a.mix) > 100 and len(a.roll_rates) > 100
