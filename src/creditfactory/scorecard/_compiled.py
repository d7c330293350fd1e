"""The compiled scorer: a fitted card as flat lookup tables, for blocks and for one record.

Per numeric feature it keeps the sorted cut points, the points of each bin, the special values
and the missing bin's points; per categorical feature a level -> points dict with an unseen
fallback. A block is scored column by column with ``searchsorted`` / ``factorize`` and array
indexing; a record (dict) with ``bisect`` on plain Python lists and dict look-ups, so one
record costs a few microseconds and no NumPy call.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.scorecard._bins import FeatureBinning, _level
from creditfactory.scorecard._points import Scaling
from creditfactory.scorecard._stats import FloatArray
from creditfactory.scorecard.errors import FeatureMissing

__all__ = ["CompiledFeature", "CompiledScorer"]


@dataclass(frozen=True)
class CompiledFeature:
    """One feature's lookup tables (built from a :class:`FeatureBinning` and its points)."""

    name: str
    numeric: bool
    splits: np.ndarray
    points: np.ndarray
    specials: tuple[tuple[float | str, int], ...]
    levels: dict[str, int]
    unseen_bin: int
    missing_bin: int

    @classmethod
    def build(cls, binning: FeatureBinning, points: Sequence[float]) -> CompiledFeature:
        """Tables for ``binning`` with ``points[k]`` for bin ``k``."""
        specials = tuple((s, binning.n_regular + k) for k, s in enumerate(binning.special_values))
        levels = {lv: i for i, grp in enumerate(binning.categories) for lv in grp}
        levels.update({_level(s): b for s, b in specials})
        return cls(
            name=binning.name,
            numeric=binning.kind == "numeric",
            splits=np.asarray(binning.splits, dtype=np.float64),
            points=np.asarray(points, dtype=np.float64),
            specials=specials,
            levels=levels,
            unseen_bin=binning.unseen_bin,
            missing_bin=binning.missing_bin,
        )

    def bins(self, values: Any) -> np.ndarray:
        """Bin of every value of a column, vectorised."""
        if self.numeric:
            x = _as_float(values)
            out = np.searchsorted(self.splits, x, side="right")
            for special, b in self.specials:
                if not isinstance(special, str):
                    out[x == float(special)] = b
            out[np.isnan(x)] = self.missing_bin
            return out
        codes, uniques = pd.factorize(
            values if isinstance(values, pd.Series) else np.asarray(values, dtype=object).ravel()
        )
        table = np.fromiter(
            (self.levels.get(_level(u), self.unseen_bin) for u in uniques),
            dtype=np.intp, count=len(uniques),
        )
        return np.append(table, self.missing_bin)[np.asarray(codes)]

    def record_fn(self) -> Any:
        """A closure scoring this feature's value of one record."""
        pts = self.points.tolist()
        miss = pts[self.missing_bin]
        if self.numeric:
            splits = self.splits.tolist()
            spec = {float(s): pts[b] for s, b in self.specials if not isinstance(s, str)}

            def numeric(v: Any) -> float:
                if v is None:
                    return miss
                try:
                    x = float(v)
                except (TypeError, ValueError):
                    return miss
                if x != x:
                    return miss
                if spec and x in spec:
                    return spec[x]
                return pts[bisect_right(splits, x)]

            return numeric
        lookup = {lv: pts[b] for lv, b in self.levels.items()}
        unseen = pts[self.unseen_bin]

        def categorical(v: Any) -> float:
            if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
                return miss
            if type(v) is not str:
                v = _level(v)
            return lookup.get(v, unseen)

        return categorical


def _as_float(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series):
        if values.dtype.kind in "fiub":
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    x = np.asarray(values)
    if x.dtype.kind not in "fiub":
        return _as_float(pd.Series(x.ravel()))
    return x.astype(np.float64).ravel()


class CompiledScorer:
    """Scores a DataFrame, a NumPy block or one record with a fitted card's lookup tables.

    Parameters
    ----------
    features : sequence of CompiledFeature
        The card's features, in order (a NumPy block's columns follow this order).
    scaling : Scaling
        Turns points into a probability of bad.
    constant : float
        Points added to every score (non-zero only for a card without features).

    Examples
    --------
    >>> b = FeatureBinning.from_counts("age", "numeric", splits=(30.0,),
    ...     count=[50, 50, 0], n_event=[10, 5, 0])
    >>> scorer = CompiledScorer([CompiledFeature.build(b, [10.0, 30.0, 0.0])], Scaling())
    >>> scorer.score(pd.DataFrame({"age": [20, 40, None]})).tolist()
    [10.0, 30.0, 0.0]
    >>> scorer.score_record({"age": 45})
    30.0
    """

    def __init__(
        self, features: Sequence[CompiledFeature], scaling: Scaling, constant: float = 0.0
    ) -> None:
        self.features = list(features)
        self.scaling = scaling
        self.constant = float(constant)
        self._record = [(f.name, f.record_fn()) for f in self.features]

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_record"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._record = [(f.name, f.record_fn()) for f in self.features]

    @property
    def names(self) -> list[str]:
        """Feature names, in scoring order."""
        return [f.name for f in self.features]

    def _column(self, data: Any, pos: int, name: str) -> Any:
        if isinstance(data, pd.DataFrame):
            if name not in data.columns:
                raise FeatureMissing(f"feature {name!r} is missing from the scoring data")
            return data[name]
        arr = np.asarray(data)
        if arr.ndim != 2 or arr.shape[1] != len(self.features):
            raise FeatureMissing(
                f"a block needs {len(self.features)} columns in the card's order {self.names}"
            )
        return arr[:, pos]

    def points_matrix(self, data: pd.DataFrame | np.ndarray) -> FloatArray:
        """Points of every row in every feature (rows x features)."""
        n = len(data)
        out = np.empty((n, len(self.features)))
        for j, f in enumerate(self.features):
            out[:, j] = f.points[f.bins(self._column(data, j, f.name))]
        return out

    def score(self, data: pd.DataFrame | np.ndarray) -> FloatArray:
        """Points of every row (higher is safer)."""
        total = np.full(len(data), self.constant)
        for j, f in enumerate(self.features):
            total += f.points[f.bins(self._column(data, j, f.name))]
        return total

    def pd(self, data: pd.DataFrame | np.ndarray) -> FloatArray:
        """Probability of bad of every row."""
        return self.scaling.pd(self.score(data))

    def score_record(self, record: Mapping[str, Any]) -> float:
        """Points of one record given as a mapping from feature name to value."""
        total = self.constant
        try:
            for name, fn in self._record:
                total += fn(record[name])
        except KeyError as exc:
            raise FeatureMissing(f"feature {exc.args[0]!r} is missing from the record") from None
        return total

    def pd_record(self, record: Mapping[str, Any]) -> float:
        """Probability of bad of one record."""
        return 1.0 / (1.0 + math.exp((self.score_record(record) - self.scaling.offset)
                                     / self.scaling.factor))
