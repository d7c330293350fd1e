"""Reject inference: give rejected applicants inferred outcomes so a card can learn from them.

A lender sees outcomes only for the loans it booked; a card trained on those alone learns the
risk of the booked population. Reject inference scores the rejected with a card trained on
the accepted, turns the scores into inferred outcomes and returns one augmented training
sample with weights:

* ``parcelling`` -- rejected applicants are cut into the accepted score bands; in each band a
  random share of them, equal to the band's observed bad rate times ``reject_bad_factor``,
  is labelled bad and the rest good (weight 1 each, or ``reject_weight``).
* ``fuzzy`` -- every rejected applicant enters twice, as a bad with weight ``p`` and as a good
  with weight ``1 - p``, where ``p`` is its inferred probability of bad times
  ``reject_bad_factor`` (capped at 1), both times ``reject_weight``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard._gains import assign_bands, score_bands

__all__ = ["AugmentedSample", "FixedBinner", "RejectInference"]

_METHODS = ("parcelling", "fuzzy")


@dataclass(frozen=True)
class AugmentedSample:
    """Accepted rows followed by the rejected rows with their inferred outcomes.

    ``inferred`` marks the rejected rows; ``sample_weight`` is 1 for accepted rows.
    """

    X: pd.DataFrame
    y: np.ndarray
    sample_weight: np.ndarray
    inferred: np.ndarray


class FixedBinner(BaseEstimator):
    """A binner that hands back binnings fitted elsewhere, e.g. on the accepted loans only.

    Fitting a card on an augmented sample with this binner keeps the bins and WoE of the
    known-good/bad sample and refits only the card's weights, with the sample weights: the
    binning then never counts a fuzzy reject's bad and good copies as two whole rows.

    Examples
    --------
    >>> from creditfactory.scorecard import FeatureBinning
    >>> b = FeatureBinning.from_counts("x", "numeric", splits=(0.5,), count=[5, 5, 0],
    ...                                n_event=[1, 3, 0])
    >>> list(FixedBinner({"x": b}).fit(pd.DataFrame({"x": [0.1]}), [0]).binnings_)
    ['x']
    """

    def __init__(self, binnings: dict[str, Any] | None = None) -> None:
        self.binnings = binnings

    def fit(self, X: pd.DataFrame, y: Any = None) -> FixedBinner:
        """Check that every binning's column is in ``X`` and expose the binnings."""
        binnings = dict(self.binnings or {})
        absent = [name for name in binnings if name not in X.columns]
        if absent:
            raise InvalidArgument(f"columns missing for the fixed binnings: {', '.join(absent)}")
        self.binnings_ = binnings
        return self


class RejectInference(BaseEstimator):
    """Infer the outcomes of rejected applicants from a card trained on the accepted.

    Parameters
    ----------
    method : {"parcelling", "fuzzy"}
    estimator : classifier, optional
        Unfitted model with ``fit(X, y)`` and ``predict_proba``, trained on the accepted to
        score the rejected; cloned. Default: a logistic :class:`Scorecard`.
    reject_bad_factor : float
        Rejected applicants were turned down for a reason: their inferred bad rate is the
        accepted model's estimate times this factor (1 trusts the model as it is).
    reject_weight : float
        Weight of every inferred row relative to an accepted row.
    n_bands : int
        Parcelling: accepted score bands (equal count) whose bad rates are parcelled out.
    random_state : int, optional
        Parcelling: seed of the random labelling within each band.

    Attributes
    ----------
    estimator_ : fitted classifier
        The accepted-only model.
    reject_pd_ : ndarray
        Inferred probability of bad of every rejected row (after ``reject_bad_factor``).
    band_edges_, band_bad_rate_ : ndarray
        Parcelling: the accepted score bands and their observed bad rates.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=3000)})
    >>> y = (rng.random(3000) < 1 / (1 + np.exp(2 - X["x"]))).astype(int)
    >>> acc = (X["x"] < 0.5).to_numpy()
    >>> ri = RejectInference("fuzzy", estimator=LogisticRegression())
    >>> s = ri.fit_augment(X[acc], y[acc], X[~acc])
    >>> len(s.y) == int(acc.sum() + 2 * (~acc).sum())
    True
    >>> round(float(s.sample_weight[s.inferred].sum()), 6) == int((~acc).sum())
    True
    """

    def __init__(
        self,
        method: str = "parcelling",
        estimator: Any = None,
        reject_bad_factor: float = 1.0,
        reject_weight: float = 1.0,
        n_bands: int = 10,
        random_state: int | None = 0,
    ) -> None:
        self.method = method
        self.estimator = estimator
        self.reject_bad_factor = reject_bad_factor
        self.reject_weight = reject_weight
        self.n_bands = n_bands
        self.random_state = random_state

    def _make_estimator(self) -> Any:
        if self.estimator is not None:
            return clone(self.estimator)
        from creditfactory.scorecard._scorecard import Scorecard

        return Scorecard()

    def fit(self, X_accepted: pd.DataFrame, y_accepted: ArrayLike,
            X_rejected: pd.DataFrame) -> RejectInference:
        """Train on the accepted and infer the rejected applicants' probability of bad."""
        if self.method not in _METHODS:
            raise InvalidArgument(f"method must be one of {_METHODS}, got {self.method!r}")
        if not self.reject_bad_factor > 0 or not self.reject_weight > 0:
            raise InvalidArgument("reject_bad_factor and reject_weight must be positive")
        if list(X_accepted.columns) != list(X_rejected.columns):
            raise InvalidArgument("accepted and rejected rows must have the same columns")
        y = np.asarray(y_accepted).astype(np.int64).ravel()
        if y.size != len(X_accepted) or not np.isin(y, (0, 1)).all():
            raise InvalidArgument("y_accepted must hold one 0/1 outcome per accepted row")
        self.estimator_ = self._make_estimator().fit(X_accepted, y)
        pd_acc = self.estimator_.predict_proba(X_accepted)[:, 1]
        pd_rej = self.estimator_.predict_proba(X_rejected)[:, 1]
        self.band_edges_ = score_bands(pd_acc, self.n_bands)
        band = assign_bands(pd_acc, self.band_edges_)
        k = self.band_edges_.size + 1
        count = np.bincount(band, minlength=k)
        bads = np.bincount(band, weights=y, minlength=k)
        self.band_bad_rate_ = np.where(count > 0, bads / np.maximum(count, 1), y.mean())
        if self.method == "parcelling":
            pd_rej = self.band_bad_rate_[assign_bands(pd_rej, self.band_edges_).clip(0, k - 1)]
        self.reject_pd_ = np.minimum(pd_rej * float(self.reject_bad_factor), 1.0)
        return self

    def augment(self, X_accepted: pd.DataFrame, y_accepted: ArrayLike,
                X_rejected: pd.DataFrame) -> AugmentedSample:
        """The accepted rows with their outcomes plus the rejected with inferred ones."""
        check_is_fitted(self, "reject_pd_")
        if len(X_rejected) != self.reject_pd_.size:
            raise InvalidArgument("X_rejected is not the sample the inference was fitted on")
        y_acc = np.asarray(y_accepted).astype(np.int64).ravel()
        n_acc, n_rej, w = len(X_accepted), len(X_rejected), float(self.reject_weight)
        if self.method == "parcelling":
            rng = np.random.default_rng(self.random_state)
            y_rej = (rng.random(n_rej) < self.reject_pd_).astype(np.int64)
            X = pd.concat([X_accepted, X_rejected], ignore_index=True)
            y = np.concatenate([y_acc, y_rej])
            weight = np.concatenate([np.ones(n_acc), np.full(n_rej, w)])
            inferred = np.r_[np.zeros(n_acc, bool), np.ones(n_rej, bool)]
        else:
            X = pd.concat([X_accepted, X_rejected, X_rejected], ignore_index=True)
            y = np.concatenate([y_acc, np.ones(n_rej, np.int64), np.zeros(n_rej, np.int64)])
            weight = np.concatenate(
                [np.ones(n_acc), w * self.reject_pd_, w * (1.0 - self.reject_pd_)]
            )
            inferred = np.r_[np.zeros(n_acc, bool), np.ones(2 * n_rej, bool)]
        return AugmentedSample(X, y, weight, inferred)

    def fit_augment(self, X_accepted: pd.DataFrame, y_accepted: ArrayLike,
                    X_rejected: pd.DataFrame) -> AugmentedSample:
        """``fit`` then ``augment`` on the same rows."""
        return self.fit(X_accepted, y_accepted, X_rejected).augment(
            X_accepted, y_accepted, X_rejected)
