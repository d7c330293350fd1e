"""The fitted binning of one feature: the contract shared by binning, fitting and scoring.

A :class:`FeatureBinning` is plain data. Binning estimators produce it; the scorecard,
the compiled scorer and the exports read its layout::

    regular bins 0 .. R-1 | one bin per special value | ONE missing bin (always last)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FeatureBinning", "count_at_or_below", "level_key", "woe_from_counts"]


def woe_from_counts(count: np.ndarray, n_event: np.ndarray) -> tuple[np.ndarray, float]:
    """Smoothed, finite WoE per bin and the feature's IV.

    ``woe = ln(share of goods / share of bads)``, computed from each bin's event rate
    clipped to ``[0.5/N, 1 - 0.5/N]`` (N = all rows). Clipping is monotone, so a
    monotone event rate gives a monotone WoE; empty bins and a single-class target
    get WoE 0 (no evidence either way).

    Examples
    --------
    >>> woe, iv = woe_from_counts(np.array([50, 50]), np.array([10, 40]))
    >>> [round(float(w), 3) for w in woe], round(iv, 3)
    ([1.386, -1.386], 1.664)
    """
    count = np.asarray(count, dtype=np.float64)
    n_event = np.asarray(n_event, dtype=np.float64)
    total, bads = float(count.sum()), float(n_event.sum())
    goods = total - bads
    woe = np.zeros(count.shape, dtype=np.float64)
    if bads <= 0.0 or goods <= 0.0:
        return woe, 0.0
    eps = 0.5 / total
    filled = count > 0
    n = count[filled]
    b = np.clip(n_event[filled], eps * n, n - eps * n)
    woe[filled] = np.log(((n - b) * bads) / (b * goods))
    diff = (count - n_event) / goods - n_event / bads
    return woe, float(np.sum(diff * woe))


def count_at_or_below(splits: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``np.searchsorted(splits, x, side="right")`` as int32 (NaN -> 0), several times faster
    for the few dozen sorted cut points of a binning: one vector compare per cut point."""
    if splits.size > 64:
        out = np.searchsorted(splits, x, side="right").astype(np.int32)
        out[np.isnan(x)] = 0
        return out
    acc = np.zeros(x.shape, dtype=np.uint8)
    hit = np.empty(x.shape, dtype=bool)
    for s in splits:
        np.greater_equal(x, s, out=hit)
        np.add(acc, hit, out=acc, casting="unsafe")
    return acc.astype(np.int32)


def _encode_float(x: float) -> float | str:
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    return x


def _decode_float(x: float | str) -> float:
    return float(x)


def _fmt(x: float) -> str:
    return repr(float(x))


@dataclass(frozen=True, eq=False)
class FeatureBinning:
    """How one feature is cut into bins, with the counts and WoE seen in fit.

    Parameters
    ----------
    name : str
        Feature (column) name.
    kind : {"numeric", "categorical"}
        Numeric features are cut at ``splits``; categorical ones grouped by ``categories``.
    splits : tuple of float
        Numeric: regular bin ``i`` covers ``[splits[i-1], splits[i])`` with ``-inf`` and
        ``+inf`` at the ends (``+inf`` itself falls in the last bin); ``len(splits) + 1``
        regular bins. Empty for categorical features.
    categories : tuple of tuple of str
        Categorical: the levels (as ``str``) of each regular bin. Empty for numeric.
    special_values : tuple of float or str
        Each special value has its own bin right after the regular bins.
    unseen_bin : int
        Categorical: the bin for levels never seen in fit -- the group holding the merged
        rare levels if there is one (unseen levels are rarer still), else the most populous
        regular bin, else the missing bin. Numeric: equals ``missing_bin`` (unused).
    count, n_event : ndarray of int64, length ``n_bins``
        Rows and events (event = bad) per bin in the fitting data.
    woe : ndarray of float64, length ``n_bins``
        ``ln(share of goods / share of bads)``: positive is safer. Smoothed, always finite.
    iv : float
        Information value of the binning.
    monotonic_trend : str or None
        The event-rate shape the regular bins were fitted under (``"ascending"``,
        ``"descending"``, ``"peak"``, ``"valley"``) or None if unconstrained.

    Examples
    --------
    >>> b = FeatureBinning.from_counts("age", "numeric", splits=(30.0, 50.0),
    ...     count=[40, 30, 30, 0], n_event=[8, 3, 1, 0], special_values=())
    >>> b.labels()
    ['[-inf, 30.0)', '[30.0, 50.0)', '[50.0, inf)', 'missing']
    >>> b.bin_index(np.array([18, 30, 77, np.nan])).tolist()
    [0, 1, 2, 3]
    """

    name: str
    kind: Literal["numeric", "categorical"]
    splits: tuple[float, ...]
    categories: tuple[tuple[str, ...], ...]
    special_values: tuple[float | str, ...]
    unseen_bin: int
    count: np.ndarray
    n_event: np.ndarray
    woe: np.ndarray
    iv: float
    monotonic_trend: str | None

    @classmethod
    def from_counts(
        cls,
        name: str,
        kind: Literal["numeric", "categorical"],
        *,
        count: Any,
        n_event: Any,
        splits: tuple[float, ...] = (),
        categories: tuple[tuple[str, ...], ...] = (),
        special_values: tuple[float | str, ...] = (),
        unseen_bin: int | None = None,
        monotonic_trend: str | None = None,
    ) -> FeatureBinning:
        """Build a binning from its layout and per-bin counts, deriving WoE and IV."""
        count_a = np.asarray(count, dtype=np.int64)
        event_a = np.asarray(n_event, dtype=np.int64)
        woe, iv = woe_from_counts(count_a, event_a)
        n_regular = len(splits) + 1 if kind == "numeric" else len(categories)
        missing = n_regular + len(special_values)
        if count_a.shape != (missing + 1,) or event_a.shape != count_a.shape:
            raise ValueError(f"{name}: expected {missing + 1} bin counts, got {count_a.shape}")
        if unseen_bin is None:
            unseen_bin = missing
            if kind == "categorical" and n_regular:
                unseen_bin = int(np.argmax(count_a[:n_regular]))
        return cls(
            name=name, kind=kind, splits=tuple(float(s) for s in splits),
            categories=tuple(tuple(level_key(v) for v in c) for c in categories),
            special_values=tuple(special_values), unseen_bin=int(unseen_bin),
            count=count_a, n_event=event_a, woe=woe, iv=iv, monotonic_trend=monotonic_trend,
        )

    @property
    def n_regular(self) -> int:
        """Number of regular bins (before the special and missing bins)."""
        return len(self.splits) + 1 if self.kind == "numeric" else len(self.categories)

    @property
    def n_bins(self) -> int:
        """All bins: regular, one per special value, and the missing bin."""
        return self.n_regular + len(self.special_values) + 1

    @property
    def missing_bin(self) -> int:
        """Index of the missing bin (always the last)."""
        return self.n_bins - 1

    def bin_index(self, values: np.ndarray | pd.Series) -> np.ndarray:
        """Bin of every value (int32): missing -> ``missing_bin``, specials -> their bins."""
        if self.kind == "numeric":
            return self._numeric_index(values)
        return self._categorical_index(values)

    def _numeric_index(self, values: np.ndarray | pd.Series) -> np.ndarray:
        import pandas as pd

        if isinstance(values, pd.Series | pd.Index):
            x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            x = np.asarray(values)
            if x.dtype.kind not in "fiub":
                x = pd.to_numeric(pd.Series(x.ravel()), errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan)
            x = x.astype(np.float64, copy=False).ravel()
        out = count_at_or_below(np.asarray(self.splits, dtype=np.float64), x)
        for k, special in enumerate(self.special_values):
            if not isinstance(special, str):
                out[x == float(special)] = self.n_regular + k
        out[np.isnan(x)] = self.missing_bin
        return out

    def _categorical_index(self, values: np.ndarray | pd.Series) -> np.ndarray:
        import pandas as pd

        codes, uniques = pd.factorize(np.asarray(values, dtype=object).ravel()
                                      if not isinstance(values, pd.Series) else values,
                                      use_na_sentinel=True)
        lookup = {level: i for i, group in enumerate(self.categories) for level in group}
        for k, special in enumerate(self.special_values):
            lookup[level_key(special)] = self.n_regular + k
        table = np.array([lookup.get(level_key(u), self.unseen_bin) for u in uniques]
                         + [self.missing_bin], dtype=np.int32)
        return table[np.asarray(codes)]

    def labels(self) -> list[str]:
        """Human labels of every bin, in bin order."""
        if self.kind == "numeric":
            edges = [-math.inf, *self.splits, math.inf]
            regular = [f"[{_fmt(a)}, {_fmt(b)})" for a, b in zip(edges[:-1], edges[1:], strict=True)]
        else:
            regular = ["{" + ", ".join(group) + "}" for group in self.categories]
        specials = [f"special {level_key(s)}" for s in self.special_values]
        return [*regular, *specials, "missing"]

    def table(self) -> pd.DataFrame:
        """The binning table: bin, count, count_share, goods, bads, event_rate, woe, iv."""
        import pandas as pd

        count = self.count.astype(np.float64)
        bads = self.n_event.astype(np.float64)
        goods = count - bads
        total_g, total_b = goods.sum(), bads.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(count > 0, bads / np.where(count > 0, count, 1), np.nan)
            g_share = goods / total_g if total_g > 0 else np.zeros_like(goods)
            b_share = bads / total_b if total_b > 0 else np.zeros_like(bads)
        return pd.DataFrame({
            "bin": self.labels(),
            "count": self.count,
            "count_share": count / max(count.sum(), 1.0),
            "goods": (self.count - self.n_event),
            "bads": self.n_event,
            "event_rate": rate,
            "woe": self.woe,
            "iv": (g_share - b_share) * self.woe,
        })

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; ``from_dict(to_dict())`` reproduces every field exactly."""
        return {
            "name": self.name,
            "kind": self.kind,
            "splits": [_encode_float(s) for s in self.splits],
            "categories": [list(c) for c in self.categories],
            "special_values": [
                {"str": s} if isinstance(s, str) else {"float": _encode_float(s)}
                for s in self.special_values
            ],
            "unseen_bin": self.unseen_bin,
            "count": [int(c) for c in self.count],
            "n_event": [int(c) for c in self.n_event],
            "woe": [_encode_float(w) for w in self.woe],
            "iv": _encode_float(self.iv),
            "monotonic_trend": self.monotonic_trend,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureBinning:
        """Inverse of :meth:`to_dict`."""
        specials: list[float | str] = [
            s["str"] if "str" in s else _decode_float(s["float"]) for s in d["special_values"]
        ]
        return cls(
            name=str(d["name"]), kind=d["kind"],
            splits=tuple(_decode_float(s) for s in d["splits"]),
            categories=tuple(tuple(str(v) for v in c) for c in d["categories"]),
            special_values=tuple(specials), unseen_bin=int(d["unseen_bin"]),
            count=np.asarray(d["count"], dtype=np.int64).reshape(-1),
            n_event=np.asarray(d["n_event"], dtype=np.int64).reshape(-1),
            woe=np.asarray([_decode_float(w) for w in d["woe"]], dtype=np.float64).reshape(-1),
            iv=_decode_float(d["iv"]), monotonic_trend=d["monotonic_trend"],
        )


def level_key(value: object) -> str:
    """The string form a categorical level is matched by (``1.0`` and ``"1.0"`` agree)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
