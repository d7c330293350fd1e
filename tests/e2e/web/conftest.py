"""The staff pages against a real uvicorn server, driven by chromium through Playwright.

The server is the API suite's own (``tests/e2e/api/conftest.py``): the same fake decision
port, the same stores (SQLite always, PostgreSQL when configured); it serves ``/ui`` too.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from creditfactory.services.errors import UserExists
from creditfactory.services.ports import SYSTEM
from creditfactory.services.users import add_user


def _api_conftest() -> Any:
    name = "creditfactory_e2e_api_conftest"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "api" / "conftest.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_api = _api_conftest()
server = _api.server
small_world = _api.small_world
world_bureau = _api.world_bureau
PASSWORD = _api.PASSWORD
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class Web:
    """The served app: page root, the API, tokens per role, and users who log in by form."""

    root: str
    api: Any  # the API suite's Server

    def api_client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api.base, timeout=10)

    def submit(self, i: int, **overrides: Any) -> dict[str, Any]:
        """Submit row ``i`` of the world as an account manager; the API's answer."""
        with self.api_client() as c:
            r = c.post("/applications", json=self.api.application(i, **overrides),
                       headers=self.api.h("account_manager", **{"Idempotency-Key": uuid.uuid4().hex}))
        assert r.status_code == 201, r.text
        return dict(r.json())

    def case_json(self, case_id: int) -> dict[str, Any]:
        with self.api_client() as c:
            r = c.get(f"/cases/{case_id}", headers=self.api.h("admin"))
        assert r.status_code == 200, r.text
        return dict(r.json())

    def complete_via_api(self, case_id: int, step: str, role: str, body: dict[str, Any]) -> None:
        task = next(t for t in self.case_json(case_id)["tasks"] if t["step"] == step and t["status"] != "done")
        with self.api_client() as c:
            r = c.post(f"/tasks/{task['task_id']}/complete", headers=self.api.h(role), json=body)
        assert r.status_code == 200, r.text

    def session_cookie(self, who: str) -> dict[str, Any]:
        """The cookie a login as ``who`` (a key of the API suite's tokens) would set."""
        return {"name": "cf_session", "value": self.api.tokens[who], "domain": "127.0.0.1",
                "path": "/ui", "httpOnly": True, "sameSite": "Strict"}


@pytest.fixture(scope="session")
def web(server: Any) -> Web:
    try:
        add_user(server.ctx, SYSTEM, "verifier_web", PASSWORD, "verifier")
    except UserExists:
        pass
    return Web(server.base.removesuffix("/api/v1"), server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()
