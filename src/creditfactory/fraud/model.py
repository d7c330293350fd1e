"""The fraud scorecard: a logistic model on graph and rule features, saved as JSON.

``creditfactory.scorecard`` was still being built when this was written, so the fraud score
is a plain logistic regression on ``log1p`` features behind the estimator contract; each
score explains itself by the features that pushed it up most.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from creditfactory.errors import InvalidArgument

SCHEMA_VERSION = 1


class FraudScorecard(ClassifierMixin, BaseEstimator):
    """Logistic fraud score on non-negative count features.

    Parameters
    ----------
    C : float
        Inverse L2 regularisation strength.

    Examples
    --------
    >>> X = pd.DataFrame({"n_strong_1hop": [0, 0, 0, 3, 4, 0, 5, 0]})
    >>> y = np.array([0, 0, 0, 1, 1, 0, 1, 0])
    >>> m = FraudScorecard().fit(X, y)
    >>> bool(m.predict_proba(X)[3, 1] > m.predict_proba(X)[0, 1])
    True
    """

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def _design(self, X: pd.DataFrame) -> np.ndarray:
        z = np.log1p(np.clip(X[self.features_].to_numpy(np.float64), 0, None))
        return (z - self.mean_) / self.scale_

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> FraudScorecard:
        """Standardise ``log1p(X)`` and fit the logistic regression."""
        if not isinstance(X, pd.DataFrame) or len(X) != len(y) or len(X) == 0:
            raise InvalidArgument("X must be a non-empty DataFrame aligned with y")
        if self.C <= 0:
            raise InvalidArgument(f"The 'C' parameter of FraudScorecard must be > 0. Got {self.C}")
        self.features_ = list(X.columns)
        z = np.log1p(np.clip(X.to_numpy(np.float64), 0, None))
        self.mean_ = z.mean(axis=0)
        self.scale_ = np.where(z.std(axis=0) > 0, z.std(axis=0), 1.0)
        lr = LogisticRegression(C=self.C, max_iter=5000).fit(self._design(X), np.asarray(y))
        self.coef_ = lr.coef_[0]
        self.intercept_ = float(lr.intercept_[0])
        self.classes_ = lr.classes_
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return self._design(X) @ self.coef_ + self.intercept_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def top_reasons(self, X: pd.DataFrame, k: int = 3) -> list[list[str]]:
        """The ``k`` features raising each score most, as ``name=value`` strings."""
        contrib = self._design(X) * self.coef_
        order = np.argsort(-contrib, axis=1)[:, :k]
        values = X[self.features_].to_numpy()
        names = np.asarray(self.features_)
        return [
            [f"{names[j]}={values[r, j]:g}" for j in order[r] if contrib[r, j] > 0]
            for r in range(len(X))
        ]

    def to_json(self) -> dict[str, Any]:
        check_is_fitted(self, "coef_")
        return {"schema_version": SCHEMA_VERSION, "kind": "fraud_scorecard", "C": self.C,
                "features": self.features_, "mean": self.mean_.tolist(),
                "scale": self.scale_.tolist(), "coef": self.coef_.tolist(),
                "intercept": self.intercept_}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FraudScorecard:
        if data.get("schema_version") != SCHEMA_VERSION or data.get("kind") != "fraud_scorecard":
            raise InvalidArgument("not a fraud scorecard file of a known schema version")
        m = cls(C=data["C"])
        m.features_ = list(data["features"])
        m.mean_, m.scale_ = np.asarray(data["mean"]), np.asarray(data["scale"])
        m.coef_, m.intercept_ = np.asarray(data["coef"]), float(data["intercept"])
        m.classes_ = np.array([False, True])
        return m

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1))
