"""Paid-out loans written straight into the store (applicant, application, case, loan), for
the loan book's tests and bench: ``book=True`` books each through the service, as payout does;
``bulk_accounts`` writes the accounts of many fresh loans at once (schedules from the
vectorised engine, no schedule rows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import sqlalchemy as sa

from creditfactory.services.context import ServiceContext
from creditfactory.services.servicing_book import book_loan
from creditfactory.servicing.book import day_number
from creditfactory.servicing.book_terms import book_from_terms
from creditfactory.servicing.close import BUCKETS, CLASSES
from creditfactory.store import PersonalDataVault, UnitOfWork, make_engine, upgrade_head
from creditfactory.store.tables import applicants
from creditfactory.store.tables_case import applications, cases, loans
from creditfactory.store.tables_servicing import loan_accounts
from creditfactory.store.types import utcnow

_CHUNK = 5000


def service_context(empty_db_url: str) -> Iterator[ServiceContext]:
    """A migrated store on the empty database and a context on it (the tests' ``ctx``)."""
    engine = make_engine(empty_db_url)
    upgrade_head(empty_db_url, engine)
    yield ServiceContext(engine, PersonalDataVault("k" * 40))
    engine.dispose()


def seed_loans(engine: sa.Engine, amounts: list[Decimal], *, start: date, bank: str = "B01",
               rate: Decimal = Decimal("0.18"), term: int = 12, first_id: int = 1,
               book: bool = True) -> list[int]:
    """One paid-out loan per amount (ids from ``first_id``), paid out at noon on ``start``."""
    at = datetime(start.year, start.month, start.day, 12, tzinfo=UTC)
    ids = list(range(first_id, first_id + len(amounts)))
    with UnitOfWork(engine) as uow:
        c = uow.conn
        for k in range(0, len(ids), _CHUNK):
            part = list(zip(ids[k:k + _CHUNK], amounts[k:k + _CHUNK], strict=True))
            c.execute(sa.insert(applicants), [{
                "id": i, "resident_id_hash": f"{i:032d}", "resident_id_masked": "1101**1234",
                "resident_id_enc": "v1:x", "created_at": at} for i, _ in part])
            c.execute(sa.insert(applications), [{
                "application_id": i, "applicant_id": i, "channel_id": "IM-T", "branch": "SZ01",
                "industry": "C", "amount": a, "term_months": term, "applied_at": at,
                "status": "paid_out", "phone_hash": "p" * 32, "phone_masked": "138****0000",
                "phone_enc": "v1:p", "bank_card_hash": "b" * 32,
                "bank_card_masked": "6222****0001", "bank_card_enc": "v1:b",
                "contact_phones_masked": "-", "contact_phones_enc": "v1:c",
                "fields": {"purpose": "working_capital"}, "created_by": "am",
                "created_at": at} for i, a in part])
            c.execute(sa.insert(cases), [{
                "id": i, "application_id": i, "tier": "auto_approve",
                "step": "booking_and_enrolment", "status": "done", "bank_code": bank,
                "opened_at": at, "updated_at": at} for i, _ in part])
            c.execute(sa.insert(loans), [{
                "id": i, "case_id": i, "application_id": i, "bank_code": bank,
                "contract_no": f"CF-{bank}-{i:09d}", "principal": a, "rate": rate,
                "term_months": term, "product": "STANDARD",
                "repayment_method": "equal_instalment", "paid_out_at": at,
                "servicing_status": "booked"} for i, a in part])
        if book:
            for i in ids:
                loan = uow.submissions.loan_of_case(i)
                assert loan is not None
                book_loan(uow, loan, at)
        uow.commit()
    return ids


def bulk_accounts(engine: sa.Engine, ids: list[int], amounts_fen: np.ndarray, *, start: date,
                  bank: str = "B01", rate_ppm: int = 180_000, term: int = 36) -> None:
    """Accounts of fresh loans (nothing received) for ``seed_loans(..., book=False)``."""
    n = len(ids)
    b = book_from_terms(amounts_fen, np.full(n, rate_ppm), np.full(n, term),
                        np.full(n, day_number(start)))
    at = datetime(start.year, start.month, start.day, 12, tzinfo=UTC)
    zero = {f"{k}_fen": 0 for k in ("overdue_principal", "penalty_accrued", "penalty_paid",
                                    "credit", "received", "recovered", "written_off_principal",
                                    "npl_principal")}
    with UnitOfWork(engine) as uow:
        rows = []
        for i in range(n):
            a, z = int(b.offsets[i]), int(b.offsets[i + 1])
            rows.append({
                "loan_id": ids[i], "bank_code": bank, "contract_no": f"CF-{bank}-{ids[i]:09d}",
                "applicant_id": ids[i], "purpose": "working_capital",
                "principal": Decimal(int(amounts_fen[i])).scaleb(-2),
                "rate": Decimal(rate_ppm).scaleb(-6), "term_months": term,
                "repayment_method": "equal_instalment", "rounding": "half_up",
                "product": "STANDARD", "start_date": start, "booked_at": at,
                "status": "active", "dpd": 0, "bucket": BUCKETS[0], "five_class": CLASSES[0],
                "principal_outstanding_fen": int(amounts_fen[i]), **zero,
                "written_off_on": None, "first_npl_on": None, "dues": b.due[a:z].tobytes(),
                "principal_left": b.principal_left[a:z].tobytes(),
                "interest_left": b.interest_left[a:z].tobytes()})
            if len(rows) == _CHUNK:
                uow.conn.execute(sa.insert(loan_accounts), rows)
                rows = []
        if rows:
            uow.conn.execute(sa.insert(loan_accounts), rows)
        for k in range(0, n, _CHUNK):  # an opened account's loan is active, as booking makes it
            uow.conn.execute(sa.update(loans).where(loans.c.id.in_(ids[k:k + _CHUNK]))
                             .values(servicing_status="active"))
        uow.commit()


def seed_paid_out(engine: sa.Engine, amounts_fen: np.ndarray, lag_days: np.ndarray, *,
                  first_id: int, business_date: date, step: int) -> None:
    """A book of 36-month loans of bank B01 (``amounts_fen``), each paid out ``lag_days``
    before ``business_date``, written ``step`` loans at a time; the business date set."""
    n = len(amounts_fen)
    for k in range(0, n, step):
        part = slice(k, min(k + step, n))
        ids = list(range(first_id + k, first_id + part.stop))
        seed_loans(engine, [Decimal(int(x)).scaleb(-2) for x in amounts_fen[part]],
                   start=business_date - timedelta(days=29), first_id=first_id + k, term=36,
                   book=False)
        for d in np.unique(lag_days[part]):
            sel = np.flatnonzero(lag_days[part] == d)
            bulk_accounts(engine, [ids[i] for i in sel], amounts_fen[part][sel],
                          start=business_date - timedelta(days=int(d)), term=36)
    with UnitOfWork(engine) as uow:
        uow.servicing.set_business_date(business_date, utcnow())
        uow.commit()


def next_day(d: date, n: int = 1) -> date:
    return d + timedelta(days=n)
