"""Points: log-odds bin weights turned into a card on the PDO / base score / base odds scale.

``score = offset + factor · ln(odds of good)`` with ``factor = pdo / ln 2`` and
``offset = base_score − factor · ln(base_odds)``: ``base_score`` points mean odds of
``base_odds`` goods per bad, and every ``pdo`` points double the odds. The intercept is spread
evenly over the features so each bin carries its full points; the probability of bad is
recovered from the (possibly rounded) score, so ``pd`` always agrees with the points shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard._stats import FloatArray

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Scaling:
    """The points scale of a card.

    Examples
    --------
    >>> s = Scaling(pdo=20, base_score=600, base_odds=50)
    >>> round(float(s.points(math.log(50))), 6), round(float(s.points(math.log(100))), 6)
    (600.0, 620.0)
    >>> round(float(s.pd(600.0)), 6)
    0.019608
    """

    pdo: float = 20.0
    base_score: float = 600.0
    base_odds: float = 50.0

    def __post_init__(self) -> None:
        if not self.pdo > 0 or not self.base_odds > 0 or not math.isfinite(self.base_score):
            raise InvalidArgument("pdo and base_odds must be positive and base_score finite")

    @property
    def factor(self) -> float:
        """Points per unit of log-odds."""
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        """Points at even odds."""
        return self.base_score - self.factor * math.log(self.base_odds)

    def points(self, log_odds_good: ArrayLike) -> FloatArray:
        """Points of a log-odds of good."""
        return self.offset + self.factor * np.asarray(log_odds_good, dtype=np.float64)

    def pd(self, points: ArrayLike) -> FloatArray:
        """Probability of bad implied by a score."""
        log_odds = (np.asarray(points, dtype=np.float64) - self.offset) / self.factor
        # clipped where e^x would overflow (the PD is 1e-304 there); no scipy on the scoring path
        return 1.0 / (1.0 + np.exp(np.clip(log_odds, -700.0, 700.0)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"pdo": self.pdo, "base_score": self.base_score, "base_odds": self.base_odds}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scaling:
        """Inverse of :meth:`to_dict`."""
        return cls(float(d["pdo"]), float(d["base_score"]), float(d["base_odds"]))


def allocate_points(
    weights: Sequence[FloatArray], intercept: float, scaling: Scaling, rounding: bool = False
) -> list[FloatArray]:
    """Points per bin of every feature from log-odds weights and the intercept.

    Examples
    --------
    >>> pts = allocate_points([np.array([0.0, 1.0])], math.log(50), Scaling())
    >>> [round(float(p), 3) for p in pts[0]]
    [600.0, 628.854]
    """
    n = max(len(weights), 1)
    if not weights:
        return []
    share = scaling.offset / n + scaling.factor * intercept / n
    out = [share + scaling.factor * np.asarray(w, dtype=np.float64) for w in weights]
    return [np.round(p) for p in out] if rounding else out


def points_table(
    binnings: Sequence[Any], weights: Sequence[FloatArray], points: Sequence[FloatArray]
) -> pd.DataFrame:
    """One row per bin of every feature: feature, bin_index, bin, woe, weight, points."""
    import pandas as pd

    rows = []
    for b, w, p in zip(binnings, weights, points, strict=True):
        for k, label in enumerate(b.labels()):
            rows.append((b.name, k, label, float(b.woe[k]), float(w[k]), float(p[k])))
    return pd.DataFrame(rows, columns=["feature", "bin_index", "bin", "woe", "weight", "points"])
