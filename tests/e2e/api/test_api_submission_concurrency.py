"""Submissions racing each other, and answers that must equal what was stored."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import sqlalchemy as sa

from creditfactory.domain.identity import mask_resident_id
from creditfactory.http.schemas.applications import ApplicationCreate
from creditfactory.services.intake import submit_application
from creditfactory.services.ports import Actor

if TYPE_CHECKING:
    from conftest import Server


def _post(server: Server, body: dict[str, Any], key: str) -> httpx.Response:
    with httpx.Client(base_url=server.base, timeout=30) as c:
        return c.post("/applications", json=body,
                      headers=server.h("account_manager", **{"Idempotency-Key": key}))


def _applicants_with(server: Server, resident_id: str) -> int:
    with server.ctx.engine.connect() as c:
        q = sa.text("SELECT count(*) FROM applicants WHERE resident_id_masked = :m")
        return int(c.execute(q, {"m": mask_resident_id(resident_id)}).scalar_one())


def _submit_at_once(server: Server, body: dict[str, Any], keys: list[str]) -> list[Any]:
    """Run the service for each key in its own thread, all released together (the server
    itself takes one submission at a time per process, so races need threads or processes)."""
    app = ApplicationCreate.model_validate(body).model_dump()
    actor = Actor("account_manager", "account_manager")
    go = threading.Barrier(len(keys))

    def one(key: str) -> Any:
        go.wait()
        return submit_application(server.ctx, actor, dict(app), key)

    with ThreadPoolExecutor(len(keys)) as pool:
        return list(pool.map(one, keys))


def test_one_key_sent_many_times_at_once_makes_one_application(server: Server) -> None:
    body = server.application(381, amount=200000.0, declared_monthly_revenue=80000.0)
    before = server.count("applications")
    key = uuid.uuid4().hex
    answers = _submit_at_once(server, body, [key] * 6)
    assert {code for code, _, _ in answers} == {201}
    assert all(answer == answers[0][1] for _, answer, _ in answers)
    assert sum(not replayed for _, _, replayed in answers) == 1
    assert server.count("applications") == before + 1
    again = _post(server, body, key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == answers[0][1]


def test_first_applications_of_one_resident_at_once_share_one_applicant(server: Server) -> None:
    body = server.application(383, amount=200000.0, declared_monthly_revenue=80000.0)
    answers = _submit_at_once(server, body, [uuid.uuid4().hex for _ in range(6)])
    assert [code for code, _, _ in answers] == [201] * 6
    assert len({answer["application_id"] for _, answer, _ in answers}) == 6
    assert _applicants_with(server, body["resident_id"]) == 1


def test_the_answer_is_what_was_stored_on_every_path(server: Server, client: httpx.Client) -> None:
    paths = {  # amount, revenue -> auto (at the bank), remote (waits), reject (closed)
        "at_bank": (200000.0, 80000.0),
        "in_process": (300000.0, 90000.0),
        "rejected": (200000.0, 10000.0),
    }
    for n, (status, (amount, revenue)) in enumerate(paths.items()):
        body = server.application(385 + n, amount=amount, declared_monthly_revenue=revenue)
        r = client.post("/applications", json=body,
                        headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
        assert r.status_code == 201, r.text
        answer = r.json()
        assert answer["status"] == status
        stored = client.get(f"/applications/{answer['application_id']}",
                            headers=server.h("account_manager")).json()
        case = client.get(f"/cases/{answer['case_id']}", headers=server.h("admin")).json()
        assert stored["decision"] == answer["decision"]
        assert case["step"] == answer["step"]


def test_a_channel_suspended_after_referring_refuses_its_next_referral(
    server: Server, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    decided: list[str] = []
    real_decide = server.ctx.strategy.decide  # type: ignore[union-attr]
    monkeypatch.setattr(server.ctx.strategy, "decide",
                        lambda app, scores: decided.append(app["channel_id"])
                        or real_decide(app, scores))
    body = server.application(390)
    channel = body["channel_id"]
    am = lambda: server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex})  # noqa: E731
    assert client.post("/applications", json=body, headers=am()).status_code == 201
    h = server.h("channel_manager")
    assert client.post(f"/channels/{channel}/suspend", headers=h,
                       json={"reason": "packaging suspected"}).status_code == 200
    refused = client.post("/applications", json=body, headers=am())
    client.post(f"/channels/{channel}/reactivate", headers=h, json={"reason": "cleared"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == "channel is suspended"
    assert decided == [channel], "a suspended channel's referral must be refused before deciding"
    assert client.post("/applications", json=body, headers=am()).status_code == 201


def test_the_audit_trail_of_a_submission_is_whole_and_in_order(
    server: Server, client: httpx.Client
) -> None:
    body = server.application(392, amount=200000.0, declared_monthly_revenue=80000.0)
    r = client.post("/applications", json=body,
                    headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
    assert r.status_code == 201 and r.json()["status"] == "at_bank"
    trail = client.get(f"/cases/{r.json()['case_id']}/audit", headers=server.h("admin")).json()
    actions = [e["action"] for e in trail["data"]]
    assert actions[:3] == ["application.submitted", "bank.submitted", "case.advanced"]
    assert trail["data"][0]["detail"]["tier"] == "auto_approve"
    assert trail["data"][2]["detail"]["waiting_at"] == "bank_approval"


def test_an_auto_approved_submission_costs_a_bounded_number_of_statements(server: Server) -> None:
    """Every statement on the submission path costs CPU (and a round trip on PostgreSQL)."""
    if server.ctx.engine.dialect.name != "sqlite":
        pytest.skip("statements are counted through SQLite's trace hook")
    me = threading.get_ident()
    seen: list[str] = []

    def trace(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        dbapi_conn.set_trace_callback(
            lambda sql: seen.append(sql) if threading.get_ident() == me else None)

    actor = Actor("am", "account_manager")
    body = ApplicationCreate.model_validate(server.application(395, amount=150000)).model_dump()
    sa.event.listen(server.ctx.engine, "checkout", trace)
    try:
        code, answer, _ = submit_application(server.ctx, actor, body, uuid.uuid4().hex)
    finally:
        sa.event.remove(server.ctx.engine, "checkout", trace)
    assert code == 201 and answer["decision"]["tier"] == "auto_approve"
    assert answer["status"] == "at_bank"
    # one opening read; BEGIN; applicant, application, what was fetched (consent, pull,
    # registration, the data check's rows), decision, case; bank routing (banks, month's
    # counts, submission, count); application status and case; audit; key; COMMIT
    assert len(seen) <= 23, "\n".join(seen)
