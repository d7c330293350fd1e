"""Staff pages in a real browser: login, the station queue, the case page, the bank page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Web

PASSWORD = "s3cret-pass"


def _login(page: Any, web: Web, username: str, password: str) -> None:
    page.goto(f"{web.root}/ui/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_login_form_rejects_a_bad_password_and_sets_a_strict_httponly_cookie(web: Web, context: Any) -> None:
    page = context.new_page()
    _login(page, web, "verifier_web", "not-the-password")
    expect(page.locator("#login-error")).to_contain_text("wrong username or password")
    assert page.url.startswith(f"{web.root}/ui/login")
    assert not [c for c in context.cookies() if c["name"] == "cf_session"]
    _login(page, web, "verifier_web", PASSWORD)
    expect(page).to_have_url(f"{web.root}/ui/queue")
    session = next(c for c in context.cookies() if c["name"] == "cf_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/ui"
    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/ui/login"))
    assert not [c for c in context.cookies() if c["name"] == "cf_session"]


def test_verifier_claims_and_completes_a_task_and_the_case_moves_on(web: Web, context: Any) -> None:
    sub = web.submit(40, amount=350000.0, declared_monthly_revenue=90000.0)
    case_id = sub["case_id"]
    task = next(t for t in web.case_json(case_id)["tasks"] if t["step"] == "phone_verification")
    page = context.new_page()
    _login(page, web, "verifier_web", PASSWORD)
    row = page.locator(f"#task-{task['task_id']}")
    expect(row).to_contain_text("remote verification")
    expect(row).to_contain_text("350,000.00")
    expect(row).to_have_attribute("data-status", "open")
    row.locator("button[name=claim]").click()
    row = page.locator(f"#task-{task['task_id']}")
    expect(row).to_have_attribute("data-status", "claimed")
    expect(row).to_contain_text("claimed by verifier_web")

    row.locator("summary").click()
    row.locator("select[name=identity_confirmed]").select_option("yes")
    row.locator("input[name=hidden_debt]").fill("-5")
    row.locator("button[name=complete]").click()
    errors = page.locator(f"#task-{task['task_id']} .errors")
    expect(errors).to_contain_text("Hidden debt (CNY)")
    expect(errors).to_contain_text("greater than or equal to 0")
    assert web.case_json(case_id)["step"] == "phone_verification"

    row = page.locator(f"#task-{task['task_id']}")
    expect(row.locator("select[name=identity_confirmed]")).to_have_value("yes")
    row.locator("input[name=hidden_debt]").fill("")
    row.locator("input[name=verified_monthly_revenue]").fill("88,000.00")
    row.locator("textarea[name=note]").fill("called the applicant")
    row.locator("button[name=complete]").click()
    expect(page.locator(".notice")).to_contain_text("Task completed")
    expect(page.locator(f"#task-{task['task_id']}")).to_have_count(0)

    page.click(f"a[href='/ui/cases/{case_id}']")
    expect(page.locator("#case-step")).to_have_attribute("data-step", "online_verification")
    expect(page.locator("#process li[data-step=phone_verification]")).to_have_attribute("data-state", "passed")
    expect(page.locator("#process li[data-step=online_verification]")).to_have_attribute("data-state", "here")
    expect(page.locator(f"#tasks tr[data-task='{task['task_id']}']")).to_have_attribute("data-status", "done")
    expect(page.locator("#audit")).to_contain_text("shown to approver")

    context.add_cookies([web.session_cookie("approver")])
    page.reload()
    entry = page.locator("#audit tr[data-action='task.completed']")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("verifier_web")
    expect(entry).to_contain_text("88000.00")


def test_case_page_shows_personal_data_only_masked(web: Web, context: Any) -> None:
    raw = web.api.application(41)
    sub = web.submit(41, amount=320000.0, declared_monthly_revenue=90000.0)
    context.add_cookies([web.session_cookie("verifier")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/cases/{sub['case_id']}")
    expect(page.locator("#decision-tier")).to_have_text("remote verification")
    html = page.content()
    for key in ("resident_id", "phone", "bank_card", "name", "home_address", "business_address",
                "device_id", "ip"):
        assert raw[key] not in html, key
    for phone in str(raw["contact_phones"]).split(","):
        assert phone not in html
    personal = page.locator("#personal")
    expect(personal).to_contain_text(raw["resident_id"][:3] + "*" * 11 + raw["resident_id"][-4:])
    expect(personal).to_contain_text(raw["phone"][:3] + "****" + raw["phone"][-4:])
    expect(personal).to_contain_text(raw["name"][0] + "*" * (len(raw["name"]) - 1))
    expect(personal.locator("[data-field=device_id], [data-field=ip]")).to_have_count(0)


def _case_at_manual_bank(web: Web, i: int) -> dict[str, Any]:
    sub = web.submit(i, amount=450000.0, declared_monthly_revenue=150000.0, industry="F52")
    case_id = sub["case_id"]
    for step, role, body in (
        ("phone_verification", "verifier", {"identity_confirmed": True}),
        ("online_verification", "verifier", {"business_real": True}),
        ("field_investigation", "investigator", {"business_real": True, "purpose_confirmed": True}),
        ("investigation_review", "approver", {"verdict": "pass"}),
    ):
        web.complete_via_api(case_id, step, role, body)
    case = web.case_json(case_id)
    assert case["step"] == "bank_approval" and case["bank_code"] == web.api.manual_bank
    return case


def test_bank_officer_sees_only_their_banks_cases_and_answers(web: Web, context: Any) -> None:
    case = _case_at_manual_bank(web, 42)
    submission = case["bank_submissions"][0]["submission_id"]
    page = context.new_page()

    context.add_cookies([web.session_cookie("officer_icbc")])
    page.goto(f"{web.root}/ui/bank")
    expect(page.locator("h1")).to_have_text("Bank ICBC_SZ")
    expect(page.locator(f"tr[data-submission='{submission}']")).to_have_count(0)
    expect(page.locator(f"tr[data-case='{case['case_id']}']")).to_have_count(0)
    assert page.goto(f"{web.root}/ui/cases/{case['case_id']}").status == 404

    context.add_cookies([web.session_cookie("officer_cmb")])
    page.goto(f"{web.root}/ui/bank")
    banks = page.locator("#bank-cases tr[data-case] td:nth-child(6)").all_inner_texts()
    assert banks and set(banks) == {web.api.manual_bank}
    row = page.locator(f"tr[data-submission='{submission}']")
    row.locator("button[value=approve]").click()
    expect(page.locator(f"tr[data-submission='{submission}'] .errors")).to_contain_text("Reason")
    assert web.case_json(case["case_id"])["status"] == "open"
    row = page.locator(f"tr[data-submission='{submission}']")
    row.locator("input[name=reason]").fill("within our policy")
    row.locator("button[value=approve]").click()
    expect(page.locator(".notice")).to_contain_text("approved")
    expect(page.locator(f"tr[data-submission='{submission}']")).to_have_count(0)
    approved = web.case_json(case["case_id"])  # the bank said yes: the borrower signs next
    assert (approved["status"], approved["step"], approved["hold"]) == (
        "open", "contract", "awaiting_signature")


def test_a_wrong_role_gets_403(web: Web, context: Any) -> None:
    context.add_cookies([web.session_cookie("verifier")])
    page = context.new_page()
    response = page.goto(f"{web.root}/ui/bank")
    assert response is not None and response.status == 403
    expect(page.locator(".error-message")).to_contain_text("banks' own accounts")
    response = page.goto(f"{web.root}/ui/channels")
    assert response is not None and response.status == 403


def test_channel_manager_moves_a_deposit_and_suspends_a_channel(web: Web, context: Any) -> None:
    context.add_cookies([web.session_cookie("channel_manager")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/channels")
    link = page.locator("table.channels tr[data-status=active] a").last
    channel_id = link.inner_text()
    link.click()
    before = web_deposit(web, channel_id)

    page.fill("#deposit-form input[name=amount]", "abc")
    page.fill("#deposit-form input[name=reason]", "quarterly top-up")
    page.click("#deposit-form button")
    expect(page.locator("#deposit-form .errors")).to_contain_text("Amount (CNY)")
    assert web_deposit(web, channel_id) == before

    page.select_option("#deposit-form select[name=kind]", "top_up")
    page.fill("#deposit-form input[name=amount]", "1,000.50")
    page.click("#deposit-form button")
    expect(page.locator(".notice")).to_contain_text("Deposit movement recorded")
    assert web_deposit(web, channel_id) == before + 1000.50

    page.click("#status-form button")
    expect(page.locator("#status-form .errors")).to_contain_text("Reason")
    page.fill("#status-form input[name=reason]", "complaints under review")
    page.click("#status-form button")
    expect(page.locator("#channel-status")).to_have_text("suspended")
    page.fill("#status-form input[name=reason]", "review closed")
    page.click("#status-form button")
    expect(page.locator("#channel-status")).to_have_text("active")


def web_deposit(web: Web, channel_id: str) -> float:
    with web.api_client() as c:
        r = c.get(f"/channels/{channel_id}", headers=web.api.h("channel_manager"))
    return float(r.json()["deposit"])
