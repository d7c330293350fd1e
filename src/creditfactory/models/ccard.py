"""The collection scorecard (C-card): for a delinquent account, the chance to cure (back to
current) within 30 days, and the share of what it owes that will be recovered.

An account is scored when it enters a bucket (M1 on its first missed day, M2 at 31 DPD, ...)
from what the lender knows then: the loan and its history before the episode (the A-card's PD
at origination, earlier episodes and how fast they cured, the share of months paid, whether
the first instalment was ever paid), that month's post-loan signals, the debt service the
business carries against its inflows and its declared revenue (its bureau debts and this
instalment: a business whose debts eat its cash misses for want of money, not memory), and the
episode so far (bucket, attempts, contacts reached, promises made, kept and broken, partial
payments, cures and how many steps ago the last one was: an account that misses again soon
after curing did not forget). Columns: :data:`FEATURES`. Months on book, months left and the
balance are not inputs: they drift with the book's age and ranked worse out of time.

A points card adds one weight per feature and cannot say that the loan's signals weigh
differently before anyone has called and once the episode has a history. The toolkit cards are
therefore segmented (:data:`SEGMENTS`): a first entry (M1, no attempt, no cure yet: only the
loan is known) and an entry with a history each get a card of their own, and an account's
log-odds are the mean of its segment's card and the card of all entries. The shared card keeps
the two segments on one scale when the share of curers drifts between them (a segment card
alone carries its development cure rate); a segment with too few rows to fit is scored by the
shared card alone.

    card = CollectionScorecard(objective="logistic").fit(X, cured_30d, recovered=share)
    card.predict_proba(X)[:, 1]   -> chance to cure within 30 days
    card.expected_recovery(X)     -> expected recovered share (by the fitted score's decile
                                     and bucket, as observed in the development sample)
    card.reasons(X, n=3)          -> ";"-joined reason codes (features costing most)
    card.to_dict() / CollectionScorecard.from_dict(d)   -> JSON model file, never pickle

Scorecards come from the platform's toolkit (``logistic`` or ``divergence``); ``lightgbm`` is
the challenger. Platform data only: the world's truth is never read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from creditfactory.errors import InvalidArgument
from creditfactory.models._model_file import LoadedBooster, check_model_file, content_version

__all__ = ["FEATURES", "OBJECTIVES", "OPTIONAL", "SEGMENTS", "CollectionScorecard", "segment_of"]

FEATURES = ("a_pd", "instalment", "prior_episodes",
            "prior_fast_cures", "paid_share", "first_payment_default", "inflow_ratio",
            "overdue_elsewhere", "credit_seeking", "late_bills", "industry_change",
            "instalment_to_inflows", "debt_service_to_inflows", "debt_service_to_revenue",
            "bucket", "attempts", "reached", "reach_rate", "promises", "kept", "broken", "partials",
            "cures", "steps_since_cure")
OPTIONAL = ("debt_service_to_inflows", "debt_service_to_revenue", "cures", "steps_since_cure")
"""Inputs a caller may not hold (the applications' bureau debt, the episode's earlier cures):
missing, like a signal the book does not have."""
OBJECTIVES = ("logistic", "divergence", "lightgbm")
# small trees, large leaves: a few thousand bucket entries a year, and a book that drifts
_LGB_PARAMS: dict[str, Any] = {"n_estimators": 150, "learning_rate": 0.04, "num_leaves": 5,
                               "min_child_samples": 80, "reg_lambda": 5.0, "subsample": 0.8,
                               "subsample_freq": 1, "colsample_bytree": 0.8, "random_state": 0,
                               "verbose": -1, "n_jobs": 1}
SEGMENTS = ("first_entry", "with_history")
"""The toolkit cards' segments: an M1 entry before any attempt or cure (the loan's evidence
only), every other entry (the episode's history as well)."""
SEGMENT_MIN_ROWS, SEGMENT_MIN_CLASS = 200, 30
"""A segment gets its own card only with this many rows, and this many of each outcome."""
FORMAT, FORMAT_VERSION = "creditfactory-ccard", 2
"""Format 2: the toolkit cards carry their segment cards. Format 1 files (one card) still load
and score as the single card they hold."""
_DECILES = 10


def _features(X: Any) -> pd.DataFrame:
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X, columns=list(FEATURES))
    absent = [f for f in OPTIONAL if f not in frame.columns]
    if absent:
        frame = frame.assign(**dict.fromkeys(absent, np.nan))
    missing = [f for f in FEATURES if f not in frame.columns]
    if missing:
        raise InvalidArgument(f"C-card features missing: {', '.join(missing)}")
    return frame[list(FEATURES)].astype(float)


_POSITION = {name: j for j, name in enumerate(FEATURES)}
_FEATURE_INDEX = pd.Index(FEATURES)


def _feature_block(X: Any) -> np.ndarray:
    """:data:`FEATURES` of ``X`` as one float block (rows x features); a frame of floats that
    holds them all is read as it is."""
    if isinstance(X, pd.DataFrame):
        where = X.columns.get_indexer(_FEATURE_INDEX)
        if (where >= 0).all() and all(t.kind == "f" for t in X.dtypes):
            return X.to_numpy(np.float64, na_value=np.nan)[:, where]
    return _features(X).to_numpy(np.float64)


def _card_odds(card: Any, block: np.ndarray) -> np.ndarray:
    """A toolkit card's log-odds of ``block`` (rows x :data:`FEATURES`), given the columns it
    was fitted on (all of :data:`FEATURES`, or a stored card's own features)."""
    cols = [_POSITION[str(name)] for name in card.feature_names_in_]
    return np.asarray(card.decision_function(block[:, cols]), float)


def segment_of(x: pd.DataFrame) -> np.ndarray:
    """The :data:`SEGMENTS` index of each row of C-card inputs ``x``: 0 for an M1 entry with no
    attempt and no cure yet (a missing count of cures counts as none), 1 otherwise."""
    return _segments(x["bucket"].to_numpy(float), x["attempts"].to_numpy(float), x["cures"].to_numpy(float))


def _segments(bucket: np.ndarray, attempts: np.ndarray, cures: np.ndarray) -> np.ndarray:
    first = (bucket == 1.0) & (attempts == 0.0) & (np.nan_to_num(cures) == 0.0)
    return np.where(first, 0, 1)


def _block_segments(block: np.ndarray) -> np.ndarray:
    return _segments(*(block[:, _POSITION[name]] for name in ("bucket", "attempts", "cures")))


class CollectionScorecard(ClassifierMixin, BaseEstimator):
    """The C-card on :data:`FEATURES`: a toolkit scorecard or the LightGBM challenger.

    Parameters
    ----------
    objective : {"logistic", "divergence", "lightgbm"}
    min_iv : float
        Scorecards: features with a lower information value are not candidates.
    pdo, base_score, base_odds : float
        The points scale (higher = likelier to cure).
    """

    def __init__(self, objective: str = "logistic", min_iv: float = 0.02, pdo: float = 20.0,
                 base_score: float = 600.0, base_odds: float = 1.0) -> None:
        self.objective = objective
        self.min_iv = min_iv
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds

    def fit(self, X: Any, y: Any, recovered: Any = None) -> CollectionScorecard:
        """Fit on ``X`` and ``y`` (1 = cured within 30 days); ``recovered`` (each row's
        recovered share, optional) calibrates :meth:`expected_recovery`."""
        if self.objective not in OBJECTIVES:
            raise InvalidArgument(f"objective must be one of {OBJECTIVES}, got {self.objective!r}")
        x, target = _features(X), np.asarray(y).astype(int)
        if len(np.unique(target)) != 2:
            raise InvalidArgument("the C-card needs cured and uncured accounts to learn from")
        self.classes_ = np.array([0, 1])
        if self.objective == "lightgbm":
            import lightgbm as lgb

            self.model_ = lgb.LGBMClassifier(**_LGB_PARAMS).fit(x, target)
            self.segments_ = []  # trees split on the history themselves
        else:  # the toolkit's cards score the bad class: here "not cured"
            self.model_ = self._card().fit(x, 1 - target)
            seg = segment_of(x)
            self.segments_ = [self._segment_card(x[seg == k], target[seg == k]) for k in range(len(SEGMENTS))]
        self.n_features_in_ = len(FEATURES)
        p = self.predict_proba(x)[:, 1]
        self.deciles_ = np.quantile(p, np.linspace(0, 1, _DECILES + 1)[1:-1]).tolist()
        share = np.asarray(recovered, float) if recovered is not None else target.astype(float)
        cell = self._cell(p, x["bucket"].to_numpy())
        sums = np.bincount(cell, weights=np.nan_to_num(share), minlength=6 * _DECILES)
        counts = np.bincount(cell, minlength=6 * _DECILES)
        flat = np.where(counts > 0, sums / np.maximum(counts, 1), float(np.nanmean(share)))
        self.recovery_ = flat.reshape(6, _DECILES).tolist()
        self.version_ = self._version()
        return self

    def _card(self) -> Any:
        from creditfactory.scorecard import Scorecard

        return Scorecard(objective=self.objective, min_iv=self.min_iv, pdo=self.pdo,
                         base_score=self.base_score, base_odds=self.base_odds)

    def _segment_card(self, x: pd.DataFrame, cured: np.ndarray) -> Any:
        """The segment's own card, or None when it has too few rows or outcomes to fit one."""
        from creditfactory.scorecard.errors import TrainingDataInvalid

        n_cured = int(cured.sum())
        if len(cured) < SEGMENT_MIN_ROWS or min(n_cured, len(cured) - n_cured) < SEGMENT_MIN_CLASS:
            return None
        try:
            return self._card().fit(x, 1 - cured)
        except TrainingDataInvalid:
            return None

    def _segment_rows(self, seg: np.ndarray) -> list[tuple[np.ndarray, Any]]:
        """(rows, card) of each segment that has a card of its own and rows in ``seg`` (each
        row's segment)."""
        pairs = [(seg == k, c) for k, c in enumerate(self.segments_) if c is not None]
        return [(rows, c) for rows, c in pairs if rows.any()]

    def _cell(self, p: np.ndarray, bucket: np.ndarray) -> np.ndarray:
        dec = np.searchsorted(np.asarray(self.deciles_), p, side="right")
        return np.clip(bucket.astype(int) - 1, 0, 5) * _DECILES + dec

    def _payload(self, format_version: int = FORMAT_VERSION) -> dict[str, Any]:
        from creditfactory.scorecard import card_to_dict

        model: Any = (self.model_.booster_.model_to_string() if self.objective == "lightgbm"
                      else card_to_dict(self.model_))
        payload = {"format": FORMAT, "format_version": format_version, "params": self.get_params(),
                   "features": list(FEATURES), "deciles": self.deciles_, "recovery": self.recovery_,
                   "model": model}
        if format_version >= 2:
            payload["segments"] = [None if c is None else card_to_dict(c) for c in self.segments_]
        return payload

    def _version(self, format_version: int = FORMAT_VERSION) -> str:
        return content_version(f"ccard-{self.objective}", self._payload(format_version))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe model file: parameters, the card or the booster, the segment cards, the
        recovery table."""
        check_is_fitted(self, "model_")
        return self._payload() | {"version": self.version_}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionScorecard:
        """The fitted C-card of :meth:`to_dict` output (format 1 files: their single card)."""
        from creditfactory.scorecard import card_from_dict

        version = 1 if data.get("format_version") == 1 else FORMAT_VERSION
        check_model_file(data, FORMAT, version, "C-card")
        card = cls(**data["params"])
        card.classes_ = np.array([0, 1])
        if card.objective == "lightgbm":
            import lightgbm as lgb

            card.model_ = LoadedBooster(lgb.Booster(model_str=data["model"]))  # type: ignore[assignment]
        else:
            card.model_ = card_from_dict(data["model"])
        card.segments_ = [None if c is None else card_from_dict(c) for c in data.get("segments", [])]
        card.n_features_in_ = len(FEATURES)
        card.deciles_, card.recovery_ = list(data["deciles"]), [list(r) for r in data["recovery"]]
        card.version_ = card._version(version)
        if card.version_ != data.get("version"):
            raise InvalidArgument("C-card model file does not match its version")
        return card

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns: chance of not curing within 30 days, and of curing."""
        check_is_fitted(self, "model_")
        if self.objective == "lightgbm":
            cure = np.asarray(self.model_.predict_proba(_features(X)))[:, 1]
        else:  # log-odds of not curing: the shared card's, averaged with the segment card's
            block = _feature_block(X)
            odds = _card_odds(self.model_, block)
            for rows, seg_card in self._segment_rows(_block_segments(block)):
                odds[rows] = 0.5 * (odds[rows] + _card_odds(seg_card, block[rows]))
            cure = expit(-odds)
        return np.column_stack([1.0 - cure, cure])

    def predict(self, X: Any) -> np.ndarray:
        """1 where a cure within 30 days is more likely than not."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)

    def expected_recovery(self, X: Any) -> np.ndarray:
        """Expected recovered share of each account (development mean of its score decile in
        its bucket)."""
        check_is_fitted(self, "recovery_")
        x = _features(X)
        cell = self._cell(self.predict_proba(x)[:, 1], x["bucket"].to_numpy())
        return np.asarray(self.recovery_, float).ravel()[cell]

    def reasons(self, X: Any, n: int = 3) -> pd.Series:
        """Per row the ``n`` features pulling most against a cure, ``;``-joined."""
        check_is_fitted(self, "model_")
        x = _features(X)
        if self.objective != "lightgbm":  # points short of each feature's best, as blended
            contrib = self._shortfall(self.model_, x)
            for rows, seg_card in self._segment_rows(segment_of(x)):
                contrib[rows] = 0.5 * (contrib[rows] + self._shortfall(seg_card, x[rows]))
        else:
            contrib = -np.asarray(self.model_.predict(x, pred_contrib=True))[:, :-1]
        order = np.argsort(-contrib, axis=1, kind="stable")[:, :n]
        taken = np.take_along_axis(contrib, order, axis=1)
        names = np.asarray([*FEATURES, None], dtype=object)
        codes = names[np.where(taken > 1e-12, order, len(FEATURES))]
        return pd.Series([";".join(c for c in row if c) for row in codes], index=x.index, dtype=object)

    @staticmethod
    def _shortfall(card: Any, x: pd.DataFrame) -> np.ndarray:
        """Points each row's :data:`FEATURES` fall short of their best bin on ``card`` (0 for a
        feature the card does not hold)."""
        scorer = card.scorer_
        out = np.zeros((len(x), len(FEATURES)))
        out[:, [FEATURES.index(name) for name in scorer.names]] = scorer.shortfall(x)
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

