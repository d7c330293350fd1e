"""``FeatureSelector``: IV, correlation, VIF and stepwise filters on WoE columns, with a
record of why each feature was kept or dropped."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin
from sklearn.utils import ClassifierTags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from creditfactory.scorecard._input import read_target
from creditfactory.scorecard.selection._statistics import abs_correlation, column_iv, vif
from creditfactory.scorecard.selection._stepwise import (
    Objective,
    backward,
    contributions,
    forward,
)

__all__ = ["FeatureSelector"]

_DEFAULT_TOL = {"aic": 0.0, "auc": 1e-4, "score_fn": 1e-3}
_COLUMNS = ["feature", "kept", "step", "reason", "iv", "max_corr", "corr_with", "vif",
            "stepwise_order", "contribution"]


class FeatureSelector(SelectorMixin, BaseEstimator):
    """Select WoE-encoded features by IV, correlation, VIF, then stepwise search.

    The filters run in this order, each on the survivors of the previous: IV outside
    ``[min_iv, max_iv]`` (constant columns always go); of two columns correlated above
    ``max_corr`` the one with lower IV; the highest VIF while above ``max_vif``; then
    ``stepwise`` search on the objective (``-AIC`` or AUC of a logistic regression on the
    WoE columns, or ``score_fn``). ``report_`` records every feature's fate and figures.

    Parameters
    ----------
    min_iv, max_iv : float or None, default=0.02, None
        IV bounds (IV is computed per column treating each distinct WoE value as a bin).
    max_corr : float or None, default=0.7
        Largest absolute Pearson correlation allowed between two kept columns.
    max_vif : float or None, default=5.0
        Largest variance inflation factor allowed.
    stepwise : {"forward", "backward"} or None, default="forward"
    criterion : {"aic", "auc"}, default="aic"
        Objective of the stepwise search when ``score_fn`` is None.
    score_fn : callable, default=None
        ``score_fn(X_woe_subset, y) -> float``, higher is better (e.g. the divergence a
        card on those columns reaches); the empty subset scores 0.
    tol : float, default=None
        Least marginal contribution for a feature to enter (forward) or stay (backward).
        None: 0 for AIC (any decrease), 1e-4 for AUC, 1e-3 for ``score_fn``.
    max_features : int, default=None
        Most features forward selection adds.

    Attributes
    ----------
    support_ : ndarray of bool
    report_ : DataFrame
        One row per input feature: ``feature, kept, step`` (the filter that dropped it, or
        "kept"), ``reason``, ``iv, max_corr, corr_with, vif, stepwise_order,
        contribution`` (marginal contribution to the objective of the final set).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a, noise = rng.normal(size=(2, 10_000))
    >>> y = (rng.uniform(size=10_000) < 1 / (1 + np.exp(-(-1 + 1.5 * a)))).astype(int)
    >>> X = pd.DataFrame({"a": a, "a_blur": a + 0.2 * rng.normal(size=10_000),
    ...                   "noise": noise})
    >>> from creditfactory.scorecard import WoETransformer
    >>> woe = WoETransformer().set_output(transform="pandas").fit_transform(X, y)
    >>> sel = FeatureSelector().fit(woe, y)
    >>> sel.get_feature_names_out().tolist()
    ['a']
    >>> sel.report_.set_index("feature")["step"].to_dict()
    {'a': 'kept', 'a_blur': 'correlation', 'noise': 'iv'}
    """

    _parameter_constraints: dict = {
        "min_iv": [Interval(Real, 0, None, closed="left"), None],
        "max_iv": [Interval(Real, 0, None, closed="left"), None],
        "max_corr": [Interval(Real, 0, 1, closed="both"), None],
        "max_vif": [Interval(Real, 1, None, closed="left"), None],
        "stepwise": [StrOptions({"forward", "backward"}), None],
        "criterion": [StrOptions({"aic", "auc"})],
        "score_fn": [callable, None],
        "tol": [Interval(Real, None, None, closed="neither"), None],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, *, min_iv: float | None = 0.02, max_iv: float | None = None,
                 max_corr: float | None = 0.7, max_vif: float | None = 5.0,
                 stepwise: str | None = "forward", criterion: str = "aic",
                 score_fn: Any = None, tol: float | None = None,
                 max_features: int | None = None) -> None:
        self.min_iv = min_iv
        self.max_iv = max_iv
        self.max_corr = max_corr
        self.max_vif = max_vif
        self.stepwise = stepwise
        self.criterion = criterion
        self.score_fn = score_fn
        self.tol = tol
        self.max_features = max_features

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> FeatureSelector:
        """Run the filters on the WoE columns ``X`` against the 0/1 target ``y``."""
        if y is None:
            raise ValueError("FeatureSelector requires y to be passed, but the target y is None.")
        arr = validate_data(self, X, dtype=np.float64, ensure_all_finite=True)
        target = read_target(y, arr.shape[0], type(self).__name__)
        names = (list(map(str, self.feature_names_in_)) if hasattr(self, "feature_names_in_")
                 else [f"x{i}" for i in range(arr.shape[1])])
        rows = {i: {"feature": names[i], "kept": False, "step": "", "reason": "",
                    "iv": column_iv(arr[:, i], target), "max_corr": np.nan, "corr_with": "",
                    "vif": np.nan, "stepwise_order": np.nan, "contribution": np.nan}
                for i in range(arr.shape[1])}
        alive = self._iv_filter(arr, rows)
        alive = self._corr_filter(arr, rows, alive)
        alive = self._vif_filter(arr, rows, alive)
        alive = self._stepwise(arr, target, rows, alive)
        for i in alive:
            rows[i].update(kept=True, step="kept", reason=rows[i]["reason"] or "passed all filters")
        self.support_ = np.zeros(arr.shape[1], dtype=bool)
        self.support_[alive] = True
        self.report_ = pd.DataFrame([rows[i] for i in range(arr.shape[1])], columns=_COLUMNS)
        return self

    def _iv_filter(self, X: np.ndarray, rows: dict[int, dict]) -> list[int]:
        alive = []
        constant = np.ptp(X, axis=0) == 0 if X.shape[0] else np.ones(X.shape[1], dtype=bool)
        for i, row in rows.items():
            iv = row["iv"]
            if constant[i]:
                row.update(step="iv", reason="constant column")
            elif self.min_iv is not None and iv < self.min_iv:
                row.update(step="iv", reason=f"IV {iv:.4f} < min_iv {self.min_iv}")
            elif self.max_iv is not None and iv > self.max_iv:
                row.update(step="iv", reason=f"IV {iv:.4f} > max_iv {self.max_iv} (suspect leak)")
            else:
                alive.append(i)
        return alive

    def _corr_filter(self, X: np.ndarray, rows: dict[int, dict], alive: list[int]) -> list[int]:
        if not alive:
            return alive
        corr = abs_correlation(X[:, alive])
        np.fill_diagonal(corr, 0.0)
        for k, i in enumerate(alive):
            j = int(np.argmax(corr[k]))
            rows[i].update(max_corr=float(corr[k, j]), corr_with=rows[alive[j]]["feature"])
        if self.max_corr is None:
            return alive
        order = sorted(range(len(alive)), key=lambda k: (-rows[alive[k]]["iv"], k))
        kept: list[int] = []
        for k in order:
            clash = [m for m in kept if corr[k, m] > self.max_corr]
            if clash:
                other = rows[alive[clash[0]]]
                rows[alive[k]].update(
                    step="correlation", corr_with=other["feature"],
                    max_corr=float(corr[k, clash[0]]),
                    reason=f"|corr| {corr[k, clash[0]]:.3f} > {self.max_corr} with "
                           f"{other['feature']!r} (IV {other['iv']:.4f})")
            else:
                kept.append(k)
        return [alive[k] for k in sorted(kept)]

    def _vif_filter(self, X: np.ndarray, rows: dict[int, dict], alive: list[int]) -> list[int]:
        alive = list(alive)
        while alive:
            values = vif(X[:, alive])
            for i, v in zip(alive, values, strict=True):
                rows[i]["vif"] = float(v)
            worst = int(np.argmax(values))
            if self.max_vif is None or values[worst] <= self.max_vif:
                break
            rows[alive[worst]].update(step="vif",
                                      reason=f"VIF {values[worst]:.2f} > {self.max_vif}")
            del alive[worst]
        return alive

    def _stepwise(self, X: np.ndarray, y: np.ndarray, rows: dict[int, dict],
                  alive: list[int]) -> list[int]:
        if self.stepwise is None or not alive:
            return alive
        name = "score_fn" if self.score_fn is not None else self.criterion
        tol = _DEFAULT_TOL[name] if self.tol is None else float(self.tol)
        obj = Objective(X, y, self.criterion, self.score_fn)
        if self.stepwise == "forward":
            chosen, records = forward(obj, alive, tol, self.max_features)
        else:
            chosen, records = backward(obj, alive, tol)
        for r in records:
            row = rows[r.feature]
            row["stepwise_order"] = r.step
            if r.action != "added":
                row.update(step="stepwise", contribution=r.contribution,
                           reason=f"{r.action} at step {r.step}: {name} contribution "
                                  f"{r.contribution:.5g} vs tol {tol:g}")
        for i, c in contributions(obj, chosen).items():
            rows[i]["contribution"] = c
        return sorted(chosen)

    def _get_support_mask(self) -> np.ndarray:
        check_is_fitted(self, "support_")
        return self.support_

    def __sklearn_tags__(self) -> Any:
        """Tags: a required binary target (``classifier_tags.multi_class = False``)."""
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.classifier_tags = ClassifierTags(multi_class=False)
        return tags
