"""Input handling shared by the binning estimators: columns, their kinds, and the 0/1 target.

A DataFrame is read column by column without copying it into one object array (that copy
would cost more than the binning); a NumPy array goes through ``check_array`` as usual.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array, column_or_1d, validate_data

from creditfactory.scorecard.errors import FeatureMissing, TrainingDataInvalid

__all__ = ["Columns", "read_columns", "read_target", "is_categorical", "numeric_values"]

Columns = list[tuple[str, "pd.Series | np.ndarray"]]


def read_columns(est: BaseEstimator, X: Any, *, reset: bool) -> Columns:
    """Validate ``X`` for ``est`` (feature names/count set or checked) and list its columns."""
    if isinstance(X, pd.DataFrame):
        if not reset:
            expected = getattr(est, "feature_names_in_", None)
            if expected is not None:
                absent = [str(c) for c in expected if c not in X.columns]
                if absent:
                    raise FeatureMissing(f"feature {absent[0]!r} is not in the data "
                                         f"({len(absent)} missing in all)")
        validate_data(est, X, reset=reset, skip_check_array=True)
        if X.shape[0] < 1:
            raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                             "of 1 is required.")
        return [(str(c), X.iloc[:, i]) for i, c in enumerate(X.columns)]
    arr = validate_data(est, X, reset=reset, dtype=None, ensure_all_finite=False,
                        ensure_2d=True)
    arr = check_array(arr, dtype=None, ensure_all_finite=False)
    if arr.dtype.kind not in "fiubO":
        arr = arr.astype(object)
    return [(f"x{i}", arr[:, i]) for i in range(arr.shape[1])]


def read_target(y: Any, n_rows: int, est_name: str) -> np.ndarray:
    """The 0/1 target as int64 (1 = event = bad); anything else is a clear error.

    Two other numeric labels are read as the Scorecard reads them: the larger is bad.

    >>> read_target([2, 1, 2], 3, "Binner").tolist()
    [1, 0, 1]
    """
    if y is None:
        raise ValueError(f"{est_name} requires y to be passed, but the target y is None.")
    y_arr = column_or_1d(y, warn=True)
    if y_arr.shape[0] != n_rows:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                         f"[{n_rows}, {y_arr.shape[0]}]")
    if y_arr.dtype.kind == "b":
        return y_arr.astype(np.int64)
    try:
        y_num = np.asarray(y_arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TrainingDataInvalid(
            f"{est_name} needs a binary target coded 0/1 (1 = bad); got labels such as "
            f"{y_arr[:1].tolist()}") from exc
    if np.isnan(y_num).any():
        raise TrainingDataInvalid(f"{est_name}: the target has missing values")
    if not np.isin(y_num, (0.0, 1.0)).all():
        labels = np.unique(y_num)
        if labels.size != 2:
            raise TrainingDataInvalid(
                f"{est_name} needs a binary target coded 0/1 (1 = bad); got values "
                f"{labels[:5].tolist()}")
        return (y_num == labels[1]).astype(np.int64)
    return y_num.astype(np.int64)


def is_categorical(values: pd.Series | np.ndarray) -> bool:
    """Object, string and category columns are categorical; an object array is categorical
    if any of its values is not a number."""
    if isinstance(values, pd.Series):
        dtype = values.dtype
        return bool(isinstance(dtype, pd.CategoricalDtype)
                    or pd.api.types.is_object_dtype(dtype)
                    or pd.api.types.is_string_dtype(dtype))
    if values.dtype.kind != "O":
        return False
    try:
        np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return True
    return False


def numeric_values(values: pd.Series | np.ndarray, name: str) -> np.ndarray:
    """A numeric column as float64 with NaN for missing (pandas NA included)."""
    if isinstance(values, pd.Series):
        if values.dtype.kind == "f":
            return values.to_numpy(dtype=np.float64, copy=False)
        try:
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise TrainingDataInvalid(f"feature {name!r} is numeric in fit but holds "
                                      "non-numeric values") from exc
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TrainingDataInvalid(f"feature {name!r} is numeric in fit but holds "
                                  "non-numeric values") from exc
