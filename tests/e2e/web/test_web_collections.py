"""Collections in a real browser: a collector finds a past-due loan in their queue after the
night's assignment, records a contact and a promise to pay, proposes a restructure, a risk
analyst approves it, and each step is on the account's history; the borrower masked."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from creditfactory.services.collections_assign import assign_collections
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_views import loan_of_case
from creditfactory.store.tables_servicing import loan_accounts
from creditfactory.store.types import utcnow

if TYPE_CHECKING:
    from conftest import Web



def _loans_module() -> Any:
    """The loan pages' test module: its paid-out loan through the factory, its sign-in."""
    name = "creditfactory_e2e_web_loans"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("test_web_loans.py"))
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


_loans = _loans_module()
Inbox, _as, _pay_out = _loans.Inbox, _loans._as, _loans._pay_out
CALLS = """
name: calls
version: 1
bands: {A: 0.6, B: 0.25, C: 0.0}
priority: dpd
rules:
  - {treatment: call, frequency: 1}
"""


@pytest.fixture(scope="module")
def overdue(web: Web, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A paid-out loan shown 35 days past due at the business date, assigned to the phone
    team for the night (its state put back afterwards: the store is shared)."""
    before = web.api.ctx.borrowers
    web.api.ctx.borrowers = inbox = Inbox()
    try:
        with web.api_client() as c:
            paid = _pay_out(web, c, inbox)
    finally:
        web.api.ctx.borrowers = before
    ctx = web.api.ctx
    loan_id = loan_of_case(ctx, Actor("ana", "risk_analyst"), paid["case_id"])
    with ctx.uow() as uow:
        account = uow.servicing.account(loan_id)
        assert account is not None
        day = uow.servicing.business_date()
        if day is None or day < account["start_date"]:
            day = account["start_date"]
            uow.servicing.set_business_date(day, utcnow())
        uow.conn.execute(sa.update(loan_accounts).where(loan_accounts.c.loan_id == loan_id)
                         .values(dpd=35, bucket="M2"))
        uow.commit()
    calls = Path(tmp_path_factory.mktemp("collections")) / "calls.yaml"
    calls.write_text(CALLS, encoding="utf-8")
    with ctx.uow() as uow:  # a night not yet assigned by another test
        uow.conn.execute(sa.text("DELETE FROM collections_runs WHERE business_date = :d"),
                         {"d": day})
        uow.conn.execute(sa.text("DELETE FROM collections_assignments WHERE business_date = :d"),
                         {"d": day})
        uow.commit()
    assign_collections(ctx.engine, day, strategy=str(calls))
    yield {**paid, "loan_id": loan_id, "day": day}
    with ctx.uow() as uow:
        uow.conn.execute(sa.update(loan_accounts).where(loan_accounts.c.loan_id == loan_id)
                         .values(dpd=0, bucket="M0"))
        uow.commit()


def test_a_collector_works_an_account_end_to_end_and_sees_it_on_its_history(
        web: Web, context: Any, browser: Any, overdue: dict[str, Any]) -> None:
    loan_id, day = overdue["loan_id"], overdue["day"]
    page = _as(context, web, "cathy_web", "collector")
    page.goto(f"{web.root}/ui/collections")
    expect(page.locator("#my-team")).to_contain_text("phone")
    row = page.locator(f"#queue tr[data-loan='{loan_id}']")
    expect(row).to_contain_text("35")
    expect(row).to_contain_text("call")
    expect(row.locator("td.collector")).to_have_text(re.compile(r"^(cathy_web|not dealt yet)$"))
    assert "*" in row.locator("td.masked").inner_text()  # the borrower masked
    row.locator("a").click()
    expect(page).to_have_url(f"{web.root}/ui/collections/accounts/{loan_id}")
    expect(page.locator("#account-dpd")).to_have_text("35")
    expect(page.locator("#account-reason")).to_contain_text("%")
    expect(page.locator("#account-cure")).to_contain_text("bucket_rule")
    page.select_option("#contact-form select[name=channel]", "call")
    page.select_option("#contact-form select[name=outcome]", "reached")
    page.fill("#contact-form input[name=note]", "says the shop reopens next week")
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#history tr[data-action=contact]")).to_contain_text(
        "call: reached - says the shop reopens next week")
    page.fill("#promise-form input[name=amount]", "not money")
    page.click("#promise-form button[type=submit]")
    expect(page.locator("#promise .errors li[data-field=amount]")).to_be_visible()
    page.fill("#promise-form input[name=amount]", "5000.00")
    page.fill("#promise-form input[name=due_on]", (day + timedelta(days=7)).isoformat())
    page.click("#promise-form button[type=submit]")
    expect(page.locator("#promises tr[data-promise]")).to_contain_text("5,000.00")
    expect(page.locator("#history tr[data-action=promise]")).to_contain_text("5000.00 CNY")
    page.fill("#restructure-form input[name=term_months]", "60")
    page.fill("#restructure-form input[name=reason]", "cash shortfall, shop closed a month")
    page.click("#restructure-form button[type=submit]")
    proposed = page.locator("#restructures tr[data-status=proposed]")
    expect(proposed).to_contain_text("60 months")
    expect(page.locator("form[id^=decision-form]")).to_have_count(0)  # a collector cannot decide

    analyst = _as(browser.new_context(), web, "rita_web", "risk_analyst")
    analyst.goto(f"{web.root}/ui/collections")
    analyst.locator(f"#pending a[href='/ui/collections/accounts/{loan_id}']").click()
    analyst.fill("form[id^=decision-form] input[name=note]", "affordable on its inflows")
    analyst.click("form[id^=decision-form] button[value=approve]")
    expect(analyst.locator("#restructures tr[data-status=approved]")).to_contain_text(
        (day + timedelta(days=1)).isoformat())
    expect(analyst.locator("#history tr[data-action=restructure_approved]")).to_contain_text(
        "affordable on its inflows")

    page.reload()
    expect(page.locator("#history tr[data-action=restructure_approved]")).to_have_count(1)
    expect(page.locator("#history tr[data-action=restructure_proposed]")).to_have_count(1)
    page.goto(f"{web.root}/ui/collections/dashboard")
    expect(page.locator("#by-team tr[data-team=phone]")).to_be_visible()


def test_another_banks_officer_does_not_find_the_account(
        web: Web, context: Any, overdue: dict[str, Any]) -> None:
    other = "CITY_HZ" if overdue["bank"] != "CITY_HZ" else "RURAL_CD"
    page = _as(context, web, "officer_web_x", "bank_officer", other)
    response = page.goto(f"{web.root}/ui/collections/accounts/{overdue['loan_id']}")
    assert response is not None and response.status == 404
