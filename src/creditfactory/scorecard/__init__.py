"""Scorecards: binning, WoE/IV, selection, fitting, points, compiled scoring, reports."""

from creditfactory.scorecard._binning import Binner
from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard._selection import FeatureSelector
from creditfactory.scorecard._woe import WoETransformer

__all__ = [
    "Binner",
    "FeatureBinning",
    "FeatureSelector",
    "WoETransformer",
]
