"""The reason of default inferred from what a collector can observe, a probability per reason.

Evidence is yes/no facts of an account: the first instalment never paid, never reached in
several attempts, a broken promise, a partial payment, business inflows falling, overdue at
another lender, shopping for credit, the industry's index falling, quick cures before, a
high risk at origination, rolled past M1, an instalment heavy against the business's inflows,
the application strongly linked to another in the fraud graph (a ring's member). The lender's beliefs (``reasons.yaml``: a prior share
per reason and, per piece of evidence, its likelihood ratio under each reason) combine as in
naive Bayes: posterior log-odds are the prior's plus the sum of the present evidence's log
likelihood ratios. The beliefs are written from practice; how well they match a world is
measured only in ``creditfactory.evaluation``, against that world's truth. :func:`evidence`
turns the C-card's inputs into the yes/no evidence, so the reason can be inferred again at
every step as contacts, promises and payments come in (``reassess: step`` in a strategy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from creditfactory.collections.errors import CollectionsStrategyInvalid
from creditfactory.collections.strategy import REASONS, UNKNOWN

__all__ = ["EVIDENCE", "HINDSIGHT", "ReasonModel", "evidence", "fit_reason_model", "hindsight", "infer_reasons",
           "load_reason_model", "most_likely", "reason_model_from_dict", "reason_model_to_dict"]

HINDSIGHT = ("quick_cure", "slow_cure", "defaulted")
"""What a lender knows in hindsight of a past bucket entry: it cured soon after, it cured later
(or not) without its episode reaching 90 DPD, or the episode reached 90 DPD. The first mostly
forgot, the second were mostly short of cash, the third failed, refused or absconded -- which
of those three the book cannot tell, so their split stays the practice's."""
_MAPS_TO = {"oversight": 0, "shortfall": 1, "business_failure": 2, "strategic": 2, "fraud": 2}

EVIDENCE = ("first_payment_default", "never_reached", "broken_promise", "partial_payment",
            "reached_no_promise", "inflows_down", "overdue_elsewhere", "credit_seeking",
            "industry_down", "prior_fast_cure", "high_risk_at_origination", "rolled_past_m1",
            "heavy_instalment", "ring_linked")


@dataclass(frozen=True)
class ReasonModel:
    """Log prior ``(R,)`` and log likelihood ratios ``(E, R)`` in :data:`EVIDENCE` order of
    each piece of evidence present, and (a learned model) of each absent: the practice's
    beliefs speak only of what is seen, a fitted model also of what is not. A fitted model
    holds in ``rolled`` its own shares and ratios for accounts past M1: who is still overdue
    after a month is another population than who just missed, and one prior for both would
    weigh every episode by the number of buckets it went through."""

    log_prior: np.ndarray
    log_lr: np.ndarray
    log_lr_absent: np.ndarray | None = None
    rolled: ReasonModel | None = None


FORMAT, FORMAT_VERSION = "creditfactory-reasons", 1


def reason_model_to_dict(model: ReasonModel) -> dict[str, Any]:
    """A JSON-safe model file of a (fitted) reason model: its reasons and evidence by name."""
    def arrays(m: ReasonModel) -> dict[str, Any]:
        return {"log_prior": m.log_prior.tolist(), "log_lr": m.log_lr.tolist(),
                "log_lr_absent": None if m.log_lr_absent is None else m.log_lr_absent.tolist()}

    return {"format": FORMAT, "format_version": FORMAT_VERSION, "reasons": list(REASONS),
            "evidence": list(EVIDENCE), **arrays(model),
            "rolled": None if model.rolled is None else arrays(model.rolled)}


def reason_model_from_dict(data: dict[str, Any]) -> ReasonModel:
    """The reason model of :func:`reason_model_to_dict` output; a file of other reasons, or
    of evidence this version does not know, is refused by name. Evidence added since the file
    was fitted weighs nothing in it (a likelihood ratio of 1) until the model is fitted again."""
    if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        raise CollectionsStrategyInvalid(f"reason model: not a {FORMAT} file of version {FORMAT_VERSION}")
    held = tuple(data.get("evidence", ()))
    if tuple(data.get("reasons", ())) != REASONS or not set(held) <= set(EVIDENCE) or len(set(held)) != len(held):
        raise CollectionsStrategyInvalid("reason model: its reasons or evidence are not this version's")
    rows = [EVIDENCE.index(e) for e in held]

    def ratios(values: Any) -> np.ndarray:
        out = np.zeros((len(EVIDENCE), len(REASONS)))
        out[rows] = np.asarray(values, float).reshape(len(rows), len(REASONS))
        return out

    def model(d: dict[str, Any], rolled: ReasonModel | None) -> ReasonModel:
        absent = d.get("log_lr_absent")
        return ReasonModel(np.asarray(d["log_prior"], float), ratios(d["log_lr"]),
                           None if absent is None else ratios(absent), rolled)

    return model(data, None if data.get("rolled") is None else model(data["rolled"], None))


def load_reason_model(path: str | Path | None = None) -> ReasonModel:
    """The lender's beliefs of ``path`` (default: the shipped ``reasons.yaml``)."""
    text = (Path(path).read_text("utf-8") if path is not None
            else files("creditfactory.collections").joinpath("reasons.yaml").read_text("utf-8"))
    doc = yaml.safe_load(text)
    try:
        prior = np.array([float(doc["prior"][r]) for r in REASONS])
        lr = np.array([[float(doc["evidence"][e][r]) for r in REASONS] for e in EVIDENCE])
    except (KeyError, TypeError) as exc:
        raise CollectionsStrategyInvalid(f"reason model: missing {exc}") from exc
    if (prior <= 0).any() or (lr <= 0).any():
        raise CollectionsStrategyInvalid("reason model: shares and likelihood ratios must be positive")
    return ReasonModel(np.log(prior / prior.sum()), np.log(lr))


def evidence(x: pd.DataFrame | Mapping[str, np.ndarray]) -> np.ndarray:
    """The yes/no evidence (:data:`EVIDENCE` order) of accounts with C-card inputs ``x``
    (:data:`creditfactory.models.ccard.FEATURES`, a frame or columns by name); a missing input
    is no evidence."""
    def v(name: str) -> np.ndarray:
        if name not in x:  # an input the caller does not hold (the fraud graph's links)
            return np.full(len(x["bucket"]), np.nan)
        col = x[name]
        return col.to_numpy(float, na_value=np.nan) if isinstance(col, pd.Series) else np.asarray(col, float)

    cols = {
        "first_payment_default": v("first_payment_default") > 0,
        "never_reached": (v("attempts") >= 2) & (v("reached") == 0),
        "broken_promise": v("broken") >= 1, "partial_payment": v("partials") >= 1,
        "reached_no_promise": (v("reached") >= 1) & (v("promises") == 0),
        "inflows_down": v("inflow_ratio") < 0.75, "overdue_elsewhere": v("overdue_elsewhere") > 0,
        "credit_seeking": v("credit_seeking") >= 2, "industry_down": v("industry_change") < -0.05,
        "prior_fast_cure": v("prior_fast_cures") >= 1, "high_risk_at_origination": v("a_pd") > 0.02,
        "rolled_past_m1": v("bucket") >= 2, "heavy_instalment": v("instalment_to_inflows") > 0.20,
        "ring_linked": v("ring_linked") > 0,
    }
    return np.column_stack([np.asarray(cols[e], bool) for e in EVIDENCE])


_ROLLED = EVIDENCE.index("rolled_past_m1")


def hindsight(quick_cure: np.ndarray, reached_90: np.ndarray) -> np.ndarray:
    """The :data:`HINDSIGHT` index of past entries from whether each cured soon after it and
    whether its episode reached 90 DPD (which outranks a cure)."""
    return np.where(np.asarray(reached_90, bool), 2, np.where(np.asarray(quick_cure, bool), 0, 1))


def fit_reason_model(beliefs: ReasonModel, evidence_rows: np.ndarray, hindsight: np.ndarray,
                     strength: float = 30.0) -> ReasonModel:
    """The reason model learned on past episodes: ``evidence_rows`` (``(n, E)`` yes/no, as
    :func:`evidence` gives) and each row's ``hindsight`` (index into :data:`HINDSIGHT`).

    Each reason takes the share and the evidence rates of the hindsight class it maps to
    (oversight: quick cure, shortfall: slow cure, the others: defaulted); the three reasons of
    a default keep the practice's split (``beliefs``: their relative shares and likelihood
    ratios). Rates shrink towards the overall rate by ``strength`` pseudo-rows, so a class
    with few rows stays near what it would be with no evidence. Entries into M1 and entries
    past it are fitted apart (:attr:`ReasonModel.rolled`), each on its own rows."""
    x = np.asarray(evidence_rows) > 0
    cls = np.asarray(hindsight, np.int64)
    if len(x) == 0:
        return beliefs
    later = x[:, _ROLLED]
    if later.all() or not later.any():
        return _fit_stage(beliefs, x, cls, strength)
    rolled = _fit_stage(beliefs, x[later], cls[later], strength)
    first = _fit_stage(beliefs, x[~later], cls[~later], strength)
    return ReasonModel(first.log_prior, first.log_lr, first.log_lr_absent, rolled)


def _fit_stage(beliefs: ReasonModel, x: np.ndarray, cls: np.ndarray, strength: float) -> ReasonModel:
    base = np.clip(x.mean(axis=0), 1e-3, 1.0)
    counts = np.bincount(cls, minlength=len(HINDSIGHT)).astype(float)
    hits = np.stack([x[cls == c].sum(axis=0) for c in range(len(HINDSIGHT))], axis=1)  # (E, C)
    rate = (hits + strength * base[:, None]) / (counts[None, :] + strength)
    lr_class = np.log(np.clip(rate / base[:, None], 1e-3, None))
    lr_absent = np.log(np.clip((1.0 - rate) / np.maximum(1.0 - base[:, None], 1e-3), 1e-3, None))
    share = (counts + 1.0) / (counts.sum() + len(HINDSIGHT))
    cls_of = np.array([_MAPS_TO[r] for r in REASONS])
    prior_b = np.exp(beliefs.log_prior)
    log_prior = np.empty(len(REASONS))
    log_lr = np.empty_like(beliefs.log_lr)
    log_absent = np.empty_like(beliefs.log_lr)
    for c in range(len(HINDSIGHT)):
        members = np.flatnonzero(cls_of == c)
        within = prior_b[members] / prior_b[members].sum()
        log_prior[members] = np.log(share[c] * within)
        # the practice's ratios between the members, centred on the class's learned ratio
        centre = np.log(np.exp(beliefs.log_lr[:, members]) @ within)
        log_lr[:, members] = lr_class[:, [c]] + beliefs.log_lr[:, members] - centre[:, None]
        log_absent[:, members] = lr_absent[:, [c]]
    return ReasonModel(log_prior, log_lr, log_absent)


def infer_reasons(model: ReasonModel, evidence: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Probability of each reason ``(n, R)`` for accounts with ``evidence`` (columns
    :data:`EVIDENCE`, true/false)."""
    x = (evidence[list(EVIDENCE)].to_numpy(float) if isinstance(evidence, pd.DataFrame)
         else np.asarray(evidence, float))
    logit = _logit(model, x)
    if model.rolled is not None:
        logit = np.where(x[:, [_ROLLED]] > 0, _logit(model.rolled, x), logit)
    logit -= logit.max(axis=1, keepdims=True)
    p = np.exp(logit)
    return np.asarray(p / p.sum(axis=1, keepdims=True))


def _logit(model: ReasonModel, x: np.ndarray) -> np.ndarray:
    logit = model.log_prior[None, :] + (x > 0) @ model.log_lr
    if model.log_lr_absent is not None:
        logit = logit + (x <= 0) @ model.log_lr_absent
    return np.asarray(logit)


def most_likely(probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """The likeliest reason's index, or ``UNKNOWN`` where its probability is below
    ``threshold``."""
    best = probabilities.argmax(axis=1)
    return np.where(probabilities.max(axis=1) >= threshold, best, UNKNOWN)
