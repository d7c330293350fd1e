"""The limit-and-pricing step: findings from verification and investigation re-run the decision.

Knock-out findings (identity not confirmed, business not real, purpose not confirmed) reject
the case. Otherwise the corrected application goes through the decision pipeline again
(``decision_pipeline.decide``); a reject ends the case, a tier worse than the one the case was
routed by, or a limit cut by more than a fifth, marks the case an exception for the committee.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from creditfactory.domain.case import Case
from creditfactory.factory import Findings, corrected_application, knock_outs, merge
from creditfactory.services.application_input import rebuild_application
from creditfactory.services.context import ServiceContext
from creditfactory.services.decision_pipeline import active_strategy, decide
from creditfactory.services.decisions import latest_decision, store_decision
from creditfactory.services.ports import Decision
from creditfactory.store import UnitOfWork

TIER_ORDER = {"auto_approve": 0, "remote_verification": 1, "field_investigation": 2, "reject": 3}
EXCEPTION_LIMIT_CUT = Decimal("0.8")

__all__ = ["decision_with_findings", "limit_and_pricing", "findings_of", "needs_committee", "redecide"]


def findings_of(uow: UnitOfWork, application_id: int) -> Findings:
    """All findings recorded for an application, merged."""
    rows = uow.applications.findings(application_id)
    keys = (
        "identity_confirmed",
        "business_real",
        "purpose_confirmed",
        "hidden_debt",
        "verified_monthly_revenue",
    )
    return merge([Findings(**{k: r[k] for k in keys}) for r in rows])


def decision_with_findings(uow: UnitOfWork, ctx: ServiceContext, case: Case) -> Decision | None:
    """What the engine decides with the case's findings, kept nowhere (None: no findings).
    Knock-out findings decline."""
    app_id = case.application_id
    found = findings_of(uow, app_id)
    if found.empty:
        return None
    before = latest_decision(uow, app_id)
    ko = knock_outs(found)
    if ko:
        return Decision(
            "reject",
            Decimal("0.00"),
            before.rate,
            before.product,
            tuple(ko),
            before.score,
            {"basis": "findings", "previous_seq": before.seq},
        )
    active_strategy(ctx)
    app = uow.applications.get(app_id)
    assert app is not None
    applicant = uow.applications.applicant(app.applicant_id)
    full = corrected_application(rebuild_application(app, applicant, ctx.vault), found)
    return decide(ctx, full)


def redecide(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> Decision | None:
    """Decide the case again with its findings and keep the decision (None: no findings, the
    latest decision stands)."""
    d = decision_with_findings(uow, ctx, case)
    if d is None:
        return None
    app_id = case.application_id
    seq = latest_decision(uow, app_id).seq + 1
    store_decision(uow, app_id, seq, "findings", d, at)
    uow.audit.append(
        "system",
        "decision.revised",
        "application",
        app_id,
        case_id=case.id,
        detail={"seq": seq, "tier": d.tier, "limit": str(d.limit), "reasons": list(d.reasons)},
        at=at,
    )
    return d


def needs_committee(case: Case, d: Decision, before_limit: Decimal) -> bool:
    """The machine's own rule: a tier worse than the case was routed by, or a limit cut by
    more than a fifth."""
    return TIER_ORDER[d.tier] > TIER_ORDER[case.tier] or d.limit < before_limit * EXCEPTION_LIMIT_CUT


def limit_and_pricing(
    uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime
) -> bool:
    """Re-decide with the findings (if any); False when the case ends here."""
    app_id = case.application_id
    before_limit = latest_decision(uow, app_id).limit_amount
    d = redecide(uow, ctx, case, at)
    if d is None:
        return True
    if d.tier == "reject":
        case.close("rejected", at)
        uow.applications.set_status(app_id, "rejected")
        return False
    if needs_committee(case, d, before_limit):
        case.mark_exception()
    return True
