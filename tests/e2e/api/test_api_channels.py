"""Channel management: suspension stops referrals; deposits move and never go negative."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from conftest import Server


def test_suspended_channel_cannot_refer_until_reactivated(server: Server, client: httpx.Client) -> None:
    body = server.application(40)
    channel = body["channel_id"]
    h = server.h("channel_manager")
    r = client.post(f"/channels/{channel}/suspend", headers=h, json={"reason": "packaging suspected"})
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    sub = client.post("/applications", json=body,
                      headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
    assert sub.status_code == 422 and sub.json()["detail"][0]["loc"][-1] == "channel_id"
    client.post(f"/channels/{channel}/reactivate", headers=h, json={"reason": "cleared"})
    sub = client.post("/applications", json=body,
                      headers=server.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
    assert sub.status_code == 201


def test_deposit_movements_keep_a_running_balance(server: Server, client: httpx.Client) -> None:
    channels = client.get("/channels", headers=server.h("channel_manager")).json()["data"]
    cid = next(c["channel_id"] for c in channels if c["channel_type"] == "agent_app")
    h = server.h("channel_manager")
    assert client.post(f"/channels/{cid}/deposit-movements", headers=h,
                       json={"kind": "post", "amount": "50000.00", "reason": "initial"}).status_code == 201
    r = client.post(f"/channels/{cid}/deposit-movements", headers=h,
                    json={"kind": "deduct", "amount": "12000.50", "reason": "loss on referral"})
    assert r.json()["balance_after"] == "37999.50"
    over = client.post(f"/channels/{cid}/deposit-movements", headers=h,
                       json={"kind": "refund", "amount": "40000.00", "reason": "too much"})
    assert over.status_code == 422
    moves = client.get(f"/channels/{cid}/deposit-movements", headers=h).json()
    assert [m["balance_after"] for m in moves["data"]] == ["50000.00", "37999.50"]
    assert client.get(f"/channels/{cid}", headers=h).json()["deposit"] == "37999.50"


def test_unknown_channel_is_404(server: Server, client: httpx.Client) -> None:
    assert client.get("/channels/NOPE", headers=server.h("admin")).status_code == 404
