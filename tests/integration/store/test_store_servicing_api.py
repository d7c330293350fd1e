"""The loans API on SQLite and PostgreSQL: a bank's own account posts repayments on its loans
(the same reference and body answer alike, another body 409, another bank's loan 404), and
reads the loan with its schedule, transactions, DPD and class."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import sqlalchemy as sa

from creditfactory.server import create_app
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import SYSTEM
from creditfactory.services.servicing_close import close_business
from creditfactory.services.users import add_user
from creditfactory.settings import load_settings
from creditfactory.store import PersonalDataVault

from .servicing_seed import seed_loans
from .test_store_servicing_book import START

PASSWORD = "Servicing-Test-Password-42"


def _token(client: httpx.Client, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_a_bank_posts_on_its_own_loans_and_reads_them(migrated_engine: sa.Engine,
                                                      empty_db_url: str, serve: Any) -> None:
    ctx = ServiceContext(migrated_engine, PersonalDataVault("k" * 40))
    (loan_id,) = seed_loans(migrated_engine, [Decimal("100000.00")], start=START)
    with ctx.uow() as uow:
        for code in ("B01", "B02"):
            uow.banks.upsert(code, f"Bank {code}", {})
        uow.commit()
    for name, role, bank in (("b01sys", "bank_system", "B01"), ("b02sys", "bank_system", "B02"),
                             ("am1", "account_manager", None)):
        add_user(ctx, SYSTEM, name, PASSWORD, role, bank)
    settings = load_settings(db_url=empty_db_url, env="test")
    with serve(create_app(settings, ctx)) as base, httpx.Client(base_url=base, timeout=10) as client:
        b01, b02, am = (_token(client, n) for n in ("b01sys", "b02sys", "am1"))
        url = f"/api/v1/loans/{loan_id}/repayments"
        body = {"reference": "T-1", "value_date": "2026-02-15", "amount": "9168.00"}
        first = client.post(url, json=body, headers=b01)
        assert first.status_code == 201, first.text
        again = client.post(url, json=body, headers=b01)
        assert again.status_code == 201 and again.json() == first.json()
        assert client.post(url, json={**body, "amount": "1.00"}, headers=b01).status_code == 409
        assert client.post(url, json={**body, "reference": "T-2"}, headers=b02).status_code == 404
        assert client.post(url, json={**body, "reference": "T-3"}, headers=am).status_code == 403
        bad = client.post(url, json={**body, "reference": "T-4", "amount": "0"}, headers=b01)
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "amount"]
        assert client.post(url, json={**body, "amount": 9168.0}, headers=b01).status_code == 422
        close_business(migrated_engine, START.replace(month=4))
        view = client.get(f"/api/v1/loans/{loan_id}", headers=b01)
        assert view.status_code == 200
        loan = view.json()
        assert (loan["dpd"], loan["bucket"], loan["five_class"]) == (
            31, "M2", "special_mention")
        assert len(loan["schedule"]) == 12 and loan["transactions"][0]["reference"] == "T-1"
        assert client.get(f"/api/v1/loans/{loan_id}", headers=b02).status_code == 404
