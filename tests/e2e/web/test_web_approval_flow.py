"""The approval verdicts through the services on a real store (no browser needed): the
committee path when the approver and the engine disagree, the approver's own terms within
their authority, declines with reasons, and the committee's final word."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from creditfactory.services.errors import InvalidInput, SeparationOfDuties
from creditfactory.services.ports import Actor
from creditfactory.services.queries import application_view
from creditfactory.services.tasks import complete_task

if TYPE_CHECKING:
    from conftest import Web

REVIEWER = Actor("rev_flow", "approver")
COMMITTEE = Actor("com_flow", "approver")
ADMIN = Actor("admin", "admin")


def _task(web: Web, case_id: int, step: str) -> int:
    return int(next(t for t in web.case_json(case_id)["tasks"]
                    if t["step"] == step and t["status"] != "done")["task_id"])


def _at_review(web: Web, i: int, revenue_found: str) -> int:
    sub = web.submit(i, amount=450000.0, declared_monthly_revenue=150000.0, industry="F52")
    case_id = int(sub["case_id"])
    for step, role, body in (
        ("phone_verification", "verifier", {"identity_confirmed": True}),
        ("online_verification", "verifier", {"business_real": True}),
        ("field_investigation", "investigator", {"business_real": True, "purpose_confirmed": True,
                                                 "verified_monthly_revenue": revenue_found}),
    ):
        web.complete_via_api(case_id, step, role, body)
    return case_id


def _decisions(web: Web, case_id: int) -> list[dict[str, Any]]:
    app_id = web.case_json(case_id)["application_id"]
    return list(application_view(web.api.ctx, ADMIN, app_id)["decisions"])


def _actions(web: Web, case_id: int) -> list[str]:
    with web.api_client() as c:
        r = c.get(f"/cases/{case_id}/audit", headers=web.api.h("admin"))
    return [e["action"] for e in r.json()["data"]]


def test_the_engines_decline_after_an_approval_goes_to_the_committee_which_decides(web: Web) -> None:
    case_id = _at_review(web, 80, "15000.00")
    complete_task(web.api.ctx, REVIEWER, _task(web, case_id, "investigation_review"),
                  {"verdict": "approve", "note": "seasonal"})
    case = web.case_json(case_id)
    assert (case["status"], case["step"], case["exception"]) == ("open", "committee_approval", True)
    assert [d["basis"] for d in _decisions(web, case_id)] == ["application", "findings"]
    assert _decisions(web, case_id)[-1]["tier"] == "reject"  # kept, not hidden
    assert "approval.referred" in _actions(web, case_id)

    committee_task = _task(web, case_id, "committee_approval")
    with pytest.raises(SeparationOfDuties):
        complete_task(web.api.ctx, REVIEWER, committee_task, {"verdict": "decline",
                                                              "reasons": ["HUMAN_OTHER"]})
    with pytest.raises(InvalidInput) as refused:
        complete_task(web.api.ctx, COMMITTEE, committee_task, {"verdict": "refer", "note": "?"})
    assert "verdict" in dict(refused.value.errors)
    complete_task(web.api.ctx, COMMITTEE, committee_task,
                  {"verdict": "decline", "reasons": ["HUMAN_REPAYMENT_CAPACITY"]})
    case = web.case_json(case_id)
    assert case["status"] == "rejected"
    last = _decisions(web, case_id)[-1]
    assert (last["basis"], last["tier"], last["reasons"]) == (
        "committee", "reject", ["HUMAN_REPAYMENT_CAPACITY"])
    assert "committee.declined" in _actions(web, case_id)


def test_the_api_checklist_pass_and_reject_read_as_approve_and_decline(web: Web) -> None:
    declined = _at_review(web, 81, "140000.00")
    web.complete_via_api(declined, "investigation_review", "approver", {"verdict": "reject"})
    assert web.case_json(declined)["status"] == "rejected"
    assert _decisions(web, declined)[-1]["reasons"] == ["HUMAN_OTHER"]
    approved = _at_review(web, 82, "140000.00")
    web.complete_via_api(approved, "investigation_review", "approver", {"verdict": "pass"})
    case = web.case_json(approved)
    assert case["step"] == "bank_approval" and not case["exception"]
    assert [d["basis"] for d in _decisions(web, approved)] == ["application", "findings"]


def test_within_authority_the_approvers_terms_are_the_decision_the_bank_gets(web: Web) -> None:
    case_id = _at_review(web, 83, "140000.00")
    with pytest.raises(InvalidInput) as refused:
        complete_task(web.api.ctx, REVIEWER, _task(web, case_id, "investigation_review"),
                      {"verdict": "approve_changed", "limit": "500000", "rate_percent": "25"})
    assert set(dict(refused.value.errors)) == {"limit", "rate_percent"}
    assert web.case_json(case_id)["step"] == "investigation_review"
    complete_task(web.api.ctx, REVIEWER, _task(web, case_id, "investigation_review"),
                  {"verdict": "approve_changed", "limit": "350000.00", "rate_percent": "20.5"})
    case = web.case_json(case_id)
    assert case["step"] in ("bank_approval", "contract") and not case["exception"]
    last = _decisions(web, case_id)[-1]
    assert (last["basis"], last["limit"], last["rate"]) == ("approver", "350000.00", "0.205000")
    package = case["bank_submissions"][0]["package"]
    assert package["amount"] == "350000.00"
    assert (package["recommendation"]["limit"], package["recommendation"]["rate"]) == (
        "350000.00", "0.205000")


def test_the_demos_staff_bring_field_cases_to_the_approvers_review(web: Web) -> None:
    from creditfactory.cli._demo_staff import demo_staff_work

    case_id = int(web.submit(84, amount=450000.0, declared_monthly_revenue=150000.0,
                             industry="F52")["case_id"])
    assert "worked 1 " in demo_staff_work(web.api.ctx, among={case_id})
    case = web.case_json(case_id)
    assert case["step"] == "investigation_review"
    assert [t["step"] for t in case["tasks"] if t["status"] == "done"] == [
        "phone_verification", "online_verification", "field_investigation"]
