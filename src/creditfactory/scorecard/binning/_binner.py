"""``Binner``: optimal monotone binning of every feature of a table, as a transformer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import ClassifierTags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard._input import (
    is_categorical,
    numeric_values,
    read_columns,
    read_target,
)
from creditfactory.scorecard.binning._categorical import fit_categorical
from creditfactory.scorecard.binning._numeric import BinningSpec, fit_numeric

__all__ = ["Binner"]

_TRENDS = {"auto", "ascending", "descending", "peak", "valley"}


class Binner(TransformerMixin, BaseEstimator):
    """Optimal binning of numeric and categorical features for a binary target (1 = bad).

    Numeric features are pre-binned at ``n_prebins`` quantiles; the pre-bins are then merged
    by an exact dynamic programme that maximises information value (IV) under the event-rate
    shape ``monotonic_trend``, with at most ``max_bins`` bins of at least ``min_bin_share``
    of the rows each; with enough data (pre-bins holding 50 bads on average) each cut point
    then moves to its best exact position within the pre-bins beside it, shape kept.
    ``"auto"`` takes the better monotone trend, or a peak/valley shape if it adds at least
    10 % of IV. Categorical levels below ``rare_level_share`` of the rows
    are pooled into one group; groups are ordered by event rate and merged the same way.
    Missing values always have their own (last) bin; every special value has its own bin.

    Degenerate inputs: a constant or all-missing feature gets one regular bin (WoE 0);
    a target with a single class gives every feature one regular bin, WoE 0 and IV 0
    (there is nothing to learn), so a Pipeline fails where the classifier needs two classes.

    Parameters
    ----------
    max_bins : int or None, default=None
        Most regular bins per feature; None leaves the number to ``min_bin_share``.
    min_bin_share : float, default=0.05
        Least share of all rows in a regular bin (a feature with one bin is exempt).
    n_prebins : int, default=50
        Quantile pre-bins (numeric) or ordered level groups (categorical) fed to the merge.
    monotonic_trend : {"auto", "ascending", "descending", "peak", "valley"}, None or dict, \
default="auto"
        Event-rate shape across numeric bins; None leaves it free. A dict maps feature
        names to a trend, features it omits use "auto".
    special_values : list or dict, default=None
        Values with a bin of their own. A list applies its numbers to numeric features and
        its strings to categorical ones; a dict maps a feature name to its own list.
    user_splits : dict, default=None
        Fixed cut points per numeric feature (``{"age": [25, 40, 60]}``) or fixed level
        groups per categorical feature (``{"region": [["N", "E"], ["S"]]}``); no merge.
    categorical_features : list of str, default=None
        Features to treat as categorical; None infers object, string and category columns.
    rare_level_share : float, default=0.001
        Categorical levels below this share of rows are pooled; unseen levels at transform
        time go to the pooled group (or else to the largest bin).
    n_jobs : int, default=None
        Threads binning features in parallel (None or 1: serial); measured no gain on a
        busy 2-core machine, so serial is the default.

    Attributes
    ----------
    binnings_ : dict of str to FeatureBinning
        The fitted binning of every feature, in column order.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame; otherwise the features are named ``x0, x1, ...``.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [22, 25, 31, 38, 45, 52, 58, 63] * 25})
    >>> y = [1, 0, 1, 0, 0, 1, 0, 0] * 25
    >>> binner = Binner(min_bin_share=0.2).fit(X, y)
    >>> binner.binnings_["age"].labels()
    ['[-inf, 34.5)', '[34.5, 55.0)', '[55.0, inf)', 'missing']
    >>> binner.binnings_["age"].monotonic_trend
    'descending'
    >>> binner.transform(pd.DataFrame({"age": [20, 70, None]})).ravel().tolist()
    [0, 2, 3]
    """

    _parameter_constraints: dict = {
        "max_bins": [Interval(Integral, 1, None, closed="left"), None],
        "min_bin_share": [Interval(Real, 0, 0.5, closed="both")],
        "n_prebins": [Interval(Integral, 2, 200, closed="both")],
        "monotonic_trend": [StrOptions(_TRENDS), None, dict],
        "special_values": [list, tuple, dict, None],
        "user_splits": [dict, None],
        "categorical_features": [list, tuple, None],
        "rare_level_share": [Interval(Real, 0, 1, closed="both")],
        "n_jobs": [Integral, None],
    }

    # input dtypes the output keeps (scikit-learn's ``preserves_dtype`` tag): none, since
    # bin indices are int32 whatever the input
    _output_dtypes: list[str] = []  # noqa: RUF012

    def __init__(
        self,
        *,
        max_bins: int | None = None,
        min_bin_share: float = 0.05,
        n_prebins: int = 50,
        monotonic_trend: str | None | dict = "auto",
        special_values: list | tuple | dict | None = None,
        user_splits: dict | None = None,
        categorical_features: list | tuple | None = None,
        rare_level_share: float = 0.001,
        n_jobs: int | None = None,
    ) -> None:
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.n_prebins = n_prebins
        self.monotonic_trend = monotonic_trend
        self.special_values = special_values
        self.user_splits = user_splits
        self.categorical_features = categorical_features
        self.rare_level_share = rare_level_share
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> Binner:
        """Fit the binning of every column of ``X`` against the 0/1 target ``y``."""
        columns = read_columns(self, X, reset=True)
        target = read_target(y, len(columns[0][1]) if columns else 0, type(self).__name__)
        forced = {str(c) for c in (self.categorical_features or ())}
        self._check_names({name for name, _ in columns}, forced)

        def one(item: tuple[str, pd.Series | np.ndarray]) -> FeatureBinning:
            name, values = item
            if name in forced or is_categorical(values):
                return fit_categorical(name, values, target, self._spec(name, True))
            return fit_numeric(name, numeric_values(values, name), target,
                               self._spec(name, False))

        if self.n_jobs is not None and self.n_jobs > 1 and len(columns) > 1:
            with ThreadPoolExecutor(max_workers=int(self.n_jobs)) as pool:
                fitted = list(pool.map(one, columns))
        else:
            fitted = [one(c) for c in columns]
        self.binnings_ = {b.name: b for b in fitted}
        return self

    def _check_names(self, known: set[str], forced: set[str]) -> None:
        """A per-feature setting naming no column is a typo worth stopping for."""
        named = {"categorical_features": forced}
        for param in ("monotonic_trend", "special_values", "user_splits"):
            value = getattr(self, param)
            if isinstance(value, dict):
                named[param] = {str(k) for k in value}
        for param, names in named.items():
            unknown = sorted(names - known)
            if unknown:
                raise InvalidArgument(f"{param} names {unknown[0]!r}, which is not a feature "
                                      "of X")

    def _spec(self, name: str, categorical: bool) -> BinningSpec:
        trend = self.monotonic_trend
        if isinstance(trend, dict):
            trend = trend.get(name, "auto")
        if trend is not None and trend not in _TRENDS:
            raise ValueError(f"monotonic_trend for {name!r} must be one of "
                             f"{sorted(_TRENDS)} or None; got {trend!r}")
        specials = self.special_values
        if isinstance(specials, dict):
            specials = specials.get(name, ())
        elif categorical:
            specials = [v for v in specials or () if isinstance(v, str)]
        user = (self.user_splits or {}).get(name)
        return BinningSpec(
            max_bins=self.n_prebins if self.max_bins is None else self.max_bins,
            min_bin_share=self.min_bin_share,
            n_prebins=self.n_prebins, trend=trend,
            special_values=tuple(specials or ()),
            user_splits=None if user is None else tuple(user),
            rare_share=self.rare_level_share,
        )

    def _bin_columns(self, X: Any) -> tuple[list[FeatureBinning], np.ndarray]:
        check_is_fitted(self, "binnings_")
        columns = read_columns(self, X, reset=False)
        binnings = list(self.binnings_.values())
        n = len(columns[0][1]) if columns else 0
        out = np.empty((n, len(binnings)), dtype=np.int32, order="F")
        for j, (binning, (_, values)) in enumerate(zip(binnings, columns, strict=True)):
            out[:, j] = binning.bin_index(values)
        return binnings, out

    def transform(self, X: Any) -> np.ndarray:
        """Bin index of every value, shape ``(n_samples, n_features)``, int32."""
        return self._bin_columns(X)[1]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names: the input feature names (one column per feature)."""
        check_is_fitted(self, "binnings_")
        names = np.asarray(list(self.binnings_), dtype=object)
        if input_features is not None:
            given = np.asarray(input_features, dtype=object)
            if given.shape != names.shape or (hasattr(self, "feature_names_in_")
                                               and not np.array_equal(given, names)):
                raise ValueError("input_features is not equal to feature_names_in_")
            return given
        return names

    def summary(self) -> pd.DataFrame:
        """One row per feature: kind, number of bins, trend and IV, by IV descending."""
        check_is_fitted(self, "binnings_")
        rows = [{"feature": b.name, "kind": b.kind, "n_bins": b.n_bins,
                 "n_regular": b.n_regular, "monotonic_trend": b.monotonic_trend, "iv": b.iv}
                for b in self.binnings_.values()]
        table = pd.DataFrame(rows, columns=["feature", "kind", "n_bins", "n_regular",
                                            "monotonic_trend", "iv"])
        return table.sort_values("iv", ascending=False, kind="stable").reset_index(drop=True)

    def __sklearn_tags__(self) -> Any:
        """Tags: NaN, text and categorical input; a required binary target (1 = bad).

        ``classifier_tags.multi_class = False`` is how scikit-learn's tags say "binary
        target": its estimator checks then fit on two classes, as they do for a binary
        classifier. The binner stays a transformer (``estimator_type`` is unchanged).
        """
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        tags.classifier_tags = ClassifierTags(multi_class=False)
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = self._output_dtypes
        return tags
