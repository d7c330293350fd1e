"""Four eyes in the services, on hand-written fakes of the store: who did which earlier step of
a case, an admin and the roles that do not submit, and bank accounts without a bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from creditfactory.domain.task import Task
from creditfactory.factory import load_process
from creditfactory.services.bank_answers import bank_queue
from creditfactory.services.errors import RoleNotAllowed, SeparationOfDuties
from creditfactory.services.four_eyes import check_not_by, check_submitter, works_cases
from creditfactory.services.ports import Actor

AT = datetime(2026, 5, 1, tzinfo=UTC)
PROCESS = load_process()


@dataclass
class _Case:
    application_id: int = 7


@dataclass
class _App:
    created_by: str


@dataclass
class _Cases:
    tasks: list[Task]

    def tasks_of(self, case_id: int) -> list[Task]:
        return [t for t in self.tasks if t.case_id == case_id]

    def get(self, case_id: int) -> _Case:
        return _Case()


@dataclass
class _Applications:
    submitter: str

    def get(self, application_id: int) -> _App:
        return _App(self.submitter)


@dataclass
class _Uow:
    cases: _Cases
    applications: _Applications


@dataclass
class _Ctx:
    process: Any = field(default_factory=lambda: PROCESS)


def _done(step: str, role: str, who: str, case_id: int = 1) -> Task:
    task = Task.open(case_id, step, step, role, AT, AT)
    task.claim(who, AT)
    task.complete(who, AT, {})
    return task


def _uow(*tasks: Task, submitter: str = "am") -> Any:
    return _Uow(_Cases(list(tasks)), _Applications(submitter))


REVIEW = PROCESS.step("investigation_review")
COMMITTEE = PROCESS.step("committee_approval")


@pytest.mark.parametrize(("who", "did"), [
    ("alice", "phone_verification, online_verification"),
    ("ivan", "field_investigation"),
    ("am", "application_entry"),
])
def test_whoever_did_an_earlier_step_of_the_case_may_not_review_it(who: str, did: str) -> None:
    uow = _uow(_done("phone_verification", "verifier", "alice"),
               _done("online_verification", "verifier", "alice"),
               _done("field_investigation", "investigator", "ivan"))
    with pytest.raises(SeparationOfDuties, match=f"{who} did {did} of case 1, so "
                                                 "investigation_review must be done"):
        check_not_by(uow, _Ctx(), REVIEW, 1, Actor(who, "approver"))  # type: ignore[arg-type]


def test_someone_who_did_none_of_them_or_did_them_on_another_case_may() -> None:
    uow = _uow(_done("phone_verification", "verifier", "alice", case_id=2),
               _done("investigation_review", "approver", "bob", case_id=2))
    check_not_by(uow, _Ctx(), REVIEW, 1, Actor("alice", "approver"))  # type: ignore[arg-type]
    check_not_by(uow, _Ctx(), COMMITTEE, 1, Actor("bob", "approver"))  # type: ignore[arg-type]


def test_the_reviewer_of_a_case_does_not_also_approve_it_at_committee() -> None:
    uow = _uow(_done("investigation_review", "approver", "bob"))
    with pytest.raises(SeparationOfDuties, match="bob did investigation_review"):
        check_not_by(uow, _Ctx(), COMMITTEE, 1, Actor("bob", "approver"))  # type: ignore[arg-type]


def test_a_claimed_but_unfinished_step_does_not_bar() -> None:
    held = Task.open(1, "phone_verification", "phone_verification", "verifier", AT, AT)
    held.claim("alice", AT)
    check_not_by(_uow(held), _Ctx(), REVIEW, 1, Actor("alice", "approver"))  # type: ignore[arg-type]


def test_an_admin_works_no_case_and_only_the_intake_role_submits() -> None:
    with pytest.raises(RoleNotAllowed, match="admin manages users and settings"):
        works_cases(Actor("root", "admin"), "work a task")
    works_cases(Actor("v", "verifier"), "work a task")
    for role in ("admin", "verifier", "bank_system", "risk_analyst"):
        with pytest.raises(RoleNotAllowed):
            check_submitter(_Ctx(), Actor("x", role))  # type: ignore[arg-type]
    check_submitter(_Ctx(), Actor("am", "account_manager"))  # type: ignore[arg-type]


class _NoStore:
    def uow(self, write: bool = True) -> Any:
        raise AssertionError("the store must not be read")


@pytest.mark.parametrize("role", ["bank_officer", "bank_system"])
def test_a_bank_account_without_a_bank_sees_no_package(role: str) -> None:
    with pytest.raises(RoleNotAllowed, match=f"a {role} account without a bank"):
        bank_queue(_NoStore(), Actor("b", role, None), "CMB_GZ", 10)  # type: ignore[arg-type]
