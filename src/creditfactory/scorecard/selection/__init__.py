"""Feature selection: IV, correlation and VIF filters, stepwise by AIC/AUC/divergence.

``stepwise_select`` and ``marginal_contributions`` work on the bin-indicator statistics
alone; ``FeatureSelector`` is the scikit-learn selector on WoE columns.

``FeatureSelector`` (and scikit-learn's feature-selection module under it) loads on first
use, so a Scorecard that selects by contribution does not import it.

>>> from creditfactory.scorecard.selection import FeatureSelector, divergence_score
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from creditfactory.scorecard.selection._contribution import (
    SelectionStep,
    divergence_score,
    marginal_contributions,
    optimal_divergence,
    stepwise_select,
)

if TYPE_CHECKING:
    from creditfactory.scorecard.selection._selector import FeatureSelector

__all__ = [
    "FeatureSelector",
    "SelectionStep",
    "divergence_score",
    "marginal_contributions",
    "optimal_divergence",
    "stepwise_select",
]


def __getattr__(name: str) -> Any:
    if name == "FeatureSelector":
        from creditfactory.scorecard.selection._selector import FeatureSelector

        return FeatureSelector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
