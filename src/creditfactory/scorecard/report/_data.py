"""Everything a scorecard report shows, computed once and handed to the HTML and Excel writers.

The writers only lay out a :class:`ScorecardReport`; all numbers come from here, so the two
formats always agree. :func:`build_report` takes the card's parts as plain data (binnings,
points per bin, scores) so it serves any card; ``report_for_card`` in ``_report_card.py``
feeds it from a fitted :class:`~creditfactory.scorecard.Scorecard`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import metrics
from creditfactory.scorecard._bins import FeatureBinning

__all__ = ["Characteristic", "ScorecardReport", "build_report"]


@dataclass(frozen=True)
class Characteristic:
    """One feature of the card: its development binning next to what the report data shows.

    ``table`` columns: ``bin``, ``dev_count``, ``dev_event_rate``, ``woe``, ``iv``,
    ``points``, ``count``, ``count_share``, ``bads``, ``bad_rate`` (the last four on the
    report data).
    """

    name: str
    kind: str
    iv: float
    points_range: float
    table: pd.DataFrame


@dataclass(frozen=True)
class ScorecardReport:
    """The numbers of one report: summary, characteristics, gains, distribution, stability."""

    title: str
    summary: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    characteristics: list[Characteristic]
    gains: pd.DataFrame
    distribution: pd.DataFrame
    roc: tuple[np.ndarray, np.ndarray]
    ks_curve: tuple[np.ndarray, np.ndarray, np.ndarray]
    parameters: dict[str, Any]
    psi_table: pd.DataFrame | None = None
    csi_table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def psi(self) -> float | None:
        """The score's PSI against the base sample, if one was given."""
        return None if self.psi_table is None else float(self.psi_table["psi"].sum())


def display_labels(binning: FeatureBinning) -> list[str]:
    """Bin labels for people: numeric cut points to 6 significant digits, not full repr.

    Examples
    --------
    >>> b = FeatureBinning.from_counts("u", "numeric", splits=(0.13419999999999999,),
    ...     count=[1, 1, 0], n_event=[0, 1, 0])
    >>> display_labels(b)
    ['< 0.1342', '≥ 0.1342', 'missing']
    """
    labels = binning.labels()
    if binning.kind != "numeric" or not binning.splits:
        return labels
    cuts = [f"{s:.6g}" for s in binning.splits]
    regular = [f"< {cuts[0]}"]
    regular += [f"[{a}, {b})" for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    regular.append(f"≥ {cuts[-1]}")
    return regular + labels[binning.n_regular :]


def _characteristic(
    binning: FeatureBinning, points: ArrayLike, column: pd.Series, y: np.ndarray
) -> Characteristic:
    pts = np.asarray(points, dtype=np.float64).ravel()
    if pts.size != binning.n_bins:
        raise InvalidArgument(
            f"{binning.name}: {pts.size} points given for {binning.n_bins} bins"
        )
    idx = binning.bin_index(column)
    count = np.bincount(idx, minlength=binning.n_bins)
    bads = np.bincount(idx, weights=y, minlength=binning.n_bins).astype(np.int64)
    dev = binning.table()
    with np.errstate(divide="ignore", invalid="ignore"):
        bad_rate = np.where(count > 0, bads / np.maximum(count, 1), np.nan)
    table = pd.DataFrame(
        {
            "bin": display_labels(binning),
            "dev_count": dev["count"],
            "dev_event_rate": dev["event_rate"],
            "woe": dev["woe"],
            "iv": dev["iv"],
            "points": pts,
            "count": count,
            "count_share": count / max(int(count.sum()), 1),
            "bads": bads,
            "bad_rate": bad_rate,
        }
    )
    used = (binning.count > 0) | (count > 0)
    span = float(np.ptp(pts[used])) if used.any() else 0.0
    return Characteristic(binning.name, binning.kind, float(binning.iv), span, table)


def build_report(
    *,
    binnings: Sequence[FeatureBinning],
    points: Mapping[str, ArrayLike],
    data: pd.DataFrame,
    y: ArrayLike,
    score: ArrayLike,
    parameters: Mapping[str, Any] | None = None,
    base_data: pd.DataFrame | None = None,
    base_score: ArrayLike | None = None,
    title: str = "Scorecard report",
    n_bands: int = 10,
    n_boot: int = 0,
) -> ScorecardReport:
    """Compute every figure of a scorecard report on ``data`` with outcomes ``y``.

    Parameters
    ----------
    binnings : sequence of FeatureBinning
        The card's characteristics, in card order.
    points : mapping of feature name to points per bin
        Same bin order as each binning.
    data : DataFrame
        Holds every characteristic's column.
    y : array-like of {0, 1}
        1 marks a bad.
    score : array-like
        The card's points for every row of ``data`` (higher is safer).
    base_data, base_score : optional
        The development (or any base) sample: adds PSI of the score over the base's score
        bands and CSI of every characteristic over its bins.
    n_boot : int
        Bootstrap replicates for confidence intervals of KS, AUC and divergence (0: none).

    Examples
    --------
    >>> b = FeatureBinning.from_counts("x", "numeric", splits=(0.5,),
    ...     count=[50, 50, 0], n_event=[30, 10, 0])
    >>> df = pd.DataFrame({"x": [0.0, 0.0, 1.0, 1.0]})
    >>> r = build_report(binnings=[b], points={"x": [10, 50, 30]}, data=df,
    ...     y=[1, 0, 0, 0], score=[10, 10, 50, 50])
    >>> round(r.summary["auc"], 4), r.characteristics[0].table["count"].tolist()
    (0.8333, [2, 2, 0])
    """
    yy = np.asarray(y, dtype=np.float64).ravel()
    s = np.asarray(score, dtype=np.float64).ravel()
    if yy.size != len(data) or s.size != len(data):
        raise InvalidArgument(
            f"data has {len(data)} rows but y has {yy.size} and score has {s.size}"
        )
    absent = [b.name for b in binnings if b.name not in data.columns]
    if absent:
        raise InvalidArgument(f"columns missing from the report data: {', '.join(absent)}")
    risk = -s
    summary = {
        "rows": float(s.size),
        "bads": float(yy.sum()),
        "bad_rate": float(yy.mean()),
        "ks": metrics.ks(yy, risk),
        "auc": metrics.auc(yy, risk),
        "gini": metrics.gini(yy, risk),
        "divergence": metrics.divergence(yy, risk),
        "score_mean": float(s.mean()),
        "score_std": float(s.std()),
    }
    intervals: dict[str, tuple[float, float]] = {}
    if n_boot > 0:
        for name, fn in (("ks", metrics.ks), ("auc", metrics.auc), ("divergence", metrics.divergence)):
            ci = metrics.bootstrap_ci(fn, yy, risk, n_boot=n_boot)
            intervals[name] = (ci.low, ci.high)
    chars = [_characteristic(b, points[b.name], data[b.name], yy) for b in binnings]
    psi_tab = csi_tab = None
    if base_score is not None:
        bs = np.asarray(base_score, dtype=np.float64).ravel()
        psi_tab = metrics.psi_table(bs, s, n_bands=n_bands)
        summary["psi"] = float(psi_tab["psi"].sum())
    if base_data is not None:
        absent = [b.name for b in binnings if b.name not in base_data.columns]
        if absent:
            raise InvalidArgument(f"columns missing from the base data: {', '.join(absent)}")
        base_bins = pd.DataFrame({b.name: b.bin_index(base_data[b.name]) for b in binnings})
        new_bins = pd.DataFrame({b.name: b.bin_index(data[b.name]) for b in binnings})
        csi_tab = metrics.csi(base_bins, new_bins)
    edges = None if base_score is None else metrics.score_bands(base_score, n_bands)
    return ScorecardReport(
        title=title,
        summary=summary,
        intervals=intervals,
        characteristics=chars,
        gains=metrics.gains_table(yy, s, n_bands=n_bands, edges=edges),
        distribution=metrics.score_distribution(s, yy, bins=25),
        roc=metrics.roc_curve(yy, risk),
        ks_curve=metrics.ks_curve(yy, s),
        parameters=dict(parameters or {}),
        psi_table=psi_tab,
        csi_table=csi_tab,
    )
