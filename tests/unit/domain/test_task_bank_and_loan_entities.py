"""Tasks are claimed then completed by the one holding them; a bank submission is answered
once; a loan is paid out only for an open case with a bank, for the limit at most."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.domain.application import ApplicationTerms, RecordedDecision
from creditfactory.domain.bank import BankSubmission, Loan, contract_no
from creditfactory.domain.case import Case
from creditfactory.domain.errors import AnsweredTwice, IllegalLoanMove, IllegalTaskMove
from creditfactory.domain.task import Task

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)


def _task() -> Task:
    return Task.open(4, "phone_verification", "phone_verification", "verifier", AT,
                     AT + timedelta(hours=1))


def test_a_task_is_claimed_then_completed_by_its_holder() -> None:
    task = _task()
    assert (task.status, task.assignee, task.outcome) == ("open", None, None)
    task.claim("vera", AT)
    assert task.held_by("vera") and not task.held_by("victor")
    task.complete("vera", LATER, {"verdict": "pass"})
    assert (task.status, task.completed_at, task.outcome) == ("done", LATER, {"verdict": "pass"})


def test_a_held_task_is_neither_claimed_nor_completed_by_another() -> None:
    task = _task()
    task.claim("vera", AT)
    with pytest.raises(IllegalTaskMove, match="claimed by vera"):
        task.claim("victor", LATER)
    with pytest.raises(IllegalTaskMove, match="claimed by vera"):
        task.complete("victor", LATER, {})
    assert (task.assignee, task.claimed_at, task.status) == ("vera", AT, "claimed")


def test_an_open_task_is_not_completed_without_a_claim_and_a_done_task_stays_done() -> None:
    task = _task()
    with pytest.raises(IllegalTaskMove, match="is open"):
        task.complete("vera", AT, {})
    task.claim("vera", AT)
    task.complete("vera", LATER, {"verdict": "reject"})
    for move in (lambda: task.claim("vera", LATER), lambda: task.complete("vera", LATER, {})):
        with pytest.raises(IllegalTaskMove, match="is done"):
            move()
    assert task.outcome == {"verdict": "reject"}


@given(st.lists(st.tuples(st.sampled_from(["claim", "complete"]),
                          st.sampled_from(["vera", "victor"])), max_size=8))
def test_a_task_ends_done_by_whoever_claimed_it_first(moves: list[tuple[str, str]]) -> None:
    task = _task()
    first = None
    for move, who in moves:
        try:
            task.claim(who, AT) if move == "claim" else task.complete(who, LATER, {})
        except IllegalTaskMove:
            continue
        first = first or who
    assert task.assignee == first
    assert task.status in ("open", "claimed", "done")
    if task.status == "done":
        assert ("complete", first) in moves


def _sub() -> BankSubmission:
    return BankSubmission.send(4, "ICBC-SZ", {"amount": "1000.00"}, AT, AT + timedelta(hours=2))


@pytest.mark.parametrize(("approve", "status"), [(True, "approved"), (False, "declined")])
def test_a_bank_submission_is_answered_once(approve: bool, status: str) -> None:
    sub = _sub()
    assert sub.pending and sub.counts_for_quota
    sub.answer(approve, "officer", "fits", LATER)
    assert (sub.status, sub.answered_by, sub.reason, sub.answered_at) == (
        status, "officer", "fits", LATER)
    assert sub.counts_for_quota is approve
    with pytest.raises(AnsweredTwice, match=f"already {status}"):
        sub.answer(not approve, "other", "late", LATER)
    assert sub.status == status and sub.answered_by == "officer"


TERMS = ApplicationTerms(11, Decimal("200000.00"), 24, "C", "SZ01")
DECISION = RecordedDecision(11, 1, "application", "auto_approve", Decimal("150000.00"),
                            Decimal("0.1800"), "STANDARD", 701.5, {"reasons": []}, AT)


def _case(**changes: object) -> Case:
    case = Case(11, "auto_approve", "payout", "open", "ICBC-SZ", False, AT, AT, id=42)
    return replace(case, **changes)  # type: ignore[arg-type]


def test_a_loan_is_paid_out_for_the_limit_at_most_and_booked() -> None:
    loan = Loan.pay_out(_case(), TERMS, DECISION, LATER)
    assert loan == Loan(42, 11, "ICBC-SZ", "CF000000000042", Decimal("150000.00"),
                        Decimal("0.1800"), 24, "STANDARD", "equal_instalment", LATER, "booked")
    smaller = replace(TERMS, amount=Decimal("90000.00"))
    assert Loan.pay_out(_case(), smaller, DECISION, LATER).principal == Decimal("90000.00")
    assert contract_no(7) == "CF000000000007"


@pytest.mark.parametrize(
    "case",
    [_case(bank_code=None), _case(status="declined"), _case(application_id=12)],
)
def test_no_loan_without_an_open_case_at_a_bank_for_that_application(case: Case) -> None:
    with pytest.raises(IllegalLoanMove):
        Loan.pay_out(case, TERMS, DECISION, LATER)


def test_a_decision_shows_its_reasons_and_offers_the_limit_at_most() -> None:
    d = replace(DECISION, record={"reasons": ["R1", "R2"]})
    assert d.reasons == ["R1", "R2"]
    assert d.loan_amount(TERMS) == Decimal("150000.00")
