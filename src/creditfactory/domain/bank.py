"""A case's package at a partner bank, answered once, and the loan the bank pays out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from creditfactory.domain.application import ApplicationTerms, RecordedDecision
from creditfactory.domain.case import Case
from creditfactory.domain.errors import AnsweredTwice, IllegalLoanMove

__all__ = ["BankSubmission", "Loan", "contract_no"]


@dataclass(slots=True)
class BankSubmission:
    """A recommendation package sent to one bank: pending until it approves or declines."""

    case_id: int
    bank_code: str
    status: str
    package: dict[str, Any]
    submitted_at: datetime
    answer_due_at: datetime
    answered_at: datetime | None = None
    answered_by: str | None = None
    reason: str | None = None
    id: int = 0

    @classmethod
    def send(
        cls, case_id: int, bank_code: str, package: dict[str, Any], at: datetime, due: datetime
    ) -> BankSubmission:
        """A package sent now, its answer expected by ``due``."""
        return cls(case_id, bank_code, "pending", package, at, due)

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    @property
    def counts_for_quota(self) -> bool:
        """Packages a bank has not declined count towards its monthly quota."""
        return self.status != "declined"

    def answer(self, approve: bool, by: str, reason: str, at: datetime) -> None:
        """The bank's one answer."""
        if self.status != "pending":
            raise AnsweredTwice(f"submission {self.id} was already {self.status}")
        self.status = "approved" if approve else "declined"
        self.answered_by, self.reason, self.answered_at = by, reason, at


def contract_no(case_id: int) -> str:
    """The contract number of a case's loan."""
    return f"CF{case_id:012d}"


@dataclass(slots=True)
class Loan:
    """A loan paid out by a partner bank and booked for servicing."""

    case_id: int
    application_id: int
    bank_code: str
    contract_no: str
    principal: Decimal
    rate: Decimal
    term_months: int
    product: str
    repayment_method: str
    paid_out_at: datetime
    servicing_status: str
    id: int = 0

    @classmethod
    def pay_out(
        cls, case: Case, terms: ApplicationTerms, decision: RecordedDecision, at: datetime
    ) -> Loan:
        """The loan of an open case its bank approved: the decision's limit (at most the
        amount asked) at its rate, in equal instalments, booked for servicing."""
        if not case.is_open or case.bank_code is None:
            raise IllegalLoanMove(f"case {case.id} is {case.status} with no bank to pay out")
        if terms.application_id != case.application_id:
            raise IllegalLoanMove(f"application {terms.application_id} is not case {case.id}'s")
        return cls(
            case_id=case.id,
            application_id=case.application_id,
            bank_code=case.bank_code,
            contract_no=contract_no(case.id),
            principal=decision.loan_amount(terms),
            rate=decision.rate,
            term_months=terms.term_months,
            product=decision.product,
            repayment_method="equal_instalment",
            paid_out_at=at,
            servicing_status="booked",
        )
