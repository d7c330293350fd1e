"""Control characters (NUL above all, which PostgreSQL cannot store) are refused at the edge
with the field named, never answered with a 5xx, and nothing is written."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from conftest import Server


def _fields(r: httpx.Response) -> set[str]:
    return {str(d["loc"][-1]) for d in r.json()["detail"]}


def test_nul_in_an_application_text_field_is_a_422_naming_it(server: Server, client: httpx.Client) -> None:
    before = server.count("applications")
    body = server.application(41, device_id="dev\x00ice", home_address="1 Road\x01")
    r = client.post("/applications", json=body,
                    headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
    assert r.status_code == 422, r.text
    assert _fields(r) == {"device_id", "home_address"}
    assert server.count("applications") == before


def test_nul_in_query_and_path_parameters_is_a_422(server: Server, client: httpx.Client) -> None:
    for path, name in (("/cases?status=op%00en", "status"),
                       ("/channels?status=%00", "status"),
                       ("/channels/AG%000001", "channel_id"),
                       ("/bank-submissions?bank_code=B%00", "bank_code")):
        r = client.get(path, headers=server.h("admin"))
        assert r.status_code == 422, (path, r.text)
        assert _fields(r) == {name}


def test_nul_in_a_login_name_is_a_plain_401(server: Server, client: httpx.Client) -> None:
    r = client.post("/auth/token", data={"username": "ad\x00min", "password": "whatever-pass"})
    assert r.status_code == 401, r.text
