"""The real models behind the score-provider seam, trained on a world's first year.

Labels come only from booked loans (those with performance rows: a rejected application's
outcome is unknown, not good) and from what the lender had seen at ``as_of``, the maturity cut (by default
:func:`creditfactory.data.outcomes.maturity_cut` of the development period: twelve months after
it, when every development loan's 12-MOB window has closed): performance months before it, and
only loans whose window closed by then. A back-test judges these models on applications from
``as_of`` on, never earlier. Known bads (the fraud graph's) come only from ``booked``
applications (default: every application with performance, a lender's own history).

- A-card: ``creditfactory.scorecard`` ``Scorecard`` (logistic, ``min_iv=0.02``) on the
  scorecard package's application features; bad = ever over 90 DPD within 12 MOB, learnt on
  credit cases only: fraud-like applications (first instalment never paid) are left out of
  its development sample, because catching them is the fraud engine's job and, left in, they
  teach the card the fraudsters' clean bureau files (on the world that cost the card about
  0.07 of out-of-time AUC on credit bads).
- Challenger: LightGBM on the same features and the same credit-only sample.
- Fraud score: LightGBM on ``creditfactory.fraud`` point-in-time graph features, labelled
  fraud-like (first instalment never paid), turned into 0-1 by its rank among development
  applications; fraud rule hits from ``creditfactory.fraud.rules`` (``creditfactory.models.fraud``).
  Lending-data applications get their batch values by id; a new application's score comes
  from the live fraud graph the service assesses it with (``creditfactory.fraud.live``) and
  is handed to :meth:`TrainedModels.score_record`.
- Channel packaging score: the fraud package's channel scorecard (the one the fraud scan
  trains) on development snapshots, scored as of the end of the development period, read as
  the channel's rank among the development channels (``creditfactory.models.channel``);
  a channel without history gets the median development channel's. Verification findings
  re-score the channels through :meth:`TrainedModels.refresh_packaging`.

Trained models are kept in one file whose format only ``creditfactory.models.bundle`` knows.

Never reads the world's ``truth``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.data.outcomes import (
    align_outcomes,
    loan_outcomes,
    mature,
    maturity_cut,
    observed_performance,
)
from creditfactory.fraud.labels import known_bad_times
from creditfactory.fraud.live import Assessment
from creditfactory.models._tree_code import compile_booster
from creditfactory.models.channel import ChannelModel, train_channel_model
from creditfactory.models.features import CardFeatures, fraud_like
from creditfactory.models.fraud import (
    LGB_PARAMS,
    FraudModel,
    FraudRescoring,
    rescore_fraud,
    train_fraud_model,
)

__all__ = ["LABELS_AS_OF", "SCORES", "TrainedModels", "dev_end", "development_samples", "key_check",
           "train_lending_models"]

SCORES: tuple[str, ...] = (
    "a_score", "a_pd", "challenger_pd", "fraud_score", "fraud_rule_hits", "packaging_score")
"""The scores the models serve, in the order the strategy reads them."""
_LGB = LGB_PARAMS
LABELS_AS_OF = "labels_as_of"
"""The versions entry naming the maturity cut the models' labels were observed at."""


def key_check(key: bytes) -> str:
    """A keyed fingerprint of the identity HMAC key: equal keys give equal checks, and the
    check does not reveal the key."""
    return hmac.new(key, b"creditfactory identity key check", hashlib.sha256).hexdigest()[:16]


class TrainedModels:
    """The trained models as one score provider; build with ``train_lending_models`` or read
    a bundle (``creditfactory.models.bundle.load_models``).

    ``challenger`` is the challenger's LightGBM ``Booster``; ``key`` is the identity HMAC key
    the fraud history was hashed with (only its :func:`key_check` is kept); ``channel_model``
    (when given) is what ``packaging`` was scored with and re-scores it with findings.
    """

    def __init__(self, card: Any, challenger: Any, features: CardFeatures, fraud: pd.DataFrame,
                 packaging: Mapping[str, float], packaging_default: float, versions: dict[str, str],
                 fraud_model: FraudModel | None, key: bytes,
                 channel_model: ChannelModel | None = None):
        self.card = card
        self.challenger = challenger
        self.features = features
        self.fraud = fraud
        self.packaging = dict(packaging)
        self.packaging_default = packaging_default
        self.channel_model = channel_model
        self._versions = versions
        self.fraud_model = fraud_model
        self.key_check = key_check(key)
        self._challenger = compile_booster(challenger)
        self._fraud_score = dict(zip(fraud.index, fraud["fraud_score"], strict=True))
        self._fraud_hits = dict(zip(fraud.index, fraud["fraud_rule_hits"], strict=True))

    def versions(self) -> dict[str, str]:
        return dict(self._versions)

    def refresh_packaging(self, findings: pd.DataFrame) -> dict[str, float]:
        """Re-score the channels with per-application verification ``findings``
        (``channel_id`` and columns among ``creditfactory.fraud.packaging.FINDINGS``) and serve
        the new scores; the scores by channel. Without a channel model nothing changes."""
        if self.channel_model is None:
            return dict(self.packaging)
        packaging, default = self.channel_model.lookup(findings)
        self.packaging, self.packaging_default = packaging, default
        return dict(packaging)

    def labels_as_of(self) -> pd.Timestamp | None:
        """The maturity cut the models learnt at: nothing they learnt was observed later."""
        value = self._versions.get(LABELS_AS_OF)
        return None if value is None else pd.Timestamp(value)

    def fraud_with_known_bads(self, apps: pd.DataFrame, known_bad: np.ndarray) -> pd.DataFrame:
        """``fraud_score`` and ``fraud_rule_hits`` of ``apps`` (applications of the training
        data, in its order, with every earlier one) when only ``known_bad`` (epoch seconds per
        row, ``NEVER`` for none) are known bads; by application id."""
        if self.fraud_model is None:
            return self.fraud.reindex(apps["application_id"].to_numpy(np.int64))
        return rescore_fraud(self.fraud_model, apps, known_bad)

    def fraud_rescoring(self, apps: pd.DataFrame) -> FraudRescoring | None:
        """:meth:`fraud_with_known_bads` for growing windows of ``apps`` (applications of the
        training data, in its order) on one graph built once; ``None`` without a fraud model
        (the scores never change)."""
        return None if self.fraud_model is None else FraudRescoring(self.fraud_model, apps)

    def score_frame(self, apps: pd.DataFrame) -> pd.DataFrame:
        x = self.features.frame(apps)
        out = pd.DataFrame(index=apps.index)
        out["a_score"] = self.card.scorer_.score(x)
        out["a_pd"] = self.card.scorer_.pd(x)
        out["challenger_pd"] = self.challenger.predict(self.features.encoded(x))
        ids = apps["application_id"].to_numpy(np.int64)
        fraud = self.fraud.reindex(ids)
        out["fraud_score"] = fraud["fraud_score"].to_numpy(float)
        out["fraud_rule_hits"] = fraud["fraud_rule_hits"].fillna("").to_numpy(object)
        packaging, default = self.packaging, self.packaging_default
        out["packaging_score"] = apps["channel_id"].map(packaging).fillna(default).to_numpy(float)
        return out[list(SCORES)]

    def score_record(self, app: Mapping[str, Any],
                     fraud: Assessment | None = None) -> dict[str, Any]:
        """The scores of one application; its fraud score and hits are the batch ones when
        its id is a lending-data application's, else ``fraud`` (its live assessment).

        A card input absent from the record (``FeatureMissing``) gives no A-card score: the
        strategy routes a missing score (``scoring.on_missing``). Any other failure, and a
        score that is not a finite number, raises :class:`ScoringFailed` naming the model.
        """
        import math

        from creditfactory.models.errors import ScoringFailed
        from creditfactory.scorecard.errors import FeatureMissing

        stage = "features"
        try:
            rec = self.features.record(app)
            stage = "a_card"
            try:
                a_score: float | None = self.card.scorer_.score_record(rec)
                a_pd: float | None = self.card.scorer_.pd_record(rec)
                # the features costing most points, kept with the decision to explain it
                a_reasons = ";".join(self.card.scorer_.reason_codes_record(rec, 3))
            except FeatureMissing:
                a_score = a_pd = None
                a_reasons = ""
            if a_score is not None and not (math.isfinite(a_score) and math.isfinite(a_pd)):  # type: ignore[arg-type]
                raise ScoringFailed("a_card", "score not finite")
            stage = "challenger"
            challenger = self._challenger(self.features.encoded_record(rec))
            stage = "fraud"
            app_id = int(app.get("application_id") or 0)
            fraud_score = self._fraud_score.get(app_id)
            fraud_hits = self._fraud_hits.get(app_id, "")
            if fraud_score is None and fraud is not None:
                fraud_score, fraud_hits = fraud.fraud_score, fraud.codes
            stage = "packaging"
            packaging = self.packaging.get(app.get("channel_id"), self.packaging_default)  # type: ignore[arg-type]
        except ScoringFailed:
            raise
        except Exception as exc:
            raise ScoringFailed(stage, type(exc).__name__) from exc
        return {
            "a_score": a_score,
            "a_pd": a_pd,
            "a_reasons": a_reasons,
            "challenger_pd": challenger,
            "fraud_score": fraud_score,
            "fraud_rule_hits": fraud_hits,
            "packaging_score": packaging,
        }


def train_lending_models(world: Any, *, key: bytes, train_months: int = 12,
                         seed: int = 0, as_of: pd.Timestamp | str | None = None,
                         booked: np.ndarray | None = None) -> TrainedModels:
    """Fit every model on applications of the first ``train_months`` months with the outcomes
    observed at ``as_of`` (default: the development period's maturity cut); ``key``: the
    identity HMAC key (``Settings.identity_key``) the fraud history is hashed with;
    ``booked`` (a mask over the applications): whose outcomes the lender has, for known bads."""
    import lightgbm as lgb

    from creditfactory.scorecard import Scorecard

    apps, perf = world.applications, world.performance
    end = dev_end(apps, train_months)
    cut = pd.Timestamp(as_of) if as_of is not None else maturity_cut(end)
    seen = observed_performance(perf, cut)
    dev, credit, _ = development_samples(apps, seen, train_months)
    credit &= mature(apps, cut) & apps["application_id"].isin(seen["application_id"]).to_numpy()
    outcomes = align_outcomes(apps, loan_outcomes(apps, seen))
    bad = outcomes["bad12"].to_numpy(bool)
    features = CardFeatures.fit(apps[dev], world.channels)
    x = features.frame(apps)
    card = Scorecard(min_iv=0.02, random_state=seed).fit(x[credit], bad[credit].astype(int))
    challenger = lgb.LGBMClassifier(**_LGB).fit(features.encoded(x[credit]), bad[credit].astype(int)).booster_
    ids = apps["application_id"].to_numpy(np.int64)
    fraud, fraud_model = train_fraud_model(apps, seen, dev, key, known_bad_times(perf, ids, booked=booked))
    ring = fraud["fraud_rule_hits"].reindex(ids).fillna("").to_numpy(object) != ""
    history = (apps["applied_at"] < cut).to_numpy()
    channel_model = train_channel_model(apps, seen, history, ring, cut)
    packaging, default = channel_model.lookup()
    versions = {
        "a_card": f"scorecard-logistic/{len(card.features_)}f/credit-bad12/dev{int(credit.sum())}",
        "challenger": f"lightgbm-{lgb.__version__}/{_LGB['n_estimators']}t",
        "fraud": "lightgbm-graph-features+fraud.rules",
        "packaging": _channel_version(channel_model),
        LABELS_AS_OF: cut.date().isoformat(),
    }
    return TrainedModels(card, challenger, features, fraud, packaging, default, versions, fraud_model, key,
                       channel_model)


def _channel_version(model: ChannelModel) -> str:
    n = len(model.card.features_) if model.card is not None else 0
    return f"fraud.channels-scorecard-rank/{n}f/{len(model.ranks)}ch"


def dev_end(apps: pd.DataFrame, train_months: int) -> pd.Timestamp:
    """The end of the development period: ``train_months`` calendar months after the first."""
    start = pd.Timestamp(apps["applied_at"].min()).to_period("M").to_timestamp()
    return start + pd.DateOffset(months=train_months)


def development_samples(apps: pd.DataFrame, perf: pd.DataFrame, train_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks over ``apps``: the development period (the first ``train_months`` calendar
    months), the credit sample the A-card and challenger learn from (development applications
    that are not fraud-like) and the fraud-like label itself."""
    dev = (apps["applied_at"] < dev_end(apps, train_months)).to_numpy()
    fraudish = fraud_like(apps, perf)
    return dev, dev & ~fraudish, fraudish
