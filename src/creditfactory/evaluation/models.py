"""The A-card and reject-inference experiments with the world's truth beside the cards."""

from __future__ import annotations

from typing import Any

import pandas as pd

from creditfactory.models.acard import acard_experiment
from creditfactory.models.reject_experiment import reject_inference_experiment

__all__ = ["CEILING", "NON_FRAUD", "acard_against_truth", "reject_inference_against_truth"]

CEILING = "true pd (ceiling)"
NON_FRAUD = "out-of-time non-fraud"


def true_pd(truth: pd.DataFrame) -> pd.Series:
    """The world's probability of default per application: the ceiling of any model."""
    return truth.set_index("application_id")["pd"]


def acard_against_truth(data: Any, truth: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """:func:`~creditfactory.models.acard.acard_experiment` with the out-of-time sample
    without the fraud rings and impersonators (``NON_FRAUD``) and the true PD (``CEILING``)."""
    fraud = truth.loc[truth["is_fraud"].astype(bool), "application_id"]
    return acard_experiment(data, excluded={NON_FRAUD: fraud.to_numpy()},
                            references={CEILING: true_pd(truth)}, **options)


def reject_inference_against_truth(data: Any, truth: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """:func:`~creditfactory.models.reject_experiment.reject_inference_experiment` with the
    true PD (``CEILING``) as the last row."""
    return reject_inference_experiment(data, references={CEILING: true_pd(truth)}, **options)
