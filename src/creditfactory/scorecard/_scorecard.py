"""The ``Scorecard`` estimator: bin, select, fit (logistic or divergence), scale to points.

Fitting reads the rows twice: once to bin and once to gather the class statistics of the bin
indicators; selection by marginal contribution and the divergence fit work on those
statistics alone. Scoring goes through the :class:`CompiledScorer` built at the end of ``fit``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard._card_fit import CardWeights, FitOptions, bagged_card, fit_card
from creditfactory.scorecard._compiled import CompiledFeature, CompiledScorer
from creditfactory.scorecard._contribution import stepwise_select
from creditfactory.scorecard._data import (
    ONE_CLASS,
    as_frame,
    bad_mask,
    bin_matrix,
    engineering_refs,
)
from creditfactory.scorecard._points import Scaling, allocate_points
from creditfactory.scorecard._stats import gather_stats
from creditfactory.scorecard.errors import ScorecardError, TrainingDataInvalid

__all__ = ["Scorecard"]

_OBJECTIVES = ("logistic", "divergence")
_SELECTIONS = ("contribution", "none")


class Scorecard(ClassifierMixin, BaseEstimator):
    """A points scorecard fitted by logistic regression on WoE or by maximising divergence.

    Parameters
    ----------
    objective : {"logistic", "divergence"}
        ``logistic``: L2/none logistic regression on WoE, dropping features whose coefficient
        would reverse their points. ``divergence``: bin weights maximising the divergence of
        goods' and bads' scores (FICO style) under score-engineering constraints.
    binner : estimator, optional
        Unfitted binner with ``fit(X, y)`` and ``binnings_``; cloned. Default ``Binner()``.
    selection : {"contribution", "none"}
        ``contribution``: forward/backward stepwise by marginal contribution to divergence.
    min_contribution : float
        Smallest divergence a feature must add (or would lose on removal) to stay.
    chance_adjusted : bool
        Measure contributions net of what a feature without signal gains by chance.
    min_iv : float
        Features whose binning has a lower information value are not candidates.
    max_features : int, optional
        Upper bound on the card's features.
    penalty : float
        Ridge strength (logistic: ``C = 1/penalty``, scikit-learn's default ``C = 1``;
        divergence: the same units, on each feature's score variance); 0 for none.
    monotone_weights : bool
        Divergence: keep weights monotone along the bins of every monotone numeric binning.
    pinned_weights : dict, optional
        Divergence: ``{feature: {bin: log-odds weight}}`` -- a bin's weight measured from the
        feature's first bin (bin is an index or ``"missing"``).
    equal_weights : list, optional
        Divergence: groups ``[(feature, bin), ...]`` whose weights must be equal.
    pdo, base_score, base_odds : float
        Points to double the odds, score at ``base_odds`` goods per bad.
    rounding : bool
        Round each bin's points to an integer.
    n_bags : int
        ``0`` fits once; otherwise the card averages ``n_bags`` bootstrap fits (bagging).
    random_state : int, optional
        Seed of the bootstrap resamples.

    Attributes
    ----------
    classes_ : ndarray
        The two labels; ``classes_[1]`` is the bad (event) class.
    features_ : list of str
        Features on the card, in order.
    binnings_ : dict of str to FeatureBinning
        Binnings of the card's features.
    points_table_ : DataFrame
        feature, bin, woe, weight (log-odds of good), points.
    selection_ : DataFrame
        Every candidate with its IV, status and the reason.
    scorer_ : CompiledScorer
        The flat lookup tables every scoring method uses.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"income": rng.normal(size=2000), "age": rng.normal(size=2000)})
    >>> y = (rng.random(2000) < 1 / (1 + np.exp(2 + X["income"]))).astype(int)
    >>> card = Scorecard(rounding=True).fit(X, y)
    >>> card.features_[0]
    'income'
    >>> card.points(X.head(3)).tolist() == [float(round(p)) for p in card.points(X.head(3))]
    True
    """

    def __init__(
        self,
        objective: str = "logistic",
        binner: Any = None,
        selection: str = "contribution",
        min_contribution: float = 0.001,
        chance_adjusted: bool = True,
        min_iv: float = 0.0,
        max_features: int | None = None,
        penalty: float = 1.0,
        monotone_weights: bool = True,
        pinned_weights: dict[str, dict[Any, float]] | None = None,
        equal_weights: list[list[tuple[str, Any]]] | None = None,
        pdo: float = 20.0,
        base_score: float = 600.0,
        base_odds: float = 50.0,
        rounding: bool = False,
        n_bags: int = 0,
        random_state: int | None = None,
    ) -> None:
        self.objective = objective
        self.binner = binner
        self.selection = selection
        self.min_contribution = min_contribution
        self.chance_adjusted = chance_adjusted
        self.min_iv = min_iv
        self.max_features = max_features
        self.penalty = penalty
        self.monotone_weights = monotone_weights
        self.pinned_weights = pinned_weights
        self.equal_weights = equal_weights
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.rounding = rounding
        self.n_bags = n_bags
        self.random_state = random_state

    def _check_params(self) -> Scaling:
        if self.objective not in _OBJECTIVES:
            raise InvalidArgument(f"objective must be one of {_OBJECTIVES}, got {self.objective!r}")
        if self.selection not in _SELECTIONS:
            raise InvalidArgument(f"selection must be one of {_SELECTIONS}, got {self.selection!r}")
        if self.penalty < 0 or self.n_bags < 0 or self.min_contribution < 0:
            raise InvalidArgument("penalty, n_bags and min_contribution must not be negative")
        if self.objective == "logistic" and (self.pinned_weights or self.equal_weights):
            raise InvalidArgument("pinned_weights and equal_weights need objective='divergence'")
        return Scaling(float(self.pdo), float(self.base_score), float(self.base_odds))

    def _make_binner(self) -> Any:
        if self.binner is not None:
            return clone(self.binner)
        import creditfactory.scorecard as package

        binner_cls = getattr(package, "Binner", None)
        if binner_cls is None:
            raise ScorecardError("no default Binner is available; pass binner=")
        return binner_cls()

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Scorecard:
        """Bin, select and fit the card; ``y``'s larger label (or 1/True) is bad."""
        scaling = self._check_params()
        frame = as_frame(X)
        self.classes_, is_bad = bad_mask(y, len(frame))
        self.n_features_in_ = frame.shape[1]
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        sw = None
        if sample_weight is not None:
            sw = _check_sample_weight(sample_weight, frame.to_numpy()[:, :0])
            if sw.sum() <= 0:
                raise ValueError("sample_weight is all zero: no row carries weight")
            if np.unique(is_bad[sw > 0]).size < 2:
                raise TrainingDataInvalid(ONE_CLASS)
        binner = self._make_binner().fit(frame, is_bad.astype(np.int64))
        all_binnings: dict[str, FeatureBinning] = dict(binner.binnings_)
        candidates = [c for c in frame.columns if c in all_binnings]
        record = {c: (all_binnings[c].iv, "dropped", f"IV below {self.min_iv}") for c in candidates}
        candidates = [c for c in candidates if all_binnings[c].iv > self.min_iv]
        bins = bin_matrix(frame, [all_binnings[c] for c in candidates])
        chosen = list(range(len(candidates)))
        if self.selection == "contribution" and candidates:
            stats = gather_stats(bins, [all_binnings[c].n_bins for c in candidates], is_bad, sw)
            chosen, steps = stepwise_select(
                stats, chosen, self.min_contribution, self.max_features, self.penalty,
                bool(self.chance_adjusted))
            for c in candidates:
                record[c] = (all_binnings[c].iv, "dropped", "marginal contribution too small")
            for s in steps:
                status = "kept" if s.action == "added" else "dropped"
                reason = f"{s.action} with contribution {s.contribution:.4f}"
                record[candidates[s.feature]] = (all_binnings[candidates[s.feature]].iv, status, reason)
        elif self.max_features is not None:
            chosen = chosen[: self.max_features]
        for j in chosen:
            iv, _, reason = record[candidates[j]]
            record[candidates[j]] = (iv, "kept", reason if self.selection == "contribution" else "")
        names = [candidates[j] for j in chosen]
        binnings = [all_binnings[c] for c in names]
        options = FitOptions(
            self.objective, float(self.penalty), bool(self.monotone_weights),
            *engineering_refs(names, binnings, self.pinned_weights, self.equal_weights),
        )
        sub = bins[:, chosen]
        card = (
            bagged_card(binnings, sub, is_bad, options, self.n_bags, self.random_state)
            if self.n_bags else fit_card(binnings, sub, is_bad, options, sw)
        )
        for j, reason in card.dropped.items():
            record[names[j]] = (record[names[j]][0], "dropped", reason)
        keep = [j for j in range(len(names)) if j not in card.dropped]
        self._finish(names, binnings, card, keep, scaling)
        self.selection_ = pd.DataFrame(
            [(c, iv, st, why) for c, (iv, st, why) in record.items()],
            columns=["feature", "iv", "status", "reason"],
        )
        return self

    def _finish(self, names: list[str], binnings: list[FeatureBinning], card: CardWeights,
                keep: list[int], scaling: Scaling) -> None:
        self.features_ = [names[j] for j in keep]
        self.binnings_ = {names[j]: binnings[j] for j in keep}
        self.weights_ = {names[j]: card.weights[j] for j in keep}
        self.intercept_ = card.intercept
        self.scaling_ = scaling
        pts = allocate_points([card.weights[j] for j in keep], card.intercept, scaling, self.rounding)
        constant = 0.0 if keep else float(scaling.points(card.intercept))
        if self.rounding:
            constant = float(np.round(constant))
        self.scorer_ = CompiledScorer(
            [CompiledFeature.build(binnings[j], p) for j, p in zip(keep, pts, strict=True)],
            scaling, constant,
        )
        rows = []
        for j, p in zip(keep, pts, strict=True):
            b = binnings[j]
            for k, label in enumerate(b.labels()):
                rows.append((names[j], k, label, b.woe[k], card.weights[j][k], p[k]))
        self.points_table_ = pd.DataFrame(
            rows, columns=["feature", "bin_index", "bin", "woe", "weight", "points"])

    def _frame(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "scorer_")
        frame = as_frame(X)
        if not isinstance(X, pd.DataFrame):
            if frame.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {frame.shape[1]} features, but Scorecard is expecting "
                                 f"{self.n_features_in_} features as input.")
            if hasattr(self, "feature_names_in_"):
                frame.columns = list(self.feature_names_in_)
        return frame

    def points(self, X: Any) -> np.ndarray:
        """Points of every row: higher is safer."""
        frame = self._frame(X)
        return self.scorer_.score(frame)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
        """Points of every row; with ``y``, the mean accuracy as in scikit-learn."""
        if y is None:
            return self.points(X)
        return super().score(X, y, sample_weight=sample_weight)

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of bad (scikit-learn's direction: higher means the bad class)."""
        pts = self.points(X)
        return (self.scaling_.offset - pts) / self.scaling_.factor

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns: probability of ``classes_[0]`` (good) and of ``classes_[1]`` (bad)."""
        pts = self.points(X)
        pd_bad = self.scaling_.pd(pts)
        return np.column_stack([1.0 - pd_bad, pd_bad])

    def predict(self, X: Any) -> np.ndarray:
        """The more probable label of every row."""
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]

    def reason_codes(self, X: Any, n: int = 4) -> pd.DataFrame:
        """The ``n`` features with the largest shortfall against their best points, per row.

        A feature appears only when it costs points (shortfall > 0); other slots are None.
        """
        frame = self._frame(X)
        matrix = self.scorer_.points_matrix(frame)
        best = np.array([f.points.max() for f in self.scorer_.features])
        short = best - matrix
        order = np.argsort(-short, axis=1, kind="stable")[:, :n]
        names = np.asarray(self.features_ + [None], dtype=object)
        taken = np.take_along_axis(short, order, axis=1)
        picked = np.where(taken > 1e-12, order, len(self.features_))
        out = pd.DataFrame(names[picked], index=frame.index,
                           columns=[f"reason_{i + 1}" for i in range(picked.shape[1])])
        for i in range(picked.shape[1], n):
            out[f"reason_{i + 1}"] = None
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.classifier_tags.multi_class = False
        return tags
