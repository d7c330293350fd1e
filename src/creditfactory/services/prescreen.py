"""The instant pre-screen of the intake page: which admission rules of the active strategy an
application passes on what the applicant declares, which it fails and why, and which wait for
the credit report. The same rules decide again, on the pulled report, at submission."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from creditfactory.domain.external_data import BUREAU_FIELDS
from creditfactory.services.context import ServiceContext
from creditfactory.services.decision_explain import active_spec
from creditfactory.services.four_eyes import check_submitter
from creditfactory.services.ports import Actor
from creditfactory.strategy.spec import Condition

__all__ = ["prescreen"]

_BUREAU = frozenset(BUREAU_FIELDS)


def prescreen(ctx: ServiceContext, actor: Actor, declared: Mapping[str, Any]) -> dict[str, Any]:
    """Each enabled policy rule of the active strategy with its thresholds and its outcome on
    ``declared``: ``fails``, ``passes``, ``after_bureau`` (it reads the credit report) or
    ``at_submission`` (it reads what the platform works out itself, e.g. the blacklist);
    with the limit range and the price bounds that apply."""
    check_submitter(ctx, actor)
    with ctx.uow(write=False) as uow:
        spec = active_spec(uow)
    if spec is None:
        return {"rules": [], "fails": [], "limit": None, "rates": None}
    rules = []
    for rule in spec.policy:
        if not rule.enabled:
            continue
        conditions = [{"field": c.field, "op": c.op, "value": c.value} for c in rule.when]
        fields = {c.field for c in rule.when}
        if fields & _BUREAU:
            outcome = "after_bureau"
        elif not fields <= set(declared):
            outcome = "at_submission"
        else:
            outcome = "fails" if all(_holds(c, declared.get(c.field)) for c in rule.when) else "passes"
        rules.append({"code": rule.code, "reason": rule.reason, "conditions": conditions,
                      "outcome": outcome})
    return {
        "rules": rules,
        "fails": [r["code"] for r in rules if r["outcome"] == "fails"],
        "limit": (spec.limit.minimum, spec.limit.maximum),
        "rates": (spec.pricing.floor, spec.pricing.cap),
    }


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def _holds(c: Condition, value: Any) -> bool:
    """The condition on one declared value, as the strategy reads it (missing: ``if_missing``)."""
    if value is None or value == "":
        return c.if_missing
    if c.op in ("in", "not_in"):
        inside = str(value) in {str(v) for v in c.value}  # type: ignore[union-attr]
        return inside if c.op == "in" else not inside
    if isinstance(c.value, bool) or isinstance(c.value, str):
        same = str(value).lower() == str(c.value).lower()
        return same if c.op == "==" else (not same if c.op == "!=" else False)
    have, want = _number(value), _number(c.value)
    if have is None or want is None:
        return c.if_missing
    return {"<": have < want, "<=": have <= want, ">": have > want, ">=": have >= want,
            "==": have == want, "!=": have != want}[c.op]
