"""Every endpoint checks its role; personal data is masked except for allowed roles, audited."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Server

ALL = ("account_manager", "verifier", "investigator", "approver", "risk_analyst",
       "channel_manager", "officer_cmb", "admin")

# (method, path, roles that may) -- everyone else must get 403
MATRIX = [
    ("GET", "/channels", {"channel_manager", "risk_analyst", "admin"}),
    ("GET", "/stations/phone_verification/tasks", {"verifier", "risk_analyst", "admin"}),
    ("GET", "/stations/field_investigation/tasks", {"investigator", "risk_analyst", "admin"}),
    ("GET", "/stations/committee/tasks", {"approver", "risk_analyst", "admin"}),
    ("GET", "/bank-submissions", {"officer_cmb", "risk_analyst", "admin"}),
    ("GET", "/cases", set(ALL) - {"channel_manager"}),
    # only whoever holds or completed a task on the case: nobody yet
    ("GET", "/applications/{app}/personal-data?purpose=call", set()),
    ("GET", "/cases/{case}/audit", {"approver", "risk_analyst", "admin"}),
    ("POST", "/users", {"admin"}),
    ("POST", "/applications", {"account_manager"}),
]


@pytest.fixture(scope="module")
def submitted(server: Server) -> dict[str, int]:
    with httpx.Client(base_url=server.base) as c:
        r = c.post("/applications", json=server.application(36, amount=330000.0, declared_monthly_revenue=90000.0),
                   headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
    return {"app": r.json()["application_id"], "case": r.json()["case_id"]}


@pytest.mark.parametrize(("method", "path", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_role_matrix(server: Server, client: httpx.Client, submitted: dict[str, int], method: str, path: str,
                     allowed: set[str]) -> None:
    url = path.format(**submitted)
    for role in ALL:
        r = client.request(method, url, headers=server.h(role, **{"Idempotency-Key": "matrix"}), json={})
        if role in allowed:
            assert r.status_code != 403, (role, url)
        else:
            assert r.status_code == 403, (role, url, r.status_code)


def test_views_show_each_role_its_fields_masked(server: Server, client: httpx.Client,
                                                submitted: dict[str, int]) -> None:
    raw = server.application(36)
    r = client.get(f"/applications/{submitted['app']}", headers=server.h("verifier"))
    for key in ("resident_id", "phone", "bank_card", "name", "home_address", "business_address"):
        assert raw[key] not in r.text, key
    personal = r.json()["personal"]
    assert personal["resident_id"] == raw["resident_id"][:3] + "*" * 11 + raw["resident_id"][-4:]
    assert personal["phone"] == raw["phone"][:3] + "****" + raw["phone"][-4:]
    assert personal["bank_card"].endswith(raw["bank_card"][-4:]) and personal["bank_card"].startswith("****")
    assert personal["name"] == raw["name"][0] + "*" * (len(raw["name"]) - 1)
    assert raw["business_address"].startswith(personal["business_address"].removesuffix("****"))
    assert personal["device_id"] is None and personal["ip"] is None
    approver = client.get(f"/applications/{submitted['app']}", headers=server.h("approver")).json()
    assert approver["personal"]["phone"] is None and approver["personal"]["contact_phones"] is None
    assert approver["personal"]["name"] == personal["name"]
    analyst = client.get(f"/applications/{submitted['app']}", headers=server.h("risk_analyst")).json()
    assert analyst["personal"]["ip"].endswith(".*.*") and analyst["personal"]["device_id"].count("*") > 4
    assert not set(approver["fields"]) & {"name", "home_address", "business_address", "device_id", "ip"}
    audit = client.get(f"/cases/{submitted['case']}/audit", headers=server.h("admin")).text
    assert raw["resident_id"] not in audit and raw["phone"] not in audit


def test_the_store_keeps_no_personal_value_in_clear(server: Server, submitted: dict[str, int]) -> None:
    import sqlalchemy as sa

    raw = server.application(36)
    with server.ctx.engine.connect() as c:
        dump = " ".join(
            str(row)
            for table in ("applicants", "applications", "decisions", "audit_log", "idempotency_keys", "cases")
            for row in c.execute(sa.text(f"SELECT * FROM {table}"))
        )
    for key in ("resident_id", "phone", "bank_card"):
        assert raw[key] not in dump, key


def test_clear_values_go_to_the_verifier_holding_the_case_with_a_purpose_and_are_audited(
        server: Server, client: httpx.Client, submitted: dict[str, int]) -> None:
    raw = server.application(36)
    url = f"/applications/{submitted['app']}/personal-data"
    assert client.get(url, params={"purpose": "phone check"}, headers=server.h("verifier")).status_code == 403
    task = next(t for t in client.get(f"/cases/{submitted['case']}", headers=server.h("admin")).json()["tasks"]
                if t["step"] == "phone_verification")
    assert client.post(f"/tasks/{task['task_id']}/claim", headers=server.h("verifier")).status_code == 200
    assert client.get(url, params={"purpose": "call"}, headers=server.h("investigator")).status_code == 403
    assert client.get(url, headers=server.h("verifier")).status_code == 422  # a purpose is required
    r = client.get(url, params={"purpose": "phone check"}, headers=server.h("verifier"))
    assert r.status_code == 200
    body = r.json()
    assert body["resident_id"] == raw["resident_id"] and body["phone"] == raw["phone"]
    assert body["contact_phones"] == raw["contact_phones"] and body["name"] == raw["name"]
    assert body["bank_card"] is None and body["device_id"] is None and body["ip"] is None
    trail = client.get(f"/cases/{submitted['case']}/audit", headers=server.h("admin")).json()["data"]
    reveal = [e for e in trail if e["action"] == "personal_data.revealed"]
    assert reveal[-1]["actor"] == "verifier" and reveal[-1]["detail"]["purpose"] == "phone check"
    assert set(reveal[-1]["detail"]["fields"]) == {k for k, v in body.items() if v is not None}
    refused = [(e["actor"], e["detail"]["attempt"]) for e in trail if e["action"] == "refused"]
    assert ("verifier", "personal_data.reveal") in refused and ("investigator", "personal_data.reveal") in refused


def test_an_account_manager_reads_the_applications_they_submitted_only(
        server: Server, client: httpx.Client, submitted: dict[str, int]) -> None:
    from creditfactory.services.errors import UserExists
    from creditfactory.services.ports import SYSTEM
    from creditfactory.services.users import add_user

    try:
        add_user(server.ctx, SYSTEM, "am_other", "another-long-password", "account_manager")
    except UserExists:
        pass
    token = client.post("/auth/token", data={"username": "am_other", "password": "another-long-password"})
    assert token.status_code == 200, token.text
    other = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.get(f"/applications/{submitted['app']}", headers=other).status_code == 404
    assert client.get(f"/applications/{submitted['app']}", headers=server.h("account_manager")).status_code == 200
