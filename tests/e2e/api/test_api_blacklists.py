"""Blacklists over the API: risk analysts manage the entries, admins read, values never shown."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import httpx

from creditfactory.domain.blacklist import KINDS
from creditfactory.http.schemas.blacklists import Kind

if TYPE_CHECKING:
    from conftest import Server


def _phone() -> str:
    return "137" + "".join(random.choice("0123456789") for _ in range(8))


def test_the_api_kinds_are_the_domain_kinds() -> None:
    from typing import get_args

    assert set(get_args(Kind)) == set(KINDS)


def test_a_risk_analyst_adds_lists_and_removes_an_entry(server: Server, client: httpx.Client) -> None:
    phone = _phone()
    r = client.post("/blacklists", headers=server.h("risk_analyst"),
                    json={"kind": "phone", "value": phone, "reason": "confirmed fraud"})
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["live"] and entry["value_masked"] == f"{phone[:3]}****{phone[-4:]}"
    assert phone not in r.text
    again = client.post("/blacklists", headers=server.h("risk_analyst"),
                        json={"kind": "phone", "value": phone, "reason": "twice"})
    assert again.status_code == 409
    listed = client.get("/blacklists", params={"kind": "phone"}, headers=server.h("admin"))
    assert listed.status_code == 200 and entry["id"] in [e["id"] for e in listed.json()["data"]]
    assert listed.json()["count"] >= 3  # the two shipped numbers and this one
    assert phone not in listed.text
    gone = client.post(f"/blacklists/{entry['id']}/remove", headers=server.h("risk_analyst"),
                       json={"reason": "cleared"})
    assert gone.status_code == 200 and not gone.json()["live"]
    assert gone.json()["removal_reason"] == "cleared"
    twice = client.post(f"/blacklists/{entry['id']}/remove", headers=server.h("risk_analyst"),
                        json={"reason": "cleared"})
    assert twice.status_code == 404
    live = client.get("/blacklists", headers=server.h("risk_analyst")).json()["data"]
    assert entry["id"] not in [e["id"] for e in live]
    every = client.get("/blacklists", params={"include_removed": True},
                       headers=server.h("risk_analyst")).json()["data"]
    assert entry["id"] in [e["id"] for e in every]


def test_a_bad_value_is_refused_naming_the_field(server: Server, client: httpx.Client) -> None:
    r = client.post("/blacklists", headers=server.h("risk_analyst"),
                    json={"kind": "resident_id", "value": "110101199001011230", "reason": "typo"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "value"]


def test_only_risk_analysts_change_the_list(server: Server, client: httpx.Client) -> None:
    for role in ("admin", "account_manager", "approver"):
        r = client.post("/blacklists", headers=server.h(role),
                        json={"kind": "phone", "value": _phone(), "reason": "not theirs"})
        assert r.status_code == 403, role
    assert client.get("/blacklists", headers=server.h("account_manager")).status_code == 403
    assert client.get("/blacklists").status_code == 401
