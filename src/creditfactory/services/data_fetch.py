"""The data the platform fetches itself, and the three steps that stand on them.

A submission carries what the applicant declares; the credit report and the business'
registration are pulled by the platform (the intermediary who fills the form cannot type
them). Both counterparts are asked at once, ahead of the submission's write transaction, and
every answer or failure is stored with its source and time. The steps then read what was
stored:

- ``data_check``: the declared business against its registration (name, industry, years in
  business); the findings are recorded, a missing registration is recorded as such;
- ``bureau_pull``: needs the consent recorded at ``bureau_consent`` and a report; without a
  report the case is held (in :data:`BUREAU_QUEUE` when the bureau did not answer, retried by
  the background job; in :data:`EXCEPTIONS_QUEUE` for a risk analyst when it has no file);
- ``external_data``: needs the registry's answer (a registration, or that there is none);
  held in :data:`REGISTRY_QUEUE` while the registry does not answer.

Device ID and IP are taken from the submission: the agent app's SDK reads them on the
applicant's phone as the form is filled, and no counterpart could answer for them; they are
checked by the fraud graph (shared devices and addresses), not fetched.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from creditfactory.domain.case import Case
from creditfactory.domain.external_data import (
    BureauReport,
    BusinessRegistration,
    CounterpartUnavailable,
)
from creditfactory.services.context import ServiceContext
from creditfactory.services.holds import DATA_EXCEPTIONS, PEOPLE_QUEUES, hold_case
from creditfactory.store import UnitOfWork

__all__ = [
    "BUREAU_QUEUE",
    "EXCEPTIONS_QUEUE",
    "EXCEPTIONS_ROLE",
    "FETCH_STEPS",
    "REGISTRATION",
    "REGISTRY_QUEUE",
    "Fetched",
    "business_checks",
    "fetch",
    "fetch_async",
    "record_fetched",
    "STEP_EFFECTS",
]

BUREAU_QUEUE = "bureau_unavailable"
REGISTRY_QUEUE = "registry_unavailable"
EXCEPTIONS_QUEUE = DATA_EXCEPTIONS
EXCEPTIONS_ROLE = PEOPLE_QUEUES[DATA_EXCEPTIONS]
FETCH_STEPS = ("bureau_pull", "external_data")
REGISTRATION = "business_registration"
NOT_CONFIGURED = "no {} is configured"


@dataclass(frozen=True)
class Fetched:
    """What the counterparts answered for one application at ``as_of``: a report or
    registration, ``None`` with no error when they have no record, an error when they did
    not answer (or were not asked: ``bureau_error`` also when the bureau is not configured)."""

    as_of: datetime
    report: BureauReport | None
    bureau_error: str | None
    bureau_source: str
    registration: BusinessRegistration | None
    registry_error: str | None
    registry_source: str


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """Threads that wait on the registry while the caller waits on the bureau."""
    return ThreadPoolExecutor(max_workers=32, thread_name_prefix="data-fetch")


def pull_report(ctx: ServiceContext, resident_id: str, consent_ref: str,
                as_of: datetime) -> tuple[BureauReport | None, str | None]:
    """The report (or None for no file) and the error when the bureau did not answer."""
    if ctx.bureau is None:
        return None, NOT_CONFIGURED.format("credit bureau")
    try:
        return ctx.bureau.pull(resident_id, consent_ref, as_of), None
    except CounterpartUnavailable as exc:
        return None, str(exc)


def look_up_registration(ctx: ServiceContext, uscc: str,
                         as_of: datetime) -> tuple[BusinessRegistration | None, str | None]:
    """The registration (or None when not registered) and the error when the registry did not
    answer."""
    if ctx.external is None:
        return None, NOT_CONFIGURED.format("business registry")
    try:
        return ctx.external.registration(uscc, as_of), None
    except CounterpartUnavailable as exc:
        return None, str(exc)


def fetch(ctx: ServiceContext, resident_id: str, consent_ref: str, uscc: str,
          as_of: datetime) -> Fetched:
    """Ask the bureau and the registry at once; never raises for a counterpart's failure."""
    registry: Future[tuple[BusinessRegistration | None, str | None]] | None = None
    if ctx.external is not None:
        registry = _pool().submit(look_up_registration, ctx, uscc, as_of)
    report, bureau_error = pull_report(ctx, resident_id, consent_ref, as_of)
    registration, registry_error = (
        registry.result() if registry is not None else look_up_registration(ctx, uscc, as_of)
    )
    return Fetched(as_of, report, bureau_error, _source(ctx.bureau), registration,
                   registry_error, _source(ctx.external))


async def fetch_async(ctx: ServiceContext, resident_id: str, consent_ref: str, uscc: str,
                      as_of: datetime) -> Fetched:
    """:func:`fetch` for an event loop: both counterparts awaited at once, through their
    ``*_async`` methods when they have them (the HTTP adapters), else on threads."""
    (report, bureau_error), (registration, registry_error) = await asyncio.gather(
        _ask_async(ctx.bureau, "credit bureau", "pull", resident_id, consent_ref, as_of),
        _ask_async(ctx.external, "business registry", "registration", uscc, as_of),
    )
    return Fetched(as_of, report, bureau_error, _source(ctx.bureau), registration,
                   registry_error, _source(ctx.external))


async def _ask_async(counterpart: Any, what: str, method: str,
                     *args: Any) -> tuple[Any, str | None]:
    if counterpart is None:
        return None, NOT_CONFIGURED.format(what)
    native = getattr(counterpart, f"{method}_async", None)
    try:
        if native is not None:
            return await native(*args), None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_pool(), getattr(counterpart, method), *args), None
    except CounterpartUnavailable as exc:
        return None, str(exc)


def _source(counterpart: Any) -> str:
    return "not configured" if counterpart is None else str(counterpart.source)


def record_pull(uow: UnitOfWork, application_id: int, report: BureauReport | None,
                error: str | None, source: str, as_of: datetime, at: datetime) -> None:
    """Store one bureau pull attempt with its outcome, source and time."""
    outcome = "unavailable" if error else "no_file" if report is None else "report"
    uow.fetched.add_pull(
        application_id=application_id, source=source[:200], as_of=as_of, pulled_at=at,
        outcome=outcome, report_id=None if report is None else report.report_id[:64],
        report=None if report is None else report.record(),
        error=None if error is None else error[:300],
    )


def record_registration(uow: UnitOfWork, application_id: int,
                        registration: BusinessRegistration | None, error: str | None,
                        source: str, at: datetime) -> None:
    """Store one registry lookup with its outcome, source and time."""
    outcome = "unavailable" if error else "not_found" if registration is None else "found"
    uow.fetched.add_record(
        application_id=application_id, kind=REGISTRATION, source=source[:200], fetched_at=at,
        outcome=outcome, record=None if registration is None else registration.record(),
        error=None if error is None else error[:300],
    )


def record_fetched(uow: UnitOfWork, application_id: int, app: Mapping[str, Any],
                   fetched: Fetched, recorded_by: str, at: datetime) -> None:
    """Store a submission's consent, its pull, its registry answer and the data check's
    findings (when the registry answered)."""
    uow.fetched.add_consent(application_id=application_id, consent_ref=app["bureau_consent_ref"],
                            recorded_by=recorded_by, recorded_at=at)
    record_pull(uow, application_id, fetched.report, fetched.bureau_error,
                fetched.bureau_source, fetched.as_of, at)
    record_registration(uow, application_id, fetched.registration, fetched.registry_error,
                        fetched.registry_source, at)
    if fetched.registry_error is None:
        uow.fetched.add_checks(business_checks(application_id, app, fetched.registration, at))


def business_checks(application_id: int, declared: Mapping[str, Any],
                    registration: BusinessRegistration | None,
                    at: datetime) -> list[dict[str, Any]]:
    """The declared business against its registration: one row per check, ``mismatch`` where
    they disagree (a business older than registered, in another industry section, under
    another name), ``missing`` for a code that is not registered."""

    def row(check: str, outcome: str, **detail: Any) -> dict[str, Any]:
        return {"application_id": application_id, "check_name": check, "outcome": outcome,
                "detail": detail, "checked_at": at}

    if registration is None:
        return [row("registration", "missing", uscc_registered=False)]
    years = registration.years_in_business(_day(declared.get("applied_at"), at))
    said = int(declared["years_in_business"])
    same_name = " ".join(str(declared["business_name"]).split()) == " ".join(
        registration.registered_name.split())
    industry = str(declared["industry"])
    return [
        row("registration", "match" if registration.status == "active" else "mismatch",
            status=registration.status),
        row("business_name", "match" if same_name else "mismatch"),
        row("industry", "match" if industry[:1] == registration.industry[:1] else "mismatch",
            declared=industry, registered=registration.industry),
        # packaging overstates a business' age; fewer years than registered is no risk
        row("years_in_business", "match" if said <= years + 1 else "mismatch",
            declared=said, registered=years),
    ]


def _day(value: Any, default: datetime) -> date:
    return value.date() if isinstance(value, datetime) else default.date()


def _data_check(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    mismatched = [c["check_name"] for c in uow.fetched.recent_checks(case.application_id)
                  if c["outcome"] != "match"]
    if mismatched:
        uow.audit.append("system", "data_check.findings", "application", case.application_id,
                         case_id=case.id, detail={"not_matching": mismatched}, at=at)
    return True


def _bureau_pull(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    if uow.fetched.consent(case.application_id) is None:
        hold_case(uow, case, EXCEPTIONS_QUEUE, "no bureau consent is recorded", at,
                  role=EXCEPTIONS_ROLE)
        return False
    pull = uow.fetched.latest_pull(case.application_id)
    if pull is not None and pull["outcome"] == "report":
        return True
    if pull is not None and pull["outcome"] == "no_file":
        hold_case(uow, case, EXCEPTIONS_QUEUE, "the credit bureau has no file on the applicant",
                  at, role=EXCEPTIONS_ROLE, evidence={"source": pull["source"]})
    else:
        error = "not pulled" if pull is None else pull["error"]
        hold_case(uow, case, BUREAU_QUEUE, f"no credit report: {error}", at)
    return False


def _external_data(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    found = uow.fetched.latest_record(case.application_id, REGISTRATION)
    if found is not None and found["outcome"] != "unavailable":
        return True
    error = "not looked up" if found is None else found["error"]
    hold_case(uow, case, REGISTRY_QUEUE, f"no answer from the business registry: {error}", at)
    return False


STEP_EFFECTS = {
    "data_check": _data_check,
    "bureau_pull": _bureau_pull,
    "external_data": _external_data,
}
"""The effects of the steps standing on fetched data (``services/flow.py`` runs them)."""
