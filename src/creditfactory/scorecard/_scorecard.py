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
from threadpoolctl import threadpool_limits

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard._card_select import (
    card_divergence,
    resolve_penalty,
    select_by_contribution,
    select_with,
)
from creditfactory.scorecard._compiled import CompiledFeature, CompiledScorer
from creditfactory.scorecard._data import (
    ONE_CLASS,
    as_frame,
    bad_mask,
    bin_matrix,
    engineering_refs,
)
from creditfactory.scorecard._points import Scaling, allocate_points, points_table
from creditfactory.scorecard._stats import gather_stats
from creditfactory.scorecard.errors import ScorecardError, TrainingDataInvalid
from creditfactory.scorecard.fitting import CardWeights, FitOptions, bagged_card, fit_card

__all__ = ["Scorecard"]

_OBJECTIVES = ("logistic", "divergence")
_SELECTIONS = ("contribution", "none")
_CHANCE_DOF = ("bins", "coefficients")


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
    selection : {"contribution", "none"} or selector
        ``contribution``: forward/backward stepwise by marginal contribution to divergence.
        A selector (e.g. ``FeatureSelector(score_fn=divergence_score)``) is cloned and fitted
        on the candidates' WoE columns; its ``get_support()`` decides.
    min_contribution : float
        Smallest divergence a feature must add (or would lose on removal) to stay.
    chance_adjusted : bool
        Measure contributions net of what a feature without signal gains by chance.
    chance_dof : {"bins", "coefficients"}
        The free parameters a feature's chance gain is counted in. ``bins``: ``bins − 1``
        per feature whatever the objective. ``coefficients``: what the objective fits per
        feature -- one coefficient for ``logistic`` (its weights are that coefficient times
        the WoE), ``bins − 1`` bin weights for ``divergence``; on small samples ``bins``
        over-penalises a logistic card's features and leaves real ones out.
    min_iv : float
        Features whose binning has a lower information value are not candidates.
    max_features : int, optional
        Upper bound on the card's features.
    penalty : float or "auto"
        Ridge strength (logistic: ``C = 1/penalty``; divergence: the same units, on each
        feature's score variance); 0 for none. ``"auto"``: logistic takes 1 (scikit-learn's
        ``C = 1``); divergence picks the grid value with the best 5-fold held-out divergence,
        computed from fold statistics alone.
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
    divergence_ : float
        In-sample divergence of the fitted card's (unrounded) weights.
    contributions_ : dict of str to float
        Marginal contribution of each card feature: the divergence the best card loses
        without it.
    penalty_ : float
        The ridge used (chosen by cross-validation when ``penalty="auto"``).
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
        selection: Any = "contribution",
        min_contribution: float = 0.001,
        chance_adjusted: bool = True,
        chance_dof: str = "bins",
        min_iv: float = 0.0,
        max_features: int | None = None,
        penalty: float | str = "auto",
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
        self.chance_dof = chance_dof
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
        if self.chance_dof not in _CHANCE_DOF:
            raise InvalidArgument(f"chance_dof must be one of {_CHANCE_DOF}, got "
                                  f"{self.chance_dof!r}")
        if isinstance(self.selection, str) and self.selection not in _SELECTIONS:
            raise InvalidArgument(f"selection must be one of {_SELECTIONS}, got {self.selection!r}")
        if not (self.penalty == "auto" or isinstance(self.penalty, int | float)
                and self.penalty >= 0):
            raise InvalidArgument(f"penalty must be 'auto' or >= 0, got {self.penalty!r}")
        if self.n_bags < 0 or self.min_contribution < 0:
            raise InvalidArgument("n_bags and min_contribution must not be negative")
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
        """Bin, select and fit the card; ``y``'s larger label (or 1/True) is bad.

        The fit's linear algebra is on matrices of a few hundred rows, where BLAS threads only
        add contention (measured: a 240 x 120 least squares 28 times slower with two
        threads on a busy machine), so BLAS runs single-threaded for its duration.
        """
        with threadpool_limits(1, user_api="blas"):
            return self._fit(X, y, sample_weight)

    def _fit(self, X: Any, y: Any, sample_weight: Any) -> Scorecard:
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
        cand_binnings = [all_binnings[c] for c in candidates]
        stats = (gather_stats(bins, [b.n_bins for b in cand_binnings], is_bad, sw)
                 if cand_binnings else None)
        self.penalty_, self.penalty_scores_ = resolve_penalty(
            self.penalty, self.objective, cand_binnings, bins, is_bad, sw,
            bool(self.monotone_weights),
            engineering_refs(candidates, cand_binnings, self.pinned_weights, self.equal_weights),
            0 if self.random_state is None else int(self.random_state))
        chosen = list(range(len(candidates)))[: self.max_features]
        decisions = {j: ("kept", "") for j in chosen}
        if not isinstance(self.selection, str):
            chosen, decisions = select_with(self.selection, cand_binnings, bins, is_bad)
        elif self.selection == "contribution":
            chosen, decisions = select_by_contribution(
                cand_binnings, stats, self.min_contribution, self.max_features,
                self.penalty_, bool(self.chance_adjusted),
                [1] * len(cand_binnings)
                if self.chance_dof == "coefficients" and self.objective == "logistic"
                else None)
        for j, (status, reason) in decisions.items():
            record[candidates[j]] = (cand_binnings[j].iv, status, reason)
        names = [candidates[j] for j in chosen]
        binnings = [all_binnings[c] for c in names]
        options = FitOptions(
            self.objective, self.penalty_, bool(self.monotone_weights),
            *engineering_refs(names, binnings, self.pinned_weights, self.equal_weights),
        )
        sub = bins[:, chosen]
        card = (
            bagged_card(binnings, sub, is_bad, options, self.n_bags, self.random_state)
            if self.n_bags else fit_card(binnings, sub, is_bad, options, sw,
                                         None if stats is None or not chosen
                                         else stats.subset(chosen))
        )
        for j, reason in card.dropped.items():
            record[names[j]] = (record[names[j]][0], "dropped", reason)
        keep = [j for j in range(len(names)) if j not in card.dropped]
        self._finish(names, binnings, card, keep, scaling)
        final = [chosen[j] for j in keep]
        self.divergence_, self.contributions_ = card_divergence(
            [binnings[j] for j in keep], [card.weights[j] for j in keep],
            None if stats is None or not final else stats.subset(final), self.penalty_)
        self.selection_ = pd.DataFrame(
            [(c, iv, st, why) for c, (iv, st, why) in record.items()],
            columns=["feature", "iv", "status", "reason"],
        )
        return self

    def _finish(self, names: list[str], binnings: list[FeatureBinning], card: CardWeights,
                keep: list[int], scaling: Scaling) -> None:
        weights = [card.weights[j] for j in keep]
        pts = allocate_points(weights, card.intercept, scaling, self.rounding)
        constant = 0.0 if keep else float(scaling.points(card.intercept))
        self._set_fitted([binnings[j] for j in keep], weights, pts, card.intercept, scaling,
                         float(np.round(constant)) if self.rounding else constant)

    def _set_fitted(self, binnings: list[FeatureBinning], weights: list[np.ndarray],
                    points: list[np.ndarray], intercept: float, scaling: Scaling,
                    constant: float) -> None:
        """Install a card's fitted state (used by ``fit`` and by the model-file reader)."""
        self.features_ = [b.name for b in binnings]
        self.binnings_ = {b.name: b for b in binnings}
        self.weights_ = {b.name: np.asarray(w, dtype=np.float64)
                         for b, w in zip(binnings, weights, strict=True)}
        self.intercept_ = float(intercept)
        self.scaling_ = scaling
        self.scorer_ = CompiledScorer(
            [CompiledFeature.build(b, p) for b, p in zip(binnings, points, strict=True)],
            scaling, constant,
        )
        self.points_table_ = points_table(binnings, weights, points)

    def _frame(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "scorer_")
        frame = as_frame(X)
        if not isinstance(X, pd.DataFrame):
            self._check_width(frame.shape[1])
            if hasattr(self, "feature_names_in_"):
                frame.columns = list(self.feature_names_in_)
        return frame

    def _check_width(self, n_columns: int) -> None:
        if n_columns != self.n_features_in_:
            raise ValueError(f"X has {n_columns} features, but Scorecard is expecting "
                             f"{self.n_features_in_} features as input.")

    def points(self, X: Any) -> np.ndarray:
        """Points of every row: higher is safer. A numeric NumPy block (columns as
        ``feature_names_in_``) is scored as it is, without a DataFrame made of it: the cost
        of a call on a few rows is then the card's tables, not the frame."""
        if (isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind == "f" and X.shape[0] > 0
                and hasattr(self, "feature_names_in_")):
            check_is_fitted(self, "scorer_")
            self._check_width(X.shape[1])
            names = list(self.feature_names_in_)
            return self.scorer_.score(X[:, [names.index(n) for n in self.scorer_.names]])
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
        check_is_fitted(self, "scorer_")
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]

    def reason_codes(self, X: Any, n: int = 4) -> pd.DataFrame:
        """The ``n`` features with the largest shortfall against their best points, per row.

        A feature appears only when it costs points (shortfall > 0); other slots are None.
        """
        frame = self._frame(X)
        return self.scorer_.reason_codes(frame, n)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.classifier_tags.multi_class = False
        return tags
