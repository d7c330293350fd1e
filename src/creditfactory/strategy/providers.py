"""The seam between the strategy and the models: a score provider.

A provider turns application rows into the score columns the strategy reads
(``a_score``, ``a_pd``, ``challenger_pd``, ``fraud_score``, ``fraud_rule_hits``,
``packaging_score``), for a whole frame (back-tests) or one record (a live decision, whose
fraud assessment the caller made on the live graph and hands in). Missing scores are NaN /
``None``; the strategy decides what a missing score means. Tests use the simple providers
here; the real scorecards and fraud models plug in through ``creditfactory.models.training``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from creditfactory.strategy.fields import SCORE_COLUMNS

if TYPE_CHECKING:
    from creditfactory.fraud.live import Assessment


@runtime_checkable
class ScoreProvider(Protocol):
    """Scores for applications, vectorised and per record, plus the model versions used."""

    def versions(self) -> dict[str, str]: ...

    def score_frame(self, apps: pd.DataFrame) -> pd.DataFrame: ...

    def score_record(self, app: Mapping[str, Any],
                     fraud: Assessment | None = None) -> dict[str, Any]: ...


def empty_scores(n: int, index: pd.Index | None = None) -> pd.DataFrame:
    """A frame of missing scores, one row per application."""
    frame = pd.DataFrame({c: np.full(n, np.nan) for c in SCORE_COLUMNS if c != "fraud_rule_hits"}, index=index)
    frame["fraud_rule_hits"] = ""
    return frame[list(SCORE_COLUMNS)]


class NoScores:
    """No models at all (the policy-only strategy): every score is missing."""

    def versions(self) -> dict[str, str]:
        return {}

    def score_frame(self, apps: pd.DataFrame) -> pd.DataFrame:
        return empty_scores(len(apps), apps.index)

    def score_record(self, app: Mapping[str, Any],
                     fraud: Assessment | None = None) -> dict[str, Any]:
        return {c: ("" if c == "fraud_rule_hits" else None) for c in SCORE_COLUMNS}


class ColumnScores:
    """Scores already present as columns (precomputed, or recorded): read them through."""

    def __init__(self, versions: Mapping[str, str] | None = None):
        self._versions = dict(versions or {})

    def versions(self) -> dict[str, str]:
        return dict(self._versions)

    def score_frame(self, apps: pd.DataFrame) -> pd.DataFrame:
        out = empty_scores(len(apps), apps.index)
        for col in SCORE_COLUMNS:
            if col in apps.columns:
                out[col] = apps[col].to_numpy()
        return out

    def score_record(self, app: Mapping[str, Any],
                     fraud: Assessment | None = None) -> dict[str, Any]:
        return {c: app.get(c, "" if c == "fraud_rule_hits" else None) for c in SCORE_COLUMNS}
