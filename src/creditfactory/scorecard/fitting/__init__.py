"""Fitting a card's bin weights: logistic regression on WoE or divergence under constraints.

``fit_card`` turns the chosen features' bin indices into log-odds weights per bin;
``choose_penalty`` picks the divergence ridge by cross-validation on fold statistics;
``bootstrap_validate`` refits an estimator on bootstrap resamples for confidence intervals.

>>> from creditfactory.scorecard.fitting import FitOptions, fit_card
"""

from creditfactory.scorecard.fitting._bootstrap import BootstrapValidation, bootstrap_validate
from creditfactory.scorecard.fitting._card import (
    CardWeights,
    FitOptions,
    bagged_card,
    block_specs,
    calibrate,
    fit_card,
)
from creditfactory.scorecard.fitting._divergence import (
    BinRef,
    BlockSpec,
    Engineering,
    fit_divergence,
    monotone_directions,
)
from creditfactory.scorecard.fitting._logistic import LogisticFit, fit_logistic
from creditfactory.scorecard.fitting._penalty_cv import PENALTY_GRID, choose_penalty

__all__ = [
    "PENALTY_GRID",
    "BinRef",
    "BlockSpec",
    "BootstrapValidation",
    "CardWeights",
    "Engineering",
    "FitOptions",
    "LogisticFit",
    "bagged_card",
    "block_specs",
    "bootstrap_validate",
    "calibrate",
    "choose_penalty",
    "fit_card",
    "fit_divergence",
    "fit_logistic",
    "monotone_directions",
]
