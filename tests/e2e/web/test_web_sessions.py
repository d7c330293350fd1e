"""Signing out of the staff pages ends the session in the store: a copy of the cookie taken
before (another tab, a stolen cookie) is sent to the login form afterwards; so is the cookie of
a user an admin deactivates."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import httpx

from creditfactory.http.security import TokenSigner
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.services.users import add_user, deactivate_user
from creditfactory.settings import load_settings

if TYPE_CHECKING:
    from conftest import Web


def _session(web: Web, actor: Actor) -> str:
    return TokenSigner(load_settings(env="test").token_secrets, 60).issue(web.api.ctx, actor)


def _client(web: Web, token: str) -> httpx.Client:
    c = httpx.Client(base_url=web.root, timeout=10, follow_redirects=False)
    c.cookies.set("cf_session", token, domain="127.0.0.1", path="/ui")
    return c


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(web: Web) -> None:
    token = _session(web, Actor("verifier", "verifier"))
    with _client(web, token) as tab, _client(web, token) as copy:
        page = tab.get("/ui/queue")
        assert page.status_code == 200 and copy.get("/ui/queue").status_code == 200
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        out = tab.post("/ui/logout", data={"csrf_token": csrf.group(1)})
        assert out.status_code == 303 and out.headers["location"] == "/ui/login"
        assert 'cf_session=""' in out.headers["set-cookie"]
        again = copy.get("/ui/queue")
        assert again.status_code == 303 and again.headers["location"].startswith("/ui/login")


def test_a_deactivated_users_pages_send_them_to_the_login_form(web: Web) -> None:
    name = f"w{uuid.uuid4().hex[:10]}"
    add_user(web.api.ctx, SYSTEM, name, "s3cret-pass", "verifier")
    with _client(web, _session(web, Actor(name, "verifier"))) as browser:
        assert browser.get("/ui/queue").status_code == 200
        deactivate_user(web.api.ctx, SYSTEM, name)
        r = browser.get("/ui/queue")
        assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
