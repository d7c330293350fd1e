"""The channel scorecard: which intermediaries package their applicants, learnt from outcomes.

Per channel, as of a date and from its applications before it: the shares of declared revenue
just above a round threshold, of template-like applications (the same purpose, premises,
staff count and amount as another of the channel, beyond what its size makes likely), of
amounts at the product maximum, of known early defaults not attributed to fraud, of members
the identity graph flags as a ring and -- where verification ran -- of findings of overstated
revenue, a business that is not real or an identity not confirmed. Each share is shrunk
towards the population's by a prior worth ``PRIOR_APPLICATIONS`` applications, so a small
channel needs more evidence; a feature no application carries (no findings in the data) is
left out, so it is neutral.

A ``creditfactory.scorecard`` card learns from development-period snapshots how these shares
predict the early defaults of a channel's next applications (credit defaults, known by the
cut-off; never the world's truth). The packaging score of a channel is the card's predicted
early-default probability; a channel is flagged -- put on the channel managers' watch list --
when it is among the worst ``watch_share`` of channels (ties included), with the
card features costing it most points, its share against the population's, as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import Binner, Scorecard

MONTH = 30 * 86_400
ROUND_THRESHOLDS = np.arange(50_000, 500_001, 50_000, dtype=np.float64)
JUST_ABOVE = 0.05
PRIOR_APPLICATIONS = 20.0
FEATURES: dict[str, str] = {
    "revenue_bunching": "declared revenue just above a round threshold",
    "template": "application identical to another of the channel (purpose, premises, staff, "
                "amount)",
    "amount_at_max": "amount at the product maximum",
    "early_default": "known early default not attributed to fraud",
    "ring_member": "flagged as a fraud-ring member by the identity graph",
    "revenue_overstated": "verification found the declared revenue overstated",
    "business_not_real": "verification found the business not real",
    "identity_not_confirmed": "verification could not confirm the identity",
}
FINDINGS = ("revenue_overstated", "business_not_real", "identity_not_confirmed")


@dataclass(frozen=True)
class ChannelFrame:
    """Per application (any order): what the channel features are made of.

    ``credit_bad_time`` is when the application became a known early default (``NEVER`` if
    not, or if the fraud engine attributes it to fraud); ``fraud`` marks those fraud-flagged
    applications, left out of the outcomes the card learns; ``findings`` holds one column per
    name in :data:`FINDINGS`, 1/0 where verification answered the question, NaN where not.
    """

    channel: np.ndarray
    t: np.ndarray
    revenue_bunching: np.ndarray
    amount_at_max: np.ndarray
    template_key: np.ndarray
    ring_member: np.ndarray
    credit_bad_time: np.ndarray
    fraud: np.ndarray
    findings: pd.DataFrame | None = None
    booked: np.ndarray | None = None

    @classmethod
    def from_applications(cls, apps: pd.DataFrame, t: np.ndarray, credit_bad_time: np.ndarray,
                          ring_member: np.ndarray, fraud: np.ndarray,
                          findings: pd.DataFrame | None = None,
                          amount_max: float = 500_000.0,
                          booked: np.ndarray | None = None) -> ChannelFrame:
        """From an applications table (money as float) aligned with the other arrays."""
        key = pd.MultiIndex.from_frame(
            apps[["purpose", "premises", "employees", "amount"]].astype(str)
        ).factorize()[0]
        if findings is not None:
            unknown = set(findings.columns) - set(FINDINGS)
            if unknown or len(findings) != len(apps):
                raise InvalidArgument(f"findings need {len(apps)} rows and columns among "
                                      f"{FINDINGS}; unknown: {sorted(unknown)}")
        return cls(
            channel=apps["channel_id"].astype(str).to_numpy(),
            t=np.asarray(t, np.int64),
            revenue_bunching=just_above_threshold(apps["declared_monthly_revenue"].to_numpy(float)),
            amount_at_max=apps["amount"].to_numpy(float) >= amount_max,
            template_key=key,
            ring_member=np.asarray(ring_member, bool),
            credit_bad_time=np.asarray(credit_bad_time, np.int64),
            fraud=np.asarray(fraud, bool),
            findings=None if findings is None else findings.reset_index(drop=True),
            booked=None if booked is None else np.asarray(booked, bool),
        )

    def with_outcome(self) -> np.ndarray:
        """Which applications have an outcome to learn from (booked ones)."""
        return np.ones(len(self.t), bool) if self.booked is None else self.booked

    def feature_names(self) -> list[str]:
        """The features this data can carry: findings only where some were made."""
        names = [k for k in FEATURES if k not in FINDINGS]
        if self.findings is not None:
            names += [k for k in FINDINGS if k in self.findings and self.findings[k].notna().any()]
        return names


def just_above_threshold(revenue: np.ndarray) -> np.ndarray:
    """Declared revenue within ``JUST_ABOVE`` over a round threshold."""
    rel = revenue[:, None] / ROUND_THRESHOLDS[None, :]
    return np.asarray(((rel >= 1.0) & (rel < 1.0 + JUST_ABOVE)).any(axis=1), dtype=bool)


def _template(channel: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each application repeats another of its channel, and the chance of it by luck."""
    frame = pd.DataFrame({"c": channel, "k": key})
    dup = frame.duplicated(["c", "k"], keep=False).to_numpy()
    n = frame["c"].map(frame["c"].value_counts()).to_numpy()
    in_key = frame["k"].map(frame["k"].value_counts()).to_numpy()
    in_both = frame.groupby(["c", "k"])["k"].transform("size").to_numpy()
    q = (in_key - in_both) / np.maximum(len(frame) - n, 1)  # other channels' habits only
    return dup, 1.0 - (1.0 - q) ** (n - 1)


def channel_features(frame: ChannelFrame, as_of: int, label_lag_months: int = 6
                     ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Each channel's shrunk shares from its applications before ``as_of``, and the
    population's shares.

    Columns: ``n_applications``; per feature its shrunk share (the card's input), ``<f>_share``
    (raw) and ``<f>_n`` (applications it is measured on). Early defaults count among
    applications at least ``label_lag_months`` old, known bad before ``as_of``.
    """
    seen = frame.t < as_of
    channel = frame.channel[seen]
    dup, chance = _template(channel, frame.template_key[seen])
    old = frame.t[seen] < as_of - label_lag_months * MONTH
    obs: dict[str, np.ndarray] = {
        "revenue_bunching": frame.revenue_bunching[seen].astype(float),
        "template": dup.astype(float),
        "amount_at_max": frame.amount_at_max[seen].astype(float),
        "early_default": np.where(old & frame.with_outcome()[seen], frame.credit_bad_time[seen] < as_of, np.nan),
        "ring_member": frame.ring_member[seen].astype(float),
    }
    if frame.findings is not None:
        for k in FINDINGS:
            if k in frame.findings:
                obs[k] = frame.findings[k].to_numpy(float)[seen]
    names = [k for k in frame.feature_names() if k in obs]
    g = pd.DataFrame({"channel_id": channel, **{k: obs[k] for k in names}}).groupby(
        "channel_id", sort=True)
    out = pd.DataFrame({"n_applications": g.size()})
    base: dict[str, float] = {}
    for k in names:
        x = obs[k]
        base[k] = float(np.nanmean(x)) if np.isfinite(x).any() else 0.0
        n = g[k].count()
        share = g[k].mean()
        prior: float | np.ndarray = base[k]
        if k == "template":  # measured against the channel's own chance of repeats
            expected = pd.Series(chance).groupby(channel).mean()
            prior = expected.reindex(out.index).to_numpy()
            base[k] = float(chance.mean()) if len(chance) else 0.0
        out[k] = shrink((share.fillna(0) * n).to_numpy(), n.to_numpy(), prior)
        if k == "template":
            out[k] -= prior
            out["template_expected"] = prior
        out[f"{k}_share"] = share.to_numpy()
        out[f"{k}_n"] = n.to_numpy()
    out.index.name = "channel_id"
    return out, base


def shrink(total: np.ndarray, n: np.ndarray, prior: float | np.ndarray) -> np.ndarray:
    """A share of ``total`` in ``n`` applications, shrunk towards ``prior`` by a prior worth
    ``PRIOR_APPLICATIONS`` applications."""
    return (np.asarray(total, float) + PRIOR_APPLICATIONS * prior) / (
        np.asarray(n, float) + PRIOR_APPLICATIONS)


def findings_features(findings: pd.DataFrame, channels: pd.Index
                      ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per channel of ``channels``, from per-application ``findings`` (``channel_id`` and
    columns among :data:`FINDINGS`, 1/0 where verification answered, NaN where not): each
    finding's shrunk share, ``<f>_share`` and ``<f>_n``, as :func:`channel_features` gives
    them; and the population's shares. A finding never answered is left out."""
    out = pd.DataFrame(index=channels)
    base: dict[str, float] = {}
    for k in FINDINGS:
        if k not in findings or not findings[k].notna().any():
            continue
        x = findings[k].astype(float)
        base[k] = float(x.mean())
        g = x.groupby(findings["channel_id"].astype(str))
        n = g.count().reindex(channels, fill_value=0)
        share = g.mean().reindex(channels)
        out[k] = shrink((share.fillna(0) * n).to_numpy(), n.to_numpy(), base[k])
        out[f"{k}_share"] = share.to_numpy()
        out[f"{k}_n"] = n.to_numpy()
    return out, base


def channel_rates(card: Scorecard | None, feats: pd.DataFrame, base: dict[str, float],
                  fallback: float, findings: pd.DataFrame | None = None,
                  findings_base: dict[str, float] | None = None) -> np.ndarray:
    """The card's predicted early-default probability of each channel of ``feats``
    (``fallback`` for all when there is no card), with verification findings shares of
    :func:`findings_features` where given.

    A finding the card learnt from is read by the card; one it never saw (no findings in
    its development data) moves the channel's log-odds by how far its shrunk share lies from
    the population's in log-odds, so a channel with the population's findings, or too few
    to outweigh the prior, keeps the card's score.
    """
    if card is None:
        p = np.full(len(feats), fallback)
    else:
        X = feats.reindex(columns=card.features_).copy()
        if findings is not None:
            for k in card.features_:
                if k in findings:
                    X[k] = findings[k].reindex(feats.index).to_numpy()
        X = X.fillna(neutral_features(list(card.features_), {**base, **(findings_base or {})}))
        p = card.predict_proba(X)[:, 1]
    if findings is None or not findings_base:
        return p
    eps = 1e-6
    logit = np.log(np.clip(p, eps, 1 - eps) / np.clip(1 - p, eps, 1 - eps))
    for k, b in findings_base.items():
        if card is not None and k in card.features_:
            continue
        s = np.clip(findings[k].reindex(feats.index).fillna(b).to_numpy(float), eps, 1 - eps)
        bb = min(max(b, eps), 1 - eps)
        seen = findings[f"{k}_n"].reindex(feats.index).fillna(0).to_numpy() > 0
        logit += np.where(seen, np.log(s / (1 - s)) - np.log(bb / (1 - bb)), 0.0)
    return np.asarray(expit(logit))


def neutral_features(names: list[str], base: dict[str, float]) -> dict[str, float]:
    """A channel without history: the population's shares (no excess of repeats)."""
    return {k: 0.0 if k == "template" else base[k] for k in names}


def channel_card(min_bin_share: float = 0.02) -> Scorecard:
    """An unfitted card for channel features scored on application-level outcomes; a
    higher share may only raise the risk (every feature is a sign of packaging)."""
    return Scorecard(binner=Binner(min_bin_share=min_bin_share, monotonic_trend="ascending"))


def training_rows(frame: ChannelFrame, cut: int, outcome_months: int = 6,
                  label_lag_months: int = 5, step_months: int = 3,
                  first_months: int = 6) -> tuple[pd.DataFrame, np.ndarray]:
    """Development snapshots: each non-fraud application of the ``outcome_months`` after a
    snapshot date, with its channel's features as of that date and whether it became an
    early default known before ``cut`` (applications younger than ``label_lag_months`` at
    the cut are left out: their outcome is not known yet)."""
    names = frame.feature_names()
    start = int(frame.t.min())
    last = cut - (outcome_months + label_lag_months) * MONTH
    xs, ys = [], []
    as_of = last
    while as_of >= start + first_months * MONTH:
        feats, base = channel_features(frame, as_of)
        rows = (frame.t >= as_of) & (frame.t < as_of + outcome_months * MONTH) & ~frame.fraud & frame.with_outcome()
        x = feats.reindex(frame.channel[rows])[names]
        xs.append(x.fillna(neutral_features(names, base)).reset_index(drop=True))
        ys.append(frame.credit_bad_time[rows] < cut)
        as_of -= step_months * MONTH
    if not xs:
        return pd.DataFrame(columns=names), np.zeros(0, bool)
    return pd.concat(xs, ignore_index=True), np.concatenate(ys)


def score_channels(card: Scorecard, feats: pd.DataFrame, base: dict[str, float],
                   watch_share: float = 0.1, n_reasons: int = 3
                   ) -> pd.DataFrame:
    """``channel_id, packaging_score, flagged, evidence`` plus the features, for a fitted
    ``card`` and the features of :func:`channel_features`."""
    X = feats[card.features_] if len(card.features_) else feats[list(base)]
    score = card.predict_proba(X)[:, 1]
    worst = np.quantile(score, 1 - watch_share) if len(score) else np.inf
    flagged = score >= worst
    codes = card.reason_codes(X, n_reasons).to_numpy() if len(card.features_) else None
    evidence: list[list[str]] = []
    for r in range(len(feats)):
        lines = []
        for k in ([] if codes is None else codes[r]):
            if k is None:
                continue
            share, n = feats[f"{k}_share"].iloc[r], int(feats[f"{k}_n"].iloc[r])
            expected = feats["template_expected"].iloc[r] if k == "template" else base[k]
            if not share > expected:
                continue
            against = "expected by chance" if k == "template" else "population"
            lines.append(f"{k}: {FEATURES[k]} in {share:.0%} of {n} applications, "
                         f"{against} {expected:.0%}")
        evidence.append(lines)
    out = feats.reset_index()
    out.insert(1, "packaging_score", score)
    out.insert(2, "flagged", flagged)
    out.insert(3, "evidence", evidence)
    return out


def fit_and_score(frame: ChannelFrame, cut: int, as_of: int, watch_share: float = 0.1,
                  active: np.ndarray | None = None, **snapshots: int
                  ) -> tuple[pd.DataFrame, Scorecard | None, dict[str, float]]:
    """Train the card on development snapshots before ``cut`` (``snapshots``: the spacing
    options of :func:`training_rows`); score the channels in ``active`` (every channel when
    not given) as of ``as_of``; the watch list is the worst ``watch_share`` of those. Without
    both goods and bads to learn from, every channel gets the population rate and none is
    flagged."""
    X, y = training_rows(frame, cut, **snapshots)
    feats, base = channel_features(frame, as_of)
    if active is not None:
        feats = feats[feats.index.isin(active)]
    rate = float(y.mean()) if len(y) else 0.0
    summary = {"channel_training_rows": float(len(y)), "channel_training_bads": float(y.sum())}
    if y.sum() == 0 or y.all():
        out = feats.reset_index()
        out.insert(1, "packaging_score", rate)
        out.insert(2, "flagged", False)
        out.insert(3, "evidence", [[] for _ in range(len(out))])
        return out, None, summary
    card = channel_card().fit(X, y)
    return score_channels(card, feats, base, watch_share), card, summary


__all__ = ["FEATURES", "FINDINGS", "ChannelFrame", "channel_card", "channel_features",
           "channel_rates", "findings_features", "fit_and_score", "just_above_threshold",
           "neutral_features", "score_channels", "shrink", "training_rows"]
