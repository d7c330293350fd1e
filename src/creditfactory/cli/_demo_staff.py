"""A morning's work of the demo's staff, so that every station's page has a case on it.

The play submits applications and the simulated banks answer, but the verifiers' and
investigators' stations are people's work: the demo does a little of it in their names (the
checks confirmed as declared), through the same service function as the pages and the API, so
that a few field-investigation cases wait at the approver's review and the approval form has
cases to decide.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

__all__ = ["demo_staff_work"]

FINDINGS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("phone_verification", "verifier", {"identity_confirmed": True}),
    ("online_verification", "verifier", {"business_real": True}),
    ("field_investigation", "investigator", {"business_real": True, "purpose_confirmed": True}),
)


def demo_staff_work(ctx: Any, cases: int = 3, among: Collection[int] | None = None) -> str:
    """Work up to ``cases`` field-investigation cases (of ``among``, when given) from the
    phone checks to the visit as the demo's ``verifier`` and ``investigator``; a line saying
    what now waits for review."""
    from creditfactory.services.ports import Actor
    from creditfactory.services.tasks import complete_task, station_queue

    verifier = Actor("verifier", "verifier")
    waiting = station_queue(ctx, verifier, "phone_verification", 0, 1_000)
    with ctx.uow(write=False) as uow:
        field = [t["case_id"] for t in waiting
                 if (case := uow.cases.get(t["case_id"])) is not None
                 and case.tier == "field_investigation"
                 and (among is None or case.id in among)][:cases]
    for case_id in field:
        for step, user, outcome in FINDINGS:
            with ctx.uow(write=False) as uow:
                task = next((t for t in uow.cases.tasks_of(case_id)
                             if t.step == step and t.status != "done"), None)
            if task is None:
                break
            complete_task(ctx, Actor(user, user), task.id, outcome)
    return (f"the demo's verifier and investigator worked {len(field)} field-investigation "
            f"case(s) through to the approver's review")
