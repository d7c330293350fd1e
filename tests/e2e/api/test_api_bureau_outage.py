"""A bureau outage through the served API: the submission is accepted with 202 and held, the
server's background job decides it once the bureau answers again, and the same key keeps
getting the answer first given."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.server import create_app
from creditfactory.settings import load_settings


def test_a_held_submission_is_decided_by_the_server_once_the_bureau_is_back(
    server: Any, client: httpx.Client, world_bureau: Any
) -> None:
    body = server.application(23, amount=150000)
    headers = server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex})
    world_bureau.server.faults.update({"fail_rate": 1.0})
    try:
        r = client.post("/applications", json=body, headers=headers)
        assert r.status_code == 202, r.text
        held = r.json()
        assert held["decision"] is None and held["step"] == "bureau_pull"
        assert held["held"]["queue"] == "bureau_unavailable"
        again = client.post("/applications", json=body, headers=headers)
        assert (again.status_code, again.json()) == (202, held)
        assert again.headers["Idempotent-Replayed"] == "true"
    finally:
        world_bureau.server.faults.update({"fail_rate": 0.0})

    def decided() -> Any:
        view = client.get(f"/applications/{held['application_id']}", headers=server.h("admin"))
        return view.json() if view.json()["decision"] is not None else None

    view = server.wait_for(decided, timeout=30)
    assert view["decision"]["tier"] == "auto_approve"
    assert view["case"]["step"] != "bureau_pull"
    late = client.post("/applications", json=body, headers=headers)
    assert (late.status_code, late.json()) == (202, held)  # the answer first given


def test_production_refuses_to_serve_without_a_credit_bureau(server: Any) -> None:
    settings = load_settings(db_url="sqlite:///unused.db", env="production", secret_key="p" * 40,
                             admin_password="a-long-admin-password")
    with pytest.raises(InvalidArgument, match="CREDITFACTORY_BUREAU_URL"):
        create_app(settings)
    create_app(settings.model_copy(update={"bureau_url": server.bureau_url}))
