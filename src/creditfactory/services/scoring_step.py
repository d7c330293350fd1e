"""The ``scoring`` step: a decided case passes; an undecided one is decided here or held.

A case is kept undecided when its data came late (the bureau answered on a retry) or when a
model failed to score it at submission. Reaching ``scoring`` it is decided on the stored
application (bureau fields as pulled); when a model fails again the case is held in
:data:`SCORING_QUEUE` with the failure as its reason, for a risk analyst — never decided on
scores that were not computed. Completing the analyst's task does the step again.
"""

from __future__ import annotations

from datetime import datetime

from creditfactory.domain.case import UNDECIDED, Case
from creditfactory.services.application_input import rebuild_application
from creditfactory.services.context import ServiceContext
from creditfactory.services.decision_pipeline import decide
from creditfactory.services.decisions import store_decision
from creditfactory.services.errors import ScoringFailed
from creditfactory.services.holds import PEOPLE_QUEUES, SCORING_ERRORS, hold_case
from creditfactory.store import UnitOfWork

__all__ = ["SCORING_QUEUE", "SCORING_ROLE", "scoring_step"]

SCORING_QUEUE = SCORING_ERRORS
SCORING_ROLE = PEOPLE_QUEUES[SCORING_ERRORS]


def scoring_step(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    """Pass a decided case; decide an undecided one, or hold it when its scoring fails."""
    if case.tier != UNDECIDED:
        return True
    app = uow.applications.get(case.application_id)
    assert app is not None
    applicant = uow.applications.applicant(app.applicant_id)
    full = rebuild_application(app, applicant, ctx.vault)
    try:
        decision = decide(ctx, {**full, "application_id": 0})
    except ScoringFailed as exc:
        hold_case(uow, case, SCORING_QUEUE, f"scoring failed: {exc}", at, role=SCORING_ROLE)
        return False
    seq = len(uow.applications.decisions(case.application_id)) + 1
    store_decision(uow, case.application_id, seq, "application", decision, at)
    case.tier = decision.tier
    return True
