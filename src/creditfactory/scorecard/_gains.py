"""Score bands, the gains (lift) table and the score distribution of a scored sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from creditfactory.errors import InvalidArgument

__all__ = ["assign_bands", "gains_table", "score_bands", "score_distribution"]


def score_bands(score: ArrayLike, n_bands: int = 10) -> NDArray[np.float64]:
    """Interior cut points that split ``score`` into about ``n_bands`` equal-count bands.

    Band ``i`` is ``[edges[i-1], edges[i])``; the outer bands are open. Cut points that
    coincide (heavy ties) are merged, so fewer bands may come back.

    Examples
    --------
    >>> score_bands(np.arange(8.0), n_bands=4).tolist()
    [1.75, 3.5, 5.25]
    >>> score_bands([1.0, 1.0, 1.0, 2.0], n_bands=4).tolist()
    [1.25]
    """
    if n_bands < 1:
        raise InvalidArgument(f"n_bands must be at least 1, got {n_bands}")
    s = np.asarray(score, dtype=np.float64).ravel()
    s = s[np.isfinite(s)]
    if s.size == 0 or n_bands == 1:
        return np.empty(0)
    cuts = np.unique(np.quantile(s, np.arange(1, n_bands) / n_bands))
    return cuts[cuts > s.min()]


def assign_bands(score: ArrayLike, edges: ArrayLike) -> NDArray[np.intp]:
    """Band index ``0..len(edges)`` of every score; missing scores get ``len(edges) + 1``.

    Examples
    --------
    >>> assign_bands([0.5, 1.0, 2.5, np.nan], [1.0, 2.0]).tolist()
    [0, 1, 2, 3]
    """
    s = np.asarray(score, dtype=np.float64).ravel()
    e = np.asarray(edges, dtype=np.float64).ravel()
    band = np.searchsorted(e, s, side="right")
    band[np.isnan(s)] = e.size + 1
    return band


def gains_table(
    y_true: ArrayLike,
    score: ArrayLike,
    *,
    n_bands: int = 10,
    edges: ArrayLike | None = None,
    higher_is_safer: bool = True,
) -> pd.DataFrame:
    """Gains/lift table: bands from the riskiest to the safest with their capture of bads.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        1 marks a bad.
    score : array-like of float
        Points (higher is safer) unless ``higher_is_safer=False`` (e.g. a PD).
    n_bands : int
        Equal-count bands cut on this sample, unless ``edges`` are given.
    edges : array-like, optional
        Fixed interior cut points (e.g. the development sample's), for monitoring.

    Returns
    -------
    DataFrame
        One row per band: ``band`` (1 = riskiest), ``score_min``, ``score_max``, ``count``,
        ``goods``, ``bads``, ``bad_rate``, ``pct_count``, ``cum_pct_count``, ``cum_bads``,
        ``cum_bad_capture``, ``cum_good_share``, ``ks``, ``lift``, ``cum_bad_rate``,
        ``cum_lift``.

    Examples
    --------
    >>> t = gains_table([1, 1, 0, 1, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7, 8], n_bands=2)
    >>> t[["band", "count", "bads", "cum_bad_capture", "lift"]].to_dict("list")
    {'band': [1, 2], 'count': [4, 4], 'bads': [3, 0], 'cum_bad_capture': [1.0, 1.0], 'lift': [2.0, 0.0]}
    """
    y = np.asarray(y_true, dtype=np.float64).ravel()
    s = np.asarray(score, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise InvalidArgument(f"y_true has {y.size} values but score has {s.size}")
    if s.size == 0 or not np.all(np.isfinite(s)):
        raise InvalidArgument("score must be a non-empty array of finite values")
    if not np.all((y == 0) | (y == 1)):
        raise InvalidArgument("y_true must hold only 0 (good) and 1 (bad)")
    cuts = score_bands(s, n_bands) if edges is None else np.sort(np.asarray(edges, np.float64))
    band = assign_bands(s, cuts)
    frame = pd.DataFrame({"band": band, "score": s, "bad": y})
    grouped = frame.groupby("band").agg(
        score_min=("score", "min"),
        score_max=("score", "max"),
        count=("bad", "size"),
        bads=("bad", "sum"),
    )
    table = grouped.reindex(np.arange(cuts.size + 1))
    table["count"] = table["count"].fillna(0).astype(np.int64)
    table["bads"] = table["bads"].fillna(0).astype(np.int64)
    if not higher_is_safer:
        table = table.iloc[::-1]
    table = table.reset_index(drop=True)
    table.insert(0, "band", np.arange(1, len(table) + 1))
    table.insert(4, "goods", table["count"] - table["bads"])
    total, total_bads = table["count"].sum(), table["bads"].sum()
    total_goods = total - total_bads
    overall_rate = total_bads / total
    with np.errstate(divide="ignore", invalid="ignore"):
        table["bad_rate"] = table["bads"] / table["count"]
        table["pct_count"] = table["count"] / total
        table["cum_pct_count"] = table["count"].cumsum() / total
        table["cum_bads"] = table["bads"].cumsum()
        table["cum_bad_capture"] = table["cum_bads"] / total_bads if total_bads else np.nan
        cum_goods = table["goods"].cumsum()
        table["cum_good_share"] = cum_goods / total_goods if total_goods else np.nan
        table["ks"] = (table["cum_bad_capture"] - table["cum_good_share"]).abs()
        table["lift"] = table["bad_rate"] / overall_rate if total_bads else np.nan
        table["cum_bad_rate"] = table["cum_bads"] / table["count"].cumsum()
        table["cum_lift"] = table["cum_bad_rate"] / overall_rate if total_bads else np.nan
    return table


def score_distribution(
    score: ArrayLike, y_true: ArrayLike | None = None, *, bins: int = 20
) -> pd.DataFrame:
    """Histogram of the score over ``bins`` equal-width bins, split into goods and bads.

    Examples
    --------
    >>> d = score_distribution([1, 2, 3, 4], [0, 1, 0, 0], bins=2)
    >>> d[["left", "right", "count", "bads"]].to_dict("list")
    {'left': [1.0, 2.5], 'right': [2.5, 4.0], 'count': [2, 2], 'bads': [1, 0]}
    """
    s = np.asarray(score, dtype=np.float64).ravel()
    if s.size == 0 or not np.all(np.isfinite(s)):
        raise InvalidArgument("score must be a non-empty array of finite values")
    if bins < 1:
        raise InvalidArgument(f"bins must be at least 1, got {bins}")
    edges = np.histogram_bin_edges(s, bins=bins)
    idx = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, bins - 1)
    count = np.bincount(idx, minlength=bins)
    out = pd.DataFrame({"left": edges[:-1], "right": edges[1:], "count": count})
    out["share"] = count / s.size
    if y_true is not None:
        y = np.asarray(y_true, dtype=np.float64).ravel()
        if y.shape != s.shape:
            raise InvalidArgument(f"y_true has {y.size} values but score has {s.size}")
        bads = np.bincount(idx, weights=y, minlength=bins).astype(np.int64)
        out["goods"] = count - bads
        out["bads"] = bads
    return out
