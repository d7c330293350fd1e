"""The compiled scorer: a fitted card as flat lookup tables, for blocks and for one record.

Per numeric feature it keeps the sorted cut points, the points of each bin, the special values
and the missing bin's points; per categorical feature a level -> points dict with an unseen
fallback. A block is scored column by column with ``searchsorted`` / ``factorize`` and array
indexing (a handful of cut points is faster as summed comparisons than as a binary search);
a record (dict) with ``bisect`` on plain Python lists and dict look-ups, so one
record costs a few microseconds and no NumPy call. A block is a DataFrame, a NumPy array or an
Arrow table; scoring an Arrow table does not import pandas.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from creditfactory.scorecard._bins import FeatureBinning, level_key
from creditfactory.scorecard._points import Scaling
from creditfactory.scorecard._stats import FloatArray
from creditfactory.scorecard.errors import FeatureMissing

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["CompiledFeature", "CompiledScorer"]

_COMPARE_MAX = 48  # up to this many cut points, summed comparisons beat a binary search
_CHUNK = 1 << 16  # rows per chunk: a float64 chunk (512 KiB) stays in L2 across the passes


class Levels(NamedTuple):
    """A categorical column as codes into its distinct levels (-1: missing) and the levels."""

    codes: np.ndarray
    uniques: list[Any]


def _loaded(module: str) -> Any:
    """The module if something has imported it (an object cannot be of a module not loaded)."""
    return sys.modules.get(module)


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
    def build(cls, binning: FeatureBinning, points: Sequence[float] | np.ndarray) -> CompiledFeature:
        """Tables for ``binning`` with ``points[k]`` for bin ``k``."""
        specials = tuple((s, binning.n_regular + k) for k, s in enumerate(binning.special_values))
        levels = {lv: i for i, grp in enumerate(binning.categories) for lv in grp}
        levels.update({level_key(s): b for s, b in specials})
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
            out = np.empty(x.shape, dtype=np.intp)
            for start, stop, chunk in self._numeric_chunks(x):
                out[start:stop] = chunk
            return out
        codes, uniques = _levels(values)
        return self._level_bins(uniques)[codes]

    def _level_bins(self, uniques: Any) -> np.ndarray:
        """Bin of every level in ``uniques``, then the missing bin (the bin of code -1)."""
        table = np.fromiter(
            (self.levels.get(level_key(u), self.unseen_bin) for u in uniques),
            dtype=np.intp, count=len(uniques),
        )
        return np.append(table, self.missing_bin)

    def add_points(self, values: Any, total: FloatArray) -> None:
        """Add this feature's points of every value of a column to ``total``, in place."""
        if not self.numeric:
            codes, uniques = _levels(values)
            total += self.points.take(self._level_bins(uniques))[codes]
            return
        buf = np.empty(min(_CHUNK, total.size))
        for start, stop, chunk in self._numeric_chunks(_as_float(values)):
            part = buf[: stop - start]
            np.take(self.points, chunk, out=part)
            total[start:stop] += part

    def _numeric_chunks(self, x: np.ndarray) -> Any:
        """Bins of ``x`` in cache-sized chunks: each cut point is one compare-and-add pass
        over a chunk held in cache, instead of a pass over the whole column in memory."""
        step = min(_CHUNK, max(x.size, 1))
        acc = np.empty(step, dtype=np.uint8)
        hit = np.empty(step, dtype=bool)
        ones = hit.view(np.uint8)  # the same flags as 0/1 bytes: a uint8 add, no cast
        idx = np.empty(step, dtype=np.intp)
        search = self.splits.size > _COMPARE_MAX
        for start in range(0, x.size, step):
            xc = x[start : start + step]
            m = xc.size
            ix, h = idx[:m], hit[:m]
            if search:
                ix[...] = np.searchsorted(self.splits, xc, side="right")
            else:
                ac = acc[:m]
                ac.fill(0)
                for split in self.splits:
                    np.greater_equal(xc, split, out=h)
                    np.add(ac, ones[:m], out=ac)
                ix[...] = ac
            for special, b in self.specials:
                if not isinstance(special, str):
                    np.equal(xc, float(special), out=h)
                    ix[h] = b
            np.isnan(xc, out=h)
            if h.any():
                ix[h] = self.missing_bin
            yield start, start + m, ix

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
            if type(v) is str:
                return lookup.get(v, unseen)
            if v is None or (isinstance(v, float) and v != v) or _is_na(v):
                return miss
            return lookup.get(level_key(v), unseen)

        return categorical


def _levels(values: Any) -> tuple[np.ndarray, Any]:
    """Codes of a categorical column into its distinct levels (-1: missing) and the levels."""
    if isinstance(values, Levels):
        return values.codes, values.uniques
    import pandas as pd

    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    codes, uniques = pd.factorize(
        values if isinstance(values, pd.Series) else np.asarray(values, dtype=object).ravel())
    return np.asarray(codes), uniques


def _is_na(value: Any) -> bool:
    pd = _loaded("pandas")
    return pd is not None and value is pd.NA


def _as_float(values: Any) -> np.ndarray:
    pd = _loaded("pandas")
    if pd is not None and isinstance(values, pd.Series):
        if values.dtype.kind in "fiub":
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    x = np.asarray(values)
    if x.dtype.kind not in "fiub":
        import pandas as pd

        return _as_float(pd.Series(x.ravel()))
    return x.astype(np.float64, copy=False).ravel()


class CompiledScorer:
    """Scores a DataFrame, an Arrow table, a NumPy block or one record with a card's tables.

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
    >>> import pandas as pd, pyarrow as pa
    >>> scorer.score(pa.table({"age": [20, 40, None]})).tolist()
    [10.0, 30.0, 0.0]
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

    def _column(self, data: Any, pos: int, feature: CompiledFeature) -> Any:
        name = feature.name
        pd, pa = _loaded("pandas"), _loaded("pyarrow")
        if pd is not None and isinstance(data, pd.DataFrame):
            if name not in data.columns:
                raise FeatureMissing(f"feature {name!r} is missing from the scoring data")
            return data[name]
        if pa is not None and isinstance(data, pa.Table):
            from creditfactory.scorecard._arrow import arrow_column

            if name not in data.column_names:
                raise FeatureMissing(f"feature {name!r} is missing from the scoring data")
            return arrow_column(data.column(name), feature.numeric)
        arr = np.asarray(data)
        if arr.ndim != 2 or arr.shape[1] != len(self.features):
            raise FeatureMissing(
                f"a block needs {len(self.features)} columns in the card's order {self.names}"
            )
        return arr[:, pos]

    def points_matrix(self, data: pd.DataFrame | pa.Table | np.ndarray) -> FloatArray:
        """Points of every row in every feature (rows x features)."""
        n = len(data)
        out = np.empty((n, len(self.features)))
        for j, f in enumerate(self.features):
            out[:, j] = f.points.take(f.bins(self._column(data, j, f)))
        return out

    def score(self, data: pd.DataFrame | pa.Table | np.ndarray) -> FloatArray:
        """Points of every row (higher is safer)."""
        total = np.full(len(data), self.constant)
        for j, f in enumerate(self.features):
            f.add_points(self._column(data, j, f), total)
        return total

    def shortfall(self, data: pd.DataFrame | pa.Table | np.ndarray) -> FloatArray:
        """Points each row's features (in :attr:`names` order) lose against their best bin."""
        return np.array([f.points.max() for f in self.features]) - self.points_matrix(data)

    def reason_codes(self, data: pd.DataFrame | pa.Table | np.ndarray, n: int = 4) -> pd.DataFrame:
        """Per row, the ``n`` features losing most points against their best bin.

        A feature appears only when it costs points; the other slots hold None.
        """
        import pandas as pd

        short = self.shortfall(data)
        order = np.argsort(-short, axis=1, kind="stable")[:, :n]
        taken = np.take_along_axis(short, order, axis=1)
        names = np.asarray([*self.names, None], dtype=object)
        picked = names[np.where(taken > 1e-12, order, len(self.features))]
        index = data.index if isinstance(data, pd.DataFrame) else None
        out = pd.DataFrame(picked, index=index, dtype=object,
                           columns=[f"reason_{i + 1}" for i in range(picked.shape[1])])
        for i in range(picked.shape[1], n):
            out[f"reason_{i + 1}"] = pd.Series([None] * len(out), index=out.index, dtype=object)
        return out

    def reason_codes_record(self, record: Mapping[str, Any], n: int = 4) -> list[str]:
        """The ``n`` features of one record losing most points against their best bin."""
        short: list[tuple[float, int, str]] = []
        for f, (name, fn) in zip(self.features, self._record, strict=True):
            if name not in record:
                raise FeatureMissing(f"feature {name!r} is missing from the record")
            gap = float(f.points.max()) - fn(record[name])
            if gap > 1e-12:
                short.append((-gap, len(short), name))
        return [name for _, _, name in sorted(short)[:n]]

    def pd(self, data: pd.DataFrame | pa.Table | np.ndarray) -> FloatArray:
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
