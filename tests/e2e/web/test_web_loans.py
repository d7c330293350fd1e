"""The loan page and the portfolio page in a real browser: a paid-out case links to its loan,
the loan shows its schedule, payments, DPD and class with the borrower masked, the portfolio
its book by bank, branch, product, bucket and class; a bank's officer sees only their bank's
loans, roles outside the book none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import expect

from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import post_repayment
from creditfactory.services.servicing_views import loan_of_case

if TYPE_CHECKING:
    from conftest import Web

BANKS = ("ICBC_SZ", "CMB_GZ", "CITY_HZ", "RURAL_CD")


class Inbox:
    """The borrowers' phones: the signing notices the platform sent."""

    def __init__(self) -> None:
        self.notices: list[Any] = []

    def send_signing_code(self, notice: Any) -> None:
        self.notices.append(notice)


def _case(c: httpx.Client, web: Web, case_id: int) -> dict[str, Any]:
    r = c.get(f"/cases/{case_id}", headers=web.api.h("admin"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _pay_out(web: Web, c: httpx.Client, inbox: Inbox) -> dict[str, Any]:
    """An auto-approved case through its bank (the manual one answered by its officer) and the
    borrower's signature, to its booked loan."""
    sub = web.submit(61, amount=200000.0, declared_monthly_revenue=80000.0)
    assert sub["decision"]["tier"] == "auto_approve"
    case_id = sub["case_id"]
    case = web.api.wait_for(lambda: (k := _case(c, web, case_id))["step"] in (
        "contract", "bank_approval") and k["bank_code"] and k)
    if case["step"] == "bank_approval" and case["bank_code"] == web.api.manual_bank:
        pending = [s for s in case["bank_submissions"] if s["status"] == "pending"]
        r = c.post(f"/bank-submissions/{pending[0]['submission_id']}/decision",
                   headers=web.api.h("officer_cmb"), json={"approve": True, "reason": "ok"})
        assert r.status_code == 200, r.text
    contract = web.api.wait_for(lambda: (r := c.get(
        "/contracts", params={"case_id": case_id}, headers=web.api.h("account_manager"))
    ).status_code == 200 and r.json())
    if not any(n.contract_id == contract["contract_id"] for n in inbox.notices):
        r = c.post(f"/contracts/{contract['contract_id']}/signing-code",
                   headers=web.api.h("account_manager"))
        assert r.status_code == 200, r.text
    notice = [n for n in inbox.notices if n.contract_id == contract["contract_id"]][-1]
    r = c.post(f"/contracts/{notice.contract_id}/signature",
               json={"digest": notice.digest, "code": notice.code, "channel": "app"})
    assert r.status_code == 201, r.text
    loan = web.api.wait_for(lambda: _case(c, web, case_id)["loan"])
    return {"case_id": case_id, "bank": loan["bank_code"], "contract_no": loan["contract_no"]}


@pytest.fixture(scope="module")
def loan(web: Web) -> Iterator[dict[str, Any]]:
    """A paid-out loan with one payment its bank posted."""
    before = web.api.ctx.borrowers
    web.api.ctx.borrowers = inbox = Inbox()
    try:
        with web.api_client() as c:
            paid = _pay_out(web, c, inbox)
    finally:
        web.api.ctx.borrowers = before
    loan_id = loan_of_case(web.api.ctx, Actor("ana", "risk_analyst"), paid["case_id"])
    bank = Actor("sys", "bank_system", paid["bank"])
    with web.api.ctx.uow(write=False) as uow:
        account = uow.servicing.account(loan_id)
    assert account is not None
    on = account["start_date"] + timedelta(days=1)
    post_repayment(web.api.ctx, bank, loan_id, {"reference": f"WEB-PAY-{loan_id}",
                                                "value_date": on.isoformat(),
                                                "amount": "1234.00"})
    yield {**paid, "loan_id": loan_id, "term": account["term_months"], "paid_on": on}


def _as(context: Any, web: Web, name: str, role: str, bank: str | None = None) -> Any:
    token = web.api.signer.issue(web.api.ctx, Actor(name, role, bank))
    context.add_cookies([{"name": "cf_session", "value": token, "domain": "127.0.0.1",
                          "path": "/ui", "httpOnly": True, "sameSite": "Strict"}])
    return context.new_page()


def test_the_case_page_leads_to_the_loan_with_its_schedule_payments_and_class(
        web: Web, context: Any, loan: dict[str, Any]) -> None:
    page = _as(context, web, "ana_web", "risk_analyst")
    page.goto(f"{web.root}/ui/cases/{loan['case_id']}")
    page.click("#loan-link")
    expect(page).to_have_url(f"{web.root}/ui/loans/{loan['loan_id']}")
    expect(page.locator("h1")).to_contain_text(loan["contract_no"])
    expect(page.locator("#loan-principal")).to_have_text("200,000.00 CNY")
    expect(page.locator("#loan-outstanding")).to_contain_text("200,000.00")
    expect(page.locator("#loan-bucket")).to_have_text("M0")
    expect(page.locator("#loan-class")).to_have_text("normal")
    expect(page.locator("#loan-dpd")).to_have_text("0")
    expect(page.locator("#loan-terms")).to_contain_text("written off at 180 days past due")
    expect(page.locator("#schedule tbody tr")).to_have_count(loan["term"])
    first_due = page.locator("#schedule tbody tr").first.locator("td").nth(1)
    assert date.fromisoformat(first_due.inner_text()) > loan["paid_on"] - timedelta(days=1)
    payment = page.locator("#transactions tbody tr[data-kind=repayment]")
    expect(payment).to_contain_text(f"WEB-PAY-{loan['loan_id']}")
    expect(payment).to_contain_text("1,234.00")
    expect(payment).to_contain_text(loan["paid_on"].isoformat())
    borrower = page.locator("#loan-borrower").inner_text()
    assert "*" in borrower and len(borrower) >= 2  # masked, never the clear name
    expect(page.locator("header nav a[href='/ui/portfolio']")).to_have_count(1)


def test_the_portfolio_shows_the_book_and_a_bank_officer_only_their_bank(
        web: Web, context: Any, loan: dict[str, Any]) -> None:
    page = _as(context, web, "ana_web", "risk_analyst")
    page.goto(f"{web.root}/ui/portfolio")
    row = page.locator(f"#by-bank_code tr[data-key='{loan['bank']}']")
    expect(row).to_have_count(1)
    assert int(row.locator("td").nth(1).inner_text()) >= 1
    expect(page.locator("#by-bucket tr[data-key='M0']")).to_have_count(1)
    expect(page.locator("#by-five_class tr[data-key='normal']")).to_have_count(1)
    expect(page.locator("#by-branch tbody tr").first).to_be_visible()
    expect(page.locator("#by-product tbody tr").first).to_be_visible()
    expect(page.locator("#worst")).to_contain_text(loan["contract_no"])
    page.click("text=every loan")
    row = page.locator(f"#loans tr[data-loan='{loan['loan_id']}']")
    expect(row).to_contain_text(loan["contract_no"])
    expect(row).to_contain_text("200,000.00")

    officer = _as(context, web, "officer_web", "bank_officer", loan["bank"])
    officer.goto(f"{web.root}/ui/portfolio")
    expect(officer.locator("h1")).to_contain_text(loan["bank"])
    expect(officer.locator("#by-bank_code tbody tr")).to_have_count(1)
    expect(officer.locator("#by-bank_code tbody tr")).to_have_attribute("data-key", loan["bank"])
    assert officer.goto(f"{web.root}/ui/loans/{loan['loan_id']}").status == 200


def test_another_banks_officer_and_roles_outside_the_book_do_not_read_the_loan(
        web: Web, context: Any, loan: dict[str, Any]) -> None:
    other = next(b for b in BANKS if b != loan["bank"])
    page = _as(context, web, "other_web", "bank_officer", other)
    assert page.goto(f"{web.root}/ui/loans/{loan['loan_id']}").status == 404
    page.goto(f"{web.root}/ui/portfolio")
    expect(page.locator("#worst")).not_to_contain_text(loan["contract_no"])
    page.goto(f"{web.root}/ui/loans")
    expect(page.locator(f"tr[data-loan='{loan['loan_id']}']")).to_have_count(0)
    verifier = _as(context, web, "verifier_book", "verifier")
    assert verifier.goto(f"{web.root}/ui/loans/{loan['loan_id']}").status == 403
    assert verifier.goto(f"{web.root}/ui/portfolio").status == 403
    expect(verifier.locator("header nav a[href='/ui/portfolio']")).to_have_count(0)
