"""A real uvicorn server on loopback per store (SQLite always, PostgreSQL when configured).

The server runs the real API and services, wired by the same bootstrap as ``serve``, with a
hand-written fake of the strategy (``FakeDecisions``): tiers follow the amount asked, so each
test can steer a case.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from creditfactory.domain.external_data import BUREAU_FIELDS
from creditfactory.factory import load_banks
from creditfactory.server import create_app
from creditfactory.services.bootstrap import bootstrap
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor, Decision
from creditfactory.services.setup import setup_service
from creditfactory.services.users import add_user
from creditfactory.settings import load_settings

PASSWORD = "s3cret-pass"
ROLES = ("account_manager", "verifier", "investigator", "approver", "risk_analyst",
         "channel_manager", "admin", "collector")
MANUAL_BANK = "CMB_GZ"


class FakeDecisions:
    """Tier by amount: <=250k auto, <=400k remote, <=500k field; revenue < 20k rejects."""

    version = "fake@1"

    def decide(self, app: Mapping[str, Any], scores: Mapping[str, Any]) -> Decision:
        amount = Decimal(str(app["amount"]))
        revenue = Decimal(str(app["declared_monthly_revenue"]))
        if revenue < 20000 or amount > 500000:
            return Decision("reject", Decimal("0.00"), Decimal("0.2"), "none", ("LOW_REVENUE",), 500.0)
        tier = ("auto_approve" if amount <= 250000 else
                "remote_verification" if amount <= 400000 else "field_investigation")
        limit = min(amount, (revenue * 5).quantize(Decimal("0.01")))
        return Decision(tier, limit, Decimal("0.195"), "STANDARD", (), 640.0,
                        {"inputs": {"amount": str(amount)}, "versions": {"strategy": self.version}})


@dataclass
class Server:
    base: str
    ctx: ServiceContext
    tokens: dict[str, str]
    world: Any

    manual_bank: str = MANUAL_BANK
    bureau_url: str = ""
    signer: Any = None

    def fresh(self, name: str) -> dict[str, str]:
        """Headers with a new token (a session of its own) for the user of ``tokens[name]``."""
        actor = self.signer.check(self.ctx, self.tokens[name])
        return {"Authorization": f"Bearer {self.signer.issue(self.ctx, actor)}"}

    def h(self, role: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    def application(self, i: int, **overrides: Any) -> dict[str, Any]:
        return application_json(self.world, i, **overrides)

    def count(self, table: str) -> int:
        return count_rows(self, table)

    @staticmethod
    def wait_for(pred: Any, timeout: float = 15.0) -> Any:
        return wait_for(pred, timeout)


@pytest.fixture(scope="session")
def small_world() -> Any:
    from creditfactory.world import generate

    return generate(400, 12, 11)


@pytest.fixture(scope="session")
def world_bureau(small_world: Any) -> Iterator[Any]:
    """The small world's credit bureau and business registry on loopback (no faults)."""
    from creditfactory.world.bureau_server import BureauServer, WorldRecords, running_bureau

    with running_bureau(BureauServer(WorldRecords(small_world.applications))) as bureau:
        yield bureau


def application_json(world: Any, i: int, **overrides: Any) -> dict[str, Any]:
    """Row ``i`` of the world's applications as the API takes it: what the applicant declares
    (no id, no time, no bureau fields: the platform stamps and pulls those) and the consent."""
    row = world.applications.iloc[i].to_dict()
    for name in ("application_id", "applied_at", *BUREAU_FIELDS):
        row.pop(name)
    row["bureau_consent_ref"] = f"CONSENT-{i:06d}"
    out = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
    for k, v in out.items():
        if hasattr(v, "item"):
            out[k] = v.item()
    out.update(overrides)
    return out


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def server(request: pytest.FixtureRequest, fresh_database: Any, serve: Any, small_world: Any,
           world_bureau: Any) -> Iterator[Server]:
    with ExitStack() as database:  # closed in reverse: the server, the engine, the database
        url = database.enter_context(fresh_database(request.param, "e2e"))
        # the other banks are simulated, as `serve --simulate-banks` does; MANUAL_BANK answers
        # through the API with its own accounts
        settings = load_settings(db_url=url, env="test", login_attempts_per_minute=3,
                                 simulate_banks=True, bureau_url=world_bureau.url)
        banks = tuple(b for b in load_banks() if b.code != MANUAL_BANK)
        ctx = bootstrap(settings, strategy=FakeDecisions(), banks=banks)
        database.callback(ctx.engine.dispose)
        setup_service(ctx, settings.db_url, PASSWORD, small_world, train=False)
        add_user(ctx, Actor("system", "system"), "officer_cmb", PASSWORD, "bank_officer", MANUAL_BANK)
        add_user(ctx, Actor("system", "system"), "system_cmb", PASSWORD, "bank_system", MANUAL_BANK)
        app = create_app(settings, ctx)
        base = database.enter_context(serve(app)) + "/api/v1"
        # Tokens are issued exactly as a login issues them (a session each); logging in 9 users would cost 9
        # argon2 verifications (about half a second each on a busy machine).
        tokens = {role: app.state.signer.issue(ctx, Actor(role, role)) for role in ROLES}
        tokens["officer_cmb"] = app.state.signer.issue(ctx, Actor("officer_cmb", "bank_officer", MANUAL_BANK))
        tokens["officer_icbc"] = app.state.signer.issue(ctx, Actor("officer_icbc", "bank_officer", "ICBC_SZ"))
        tokens["system_cmb"] = app.state.signer.issue(ctx, Actor("system_cmb", "bank_system", MANUAL_BANK))
        yield Server(base, ctx, tokens, small_world, signer=app.state.signer,
                     bureau_url=world_bureau.url)


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=10) as c:
        yield c


def count_rows(server: Server, table: str) -> int:
    with server.ctx.engine.connect() as c:
        return int(c.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def wait_for(pred: Any, timeout: float = 15.0) -> Any:
    """Poll ``pred`` until it returns something truthy (or fail after ``timeout`` seconds)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = pred()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("condition not met in time")
