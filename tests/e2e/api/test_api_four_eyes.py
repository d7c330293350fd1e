"""Four eyes over the API: whoever verified a case does not review it (whatever their role is
now), an admin works no case, and a bank's accounts see and answer only that bank's packages.
Every refused attempt is in the audit."""

from __future__ import annotations

import itertools
import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import sqlalchemy as sa

from creditfactory.services.ports import Actor

if TYPE_CHECKING:
    from conftest import Server

VERIFY = (("phone_verification", {"identity_confirmed": True}),
          ("online_verification", {"business_real": True}))
ROWS = itertools.count(300)  # world rows no other test submits
FIELD = {"business_real": True, "purpose_confirmed": True, "verified_monthly_revenue": "150000.00"}


def _as(server: Server, actor: Actor) -> dict[str, str]:
    """Headers of a signed-in session for ``actor`` (issued as a login issues one)."""
    return {"Authorization": f"Bearer {server.signer.issue(server.ctx, actor)}"}


def _submit(server: Server, client: httpx.Client, row: int) -> dict[str, Any]:
    body = server.application(row, amount=450000.0, declared_monthly_revenue=150000.0,
                              industry="F52")
    r = client.post("/applications", json=body,
                    headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _task(server: Server, client: httpx.Client, app_id: int, step: str) -> int:
    case = client.get(f"/applications/{app_id}", headers=server.h("risk_analyst")).json()["case"]
    return next(t["task_id"] for t in case["tasks"] if t["step"] == step and t["status"] != "done")


def _refusals(client: httpx.Client, server: Server, case_id: int) -> list[dict[str, Any]]:
    trail = client.get(f"/cases/{case_id}/audit", headers=server.h("risk_analyst")).json()["data"]
    return [e for e in trail if e["action"] == "refused"]


@pytest.fixture
def verified(server: Server, client: httpx.Client) -> dict[str, Any]:
    """A field case verified by alice and investigated by ivan, waiting for its review."""
    sub = _submit(server, client, next(ROWS))
    alice = _as(server, Actor("alice", "verifier"))
    for step, body in VERIFY:
        task = _task(server, client, sub["application_id"], step)
        assert client.post(f"/tasks/{task}/complete", headers=alice, json=body).status_code == 200
    task = _task(server, client, sub["application_id"], "field_investigation")
    r = client.post(f"/tasks/{task}/complete", headers=_as(server, Actor("ivan", "investigator")),
                    json=FIELD)
    assert r.status_code == 200, r.text
    return {**sub, "review": _task(server, client, sub["application_id"], "investigation_review")}


def test_the_verifier_of_a_case_may_not_review_it_under_another_role(
        server: Server, client: httpx.Client, verified: dict[str, Any]) -> None:
    review = verified["review"]
    alice_now_approver = _as(server, Actor("alice", "approver"))
    claim = client.post(f"/tasks/{review}/claim", headers=alice_now_approver)
    assert claim.status_code == 403
    assert claim.json()["detail"] == (
        f"four eyes: alice did phone_verification, online_verification of case "
        f"{verified['case_id']}, so investigation_review must be done by someone else")
    done = client.post(f"/tasks/{review}/complete", headers=alice_now_approver,
                       json={"verdict": "pass"})
    assert done.status_code == 403
    for who, did in (("ivan", "field_investigation"), ("account_manager", "application_entry")):
        r = client.post(f"/tasks/{review}/complete", headers=_as(server, Actor(who, "approver")),
                        json={"verdict": "pass"})
        assert r.status_code == 403 and f"{who} did {did} " in r.json()["detail"], r.text
    refused = _refusals(client, server, verified["case_id"])
    assert [(e["actor"], e["detail"]["attempt"]) for e in refused] == [
        ("alice", "task.claim"), ("alice", "task.complete"),
        ("ivan", "task.complete"), ("account_manager", "task.complete")]
    assert all(e["entity"] == "task" and e["entity_id"] == str(review)
               and e["detail"]["role"] == "approver" for e in refused)
    ok = client.post(f"/tasks/{review}/complete", headers=_as(server, Actor("bob", "approver")),
                     json={"verdict": "pass"})
    assert ok.status_code == 200 and ok.json()["case_step"] == "bank_approval", ok.text


def test_an_admin_works_no_case(server: Server, client: httpx.Client,
                                verified: dict[str, Any]) -> None:
    admin = server.h("admin")
    review = verified["review"]
    for action, body in (("claim", None), ("complete", {"verdict": "pass"})):
        r = client.post(f"/tasks/{review}/{action}", headers=admin, json=body)
        assert r.status_code == 403
        assert "manages users and settings and works no case" in r.json()["detail"]
    submit = client.post("/applications", json=server.application(next(ROWS)),
                         headers=server.h("admin", **{"Idempotency-Key": uuid.uuid4().hex}))
    assert submit.status_code == 403
    assert [e["detail"]["attempt"] for e in _refusals(client, server, verified["case_id"])
            if e["actor"] == "admin"] == ["task.claim", "task.complete"]
    with server.ctx.engine.connect() as c:
        refused = c.execute(sa.text(
            "SELECT entity, entity_id FROM audit_log WHERE action = 'refused' AND actor = 'admin' "
            "AND entity = 'endpoint'")).all()
    assert ("endpoint", "POST /api/v1/applications") in [tuple(r) for r in refused]
    assert client.get(f"/cases/{verified['case_id']}", headers=admin).status_code == 200


def test_a_bank_account_sees_and_answers_only_its_own_banks_packages(
        server: Server, client: httpx.Client, verified: dict[str, Any]) -> None:
    r = client.post(f"/tasks/{verified['review']}/complete", headers=server.h("approver"),
                    json={"verdict": "pass"})
    assert r.status_code == 200, r.text
    case = client.get(f"/cases/{verified['case_id']}", headers=server.h("risk_analyst")).json()
    assert case["bank_code"] == server.manual_bank
    sub_id = case["bank_submissions"][-1]["submission_id"]

    def queue(who: str, **params: str) -> list[dict[str, Any]]:
        r = client.get("/bank-submissions", headers=server.h(who), params=params)
        assert r.status_code == 200, r.text
        return r.json()["data"]  # type: ignore[no-any-return]

    mine = queue("system_cmb", bank_code="ICBC_SZ")  # asking for another bank's does not widen
    assert sub_id in [s["submission_id"] for s in mine]
    assert {s["bank_code"] for s in mine} == {server.manual_bank}
    assert sub_id not in [s["submission_id"] for s in queue("officer_icbc")]
    assert {s["bank_code"] for s in queue("officer_icbc")} <= {"ICBC_SZ"}

    body = {"approve": True, "reason": "not ours"}
    other = client.post(f"/bank-submissions/{sub_id}/decision", headers=server.h("officer_icbc"),
                        json=body)
    assert other.status_code == 404
    admin = client.post(f"/bank-submissions/{sub_id}/decision", headers=server.h("admin"),
                        json=body)
    assert admin.status_code == 403
    assert client.get(f"/cases/{verified['case_id']}", headers=server.h("system_cmb")).status_code == 403
    ok = client.post(f"/bank-submissions/{sub_id}/decision", headers=server.h("system_cmb"),
                     json={"approve": True, "reason": "within our policy"})
    assert ok.status_code == 200, ok.text
    refused = [(e["actor"], e["detail"]["attempt"])
               for e in _refusals(client, server, verified["case_id"])]
    assert refused == [("officer_icbc", "bank.answer"), ("admin", "bank.answer")]
    trail = client.get(f"/cases/{verified['case_id']}/audit", headers=server.h("risk_analyst"))
    assert [e["actor"] for e in trail.json()["data"] if e["action"] == "bank.approved"] == [
        "system_cmb"]
