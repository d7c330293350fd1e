"""Bootstrap validation of a scorecard: refit on resamples, measure on the rows left out.

Each replicate draws the training rows with replacement, fits a clone of the card on them and
measures KS, AUC and divergence on the out-of-bag rows (about 37 % of the sample), so the
intervals describe how the *fitting procedure* performs on data it has not seen -- the
validation FICO's Model Builder offers beside a hold-out sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import metrics
from creditfactory.scorecard.metrics import ConfidenceInterval

__all__ = ["BootstrapValidation", "bootstrap_validate"]


@dataclass(frozen=True)
class BootstrapValidation:
    """Out-of-bag metrics of every replicate and their percentile intervals."""

    replicates: pd.DataFrame
    intervals: dict[str, ConfidenceInterval]

    def summary(self) -> pd.DataFrame:
        """One row per metric: estimate (median), low, high."""
        return pd.DataFrame(
            [(k, ci.estimate, ci.low, ci.high) for k, ci in self.intervals.items()],
            columns=["metric", "estimate", "low", "high"],
        )


def bootstrap_validate(
    card: Any,
    X: pd.DataFrame,
    y: Any,
    n_boot: int = 30,
    level: float = 0.95,
    random_state: int | None = 0,
) -> BootstrapValidation:
    """Confidence intervals of out-of-bag KS, AUC and divergence of ``card``'s procedure.

    Parameters
    ----------
    card : Scorecard
        Unfitted (it is cloned) card with the settings to validate.
    X, y : DataFrame and 0/1 array
        The development sample (1 = bad).
    n_boot : int
        Replicates; each needs both classes in and out of bag.

    Examples
    --------
    >>> from creditfactory.scorecard._scorecard import Scorecard
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=600)})
    >>> y = (rng.random(600) < 1 / (1 + np.exp(1.5 + X["x"]))).astype(int)
    >>> v = bootstrap_validate(Scorecard(), X, y, n_boot=5)
    >>> ci = v.intervals["auc"]
    >>> 0.5 < ci.low <= ci.estimate <= ci.high < 1
    True
    """
    if n_boot < 2 or not 0 < level < 1:
        raise InvalidArgument("n_boot must be at least 2 and level within (0, 1)")
    target = np.asarray(y).astype(np.int64)
    rng = np.random.default_rng(random_state)
    n = len(target)
    rows: list[dict[str, float]] = []
    while len(rows) < n_boot:
        inbag = rng.integers(0, n, n)
        oob = np.setdiff1d(np.arange(n), inbag, assume_unique=False)
        if np.unique(target[inbag]).size < 2 or np.unique(target[oob]).size < 2:
            continue
        fitted = clone(card).fit(X.iloc[inbag].reset_index(drop=True), target[inbag])
        points = fitted.points(X.iloc[oob])
        risk = -points
        rows.append({"ks": metrics.ks(target[oob], risk), "auc": metrics.auc(target[oob], risk),
                     "divergence": metrics.divergence(target[oob], points), "oob_rows": oob.size})
    table = pd.DataFrame(rows)
    tail = (1 - level) / 2 * 100
    intervals = {
        m: ConfidenceInterval(float(np.median(table[m])), float(np.percentile(table[m], tail)),
                              float(np.percentile(table[m], 100 - tail)))
        for m in ("ks", "auc", "divergence")
    }
    return BootstrapValidation(table, intervals)
