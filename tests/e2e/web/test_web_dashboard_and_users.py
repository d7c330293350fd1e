"""The supervisor dashboard and user administration in the browser: who may see them, the
dashboard's counts against the store, disabling a user ends their session, the language a
user chooses beats the browser's, and account managers land on their intake page."""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from creditfactory.services import channel_figures
from creditfactory.services import dashboard as dashboard_service
from creditfactory.services.ports import SYSTEM
from creditfactory.services.users import add_user
from creditfactory.store.tables_case import applications, cases

if TYPE_CHECKING:
    from conftest import Web

PASSWORD = "a-good-password-1"


def _shots() -> Path:
    folder = Path(os.environ.get("CREDITFACTORY_SCREENSHOTS", "/tmp/creditfactory-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _new_user(web: Web, role: str) -> str:
    name = f"u{uuid.uuid4().hex[:10]}"
    add_user(web.api.ctx, SYSTEM, name, PASSWORD, role)
    return name


def _login(page: Any, web: Web, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{web.root}/ui/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def _as(client: httpx.Client, web: Web, who: str) -> httpx.Client:
    client.cookies.set("cf_session", web.api.tokens[who], domain="127.0.0.1", path="/ui")
    return client


@pytest.mark.parametrize(("who", "path", "status"), [
    ("account_manager", "/ui/dashboard", 403),
    ("verifier", "/ui/dashboard", 403),
    ("officer_cmb", "/ui/dashboard", 403),
    ("risk_analyst", "/ui/dashboard", 200),
    ("approver", "/ui/dashboard", 200),
    ("admin", "/ui/dashboard", 200),
    ("risk_analyst", "/ui/users", 403),
    ("approver", "/ui/users", 403),
    ("account_manager", "/ui/users/admin", 403),
    ("admin", "/ui/users", 200),
])
def test_who_may_see_the_dashboard_and_the_user_administration(web: Web, who: str, path: str,
                                                               status: int) -> None:
    with httpx.Client(base_url=web.root, timeout=10, follow_redirects=False) as c:
        r = _as(c, web, who).get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")


def test_the_dashboard_counts_todays_applications_and_queues_as_the_store_holds_them(
        web: Web, context: Any) -> None:
    for i in range(3):
        web.submit(200 + i)
    dashboard_service.forget()
    zone = ZoneInfo("Asia/Shanghai")
    today = datetime.now(zone).date()
    with web.api.ctx.engine.connect() as c:
        applied = [at for (at,) in c.execute(sa.select(applications.c.applied_at))]
        tiers = [t for (t,) in c.execute(sa.select(cases.c.tier))]
    expected = sum(1 for at in applied if at.astimezone(zone).date() == today)
    context.add_cookies([web.session_cookie("risk_analyst")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/dashboard")
    expect(page.locator("h1")).to_contain_text("Dashboard")
    expect(page.locator("tr[data-key=applications] td").first).to_have_text(f"{expected:,}")
    assert expected >= 3 and len(tiers) >= 3
    for chart in ("chart-applications", "chart-payouts", "chart-throughput", "chart-queues"):
        expect(page.locator(f"svg#{chart}")).to_be_visible()
    station_rows = page.locator("#stations tr[data-station]")
    assert station_rows.count() >= 1
    page.screenshot(path=str(_shots() / "dashboard-en.png"), full_page=True)


def test_disabling_a_user_ends_their_session_and_stops_their_sign_in(web: Web, browser: Any) -> None:
    name = _new_user(web, "verifier")
    admin_name = _new_user(web, "admin")
    victim, admin = browser.new_context(), browser.new_context()
    try:
        them = victim.new_page()
        _login(them, web, name)
        expect(them).to_have_url(f"{web.root}/ui/queue")
        me = admin.new_page()
        _login(me, web, admin_name)
        me.goto(f"{web.root}/ui/users")
        expect(me.locator(f"tr[data-user={name}]")).to_have_attribute("data-active", "yes")
        me.click(f"tr[data-user={name}] a")
        expect(me.locator("#user-sessions")).to_have_text("1")
        me.screenshot(path=str(_shots() / "user-en.png"), full_page=True)
        me.click("#active-form button")
        expect(me.locator("#user-status")).to_have_attribute("data-active", "no")
        expect(me.locator("#user-sessions")).to_have_text("0")
        them.goto(f"{web.root}/ui/queue")
        expect(them).to_have_url(re.compile(r"/ui/login"))
        _login(them, web, name)
        expect(them.locator("#login-error")).to_contain_text("wrong username or password")
        me.click("#active-form button")  # enable again: they may sign in
        expect(me.locator("#user-status")).to_have_attribute("data-active", "yes")
        _login(them, web, name)
        expect(them).to_have_url(f"{web.root}/ui/queue")
    finally:
        victim.close()
        admin.close()


def test_an_admin_resets_a_password_and_changes_a_role_ending_the_session(
        web: Web, browser: Any) -> None:
    name = _new_user(web, "verifier")
    admin_name = _new_user(web, "admin")
    victim, admin = browser.new_context(), browser.new_context()
    try:
        them = victim.new_page()
        _login(them, web, name)
        expect(them).to_have_url(f"{web.root}/ui/queue")
        me = admin.new_page()
        _login(me, web, admin_name)
        me.goto(f"{web.root}/ui/users/{name}")
        me.fill("#password-form input[name=password]", "brand-new-pass-2")
        me.fill("#password-form input[name=confirm]", "not-the-same-one")
        me.click("#password-form button")
        expect(me.locator("#password-form .errors")).to_contain_text("differ")
        me.fill("#password-form input[name=password]", "brand-new-pass-2")
        me.fill("#password-form input[name=confirm]", "brand-new-pass-2")
        me.click("#password-form button")
        expect(me.locator(".notice")).to_contain_text("Password set")
        them.goto(f"{web.root}/ui/queue")
        expect(them).to_have_url(re.compile(r"/ui/login"))
        _login(them, web, name, "brand-new-pass-2")
        expect(them).to_have_url(f"{web.root}/ui/queue")
        me.select_option("#role-form select[name=role]", "investigator")
        me.click("#role-form button")
        expect(me.locator("#user-role")).to_have_attribute("data-role", "investigator")
        them.goto(f"{web.root}/ui/queue")
        expect(them).to_have_url(re.compile(r"/ui/login"))
    finally:
        victim.close()
        admin.close()


def test_the_users_own_language_beats_the_browsers_at_sign_in(web: Web, browser: Any) -> None:
    name = _new_user(web, "verifier")
    first = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB"})
    try:
        page = first.new_page()
        _login(page, web, name)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto(f"{web.root}/ui/me")
        page.select_option("#language-form select[name=language]", "zh_CN")
        page.click("#language-form button")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    finally:
        first.close()
    second = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB"})
    try:
        page = second.new_page()
        _login(page, web, name)
        expect(page).to_have_url(f"{web.root}/ui/queue")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        page.click("footer button[value=en]")  # the switch still works
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        second.close()


@pytest.mark.parametrize(("role", "home"), [("account_manager", "/ui/intake"),
                                          ("collector", "/ui/collections")])
def test_each_role_lands_on_a_page_of_its_own(web: Web, context: Any, role: str, home: str) -> None:
    name = _new_user(web, role)
    page = context.new_page()
    _login(page, web, name)
    expect(page).to_have_url(f"{web.root}{home}")
    assert page.goto(page.url).status == 200  # a page the role may read


def test_a_channel_page_shows_its_volume_approval_and_packaging_evidence(web: Web, context: Any) -> None:
    channel_id = web.api.application(210)["channel_id"]
    web.submit(210)
    channel_figures.forget()
    with web.api.ctx.engine.connect() as c:
        joined = applications.join(cases, cases.c.application_id == applications.c.application_id)
        tiers = [t for (t,) in c.execute(sa.select(cases.c.tier).select_from(joined)
                                         .where(applications.c.channel_id == channel_id))]
    decided = [t for t in tiers if t != "pending"]
    approved = [t for t in decided if t != "reject"]
    context.add_cookies([web.session_cookie("channel_manager")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/channels")
    row = page.locator(f"tr[data-channel='{channel_id}']")
    if row.count():
        expect(row.locator("td[data-figure=applications]")).to_have_text(f"{len(tiers):,}")
    page.goto(f"{web.root}/ui/channels/{channel_id}")
    expect(page.locator("#channel-applications")).to_contain_text(f"{len(tiers):,}")
    share = f"{100 * len(approved) / len(decided):.1f} %"
    expect(page.locator("#channel-approval")).to_contain_text(share)
    expect(page.locator("#channel-findings tr[data-finding]")).to_have_count(3)
    expect(page.locator("#packaging-evidence")).to_be_visible()
    page.screenshot(path=str(_shots() / "channel-en.png"), full_page=True)


def test_the_bank_sees_the_platform_score_and_the_cases_findings(web: Web, context: Any) -> None:
    sub = web.submit(44, amount=450000.0, declared_monthly_revenue=150000.0, industry="F52")
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
    submission = case["bank_submissions"][0]
    context.add_cookies([web.session_cookie("officer_cmb")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/bank")
    row = page.locator(f"tr[data-submission='{submission['submission_id']}']")
    score = (submission.get("package") or {}).get("platform_score")
    expected = f"{score:,.0f}" if score is not None else "–"
    expect(row.locator("td[data-figure=platform-score]")).to_have_text(expected)
    cell = row.locator("td.findings")
    expect(cell).to_contain_text("phone verification")
    expect(cell).to_contain_text("field investigation")
    expect(cell).to_have_attribute("data-findings", re.compile(r"^[3-9]$"))
    page.screenshot(path=str(_shots() / "bank-findings-en.png"), full_page=True)


def test_the_dashboard_in_chinese_keeps_its_figures_and_charts(web: Web, browser: Any) -> None:
    ctx = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    try:
        ctx.add_cookies([web.session_cookie("approver")])
        page = ctx.new_page()
        page.goto(f"{web.root}/ui/dashboard")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("h1 small")).to_contain_text("北京时间")
        expect(page.locator("svg#chart-applications")).to_be_visible()
        expect(page.locator("tr[data-key=approval-rate] td").first).to_have_text(re.compile(r"^(\d+\.\d%|–)$"))
        page.screenshot(path=str(_shots() / "dashboard-zh.png"), full_page=True)
    finally:
        ctx.close()
