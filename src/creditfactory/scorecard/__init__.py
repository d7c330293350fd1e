"""Scorecards: binning, WoE/IV, selection, fitting, points, compiled scoring, reports."""

from creditfactory.scorecard._binning import Binner
from creditfactory.scorecard._bins import FeatureBinning
from creditfactory.scorecard._bootstrap import BootstrapValidation, bootstrap_validate
from creditfactory.scorecard._compiled import CompiledScorer
from creditfactory.scorecard._contribution import divergence_score, marginal_contributions
from creditfactory.scorecard._export_pmml import pmml_document
from creditfactory.scorecard._export_sql import sql_score_expression, sql_select
from creditfactory.scorecard._model_file import load_card, save_card
from creditfactory.scorecard._scorecard import Scorecard
from creditfactory.scorecard._selection import FeatureSelector
from creditfactory.scorecard._woe import WoETransformer

__all__ = [
    "Binner",
    "BootstrapValidation",
    "CompiledScorer",
    "FeatureBinning",
    "FeatureSelector",
    "Scorecard",
    "WoETransformer",
    "bootstrap_validate",
    "divergence_score",
    "load_card",
    "marginal_contributions",
    "pmml_document",
    "save_card",
    "sql_score_expression",
    "sql_select",
]
