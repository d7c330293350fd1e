"""The live fraud model: LightGBM on point-in-time identity-graph features.

Labelled fraud-like (first instalment never paid), turned into 0-1 by its rank among
development applications; rule hits from ``creditfactory.fraud.rules``. Lending-data
applications get their batch score and hits by id; a new application is scored by a live
graph (:meth:`FraudModel.live`) seeded with the same history and scored by the same model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.fraud.live import LiveFraud
from creditfactory.models._tree_code import compile_booster
from creditfactory.models.features import fraud_like

__all__ = ["FraudModel", "FraudRescoring", "LGB_PARAMS", "rescore_fraud", "train_fraud_model"]

LGB_PARAMS: dict[str, Any] = dict(
    n_estimators=120, learning_rate=0.08, num_leaves=15, min_child_samples=50, subsample=0.8,
    subsample_freq=1, colsample_bytree=0.8, random_state=0, verbose=-1, n_jobs=2)
"""The LightGBM settings of the fraud model and of the A-card's challenger."""


@dataclass(frozen=True)
class FraudModel:
    """The fraud LightGBM and the history a live graph is seeded with.

    ``identity`` is the keyed-hash identity table (``creditfactory.fraud.identity_table``)
    and ``bad_time`` when each of its applications became a known bad; ``ranks`` are the sorted
    development-period probabilities that turn a probability into a 0-1 score.
    """

    booster: Any
    columns: tuple[str, ...]
    ranks: np.ndarray
    identity: pd.DataFrame
    bad_time: np.ndarray

    def live(self, key: bytes) -> LiveFraud:
        """A live graph over this model, seeded from the history when first used."""
        return LiveFraud(compile_booster(self.booster), self.columns, self.ranks, key
                         ).seed_on_first_use(self.identity, self.bad_time)


def train_fraud_model(apps: pd.DataFrame, perf: pd.DataFrame, dev: np.ndarray,
                      key: bytes, known_bad: np.ndarray | None = None
                      ) -> tuple[pd.DataFrame, FraudModel]:
    """The batch fraud score and rule hits of every application (by id) and the model,
    fitted on the development applications ``dev``; ``known_bad`` (aligned with ``apps``):
    when each became a known bad to the lender (default: from ``perf``, every application
    counted as booked)."""
    import lightgbm as lgb

    from creditfactory.fraud import identity_table
    from creditfactory.fraud.labels import known_bad_times

    ids = apps["application_id"].to_numpy(np.int64)
    identity = identity_table(apps, key)
    bad = known_bad_times(perf, ids) if known_bad is None else np.asarray(known_bad, np.int64)
    feats, graph = _graph_features(identity, bad)
    label = fraud_like(apps, perf)
    model = lgb.LGBMClassifier(**LGB_PARAMS).fit(feats[dev], label[dev].astype(int))
    p = np.asarray(model.predict_proba(feats))[:, 1]
    fm = FraudModel(model.booster_, tuple(feats.columns), np.sort(p[dev]), identity, bad)
    return _scored(fm, graph, apps, p), fm


def rescore_fraud(model: FraudModel, apps: pd.DataFrame, known_bad: np.ndarray) -> pd.DataFrame:
    """The batch fraud score and rule hits (by id) of ``apps`` -- applications of the model's
    history, in its order -- as the graph sees them with ``known_bad`` (aligned with ``apps``)
    as the known bads: what a back-test decides with when only the loans it booked can turn bad."""
    rows = pd.Index(model.identity["application_id"]).get_indexer(apps["application_id"])
    if (rows < 0).any():
        raise ValueError("rescore_fraud: applications outside the model's history")
    feats, graph = _graph_features(model.identity.iloc[rows], np.asarray(known_bad, np.int64))
    p = model.booster.predict(feats[list(model.columns)])
    return _scored(model, graph, apps, np.asarray(p))


class FraudRescoring:
    """:func:`rescore_fraud` for a growing window of a history, month by month, without
    rebuilding its graph: the graph of ``apps`` (applications of the model's history, in
    ``applied_at`` order) is built once and each call scores only rows ``lo:hi``
    (:class:`creditfactory.fraud.incremental.KnownBadGraph`); equal to ``rescore_fraud`` of
    ``apps[:hi]`` with the same known bads, on those rows."""

    def __init__(self, model: FraudModel, apps: pd.DataFrame) -> None:
        from creditfactory.fraud.incremental.known_bads import KnownBadGraph

        rows = pd.Index(model.identity["application_id"]).get_indexer(apps["application_id"])
        if (rows < 0).any():
            raise ValueError("FraudRescoring: applications outside the model's history")
        self.model = model
        self.apps = apps.reset_index(drop=True)
        self.graph = KnownBadGraph(model.identity.iloc[rows].reset_index(drop=True), self.apps)

    def scores(self, lo: int, hi: int, known_bad: np.ndarray) -> pd.DataFrame:
        """``fraud_score`` and ``fraud_rule_hits`` of rows ``lo:hi`` (by application id) when
        ``known_bad`` (one per row of ``apps``) are the known bads."""
        bad = np.asarray(known_bad, np.int64)
        feats = self.graph.features(lo, hi, bad)
        p = np.asarray(self.model.booster.predict(feats[list(self.model.columns)]))
        score = np.searchsorted(self.model.ranks, p, side="right") / max(len(self.model.ranks), 1)
        hits = self.graph.rule_hits(lo, hi, bad)
        joined = hits.groupby("row")["code"].agg(lambda c: ",".join(sorted(set(c))))
        texts = np.full(hi - lo, "", dtype=object)
        texts[joined.index.to_numpy(int) - lo] = joined.to_numpy(object)
        ids = self.apps["application_id"].to_numpy(np.int64)[lo:hi]
        return pd.DataFrame({"fraud_score": score, "fraud_rule_hits": texts},
                            index=pd.Index(ids, name="application_id"))


def _graph_features(identity: pd.DataFrame, bad: np.ndarray) -> tuple[pd.DataFrame, Any]:
    from creditfactory.fraud import IdentityGraph

    graph = IdentityGraph.build(identity, bad)
    return graph.features.drop(columns=["application_id"]).astype(float), graph


def _scored(model: FraudModel, graph: Any, apps: pd.DataFrame, p: np.ndarray) -> pd.DataFrame:
    from creditfactory.fraud.rules import rule_hits

    ranks = model.ranks
    score = np.searchsorted(ranks, p, side="right") / max(len(ranks), 1)
    hits = rule_hits(graph, apps)
    joined = hits.groupby("row")["code"].agg(lambda c: ",".join(sorted(set(c))))
    texts = np.full(len(apps), "", dtype=object)
    texts[joined.index.to_numpy(int)] = joined.to_numpy(object)
    ids = apps["application_id"].to_numpy(np.int64)
    return pd.DataFrame({"fraud_score": score, "fraud_rule_hits": texts},
                        index=pd.Index(ids, name="application_id"))
