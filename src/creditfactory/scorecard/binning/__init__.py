"""Binning: optimal bins of numeric and categorical features for a binary target, and WoE.

>>> from creditfactory.scorecard.binning import Binner, WoETransformer
"""

from creditfactory.scorecard.binning._binner import Binner
from creditfactory.scorecard.binning._woe import WoETransformer

__all__ = ["Binner", "WoETransformer"]
