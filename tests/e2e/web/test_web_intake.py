"""Intake in a real browser: the account manager's form, pre-screen, consent and submission."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Web

SELECTS = ("product_requested", "purpose", "gender", "education", "marital_status",
           "home_ownership", "premises", "industry")


def _shot(page: Any, name: str) -> None:
    folder = Path(os.environ.get("CREDITFACTORY_SCREENSHOTS",
                                 Path(tempfile.gettempdir()) / "creditfactory-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def _fill(page: Any, app: dict[str, Any]) -> None:
    form = page.locator("#intake-form")
    for key, value in app.items():
        if key == "bureau_consent_ref":
            continue
        if key in SELECTS:
            form.locator(f"select[name={key}]").select_option(str(value))
        else:
            form.locator(f"input[name={key}]").fill(str(value))


def test_the_account_manager_pre_screens_fixes_and_submits_an_application(web: Web, context: Any) -> None:
    app = web.api.application(48, amount=90000.0, declared_monthly_revenue=90000.0, term_months=24)
    context.add_cookies([web.session_cookie("account_manager")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/intake")
    expect(page.locator("nav a[href='/ui/intake']")).to_have_attribute("aria-current", "page")
    _fill(page, {**app, "resident_id": app["resident_id"][:-1] + ("0" if app["resident_id"][-1] != "0" else "1")})
    page.click("button[value=check]")
    expect(page.locator(".errors li[data-field=resident_id]")).to_contain_text("not a valid 18-character resident ID")
    screen = page.locator("#prescreen")
    expect(screen.locator("tr[data-code=P14_AMOUNT_LOW]")).to_have_attribute("data-outcome", "fails")
    expect(screen.locator("tr[data-code=P14_AMOUNT_LOW]")).to_contain_text("amount < 100000")
    expect(screen.locator("tr[data-code=P07_SEVERE_DPD]")).to_have_attribute("data-outcome", "after_bureau")
    expect(screen.locator("tr[data-code=P19_LOW_REVENUE]")).to_have_attribute("data-outcome", "passes")
    expect(page.locator("#industry-brief h2")).to_contain_text("The industry")
    expect(page.locator("#six-elements dd[data-element=borrower]")).to_contain_text(app["name"][0] + "*")
    # the typed name comes back only in its own input, masked everywhere else
    assert app["name"] not in page.content().replace(f'value="{app["name"]}"', "")
    _shot(page, "intake-prescreen-en.png")
    expect(page.locator("#six-elements dd[data-element=repayment]")).to_have_text("equal instalment")

    page.fill("#intake-form input[name=resident_id]", app["resident_id"])
    page.fill("#intake-form input[name=amount]", "300,000")
    page.click("button[value=submit]")
    expect(page.locator(".errors li[data-field=consent]")).to_contain_text("must sign")
    expect(page.locator("#prescreen")).to_have_attribute("data-fails", "0")

    page.check("#consent input[name=consent]")
    page.fill("#consent input[name=bureau_consent_ref]", "CONSENT-WEB-48")
    page.click("button[value=submit]")
    expect(page.locator("#submitted")).to_be_visible()
    case_id = page.url.rsplit("/", 1)[1].split("?")[0]
    expect(page.locator("#application")).to_contain_text("300,000.00")

    page.goto(f"{web.root}/ui/intake")
    expect(page.locator(f"#pipeline tr[data-case='{case_id}']")).to_have_count(1)


def test_intake_is_for_the_intake_roles_and_an_unknown_industry_is_refused(web: Web, context: Any) -> None:
    context.add_cookies([web.session_cookie("verifier")])
    page = context.new_page()
    response = page.goto(f"{web.root}/ui/intake")
    assert response is not None and response.status == 403
    context.clear_cookies()
    context.add_cookies([web.session_cookie("account_manager")])
    page.goto(f"{web.root}/ui/intake")
    page.locator("#intake-form select[name=industry]").evaluate(
        "s => { const o = document.createElement('option'); o.value = 'Z99'; s.appendChild(o); s.value = 'Z99'; }")
    page.click("button[value=check]")
    expect(page.locator(".errors li[data-field=industry]")).to_contain_text("not an industry code")


def test_the_intake_page_in_chinese_briefs_the_industry_in_chinese(web: Web, browser: Any) -> None:
    app = web.api.application(49, industry="H62")
    ctx = browser.new_context(locale="zh-CN")
    try:
        ctx.add_cookies([web.session_cookie("account_manager")])
        page = ctx.new_page()
        page.goto(f"{web.root}/ui/intake")
        _fill(page, app)
        page.click("button[value=check]")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("#industry-brief h2")).to_have_text("行业：餐饮业")
        expect(page.locator("#six-elements dd[data-element=repayment]")).to_have_text("等额本息")
        expect(page.locator("#prescreen tr[data-code=P07_SEVERE_DPD] td").last).to_have_text("查征信后核查")
        _shot(page, "intake-prescreen-zh.png")
    finally:
        ctx.close()
