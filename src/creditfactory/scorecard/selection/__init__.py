"""Feature selection: IV, correlation and VIF filters, stepwise by AIC/AUC/divergence.

``stepwise_select`` and ``marginal_contributions`` work on the bin-indicator statistics
alone; ``FeatureSelector`` is the scikit-learn selector on WoE columns.

>>> from creditfactory.scorecard.selection import FeatureSelector, divergence_score
"""

from creditfactory.scorecard.selection._contribution import (
    SelectionStep,
    divergence_score,
    marginal_contributions,
    optimal_divergence,
    stepwise_select,
)
from creditfactory.scorecard.selection._selector import FeatureSelector

__all__ = [
    "FeatureSelector",
    "SelectionStep",
    "divergence_score",
    "marginal_contributions",
    "optimal_divergence",
    "stepwise_select",
]
