"""Submitting applications over HTTP: decision in the answer, idempotency, validation, 404."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from conftest import Server


def _key() -> str:
    return uuid.uuid4().hex


def test_submission_returns_201_with_the_decision(server: Server, client: httpx.Client) -> None:
    body = server.application(2, amount=300000.0, declared_monthly_revenue=90000.0)
    r = client.post("/applications", json=body, headers=server.h("account_manager", **{"Idempotency-Key": _key()}))
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["status"] == "in_process"
    assert got["step"] == "phone_verification"
    assert got["decision"] == {"tier": "remote_verification", "limit": "300000.00", "rate": "0.195000",
                               "product": "STANDARD", "reasons": []}


def test_same_idempotency_key_returns_the_same_answer_and_no_second_application(server: Server, client: httpx.Client) -> None:
    body = server.application(3)
    h = server.h("account_manager", **{"Idempotency-Key": _key()})
    first = client.post("/applications", json=body, headers=h)
    before = server.count("applications")
    again = client.post("/applications", json=body, headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert server.count("applications") == before


def test_reusing_a_key_for_another_application_is_a_conflict(server: Server, client: httpx.Client) -> None:
    h = server.h("account_manager", **{"Idempotency-Key": _key()})
    assert client.post("/applications", json=server.application(4), headers=h).status_code == 201
    r = client.post("/applications", json=server.application(5), headers=h)
    assert r.status_code == 409


def test_invalid_application_is_422_naming_each_bad_field(server: Server, client: httpx.Client) -> None:
    body = server.application(6, resident_id="110101199003071234", phone="12345678901",
                            bank_card="6222600000000000001")
    r = client.post("/applications", json=body, headers=server.h("account_manager", **{"Idempotency-Key": _key()}))
    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["detail"]} == {"resident_id", "phone", "bank_card"}


def test_shape_errors_name_missing_extra_and_mistyped_fields(server: Server, client: httpx.Client) -> None:
    body = server.application(7, application_id=7, age="old")
    del body["amount"]
    r = client.post("/applications", json=body, headers=server.h("account_manager", **{"Idempotency-Key": _key()}))
    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["detail"]} == {"amount", "application_id", "age"}


def test_unknown_application_is_404(server: Server, client: httpx.Client) -> None:
    assert client.get("/applications/987654321", headers=server.h("admin")).status_code == 404


def test_missing_or_forged_token_is_401(server: Server, client: httpx.Client) -> None:
    assert client.get("/cases").status_code == 401
    forged = server.tokens["verifier"][:-4] + "AAAA"
    assert client.get("/cases", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_login_is_rate_limited_after_repeated_failures(server: Server, client: httpx.Client) -> None:
    codes = [client.post("/auth/token", data={"username": "officer_cmb", "password": f"wrong{i}"}).status_code
             for i in range(4)]
    assert codes == [401, 401, 401, 429]


def test_login_with_the_right_password_gives_a_working_token(server: Server, client: httpx.Client) -> None:
    r = client.post("/auth/token", data={"username": "admin", "password": "s3cret-pass"})
    assert r.status_code == 200 and r.json()["role"] == "admin"
    me = client.get("/users/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json() == {"username": "admin", "role": "admin", "bank_code": None}
