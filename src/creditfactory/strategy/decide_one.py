"""The per-application evaluator: one record in, one ``DecisionRecord`` out, in microseconds."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from time import perf_counter_ns
from typing import Any

from creditfactory.strategy import compiler as c
from creditfactory.strategy.compiler import CompiledStrategy
from creditfactory.strategy.limits import capacity, steps_of, to_decimal
from creditfactory.strategy.record import DecisionRecord
from creditfactory.strategy.spec import TIERS

_ONE = Decimal(1)
_ZERO = Decimal(0)


def _missing(v: Any) -> bool:
    return v is None or v != v


def _clean(v: Any) -> Any:
    """Missing as ``None`` and NumPy scalars as Python ones, so a record equals its JSON copy."""
    if hasattr(v, "item"):
        v = v.item()
    return None if v != v else v


def decide_one(
    s: CompiledStrategy,
    app: Mapping[str, Any],
    scores: Mapping[str, Any],
    *,
    arm: str = "champion",
    model_versions: Mapping[str, str] | None = None,
) -> DecisionRecord:
    """Decide one application given its scores (see ``ScoreProvider``)."""
    t0 = perf_counter_ns()
    out: dict[str, Any] = {
        "segment": None, "grade": None, "adjusted_pd": None, "disagreement": None,
        "fraud_band": None, "fraud_rules": (), "product": None, "term_months": None,
        "rate": None, "rate_parts": None, "limit": None, "limit_parts": None,
    }
    times: dict[str, int] = {}
    hits = s.policy_hits(app)
    policy_hits = tuple(s.policy_codes[i] for i in hits)
    t1 = perf_counter_ns()
    times["policy"] = t1 - t0
    reasons: tuple[str, ...]
    if hits:
        return _done(s, app, scores, arm, model_versions, out, policy_hits, "reject", policy_hits, times, t0)
    spec = s.spec
    si = s.segment_of(app)
    if si < 0:
        return _done(s, app, scores, arm, model_versions, out, policy_hits, "reject", ("NO_SEGMENT",), times, t0)
    seg = spec.segments[si]
    out["segment"] = seg.name
    score_missing = False
    disagree = False
    if spec.scoring.enabled:
        a_pd = scores.get("a_pd")
        if _missing(a_pd):
            score_missing = True
            if spec.scoring.on_missing == "reject":
                return _done(s, app, scores, arm, model_versions, out, policy_hits, "reject", (c.REASON_SCORE_MISSING,), times, t0)
            gi = s.unscored_grade
        else:
            pkg = scores.get("packaging_score")
            pkg_f = 1.0 if _missing(pkg) else float(pkg)  # type: ignore[arg-type]
            adj = min(1.0, float(a_pd) * float(seg.pd_multiplier) * (1.0 + float(seg.packaging_weight) * pkg_f))  # type: ignore[arg-type]
            out["adjusted_pd"] = adj
            gi = s.grade_index(adj)
            ch = scores.get("challenger_pd")
            if _missing(ch):
                disagree = spec.scoring.challenger_missing_disagrees
            else:
                disagree = abs(float(ch) - float(a_pd)) > float(seg.challenger_margin)  # type: ignore[arg-type]
        out["grade"] = spec.grades[gi].name
        out["disagreement"] = disagree
        if spec.grades[gi].decline and not score_missing:
            return _done(s, app, scores, arm, model_versions, out, policy_hits, "reject", (c.REASON_SCORE_CUTOFF,), times, t0)
    else:
        gi = s.unscored_grade
        out["grade"] = spec.grades[gi].name
        out["disagreement"] = False
    fraud_hit = False
    if spec.fraud.enabled:
        fs = scores.get("fraud_score")
        band = s.missing_band if _missing(fs) else s.band_index(float(fs))  # type: ignore[arg-type]
        raw_hits = scores.get("fraud_rule_hits")
        codes, rejecting = s.fraud_rules(raw_hits if isinstance(raw_hits, str) else "")
        out["fraud_rules"] = codes
        fraud_hit = bool(codes)
        if fraud_hit and spec.fraud.escalate_on_hit:
            band = min(band + 1, len(s.band_max) - 1)
        out["fraud_band"] = spec.fraud.bands[band].name
        if rejecting:
            return _done(s, app, scores, arm, model_versions, out, policy_hits, "reject", rejecting, times, t0)
        if spec.fraud.bands[band].reject:
            reason = f"FRAUD_BAND_{spec.fraud.bands[band].name.upper()}"
            return _done(s, app, scores, arm, model_versions, out, policy_hits, "reject", (reason,), times, t0)
    else:
        band = 0
        out["fraud_band"] = spec.fraud.bands[0].name
    t2 = perf_counter_ns()
    times["scoring_fraud"] = t2 - t1
    pi = s.product_of(app)
    if pi < 0:
        return _done(s, app, scores, arm, model_versions, out, policy_hits, "reject", (c.REASON_NO_PRODUCT,), times, t0)
    product = spec.products[pi]
    out["product"] = product.code
    asked_term = app.get("term_months")
    term = product.min_term if _missing(asked_term) else min(max(int(asked_term), product.min_term), product.max_term)  # type: ignore[arg-type]
    out["term_months"] = term
    p = s.prices[pi][gi]
    out["rate"] = p.rate
    out["rate_parts"] = p.parts()
    limit, parts = _limit(s, app, scores, pi, gi, term)
    out["limit_parts"] = parts
    if limit < max(spec.limit.minimum, product.min_limit):
        return _done(s, app, scores, arm, model_versions, out, policy_hits, "reject", (c.REASON_LIMIT_MINIMUM,), times, t0)
    out["limit"] = limit
    times["product_limit"] = perf_counter_ns() - t2
    row = s.tier_of(gi, band, limit, disagree)
    tier = c.TIER_INDEX["reject"] if row is None else row.tier
    if score_missing:
        tier = max(tier, c.TIER_INDEX["field_investigation"])
    info = tuple(
        code
        for flag, code in (
            (score_missing, c.REASON_SCORE_MISSING),
            (disagree, c.REASON_DISAGREES),
            (fraud_hit, c.REASON_FRAUD_RULES),
        )
        if flag
    )
    tail = (c.REASON_NO_TIER,) if row is None else ((row.reason,) if row.reason else ())
    reasons = info + tail
    return _done(s, app, scores, arm, model_versions, out, policy_hits, TIERS[tier], reasons, times, t0)


def _limit(
    s: CompiledStrategy, app: Mapping[str, Any], scores: Mapping[str, Any], pi: int, gi: int, term: int
) -> tuple[Decimal, dict[str, str]]:
    engine = s.spec.limit
    revenue = to_decimal(app.get("declared_monthly_revenue"), money=True) or _ZERO
    debt = to_decimal(app.get("bureau_debt"), money=True) or _ZERO
    packaging = to_decimal(scores.get("packaging_score"), money=False)
    packaging = _ONE if packaging is None else packaging
    amount = to_decimal(app.get("amount"), money=True) or _ZERO
    factor = s.spec.grades[gi].limit_factor
    cap = capacity(engine, revenue, packaging, debt, s.annuity[(pi, gi, term)], factor)
    step = engine.step
    steps = min(steps_of(cap["capacity"], step), steps_of(amount, step), s.max_steps[pi], s.grade_max_steps[gi])
    limit = step * max(steps, 0)
    parts = {k: str(v) for k, v in cap.items()}
    parts["packaging_score"] = str(packaging)
    parts["grade_factor"] = str(factor)
    parts["grade_max_limit"] = str(step * s.grade_max_steps[gi])
    return limit, parts


def _done(
    s: CompiledStrategy,
    app: Mapping[str, Any],
    scores: Mapping[str, Any],
    arm: str,
    versions: Mapping[str, str] | None,
    out: dict[str, Any],
    policy_hits: tuple[str, ...],
    tier: str,
    reasons: tuple[str, ...],
    times: dict[str, int],
    t0: int,
) -> DecisionRecord:
    times["total"] = perf_counter_ns() - t0
    return DecisionRecord(
        application_id=int(app.get("application_id") or 0),
        strategy=s.name,
        strategy_version=s.version,
        strategy_digest=s.digest,
        arm=arm,
        decision="reject" if tier == "reject" else "approve",
        tier=tier,
        reasons=reasons,
        policy_hits=policy_hits,
        inputs={k: _clean(app.get(k)) for k in s.input_fields},
        scores={k: _clean(v) for k, v in scores.items()},
        model_versions=dict(versions or {}),
        timings_ns=times,
        **out,
    )
