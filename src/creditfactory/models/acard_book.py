"""A challenger A-card refitted on the lender's own book, with reject inference.

The champion A-card learnt on the history the platform started with. Once the book has
matured outcomes of its own, a challenger is fitted on them with the platform's scorecard
toolkit (``Scorecard``, logistic, the champion's information-value floor): the booked loans
whose 12-month window closed (bad = more than 90 DPD within 12 months on book), fraud-like
loans left out as the champion leaves them out (catching them is the fraud engine's job), and
the applications the platform declined in the same months added by reject inference
(``scorecard.reject_inference``: parcelling by default, the declined taken as
``reject_bad_factor`` times as risky as the accepted card says, since they were declined for a
reason). As in ``models.reject_experiment``, the augmented card keeps the bins and WoE fitted
on the booked loans and refits only its weights with the sample weights.

Whether it replaces the champion is not decided here: ``monitoring.learning`` holds the rule.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from creditfactory.errors import InvalidArgument
from creditfactory.models.acard import DEFAULT_CARD
from creditfactory.models.features import CardFeatures
from creditfactory.scorecard.reject_inference import FixedBinner, RejectInference

__all__ = ["BookChallenger", "fit_book_challenger"]


@dataclass
class BookChallenger:
    """The fitted challenger and what it learnt from."""

    card: Any
    features: CardFeatures
    version: str
    booked_rows: int
    booked_bads: int
    rejected_rows: int
    method: str

    def predict_pd(self, apps: pd.DataFrame) -> np.ndarray:
        """PD of more than 90 DPD within 12 months on book for each application."""
        return np.asarray(self.card.predict_proba(self.features.frame(apps)))[:, 1]


def fit_book_challenger(apps: pd.DataFrame, channels: pd.DataFrame, booked: np.ndarray,
                        bad: np.ndarray, *, method: str | None = "parcelling",
                        reject_bad_factor: float = 2.0, seed: int = 0) -> BookChallenger:
    """Fit on ``apps`` (application rows of the training months): ``booked`` marks the rows
    with a matured outcome ``bad`` (0/1; ignored elsewhere), the other rows are the declined
    applications reject inference adds; ``method=None`` fits on the booked rows only."""
    from creditfactory.scorecard import Binner, Scorecard

    booked = np.asarray(booked, bool)
    y = np.asarray(bad, np.float64)[booked].astype(np.int64)
    if y.sum() < 2 or (y == 0).sum() < 2:
        raise InvalidArgument(f"the book's matured loans hold {int(y.sum())} bads and "
                              f"{int((y == 0).sum())} goods: too few to fit a challenger")
    features = CardFeatures.fit(apps, channels)
    x = features.frame(apps)
    acc, rej = x[booked], x[~booked]

    def card(binner: Any = None) -> Any:
        return Scorecard(random_state=seed, **({"binner": binner} | DEFAULT_CARD))

    booked_card = card().fit(acc, y)
    fitted = booked_card
    if method is not None and len(rej):
        base = Binner() if booked_card.binner is None else booked_card.binner
        binner = FixedBinner(clone(base).fit(acc, y).binnings_)
        ri = RejectInference(method, estimator=card(), reject_bad_factor=reject_bad_factor,
                             random_state=seed)
        aug = ri.fit_augment(acc, y, rej)
        fitted = card(binner).fit(aug.X, aug.y, sample_weight=aug.sample_weight)
    digest = hashlib.sha256(json.dumps(
        [len(acc), int(y.sum()), len(rej), method, reject_bad_factor, seed,
         sorted(getattr(fitted, "features_", []))], default=str).encode()).hexdigest()[:12]
    version = (f"scorecard-logistic/book-bad12/{len(getattr(fitted, 'features_', []))}f/"
               f"dev{len(acc)}+{method or 'no'}-ri{len(rej) if method else 0}/{digest}")
    return BookChallenger(card=fitted, features=features, version=version,
                          booked_rows=len(acc), booked_bads=int(y.sum()),
                          rejected_rows=len(rej) if method else 0, method=method or "none")
