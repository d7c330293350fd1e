"""Sessions end when they should, at once: logout, deactivation, a role change; everywhere.

Every token names a session kept in the store; a request is admitted only while it is live, so
a second server process (its own engine, nothing shared in memory) refuses a token the first
one ended, from the very next request.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import sqlalchemy as sa

from creditfactory.http.security import TokenSigner
from creditfactory.server import create_app
from creditfactory.services.bootstrap import store_context
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.services.users import add_user
from creditfactory.settings import load_settings

if TYPE_CHECKING:
    from conftest import Server

PASSWORD = "s3cret-pass"


def _signer() -> TokenSigner:
    return TokenSigner(load_settings(env="test").token_secrets, 60)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _new_user(server: Server, role: str = "verifier") -> str:
    name = f"u{uuid.uuid4().hex[:10]}"
    add_user(server.ctx, SYSTEM, name, PASSWORD, role)
    return name


def _login(client: httpx.Client, name: str) -> httpx.Response:
    return client.post("/auth/token", data={"username": name, "password": PASSWORD})


def _audit(server: Server, entity_id: str) -> list[tuple[str, str]]:
    with server.ctx.engine.connect() as c:
        rows = c.execute(sa.text("SELECT actor, action FROM audit_log WHERE entity_id = :e ORDER BY id"),
                         {"e": entity_id})
        return [(r[0], r[1]) for r in rows]


def test_logout_ends_the_presenting_session_only_and_at_once(server: Server, client: httpx.Client) -> None:
    name = _new_user(server)
    login = _login(client, name)
    assert login.status_code == 200
    token = login.json()["access_token"]
    other = _signer().issue(server.ctx, Actor(name, "verifier"))
    assert client.get("/users/me", headers=_bearer(token)).json()["username"] == name
    assert client.post("/auth/logout", headers=_bearer(token)).status_code == 204
    refused = client.get("/users/me", headers=_bearer(token))
    assert refused.status_code == 401 and "session ended" in refused.json()["detail"]
    assert refused.headers["www-authenticate"] == "Bearer"
    assert client.get("/users/me", headers=_bearer(other)).status_code == 200
    assert client.post("/auth/logout", headers=_bearer(token)).status_code == 204  # again: harmless
    assert client.post("/auth/logout").status_code == 401
    assert client.post("/auth/logout", headers=_bearer(token[:-4] + "AAAA")).status_code == 401
    assert _audit(server, name) == [("system", "user.added"), (name, "session.opened"),
                                    (name, "session.opened"), (name, "session.ended")]


def test_a_signed_token_without_a_live_session_is_refused(server: Server, client: httpx.Client) -> None:
    now = datetime.now(UTC)
    unknown = _signer().sign(Actor("admin", "admin"), "no-such-session", now, now + timedelta(minutes=5))
    assert client.get("/users", headers=_bearer(unknown)).status_code == 401
    name = _new_user(server)
    token = _signer().issue(server.ctx, Actor(name, "verifier"))
    with server.ctx.engine.begin() as c:  # the store says the session is over; the token does not
        c.execute(sa.text("UPDATE sessions SET expires_at = :t WHERE username = :u"),
                  {"t": now - timedelta(seconds=1), "u": name})
    assert client.get("/users/me", headers=_bearer(token)).status_code == 401


def _me_status(app: Any, token: str) -> int:
    async def ask() -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            return (await c.get("/api/v1/users/me", headers=_bearer(token))).status_code

    # a loop of its own in a thread of its own: a browser test run before in this worker may
    # leave Playwright's loop running in the main thread
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, ask()).result()


def test_a_session_ended_in_one_process_is_refused_by_another_at_once(server: Server, client: httpx.Client) -> None:
    url = server.ctx.engine.url.render_as_string(hide_password=False)
    settings = load_settings(db_url=url, env="test", simulate_banks=False)
    ctx = store_context(settings)
    try:
        other_process = create_app(settings, ctx)
        name = _new_user(server)
        token = _signer().issue(server.ctx, Actor(name, "verifier"))
        assert _me_status(other_process, token) == 200
        assert client.post("/auth/logout", headers=_bearer(token)).status_code == 204
        assert _me_status(other_process, token) == 401
    finally:
        ctx.engine.dispose()


def test_deactivation_ends_every_session_and_stops_login_until_reactivated(server: Server, client: httpx.Client) -> None:
    name = _new_user(server)
    tokens = [_signer().issue(server.ctx, Actor(name, "verifier")) for _ in range(2)]
    listed = {u["username"]: u for u in client.get("/users", headers=server.h("admin")).json()["data"]}
    assert (listed[name]["active"], listed[name]["live_sessions"]) == (True, 2)
    r = client.post(f"/users/{name}/deactivate", headers=server.h("admin"))
    assert r.status_code == 200
    assert (r.json()["active"], r.json()["sessions_ended"]) == (False, 2)
    assert [client.get("/users/me", headers=_bearer(t)).status_code for t in tokens] == [401, 401]
    assert _login(client, name).status_code == 401
    listed = {u["username"]: u for u in client.get("/users", headers=server.h("admin")).json()["data"]}
    assert (listed[name]["active"], listed[name]["live_sessions"]) == (False, 0)
    assert listed["admin"]["active"] is True
    assert "password_hash" not in listed[name]
    assert client.post(f"/users/{name}/reactivate", headers=server.h("admin")).json()["active"] is True
    fresh = _login(client, name)
    assert fresh.status_code == 200
    assert client.get("/users/me", headers=_bearer(fresh.json()["access_token"])).status_code == 200
    assert client.get("/users/me", headers=_bearer(tokens[0])).status_code == 401  # stays ended
    actions = [a for a in _audit(server, name) if a[1].startswith("user.")]
    assert actions == [("system", "user.added"), ("admin", "user.deactivated"), ("admin", "user.reactivated")]


def test_a_role_change_ends_sessions_and_the_next_login_carries_the_new_role(server: Server, client: httpx.Client) -> None:
    name = _new_user(server)
    token = _signer().issue(server.ctx, Actor(name, "verifier"))
    admin = server.h("admin")
    r = client.put(f"/users/{name}/role", headers=admin, json={"role": "bank_officer"})
    assert r.status_code == 422 and "bank_code" in r.text
    r = client.put(f"/users/{name}/role", headers=admin, json={"role": "approver", "bank_code": server.manual_bank})
    assert r.status_code == 422 and "bank_code" in r.text
    r = client.put(f"/users/{name}/role", headers=admin, json={"role": "bank_officer", "bank_code": "NO_SUCH"})
    assert r.status_code == 422
    assert client.get("/users/me", headers=_bearer(token)).status_code == 200  # refused changes end nothing
    r = client.put(f"/users/{name}/role", headers=admin,
                   json={"role": "bank_officer", "bank_code": server.manual_bank})
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    assert client.get("/users/me", headers=_bearer(token)).status_code == 401
    login = _login(client, name)
    assert login.json()["role"] == "bank_officer"
    me = client.get("/users/me", headers=_bearer(login.json()["access_token"])).json()
    assert me == {"username": name, "role": "bank_officer", "bank_code": server.manual_bank}


def test_only_an_admin_manages_users_and_not_their_own_account(server: Server, client: httpx.Client) -> None:
    name = _new_user(server)
    for role in ("verifier", "account_manager", "officer_cmb"):
        assert client.get("/users", headers=server.h(role)).status_code == 403
        assert client.post(f"/users/{name}/deactivate", headers=server.h(role)).status_code == 403
        assert client.put(f"/users/{name}/role", headers=server.h(role),
                          json={"role": "admin"}).status_code == 403
    assert client.post("/users/nobody_here/deactivate", headers=server.h("admin")).status_code == 404
    assert client.post("/users/admin/deactivate", headers=server.h("admin")).status_code == 409
    assert client.get("/users/me", headers=server.h("admin")).status_code == 200
