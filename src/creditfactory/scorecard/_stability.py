"""Population and characteristic stability: PSI of a score, CSI of binned features."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard._gains import assign_bands, score_bands

__all__ = ["csi", "psi", "psi_label", "psi_table"]

DEFAULT_FLOOR = 1e-4


def psi_label(value: float) -> str:
    """The customary reading of a PSI: ``stable`` < 0.1 ≤ ``watch`` ≤ 0.25 < ``act``.

    Examples
    --------
    >>> psi_label(0.02), psi_label(0.1), psi_label(0.3)
    ('stable', 'watch', 'act')
    """
    if value < 0.1:
        return "stable"
    return "watch" if value <= 0.25 else "act"


def _contributions(
    expected_counts: NDArray[np.float64], actual_counts: NDArray[np.float64], floor: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    if floor <= 0:
        raise InvalidArgument(f"floor must be positive, got {floor}")
    if expected_counts.sum() <= 0 or actual_counts.sum() <= 0:
        raise InvalidArgument("both samples must hold at least one value")
    e = expected_counts / expected_counts.sum()
    a = actual_counts / actual_counts.sum()
    ef, af = np.maximum(e, floor), np.maximum(a, floor)
    return e, a, (af - ef) * np.log(af / ef)


def psi_table(
    expected: ArrayLike,
    actual: ArrayLike,
    *,
    n_bands: int = 10,
    edges: ArrayLike | None = None,
    floor: float = DEFAULT_FLOOR,
) -> pd.DataFrame:
    """Band-by-band PSI of ``actual`` against ``expected`` (the base sample).

    Bands are the base sample's equal-count bands unless ``edges`` are given; missing
    values form their own band. Shares are floored at ``floor`` before the logarithm, so an
    empty band adds a finite amount.

    Returns
    -------
    DataFrame
        ``band``, ``lower``, ``upper``, ``expected_count``, ``actual_count``,
        ``expected_pct``, ``actual_pct``, ``psi`` (the band's contribution).

    Examples
    --------
    >>> t = psi_table([1, 2, 3, 4], [1, 1, 1, 4], n_bands=2)
    >>> t[["expected_pct", "actual_pct"]].to_dict("list")
    {'expected_pct': [0.5, 0.5], 'actual_pct': [0.75, 0.25]}
    >>> round(float(t["psi"].sum()), 4)
    0.2747
    """
    e = np.asarray(expected, dtype=np.float64).ravel()
    a = np.asarray(actual, dtype=np.float64).ravel()
    cuts = score_bands(e, n_bands) if edges is None else np.sort(np.asarray(edges, np.float64))
    k = cuts.size + 2
    e_counts = np.bincount(assign_bands(e, cuts), minlength=k).astype(np.float64)
    a_counts = np.bincount(assign_bands(a, cuts), minlength=k).astype(np.float64)
    keep = np.ones(k, dtype=bool)
    keep[-1] = e_counts[-1] + a_counts[-1] > 0
    e_counts, a_counts = e_counts[keep], a_counts[keep]
    e_pct, a_pct, contrib = _contributions(e_counts, a_counts, floor)
    lower = np.r_[-np.inf, cuts, np.nan][keep]
    upper = np.r_[cuts, np.inf, np.nan][keep]
    band = [str(i + 1) for i in range(cuts.size + 1)] + (["missing"] if keep[-1] else [])
    return pd.DataFrame(
        {
            "band": band,
            "lower": lower,
            "upper": upper,
            "expected_count": e_counts.astype(np.int64),
            "actual_count": a_counts.astype(np.int64),
            "expected_pct": e_pct,
            "actual_pct": a_pct,
            "psi": contrib,
        }
    )


def psi(
    expected: ArrayLike,
    actual: ArrayLike,
    *,
    n_bands: int = 10,
    edges: ArrayLike | None = None,
    floor: float = DEFAULT_FLOOR,
) -> float:
    """Population stability index ``Σ (A% − E%)·ln(A% / E%)`` over the base sample's bands.

    Always ≥ 0, and 0 when both samples fall into the bands in the same shares.

    Examples
    --------
    >>> psi([1, 2, 3, 4], [1, 2, 3, 4], n_bands=2)
    0.0
    >>> round(psi([1, 2, 3, 4], [1, 1, 1, 4], n_bands=2), 4)
    0.2747
    """
    table = psi_table(expected, actual, n_bands=n_bands, edges=edges, floor=floor)
    return float(table["psi"].sum())


def csi(
    expected: pd.DataFrame,
    actual: pd.DataFrame,
    *,
    features: list[str] | None = None,
    floor: float = DEFAULT_FLOOR,
) -> pd.DataFrame:
    """Characteristic stability index of each binned feature (bin labels, indices or WoE).

    Each column is read as discrete: the levels are the union of both samples' values,
    missing values included as a level of their own.

    Returns
    -------
    DataFrame
        ``feature``, ``n_bins``, ``csi``, ``label``, sorted by ``csi`` descending.

    Examples
    --------
    >>> base = pd.DataFrame({"x": ["a", "a", "b", "b"], "y": [0, 1, 0, 1]})
    >>> new = pd.DataFrame({"x": ["a", "a", "a", "b"], "y": [0, 1, 0, 1]})
    >>> out = csi(base, new)
    >>> out["feature"].tolist(), out["label"].tolist()
    (['x', 'y'], ['act', 'stable'])
    """
    names = list(expected.columns) if features is None else list(features)
    missing = [f for f in names if f not in expected.columns or f not in actual.columns]
    if missing:
        raise InvalidArgument(f"features absent from one of the samples: {', '.join(missing)}")
    rows = []
    for name in names:
        e_counts = expected[name].value_counts(dropna=False)
        a_counts = actual[name].value_counts(dropna=False)
        levels = e_counts.index.union(a_counts.index)
        e = np.asarray(e_counts.reindex(levels, fill_value=0), dtype=np.float64)
        a = np.asarray(a_counts.reindex(levels, fill_value=0), dtype=np.float64)
        value = float(_contributions(e, a, floor)[2].sum())
        rows.append({"feature": name, "n_bins": len(levels), "csi": value})
    out = pd.DataFrame(rows, columns=["feature", "n_bins", "csi"])
    out["label"] = [psi_label(v) for v in out["csi"]]
    return out.sort_values("csi", ascending=False, kind="mergesort").reset_index(drop=True)
