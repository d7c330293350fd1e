"""Why a decision came out as it did, read from its stored record.

A decision keeps its record (``services/decisions.py``): the scores, the grade and fraud band,
the policy hits, the limit engine's parts (``strategy/limits.py``) and the price's parts
(``strategy/pricing.py``). With the parameters of the strategy version that decided it (read
from the store by name, version and digest) the record is laid out the way a credit officer
reads it: the score and what cost it points, the rules that fired, the limit built up step by
step from the declared revenue, the price built up from expected loss, and the tier with the
rows of the tier table it did not meet. Nothing is recomputed from the application: a record
from another strategy version still reads as it was decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from creditfactory.domain.money import round_money, whole_steps
from creditfactory.services.approval import HUMAN_BASES
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.queries import readable_application
from creditfactory.services.strategy_setup import CHALLENGER
from creditfactory.strategy import parse_strategy
from creditfactory.strategy.spec import StrategySpec, TierRow

__all__ = ["decision_explained", "explain_record", "active_spec"]


def decision_explained(ctx: ServiceContext, actor: Actor, application_id: int) -> dict[str, Any] | None:
    """The engine's latest decision on the application explained (None before any decision),
    for the actors who may read the application. A person's decision (an approver's or the
    committee's terms) is not the engine's: the case page shows it as such, and this explains
    the engine's decision it was taken against."""
    with ctx.uow(write=False) as uow:
        readable_application(uow, actor, application_id)
        decisions = uow.applications.decisions(application_id)
        if not decisions:
            return None
        machine = [d for d in decisions if d.basis not in HUMAN_BASES] or decisions
        record = machine[-1].record
        spec = _spec_of(uow, record)
    return explain_record(record, spec)


def _spec_of(uow: Any, record: Mapping[str, Any]) -> StrategySpec | None:
    """The spec of the strategy version that made ``record`` (None when it is not stored)."""
    name, version, digest = record.get("strategy"), record.get("strategy_version"), record.get("strategy_digest")
    if not (name and version and digest):
        return None
    texts: list[tuple[str, str]] = []
    row = uow.strategies.active()
    if row is not None:
        meta = row["meta"] or {}
        texts.append((str(meta.get("text", "")), str(row["location"])))
        chosen = meta.get(CHALLENGER)
        if chosen:
            texts.append((str(chosen.get("text", "")), str(chosen.get("location", ""))))
    for text, location in texts:
        spec = _parsed(text, location, str(digest))
        if spec is not None:
            return spec
    return None


def active_spec(uow: Any) -> StrategySpec | None:
    """The spec of the active strategy (the champion), None before ``setup``."""
    row = uow.strategies.active()
    if row is None:
        return None
    meta = row["meta"] or {}
    return _parsed(str(meta.get("text", "")), str(row["location"]), None)


@lru_cache(maxsize=16)
def _parsed(text: str, location: str, digest: str | None) -> StrategySpec | None:
    """The spec of a stored strategy text (when its digest is ``digest``, if given)."""
    if not text:
        return None
    compiled = parse_strategy(text, source=location)
    return compiled.spec if digest is None or compiled.digest == digest else None


def _dec(value: Any) -> Decimal | None:
    if isinstance(value, Mapping) and "$decimal" in value:
        value = value["$decimal"]
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _float(value: Any) -> float | None:
    d = _dec(value)
    return None if d is None else float(d)


def explain_record(record: Mapping[str, Any], spec: StrategySpec | None) -> dict[str, Any]:
    """The parts of one decision record, ready to be shown (amounts as Decimal, rates as
    annual fractions, codes as codes for the page to put in words)."""
    scores = record.get("scores") or {}
    inputs = record.get("inputs") or {}
    segment = next((s for s in spec.segments if s.name == record.get("segment")), None) if spec else None
    a_pd, ch_pd = _float(scores.get("a_pd")), _float(scores.get("challenger_pd"))
    out: dict[str, Any] = {
        "strategy": f"{record.get('strategy', '?')}@{record.get('strategy_version', '?')}",
        "arm": record.get("arm") or (record.get("split") or {}).get("arm"),
        "tier": record.get("tier"),
        "reasons": list(record.get("reasons") or []),
        "policy_hits": list(record.get("policy_hits") or []),
        "blacklist_hits": list(record.get("blacklist_hits") or []),
        "score": {
            "a_score": _float(scores.get("a_score")),
            "a_pd": a_pd,
            "adjusted_pd": _float(record.get("adjusted_pd")),
            "grade": record.get("grade"),
            "segment": record.get("segment"),
            "top_reasons": [r for r in str(scores.get("a_reasons") or "").split(";") if r],
        },
        "challenger": None if ch_pd is None or a_pd is None else {
            "pd": ch_pd,
            "gap": abs(ch_pd - a_pd),
            "margin": float(segment.challenger_margin) if segment else None,
            "disagrees": bool(record.get("disagreement")),
        },
        "fraud": {
            "score": _float(scores.get("fraud_score")),
            "band": record.get("fraud_band"),
            "rules": list(record.get("fraud_rules") or []),
        },
        "limit": _limit_steps(record, inputs, spec),
        "price": _price_steps(record, spec),
        "tier_rows": _tier_rows(record, spec),
    }
    return out


def _limit_steps(record: Mapping[str, Any], inputs: Mapping[str, Any],
                 spec: StrategySpec | None) -> dict[str, Any] | None:
    parts = record.get("limit_parts")
    if not parts:
        return None
    p = {k: _dec(v) for k, v in parts.items()}
    revenue, asked = _dec(inputs.get("declared_monthly_revenue")), _dec(inputs.get("amount"))
    debt = _dec(inputs.get("bureau_debt"))
    limit = _dec(record.get("limit"))
    steps: list[dict[str, Any]] = [{"key": "revenue", "amount": revenue}]
    engine = spec.limit if spec else None
    if engine is not None and revenue is not None:
        steps.append({"key": "income_margin", "amount": round_money(revenue * engine.income_margin),
                      "rate": engine.income_margin})
        steps.append({"key": "packaging", "amount": p.get("monthly_income"),
                      "score": p.get("packaging_score"),
                      "rate": engine.packaging_haircut * (p.get("packaging_score") or Decimal(0))})
    else:
        steps.append({"key": "packaging", "amount": p.get("monthly_income"), "score": p.get("packaging_score")})
    steps.append({"key": "existing_debt", "amount": p.get("existing_debt_service"), "debt": debt,
                  "rate": engine.existing_debt_monthly_rate if engine else None})
    steps.append({"key": "debt_service_cap", "amount": p.get("affordable_instalment"),
                  "rate": engine.debt_service_cap if engine else None})
    steps.append({"key": "capacity", "amount": p.get("capacity"), "factor": p.get("grade_factor"),
                  "term": record.get("term_months"), "annual_rate": _dec(record.get("rate"))})
    caps: list[tuple[str, Decimal | None]] = [
        ("capacity", p.get("capacity")), ("asked", asked), ("grade_max", p.get("grade_max_limit"))]
    if spec is not None:
        product = next((x for x in spec.products if x.code == record.get("product")), None)
        caps += [("product_max", product.max_limit if product else None), ("maximum", spec.limit.maximum)]
    known = [(k, v) for k, v in caps if v is not None]
    binding = min(known, key=lambda kv: kv[1])[0] if known else None
    step = engine.step if engine else None
    if step is not None and known:
        lowest = min(v for _, v in known)
        steps.append({"key": "rounding", "amount": step * max(whole_steps(lowest, step), 0), "step": step})
    return {"steps": steps, "caps": known, "binding": binding, "limit": limit,
            "minimum": engine.minimum if engine else None}


def _price_steps(record: Mapping[str, Any], spec: StrategySpec | None) -> dict[str, Any] | None:
    parts = record.get("rate_parts")
    if not parts:
        return None
    p = {k: _dec(v) for k, v in parts.items() if k != "bounded"}
    grade = next((g for g in spec.grades if g.name == record.get("grade")), None) if spec else None
    steps = [
        {"key": "expected_loss", "rate": p.get("expected_loss"),
         "pd": grade.pricing_pd if grade else None, "lgd": spec.pricing.lgd if spec else None},
        {"key": "cost_of_funds", "rate": p.get("cost_of_funds")},
        {"key": "operating_cost", "rate": p.get("operating_cost")},
        {"key": "margin", "rate": p.get("margin")},
    ]
    if p.get("product_adjustment"):
        steps.append({"key": "product_adjustment", "rate": p.get("product_adjustment")})
    built = sum((s["rate"] for s in steps if s["rate"] is not None), Decimal(0))
    return {"steps": steps, "sum": built, "rate": _dec(record.get("rate")),
            "bounded": str(parts.get("bounded")) == "True",
            "floor": spec.pricing.floor if spec else None, "cap": spec.pricing.cap if spec else None}


def _tier_rows(record: Mapping[str, Any], spec: StrategySpec | None) -> list[dict[str, Any]] | None:
    """Each row of the tier table up to the one that matched, with what it asked that the
    decision did not have."""
    if spec is None or record.get("grade") is None or record.get("limit") is None:
        return None
    grade, band = record.get("grade"), record.get("fraud_band")
    limit, disagree = _dec(record.get("limit")) or Decimal(0), bool(record.get("disagreement"))
    rows = []
    for row in spec.tiers:
        misses = _misses(row, grade, band, limit, disagree)
        rows.append({"tier": row.tier, "reason": row.reason, "misses": misses})
        if not misses:
            break
    return rows


def _misses(row: TierRow, grade: Any, band: Any, limit: Decimal, disagree: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if row.grades is not None and grade not in row.grades:
        out.append({"key": "grade", "want": row.grades, "have": grade})
    if row.fraud_bands is not None and band not in row.fraud_bands:
        out.append({"key": "fraud_band", "want": row.fraud_bands, "have": band})
    if row.max_amount is not None and limit > row.max_amount:
        out.append({"key": "max_amount", "want": row.max_amount, "have": limit})
    if row.min_amount is not None and limit < row.min_amount:
        out.append({"key": "min_amount", "want": row.min_amount, "have": limit})
    if row.disagreement is not None and disagree != row.disagreement:
        out.append({"key": "disagreement", "want": row.disagreement, "have": disagree})
    return out
