"""PSI of a score and CSI of its characteristics, month by month, against a development sample.

The bands are the development sample's equal-count bands (``scorecard.metrics.score_bands``,
the scorecard report's own), a categorical characteristic's levels are the development
sample's (values it never held share one ``other`` level), missing values are a band of their
own, and shares are floored at 1e-4 before the logarithm, as in evidently: ``Σ (A% − E%) ·
ln(A% / E%)``. Every month is one ``bincount`` of ``month * bands + band``, so a year of
monthly PSIs over a million loan-months costs one pass. Readings: below 0.1 stable, up to
0.25 watch, above it act (evidently's and the design's thresholds).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from creditfactory.scorecard.metrics import psi_label, score_bands

__all__ = ["FLOOR", "PSI_ACT", "PSI_WATCH", "Bands", "bands_of", "monthly_csi", "monthly_psi",
           "psi_of_shares"]

FLOOR = 1e-4
PSI_WATCH, PSI_ACT = 0.1, 0.25


class Bands:
    """How one characteristic is banded: cut points of a number, or the levels of a label."""

    def __init__(self, cuts: np.ndarray | None = None, levels: np.ndarray | None = None) -> None:
        self.cuts = cuts
        self.levels = levels

    @property
    def size(self) -> int:
        """Bands including the missing band (and ``other`` for labels)."""
        if self.cuts is not None:
            return len(self.cuts) + 2
        assert self.levels is not None
        return len(self.levels) + 2

    def assign(self, values: pd.Series | np.ndarray) -> np.ndarray:
        """Band index of each value; the last band holds the missing values."""
        s = pd.Series(values)
        if self.cuts is not None:
            x = s.to_numpy(np.float64, na_value=np.nan)
            band = np.searchsorted(self.cuts, x, side="right")
            band[np.isnan(x)] = self.size - 1
            return band
        assert self.levels is not None
        codes = pd.Index(self.levels).get_indexer(s.astype(str).to_numpy()).astype(np.int64)
        band = np.where(codes < 0, len(self.levels), codes)
        band[s.isna().to_numpy()] = self.size - 1
        return band

    def labels(self) -> list[str]:
        """Readable band names, in band order."""
        if self.cuts is not None:
            edges = np.r_[-np.inf, self.cuts, np.inf]
            return [f"[{lo:.4g}, {hi:.4g})" for lo, hi in zip(edges[:-1], edges[1:], strict=True)
                    ] + ["missing"]
        assert self.levels is not None
        return [str(v) for v in self.levels] + ["other", "missing"]


def bands_of(reference: pd.Series | np.ndarray, n_bands: int = 10) -> Bands:
    """The development sample's bands: equal-count cuts of a number, the levels of a label."""
    s = pd.Series(reference)
    if s.dtype.kind in "biuf":
        return Bands(cuts=score_bands(s.to_numpy(np.float64, na_value=np.nan), n_bands))
    return Bands(levels=np.asarray(sorted(s.dropna().astype(str).unique()), dtype=object))


def psi_of_shares(expected: np.ndarray, actual: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    """PSI along the last axis of two arrays of shares (each row sums to 1)."""
    e, a = np.maximum(expected, floor), np.maximum(actual, floor)
    return ((a - e) * np.log(a / e)).sum(axis=-1)


def _shares(band: np.ndarray, size: int, group: np.ndarray | None = None, n_groups: int = 1
            ) -> tuple[np.ndarray, np.ndarray]:
    key = band if group is None else group * size + band
    counts = np.bincount(key, minlength=n_groups * size)[:n_groups * size].reshape(n_groups, size)
    n = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return counts / n[:, None], n


def monthly_psi(reference: pd.Series | np.ndarray, values: pd.Series | np.ndarray,
                months: Sequence[str] | np.ndarray | pd.Series, n_bands: int = 10,
                bands: Bands | None = None) -> pd.DataFrame:
    """Per month: its count and the PSI of its ``values`` against ``reference`` (columns
    ``month``, ``n``, ``psi``, ``level``)."""
    b = bands if bands is not None else bands_of(reference, n_bands)
    expected, _ = _shares(b.assign(reference), b.size)
    codes, labels = pd.factorize(months if isinstance(months, pd.Series) else
                                 pd.Series(np.asarray(months)), sort=True)
    actual, n = _shares(b.assign(values), b.size, codes, len(labels))
    value = psi_of_shares(expected, actual)
    return pd.DataFrame({"month": np.asarray(labels).astype(object), "n": n.astype(np.int64),
                         "psi": value, "level": [_level(v) for v in value]})


def monthly_csi(reference: pd.DataFrame, frame: pd.DataFrame,
                months: Sequence[str] | np.ndarray | pd.Series,
                characteristics: Sequence[str], n_bands: int = 10) -> pd.DataFrame:
    """Per characteristic and month, its CSI against the development sample (columns
    ``characteristic``, ``month``, ``n``, ``csi``, ``level``)."""
    frames = []
    for name in characteristics:
        out = monthly_psi(reference[name], frame[name], months, n_bands)
        frames.append(out.rename(columns={"psi": "csi"}).assign(characteristic=name))
    cols = ["characteristic", "month", "n", "csi", "level"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def _level(value: float) -> str:
    """Traffic light of a PSI: green (stable), amber (watch), red (act)."""
    return {"stable": "green", "watch": "amber", "act": "red"}[psi_label(float(value))]
