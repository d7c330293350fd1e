"""The channel packaging score the strategy reads: the fraud package's channel scorecard.

The card (``creditfactory.fraud.packaging``, the one ``creditfactory fraud scan`` trains) learns
on snapshots of the history before the maturity cut ``as_of`` which channels' applications
become credit early defaults (known bads from the performance observed before ``as_of``;
first-payment defaults, the fraud engine's job, left out), and scores each channel as of
``as_of``. The strategy reads the rank of a
channel's predicted rate among the development channels' rates (0-1, higher = more packaging
risk), so its weights and haircuts keep their meaning whatever the rates' scale. Verification
findings recorded later re-score the channels (:meth:`ChannelModel.lookup`) against the same
ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditfactory.fraud.identity import applied_seconds
from creditfactory.fraud.labels import NEVER, known_bad_times
from creditfactory.fraud.packaging import (
    ChannelFrame,
    channel_features,
    channel_rates,
    findings_features,
    fit_and_score,
)
from creditfactory.scorecard import Scorecard

__all__ = ["ChannelModel", "train_channel_model"]


@dataclass(frozen=True)
class ChannelModel:
    """The fitted channel card (``None`` without goods and bads to learn from, then every
    channel gets ``fallback``), the channels' features as of the end of the development
    period with the population's shares ``base``, and the sorted development channel rates
    ``ranks`` that turn a rate into a 0-1 score."""

    card: Scorecard | None
    features: pd.DataFrame
    base: dict[str, float]
    ranks: np.ndarray
    fallback: float

    def rank(self, rates: np.ndarray) -> np.ndarray:
        """0-1 scores: the mid-rank of each rate among the development channels' rates."""
        r = _steady(rates)
        lo = np.searchsorted(self.ranks, r, side="left")
        hi = np.searchsorted(self.ranks, r, side="right")
        return np.asarray((lo + hi) / (2.0 * max(len(self.ranks), 1)))

    def lookup(self, findings: pd.DataFrame | None = None) -> tuple[dict[str, float], float]:
        """Score by channel and the score of a channel without history; with per-application
        ``findings`` (``channel_id`` and columns among ``creditfactory.fraud.packaging.FINDINGS``),
        channels are re-scored with their findings shares (a channel known only from
        findings starts from the population's features). A channel without history gets
        the median development channel's score."""
        feats = self.features
        found = f_base = None
        if findings is not None and len(findings):
            index = feats.index.union(pd.Index(findings["channel_id"].astype(str).unique()))
            feats = feats.reindex(index)
            found, f_base = findings_features(findings, index)
        rates = channel_rates(self.card, feats, self.base, self.fallback, found, f_base)
        scores = self.rank(rates)
        default = float(np.median(self.rank(self.ranks))) if len(self.ranks) else 0.5
        return {str(c): float(s) for c, s in zip(feats.index, scores, strict=True)}, default


def train_channel_model(apps: pd.DataFrame, perf: pd.DataFrame, history: np.ndarray,
                        ring_member: np.ndarray, as_of: pd.Timestamp) -> ChannelModel:
    """Fit the channel card on the applications ``apps[history]`` (applied before ``as_of``)
    with the bads known from ``perf`` before ``as_of``, and score the channels as of
    ``as_of``; ``ring_member`` marks applications the fraud rules flag."""
    d = apps[history].reset_index(drop=True)
    t = applied_seconds(d["applied_at"])
    ids = d["application_id"].to_numpy(np.int64)
    cut = int(pd.Timestamp(as_of).timestamp())
    fraud = known_bad_times(perf, ids, early_default_mob=None, as_of=cut) < NEVER
    bad = known_bad_times(perf, ids, as_of=cut)
    money = d.assign(amount=d["amount"].astype(float),
                     declared_monthly_revenue=d["declared_monthly_revenue"].astype(float))
    booked = np.isin(ids, perf["application_id"].to_numpy(np.int64))
    frame = ChannelFrame.from_applications(money, t, np.where(fraud, NEVER, bad),
                                           np.asarray(ring_member)[history], fraud, booked=booked)
    _, card, summary = fit_and_score(frame, cut, cut, outcome_months=6, label_lag_months=5,
                                     step_months=1, first_months=3)
    feats, base = channel_features(frame, cut)
    fallback = summary["channel_training_bads"] / max(summary["channel_training_rows"], 1.0)
    rates = channel_rates(card, feats, base, fallback)
    return ChannelModel(card, feats, base, np.sort(_steady(rates)), fallback)


def _steady(rates: np.ndarray) -> np.ndarray:
    """Rates to 12 decimals: equal channels stay tied whatever batch they are scored in."""
    return np.round(np.asarray(rates, float), 12)
