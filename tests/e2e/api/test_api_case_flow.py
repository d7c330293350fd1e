"""Cases through stations and banks: payout with no staff touch once the borrower signed,
findings, double completion."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Server


def _submit(server: Server, client: httpx.Client, i: int, **overrides: Any) -> dict[str, Any]:
    r = client.post("/applications", json=server.application(i, **overrides),
                    headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
    assert r.status_code == 201, r.text
    return r.json()


def _app(server: Server, client: httpx.Client, app_id: int) -> dict[str, Any]:
    r = client.get(f"/applications/{app_id}", headers=server.h("admin"))
    assert r.status_code == 200
    return r.json()


class Inbox:
    """The borrowers' phones: the signing notices the platform sent."""

    def __init__(self) -> None:
        self.notices: list[Any] = []

    def send_signing_code(self, notice: Any) -> None:
        self.notices.append(notice)


@pytest.fixture
def borrowers(server: Server) -> Iterator[Inbox]:
    """The server delivers signing codes to an inbox for the test's duration (the other
    tests' server has no channel to the borrowers)."""
    before = server.ctx.borrowers
    server.ctx.borrowers = inbox = Inbox()
    yield inbox
    server.ctx.borrowers = before


def _inbox(server: Server) -> Inbox:
    assert isinstance(server.ctx.borrowers, Inbox), "use the borrowers fixture"
    return server.ctx.borrowers


def _sign(server: Server, client: httpx.Client, case_id: int) -> httpx.Response:
    """The borrower signs the contract of ``case_id`` with the code sent to them (a new code is
    asked for when none reached this inbox)."""
    inbox = _inbox(server)
    contract = server.wait_for(lambda: (r := client.get(
        "/contracts", params={"case_id": case_id}, headers=server.h("account_manager"))
    ).status_code == 200 and r.json())
    if not any(n.contract_id == contract["contract_id"] for n in inbox.notices):
        r = client.post(f"/contracts/{contract['contract_id']}/signing-code",
                        headers=server.h("account_manager"))
        assert r.status_code == 200, r.text
    notice = [n for n in inbox.notices if n.contract_id == contract["contract_id"]][-1]
    assert notice.digest == contract["digest"]
    return client.post(f"/contracts/{notice.contract_id}/signature",
                       json={"digest": notice.digest, "code": notice.code, "channel": "app"})


def _task_at(server: Server, client: httpx.Client, app_id: int, step: str) -> dict[str, Any]:
    tasks = _app(server, client, app_id)["case"]["tasks"]
    return next(t for t in tasks if t["step"] == step and t["status"] != "done")


def test_auto_approved_application_reaches_payout_once_the_borrower_signs(
        server: Server, client: httpx.Client, borrowers: Inbox) -> None:
    sub = _submit(server, client, 0, amount=200000.0, declared_monthly_revenue=80000.0)
    assert sub["decision"]["tier"] == "auto_approve"
    assert sub["status"] == "at_bank"
    server.wait_for(lambda: _app(server, client, sub["application_id"])["case"]["step"] == "contract")
    assert _app(server, client, sub["application_id"])["status"] != "paid_out"
    signed = _sign(server, client, sub["case_id"])
    assert signed.status_code == 201, signed.text
    assert signed.json()["case_status"] == "done"
    view = server.wait_for(lambda: (v := _app(server, client, sub["application_id"]))["status"] == "paid_out" and v)
    case = view["case"]
    assert case["status"] == "done" and case["step"] == "booking_and_enrolment"
    assert case["tasks"] == []
    assert case["loan"]["principal"] == "200000.00"
    assert case["loan"]["servicing_status"] == "active"  # booked for servicing: its account opened


def test_task_completed_twice_is_409_and_the_case_moves_on_once(server: Server, client: httpx.Client) -> None:
    sub = _submit(server, client, 9, amount=350000.0, declared_monthly_revenue=90000.0)
    task = _task_at(server, client, sub["application_id"], "phone_verification")
    h = server.h("verifier")
    assert client.post(f"/tasks/{task['task_id']}/claim", headers=h).status_code == 200
    done = client.post(f"/tasks/{task['task_id']}/complete", headers=h, json={"identity_confirmed": True})
    assert done.status_code == 200
    assert done.json()["case_step"] == "online_verification"
    again = client.post(f"/tasks/{task['task_id']}/complete", headers=h, json={"identity_confirmed": True})
    assert again.status_code == 409
    steps = [t["step"] for t in _app(server, client, sub["application_id"])["case"]["tasks"]]
    assert steps == ["phone_verification", "online_verification"]


def test_unconfirmed_identity_rejects_the_case(server: Server, client: httpx.Client) -> None:
    sub = _submit(server, client, 16, amount=320000.0, declared_monthly_revenue=90000.0)
    app_id = sub["application_id"]
    h = server.h("verifier")
    t1 = _task_at(server, client, app_id, "phone_verification")
    client.post(f"/tasks/{t1['task_id']}/complete", headers=h, json={"identity_confirmed": False})
    t2 = _task_at(server, client, app_id, "online_verification")
    r = client.post(f"/tasks/{t2['task_id']}/complete", headers=h, json={"business_real": True})
    assert r.json()["case_status"] == "rejected"
    view = _app(server, client, app_id)
    assert view["status"] == "rejected"
    assert view["decision"]["reasons"] == ["IDENTITY_NOT_CONFIRMED"]
    assert [d["basis"] for d in view["decisions"]] == ["application", "findings"]


def test_field_case_with_findings_is_redecided_and_waits_for_its_bank(
        server: Server, client: httpx.Client, borrowers: Inbox) -> None:
    sub = _submit(server, client, 1, amount=450000.0, declared_monthly_revenue=150000.0, industry="F52")
    assert sub["decision"]["tier"] == "field_investigation"
    app_id = sub["application_id"]
    for step, role, body in (
        ("phone_verification", "verifier", {"identity_confirmed": True}),
        ("online_verification", "verifier", {"business_real": True}),
        ("field_investigation", "investigator", {"business_real": True, "purpose_confirmed": True,
                                                 "hidden_debt": "50000.00",
                                                 "verified_monthly_revenue": "95000.00"}),
        ("investigation_review", "approver", {"verdict": "pass"}),
    ):
        task = _task_at(server, client, app_id, step)
        r = client.post(f"/tasks/{task['task_id']}/complete", headers=server.h(role), json=body)
        assert r.status_code == 200, r.text
    view = _app(server, client, app_id)
    assert [d["basis"] for d in view["decisions"]] == ["application", "findings"]
    assert view["decision"]["limit"] == "450000.00"
    assert view["case"]["step"] == "bank_approval" and view["case"]["bank_code"] == server.manual_bank
    sub_id = view["case"]["bank_submissions"][0]["submission_id"]
    other = client.post(f"/bank-submissions/{sub_id}/decision", headers=server.h("officer_icbc"),
                        json={"approve": True, "reason": "not ours"})
    assert other.status_code == 404
    assert client.get(f"/cases/{view['case']['case_id']}", headers=server.h("officer_icbc")).status_code == 404
    mine = client.get("/bank-submissions", headers=server.h("officer_cmb")).json()["data"]
    assert sub_id in [s["submission_id"] for s in mine]
    ok = client.post(f"/bank-submissions/{sub_id}/decision", headers=server.h("officer_cmb"),
                     json={"approve": True, "reason": "within policy"})
    assert ok.status_code == 200 and ok.json()["case_step"] == "contract"
    assert _sign(server, client, view["case"]["case_id"]).json()["case_status"] == "done"
    twice = client.post(f"/bank-submissions/{sub_id}/decision", headers=server.h("officer_cmb"),
                        json={"approve": False, "reason": "changed mind"})
    assert twice.status_code == 409
    assert _app(server, client, app_id)["status"] == "paid_out"


def test_audit_trail_tells_the_story_of_a_case(server: Server, client: httpx.Client) -> None:
    sub = _submit(server, client, 30, amount=380000.0, declared_monthly_revenue=90000.0)
    task = _task_at(server, client, sub["application_id"], "phone_verification")
    client.post(f"/tasks/{task['task_id']}/complete", headers=server.h("verifier"), json={"identity_confirmed": True})
    r = client.get(f"/cases/{sub['case_id']}/audit", headers=server.h("risk_analyst"))
    actions = [e["action"] for e in r.json()["data"]]
    assert actions[:2] == ["application.submitted", "case.advanced"]
    assert "task.completed" in actions
    assert client.get(f"/cases/{sub['case_id']}/audit", headers=server.h("verifier")).status_code == 403


def test_case_list_count_is_the_total_not_the_page(server: Server, client: httpx.Client) -> None:
    for i in (20, 21):
        _submit(server, client, i)
    page = client.get("/cases", params={"limit": 1}, headers=server.h("admin"))
    assert page.status_code == 200
    body = page.json()
    assert len(body["data"]) == 1
    assert body["count"] >= 2


def test_the_borrower_signs_with_no_account_and_another_digest_or_code_is_refused(
        server: Server, client: httpx.Client, borrowers: Inbox) -> None:
    sub = _submit(server, client, 40, amount=180000.0, declared_monthly_revenue=80000.0)
    inbox = borrowers
    contract = server.wait_for(lambda: (r := client.get(
        "/contracts", params={"case_id": sub["case_id"]}, headers=server.h("account_manager"))
    ).status_code == 200 and r.json())
    cid = contract["contract_id"]
    assert contract["status"] == "awaiting_signature"
    assert {"amount", "term_months", "annual_rate", "purpose", "repayment_method",
            "schedule", "borrower"} <= set(contract["document"])
    text = client.get(f"/contracts/{cid}/text", headers=server.h("account_manager"))
    assert text.status_code == 200 and contract["digest"] in text.text
    assert client.get(f"/contracts/{cid}", headers=server.h("verifier")).status_code == 403
    if not any(n.contract_id == cid for n in inbox.notices):
        client.post(f"/contracts/{cid}/signing-code", headers=server.h("account_manager"))
    notice = [n for n in inbox.notices if n.contract_id == cid][-1]
    other = "0" * 64
    r = client.post(f"/contracts/{cid}/signature", json={"digest": other, "code": notice.code})
    assert r.status_code == 403
    wrong = f"{(int(notice.code) + 1) % 10**6:06d}"
    r = client.post(f"/contracts/{cid}/signature", json={"digest": notice.digest, "code": wrong})
    assert r.status_code == 403
    r = client.post(f"/contracts/{cid}/signature", json={"digest": notice.digest, "code": notice.code})
    assert r.status_code == 201, r.text
    assert client.post(f"/contracts/{cid}/signature",
                       json={"digest": notice.digest, "code": notice.code}).status_code == 409
    audit = client.get(f"/cases/{sub['case_id']}/audit", headers=server.h("risk_analyst")).json()["data"]
    actions = [e["action"] for e in audit]
    assert actions.count("contract.signature_refused") == 2 and "contract.signed" in actions


def test_an_approver_changes_the_terms_through_the_api_and_other_stations_may_not(
        server: Server, client: httpx.Client) -> None:
    sub = _submit(server, client, 50, amount=450000.0, declared_monthly_revenue=150000.0, industry="F52")
    assert sub["decision"]["tier"] == "field_investigation"
    app_id = sub["application_id"]
    task = _task_at(server, client, app_id, "phone_verification")
    refused = client.post(f"/tasks/{task['task_id']}/complete", headers=server.h("verifier"),
                          json={"identity_confirmed": True, "limit": "100000.00"})
    assert refused.status_code == 422 and "limit" in refused.text
    for step, role, body in (
        ("phone_verification", "verifier", {"identity_confirmed": True}),
        ("online_verification", "verifier", {"business_real": True}),
        ("field_investigation", "investigator", {"business_real": True, "purpose_confirmed": True,
                                                 "verified_monthly_revenue": "150000.00"}),
    ):
        task = _task_at(server, client, app_id, step)
        assert client.post(f"/tasks/{task['task_id']}/complete", headers=server.h(role),
                           json=body).status_code == 200
    task = _task_at(server, client, app_id, "investigation_review")
    too_much = client.post(f"/tasks/{task['task_id']}/complete", headers=server.h("approver"),
                           json={"verdict": "approve_changed", "limit": "600000.00",
                                 "rate_percent": "21.00"})
    assert too_much.status_code == 422 and "limit" in too_much.text
    ok = client.post(f"/tasks/{task['task_id']}/complete", headers=server.h("approver"),
                     json={"verdict": "approve_changed", "limit": "200000.00", "rate_percent": "23.50"})
    assert ok.status_code == 200, ok.text
    view = _app(server, client, app_id)
    assert view["decisions"][-1]["basis"] == "approver"
    assert view["decision"]["limit"] == "200000.00"
    assert view["case"]["step"] == "bank_approval"
