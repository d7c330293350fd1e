"""Input shaping shared by the scorecard estimator: frames, the bad mask, bin matrices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_array, column_or_1d

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard.errors import TrainingDataInvalid
from creditfactory.scorecard.fitting import BinRef

ONE_CLASS = "the training sample has one class only; a card needs goods and bads"


def as_frame(X: Any) -> pd.DataFrame:
    """A DataFrame view of ``X``; arrays are validated as scikit-learn does, columns x0.."""
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        if not all(isinstance(c, str) for c in X.columns):
            return X.rename(columns=str)
        return X
    arr = check_array(X, dtype=None, ensure_all_finite="allow-nan")
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def bad_mask(y: Any, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The two class labels (the second is bad) and a boolean bad mask."""
    if y is None:
        raise ValueError("Scorecard requires y to be passed, but the target y is None")
    arr = column_or_1d(y, warn=True)
    if arr.shape[0] != n_rows:
        raise ValueError(f"y has {arr.shape[0]} values but X has {n_rows} rows")
    check_classification_targets(arr)
    kind = type_of_target(arr)
    if kind not in ("binary", "unknown") and np.unique(arr).size > 2:
        raise ValueError(
            f"Only binary classification is supported. The type of the target is {kind}.")
    classes = np.unique(arr)
    if classes.size < 2:
        raise TrainingDataInvalid(ONE_CLASS)
    return classes, arr == classes[1]


def bin_matrix(frame: pd.DataFrame, binnings: Sequence[FeatureBinning]) -> np.ndarray:
    """Bin index of every row in every binning's feature (rows x features, int32)."""
    out = np.empty((len(frame), len(binnings)), dtype=np.int32)
    for j, b in enumerate(binnings):
        out[:, j] = b.bin_index(frame[b.name])
    return out


def _bin_ref(names: list[str], binnings: Sequence[FeatureBinning], feature: str,
             key: Any) -> BinRef | None:
    if feature not in names:
        return None
    j = names.index(feature)
    b = binnings[j]
    k = b.missing_bin if key == "missing" else key
    if not isinstance(k, int | np.integer) or not 0 <= int(k) < b.n_bins:
        raise InvalidArgument(f"bin {key!r} of feature {feature!r} is not one of its bins")
    return j, int(k)


def engineering_refs(
    names: list[str],
    binnings: Sequence[FeatureBinning],
    pinned: dict[str, dict[Any, float]] | None,
    equal: list[list[tuple[str, Any]]] | None,
) -> tuple[dict[BinRef, float], tuple[tuple[BinRef, ...], ...]]:
    """Pins and equal-weight groups as (position, bin) pairs; features off the card ignored."""
    pins: dict[BinRef, float] = {}
    for feature, by_bin in (pinned or {}).items():
        for key, value in by_bin.items():
            ref = _bin_ref(names, binnings, feature, key)
            if ref is not None:
                pins[ref] = float(value)
    groups = []
    for group in equal or []:
        refs = [r for f, k in group if (r := _bin_ref(names, binnings, f, k)) is not None]
        if len(refs) > 1:
            groups.append(tuple(refs))
    return pins, tuple(groups)
