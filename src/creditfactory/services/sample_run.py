"""A working hour of the factory: submit a batch of applications, let the banks answer and
the borrowers sign.

The demo uses it to show the process on a real store: auto-approved applications go straight
to a partner bank, to the contract (signed by the borrower through the signing service) and
to payout with no staff touch; the others wait at their stations. The borrowers are a port
(``borrowers``, the simulated ones of the world in the demo), the same object the context
delivers signing codes through. A submission held because the bureau did not answer (202) is
counted as held and retried while the banks answer, as ``serve``'s background job would.
``times`` replays the applications at their own times (a simulated world's), through the
context's clock; without them they are stamped now.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from creditfactory.services.bank_answers import simulate_bank_answers
from creditfactory.services.context import ServiceContext
from creditfactory.services.contract_signing import sign_due
from creditfactory.services.fetch_retry import retry_held_fetches
from creditfactory.services.intake import submit_application
from creditfactory.services.notifications import SigningBorrowers
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

__all__ = ["SampleRun", "run_sample"]


@dataclass
class SampleRun:
    """Where a batch of submitted applications stands once the banks have answered."""

    submitted: int = 0
    tiers: Counter[str] = field(default_factory=Counter)
    outcome: Counter[str] = field(default_factory=Counter)
    seconds_to_payout: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def _seconds(start: datetime, end: datetime) -> float:
    if (end.tzinfo is None) != (start.tzinfo is None):
        end = end.replace(tzinfo=start.tzinfo)
    return (end - start).total_seconds()


def _where(uow: UnitOfWork, application_id: int, sent: datetime, run: SampleRun) -> str:
    """Where one submitted application stands (a paid-out one adds its time to payout)."""
    case = uow.cases.by_application(application_id)
    loan = None if case is None else uow.submissions.loan_of_case(case.id)
    if loan is not None:
        run.seconds_to_payout.append(_seconds(sent, loan.paid_out_at))
        return "paid out"
    if case is None or case.status in ("closed", "rejected", "declined"):
        app = uow.applications.get(application_id)
        return f"closed ({app.status if app is not None else None})"
    return f"waiting at {case.step}"


def _signatures(ctx: ServiceContext, borrowers: SigningBorrowers | None,
                run: SampleRun) -> int:
    """The borrowers ready to sign sign now; how many signed."""
    if borrowers is None:
        return 0
    signed, refused = sign_due(ctx, borrowers)
    for name in refused:
        run.errors[f"signature: {name}"] += 1
    return signed


def _stopped_at(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def run_sample(ctx: ServiceContext, applications: Iterable[dict[str, Any]], actor: Actor,
               wait_seconds: float = 20.0,
               borrowers: SigningBorrowers | None = None,
               times: Sequence[datetime] | None = None) -> SampleRun:
    """Submit ``applications`` (world rows without their id), then let banks answer and
    ``borrowers`` (who receive their codes through ``ctx.borrowers``) sign."""
    run = SampleRun()
    ids: list[int] = []
    sent: dict[int, datetime] = {}
    for n, app in enumerate(applications):
        at = utcnow()
        replay = ctx if times is None else replace(ctx, clock=_stopped_at(times[n]))
        code, body, _ = submit_application(replay, actor, app, f"sample-{n}")
        run.submitted += 1
        if code not in (201, 202):
            run.errors[str(code)] += 1
            continue
        ids.append(int(body["application_id"]))
        sent[ids[-1]] = at
        decided = body["decision"]
        run.tiers["held (no data yet)" if decided is None else str(decided["tier"])] += 1
    deadline = time.monotonic() + wait_seconds
    quiet = 0
    while time.monotonic() < deadline and quiet < 8:
        busy = (simulate_bank_answers(ctx, limit=500) + _signatures(ctx, borrowers, run)
                + retry_held_fetches(ctx).resolved)
        quiet = 0 if busy else quiet + 1
        time.sleep(0.5)
    with ctx.uow(write=False) as uow:
        for application_id in ids:
            run.outcome[_where(uow, application_id, sent[application_id], run)] += 1
    return run
