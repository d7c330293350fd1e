"""The staff pages in Chinese or English, times in China time, and the site's own 404 page."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

from creditfactory.store import UnitOfWork
from creditfactory.store.repo_monitoring import MonitoringRepository

if TYPE_CHECKING:
    from conftest import Web


def _shots() -> Path:
    """Where screenshots go (a CI artefact when CREDITFACTORY_SCREENSHOTS names a folder)."""
    default = Path(tempfile.gettempdir()) / "creditfactory-screenshots"
    folder = Path(os.environ.get("CREDITFACTORY_SCREENSHOTS", default))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_chinese_browser_gets_the_pages_in_chinese_with_times_in_beijing_time(
        web: Web, browser: Any) -> None:
    sub = web.submit(43, amount=330000.0, declared_monthly_revenue=90000.0)
    ctx = browser.new_context(locale="zh-CN")
    try:
        ctx.add_cookies([web.session_cookie("verifier")])
        page = ctx.new_page()
        page.goto(f"{web.root}/ui/queue")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("h1")).to_have_text("工位任务队列")
        expect(page.locator("#station-phone_verification h2")).to_contain_text("电话核实")
        page.screenshot(path=str(_shots() / "queue-zh.png"), full_page=True)
        page.goto(f"{web.root}/ui/cases/{sub['case_id']}")
        expect(page.locator("#decision-tier")).to_have_text("免调查不免核")
        expect(page.locator("#decision-rate")).to_have_text("19.50% 年化")
        expect(page.locator(".case-state")).to_contain_text("北京时间")
        expect(page.locator("#application")).to_contain_text("330,000.00 元")
        page.screenshot(path=str(_shots() / "case-zh.png"), full_page=True)
    finally:
        ctx.close()


def test_the_language_switch_outlasts_the_browsers_language(web: Web, context: Any) -> None:
    context.add_cookies([web.session_cookie("verifier")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/queue")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Station queue")
    page.click("footer button[value=zh_CN]")
    expect(page).to_have_url(f"{web.root}/ui/queue")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("工位任务队列")
    lang = next(c for c in context.cookies() if c["name"] == "cf_lang")
    assert lang["httpOnly"] and lang["sameSite"] == "Strict"
    page.click("footer button[value=en]")
    expect(page.locator("h1")).to_have_text("Station queue")


def test_the_language_switch_needs_the_pages_csrf_token(web: Web) -> None:
    with httpx.Client(base_url=web.root, follow_redirects=False) as c:
        c.cookies.set("cf_session", web.api.tokens["verifier"], path="/ui")
        r = c.post("/ui/language", data={"lang": "zh_CN", "next": "/ui/queue"})
    assert r.status_code == 403 and "cf_lang" not in r.headers.get("set-cookie", "")


def test_an_unknown_page_is_the_sites_404_page_in_html(web: Web, context: Any) -> None:
    context.add_cookies([web.session_cookie("admin")])
    page = context.new_page()
    for path in ("/ui/no-such-page", "/ui/cases/1/nothing/here"):
        response = page.goto(f"{web.root}{path}")
        assert response is not None and response.status == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in response.headers["content-security-policy"]
        expect(page.locator("h1")).to_have_text("Not found")
        expect(page.locator("#who")).to_contain_text("admin")
    with httpx.Client(base_url=web.root) as c:
        r = c.get("/ui/nowhere", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 404 and re.search(r'<html lang="zh-CN">', r.text) and "页面不存在" in r.text


def test_every_overseer_page_renders_in_chinese(web: Web, browser: Any) -> None:
    ctx = browser.new_context(locale="zh-CN")
    try:
        ctx.add_cookies([web.session_cookie("risk_analyst")])
        page = ctx.new_page()
        for path, heading in (("/ui/cases", "案件"), ("/ui/channels", "渠道"), ("/ui/blacklists", "黑名单"),
                              ("/ui/bank", "银行"), ("/ui/portfolio", "资产组合"), ("/ui/loans", "贷款"),
                              ("/ui/warning", "")):
            response = page.goto(f"{web.root}{path}")
            assert response is not None and response.status == 200, path
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            if heading:
                expect(page.locator("h1")).to_contain_text(heading)
            page.screenshot(path=str(_shots() / f"{path.strip('/').replace('/', '-')}-zh.png"), full_page=True)
    finally:
        ctx.close()


def test_the_warning_page_reads_in_chinese(web: Web) -> None:
    alert = {"dimension": "industry", "value": "H62", "metric": "dpd30_ratio", "level": "amber",
             "action": "review the industry", "owner": "risk_analyst", "rule": "industry_dpd30",
             "observed": 0.05, "bound": 0.04, "volume": 80}
    outlook = {"industry": "H62", "loans": 300, "forecast_90plus_6m": 0.031, "low": 0.02,
               "high": 0.042, "flagged": True}
    with UnitOfWork(web.api.ctx.engine) as uow:
        MonitoringRepository(uow.conn).replace_results(
            "2031-08", [alert], [outlook], {"loans": 300, "alerts": 1, "red": 0, "ran_at": datetime.now(UTC)})
        uow.commit()
    with httpx.Client(base_url=web.root) as c:
        c.cookies.set("cf_session", web.api.tokens["risk_analyst"], path="/ui")
        r = c.get("/ui/warning", params={"month": "2031-08"}, headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200 and '<html lang="zh-CN">' in r.text
    for text in ("风险预警", "黄灯", "行业违约展望", "3.10%", "2.00%–4.20%", "上升", "风险分析师"):
        assert text in r.text, text
