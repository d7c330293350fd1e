"""The B-card's scorecard, one per segment: loans current and loans in arrears.

A behaviour card is customarily split by delinquency status: a loan already behind is a
different population (its bad rate is tens of times higher, its risk read from how far
behind it is), and in a book where under 2 % of loan-months are in arrears the toolkit's
binning cannot give DPD a bin of its own (each bin holds at least 5 % of the rows), so one
card over both would lose the strongest feature. Each segment's card is a toolkit
:class:`~creditfactory.scorecard.Scorecard` on the same points scale, so their scores and PDs
rank together. A segment without goods and bads to learn from falls back to one card for all.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SEGMENTS", "SegmentedCard", "segment_of"]

SEGMENTS = ("current", "arrears")


def segment_of(x: pd.DataFrame) -> np.ndarray:
    """Each row's segment: ``current`` (0 DPD) or ``arrears``."""
    return np.where(x["dpd"].to_numpy(float) > 0, SEGMENTS[1], SEGMENTS[0])


class SegmentedCard:
    """Fitted toolkit cards by segment (``cards``: segment -> card, or ``{"all": card}``)."""

    def __init__(self, cards: dict[str, Any]) -> None:
        self.cards = cards
        self.features_ = sorted({f for c in cards.values() for f in c.features_})

    @classmethod
    def fit(cls, x: pd.DataFrame, y: np.ndarray, **card_params: Any) -> SegmentedCard:
        """One card per segment with ``card_params`` (one for all when a segment has a single class)."""
        from creditfactory.scorecard import Scorecard

        seg = segment_of(x)
        if all(len(np.unique(y[seg == s])) == 2 for s in SEGMENTS):
            return cls({s: Scorecard(**card_params).fit(x[seg == s], y[seg == s]) for s in SEGMENTS})
        return cls({"all": Scorecard(**card_params).fit(x, y)})

    def _each(self, x: pd.DataFrame, fn: Any, out: Any) -> Any:
        seg = np.full(len(x), "all", dtype=object) if "all" in self.cards else segment_of(x)
        for name, card in self.cards.items():
            rows = np.flatnonzero(seg == name)
            if len(rows):
                out[rows] = fn(card, x.iloc[rows])
        return out

    def points(self, x: pd.DataFrame) -> np.ndarray:
        return np.asarray(self._each(x, lambda c, part: c.points(part), np.zeros(len(x))), float)

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        return np.asarray(self._each(x, lambda c, part: c.predict_proba(part), np.zeros((len(x), 2))))

    def reason_codes(self, x: pd.DataFrame, n: int) -> np.ndarray:
        return np.asarray(self._each(
            x, lambda c, part: c.reason_codes(part, n).to_numpy(object), np.empty((len(x), n), object)))

    def to_dict(self) -> dict[str, Any]:
        from creditfactory.scorecard import card_to_dict

        return {name: card_to_dict(card) for name, card in self.cards.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentedCard:
        from creditfactory.scorecard import card_from_dict

        return cls({name: card_from_dict(d) for name, d in data.items()})
