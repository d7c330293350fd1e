"""The live API takes no bureau field and no time from the submitter: it refuses them by name,
stamps its own clock and decides on the report it pulled; a held submission is documented."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from creditfactory.domain.external_data import BUREAU_FIELDS


@pytest.mark.parametrize("field,value", [("bureau_debt", 0), ("overdue_count_24m", 0),
                                         ("applied_at", "2019-01-01T00:00:00")])
def test_bureau_fields_and_a_submitted_time_are_refused_by_name(
    server: object, client: httpx.Client, field: str, value: object
) -> None:
    body = server.application(7, **{field: value})  # type: ignore[attr-defined]
    r = client.post("/applications", json=body,
                    headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))  # type: ignore[attr-defined]
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"][-1] == field and "extra" in error["type"]


def test_the_server_stamps_the_time_and_keeps_the_pull_it_decided_on(
    server: object, client: httpx.Client
) -> None:
    before = datetime.now(UTC)
    r = client.post("/applications", json=server.application(11),  # type: ignore[attr-defined]
                    headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))  # type: ignore[attr-defined]
    assert r.status_code == 201, r.text
    app_id = r.json()["application_id"]
    view = client.get(f"/applications/{app_id}", headers=server.h("admin")).json()  # type: ignore[attr-defined]
    stamped = datetime.fromisoformat(view["applied_at"])
    stamped = stamped if stamped.tzinfo else stamped.replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= stamped <= datetime.now(UTC) + timedelta(seconds=1)
    row = server.world.applications.iloc[11]  # type: ignore[attr-defined]
    assert view["fields"]["inquiries_6m"] == int(row["inquiries_6m"])
    assert set(BUREAU_FIELDS) <= set(view["fields"])
    with server.ctx.uow(write=False) as uow:  # type: ignore[attr-defined]
        [pull] = uow.fetched.pulls(app_id)
    assert pull["outcome"] == "report" and pull["source"] == f"bureau@{server.bureau_url}"  # type: ignore[attr-defined]


def test_the_openapi_schema_documents_the_held_answer(client: httpx.Client) -> None:
    post = client.get("/openapi.json").json()["paths"]["/api/v1/applications"]["post"]
    assert "202" in post["responses"] and "held" in post["responses"]["202"]["description"]
    create = client.get("/openapi.json").json()["components"]["schemas"]["ApplicationCreate"]
    assert "bureau_consent_ref" in create["required"]
    assert not {"applied_at", *BUREAU_FIELDS} & set(create["properties"])


def test_a_refused_personal_value_is_named_but_never_echoed(
    server: object, client: httpx.Client
) -> None:
    body = server.application(13)  # type: ignore[attr-defined]
    body["phone"] = body["phone"][:-1] + "\u0007"  # a control character: refused by the pattern
    body["resident_id"] = body["resident_id"][:-1]  # too short
    r = client.post("/applications", json=body,
                    headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))  # type: ignore[attr-defined]
    assert r.status_code == 422
    named = {e["loc"][-1] for e in r.json()["detail"]}
    assert named == {"phone", "resident_id"}
    assert body["resident_id"] not in r.text and body["phone"][:-1] not in r.text
    assert all("input" not in e for e in r.json()["detail"])
