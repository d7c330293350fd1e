"""Forward and backward stepwise selection under one higher-is-better objective.

The objective of a subset is ``-AIC`` or the AUC of a logistic regression on its WoE
columns, or an external ``score_fn(X_subset, y)`` (e.g. the divergence a card reaches). A
feature's *marginal contribution* is the objective it adds to (or the objective lost
without) the current subset; forward adds the best feature while its contribution exceeds
``tol``, backward drops the weakest while its contribution is below ``tol``.

For the logistic objectives, refitting every candidate at every step is what makes classic
stepwise slow. Here candidates are first ranked in one pass by Rao's score statistic
(entry) or the Wald statistic (removal), both read off the current fit, and only the
``SHORTLIST`` best are refitted exactly, each warm-started from the current coefficients.
``score_fn`` candidates are all evaluated (the function is the caller's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from creditfactory.scorecard.selection._statistics import LogitFit, criterion_gain, logit_fit

__all__ = ["Objective", "StepRecord", "forward", "backward", "contributions", "SHORTLIST"]

ScoreFn = Callable[[np.ndarray, np.ndarray], float]
SHORTLIST = 3


@dataclass
class Objective:
    """Evaluates subsets of the columns of ``X`` (cached by subset, fits warm-started)."""

    X: np.ndarray
    y: np.ndarray
    criterion: str
    score_fn: ScoreFn | None = None
    _values: dict[tuple[int, ...], float] = field(default_factory=dict)
    _fits: dict[tuple[int, ...], LogitFit] = field(default_factory=dict)

    def __call__(self, subset: list[int], parent: list[int] | None = None) -> float:
        key = tuple(sorted(subset))
        if key not in self._values:
            if self.score_fn is not None:
                value = 0.0 if not key else float(self.score_fn(self.X[:, list(key)], self.y))
            elif not key and self.criterion == "auc":
                value = 0.5
            else:
                value = criterion_gain(self.criterion, self.fit(list(key), parent), self.y)
            self._values[key] = value
        return self._values[key]

    def fit(self, subset: list[int], parent: list[int] | None = None) -> LogitFit:
        """Logistic fit on ``subset`` (sorted), warm-started from ``parent``'s fit."""
        key = tuple(sorted(subset))
        if key not in self._fits:
            start = None
            pkey = () if parent is None else tuple(sorted(parent))
            base = self._fits.get(pkey) if parent is not None else None
            if base is not None:
                old = dict(zip(pkey, base.beta[1:], strict=True))
                start = np.array([base.beta[0], *(old.get(c, 0.0) for c in key)])
            self._fits[key] = logit_fit(self.X[:, list(key)], self.y, start=start)
        return self._fits[key]

    def entry_order(self, chosen: list[int], candidates: list[int]) -> list[int]:
        """Candidates, most promising entry first (all of them for ``score_fn``)."""
        if self.score_fn is not None or len(candidates) <= SHORTLIST:
            return list(candidates)
        base = self.fit(chosen)
        p = expit(base.eta)
        w = p * (1.0 - p)
        design = np.column_stack((np.ones(len(self.y)), self.X[:, chosen]))
        cand = self.X[:, candidates]
        u = cand.T @ (self.y - p)
        cross = (cand * w[:, None]).T @ design
        info = np.einsum("ij,ij->j", cand * w[:, None], cand)
        gram = (design * w[:, None]).T @ design
        info -= np.einsum("ij,ij->i", cross @ np.linalg.pinv(gram), cross)
        stat = np.where(info > 1e-12 * max(float(info.max()), 1e-300), u**2 / info, 0.0)
        return [candidates[i] for i in np.argsort(-stat, kind="stable")]

    def removal_order(self, chosen: list[int]) -> list[int]:
        """Chosen features, weakest (smallest Wald statistic) first."""
        if self.score_fn is not None or len(chosen) <= SHORTLIST:
            return list(chosen)
        key = sorted(chosen)
        full = self.fit(key)
        p = expit(full.eta)
        design = np.column_stack((np.ones(len(self.y)), self.X[:, key]))
        cov = np.linalg.pinv((design * (p * (1.0 - p))[:, None]).T @ design)
        wald = full.beta[1:] ** 2 / np.maximum(np.diag(cov)[1:], 1e-300)
        return [key[i] for i in np.argsort(wald, kind="stable")]


@dataclass(frozen=True)
class StepRecord:
    """One decision of the stepwise search."""

    feature: int
    step: int
    action: str  # "added" | "not added" | "removed"
    contribution: float
    objective: float


def forward(obj: Objective, candidates: list[int], tol: float,
            max_features: int | None) -> tuple[list[int], list[StepRecord]]:
    """Add, one at a time, the candidate that raises the objective most, while it raises
    it by more than ``tol`` (and fewer than ``max_features`` are in)."""
    chosen: list[int] = []
    remaining = list(candidates)
    current = obj(chosen)
    records: list[StepRecord] = []
    step = 0
    while remaining and (max_features is None or len(chosen) < max_features):
        shortlist = obj.entry_order(chosen, remaining)
        if obj.score_fn is None:
            shortlist = shortlist[:SHORTLIST]
        gains = [(obj([*chosen, c], parent=chosen) - current, c) for c in shortlist]
        best_gain, best = max(gains, key=lambda t: (t[0], -t[1]))
        if not best_gain > tol:
            break
        step += 1
        chosen.append(best)
        remaining.remove(best)
        current += best_gain
        records.append(StepRecord(best, step, "added", best_gain, current))
    for c in remaining:
        records.append(StepRecord(c, step + 1, "not added",
                                  obj([*chosen, c], parent=chosen) - current, current))
    return chosen, records


def backward(obj: Objective, candidates: list[int], tol: float,
             min_features: int = 1) -> tuple[list[int], list[StepRecord]]:
    """Remove, one at a time, the feature whose removal costs least, while that cost
    (its marginal contribution) is below ``tol``."""
    chosen = list(candidates)
    current = obj(chosen)
    records: list[StepRecord] = []
    step = 0
    while len(chosen) > min_features:
        shortlist = obj.removal_order(chosen)
        if obj.score_fn is None:
            shortlist = shortlist[:SHORTLIST]
        costs = [(current - obj([f for f in chosen if f != c], parent=chosen), c)
                 for c in shortlist]
        cost, weakest = min(costs, key=lambda t: (t[0], t[1]))
        if not cost < tol:
            break
        step += 1
        chosen.remove(weakest)
        current -= cost
        records.append(StepRecord(weakest, step, "removed", cost, current))
    return chosen, records


def contributions(obj: Objective, chosen: list[int]) -> dict[int, float]:
    """Marginal contribution of every chosen feature to the objective of the whole set."""
    full = obj(chosen)
    return {c: full - obj([f for f in chosen if f != c], parent=chosen) for c in chosen}
