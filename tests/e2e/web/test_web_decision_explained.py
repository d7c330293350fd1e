"""The case page explains a decision from its stored record: score, rules, limit, price, tier."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from creditfactory.services.decisions import store_decision
from creditfactory.services.ports import Decision
from creditfactory.strategy import decide_one, parse_strategy

if TYPE_CHECKING:
    from conftest import Web

SCORES = {"a_score": 612.3, "a_pd": 0.011, "a_reasons": "years_in_business;bureau_utilisation",
          "challenger_pd": 0.07, "fraud_score": 0.5, "fraud_rule_hits": "", "packaging_score": 0.2}


def _shot(page: Any, name: str) -> None:
    folder = Path(os.environ.get("CREDITFACTORY_SCREENSHOTS",
                                 Path(tempfile.gettempdir()) / "creditfactory-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def _decided_by_the_stored_strategy(web: Web, i: int) -> tuple[int, dict[str, Any]]:
    """A case whose latest decision is the active strategy's own record (the suite's server
    decides with a fake): what a real decision stores."""
    sub = web.submit(i, amount=480000.0, declared_monthly_revenue=183500.0)
    ctx = web.api.ctx
    with ctx.uow(write=True) as uow:
        row = uow.strategies.active()
        strategy = parse_strategy(row["meta"]["text"], source=row["location"])
        app = {**web.api.application(i), "amount": 480000.0, "declared_monthly_revenue": 183500.0,
               "bureau_debt": 1968555.03, "channel_type": "agent", "term_months": 36,
               "application_id": sub["application_id"], "resident_id": "110***********1234"}
        rec = decide_one(strategy, app, SCORES).to_plain()
        decision = Decision(rec["tier"], Decimal(rec["limit"]["$decimal"]), Decimal(rec["rate"]["$decimal"]),
                            rec["product"], tuple(rec["reasons"]), 612.3, rec)
        seq = len(uow.applications.decisions(sub["application_id"])) + 1
        store_decision(uow, sub["application_id"], seq, "findings", decision, datetime.now(UTC), record=rec)
        uow.commit()
    return int(sub["case_id"]), rec


def test_the_case_page_builds_up_the_limit_and_the_price_and_says_why_the_tier(web: Web, context: Any) -> None:
    case_id, rec = _decided_by_the_stored_strategy(web, 46)
    context.add_cookies([web.session_cookie("risk_analyst")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/cases/{case_id}")
    why = page.locator("#why")
    expect(why.locator("#why-score")).to_contain_text("612.3")
    expect(why.locator("#why-score-reasons li")).to_have_text(["years in business", "credit card utilisation"])
    expect(why.locator("#why-challenger")).to_have_attribute("data-disagrees", "yes")
    expect(why.locator("#why-challenger")).to_contain_text("7.00 %")
    expect(why.locator("#why-rules")).to_contain_text("No policy rule fired")

    limit = why.locator("#why-limit")
    expect(limit.locator("tr[data-step=revenue] td.num")).to_have_text("183,500.00")
    parts = rec["limit_parts"]
    expect(limit.locator("tr[data-step=packaging] td.num")).to_have_text(f"{Decimal(parts['monthly_income']):,.2f}")
    expect(limit.locator("tr[data-step=debt_service_cap]")).to_contain_text("55 %")
    expect(limit.locator("tr[data-step=capacity] td.num")).to_have_text(f"{Decimal(parts['capacity']):,.2f}")
    limit_value = Decimal(rec["limit"]["$decimal"])
    expect(limit.locator("tr[data-step=rounding] td.num")).to_have_text(f"{limit_value:,.2f}")
    expect(why.locator("#why-limit-binding .binding")).to_have_count(1)
    expect(page.locator("#decision-limit")).to_have_text(f"{limit_value:,.2f} CNY")

    price = why.locator("#why-price")
    expect(price.locator("tr[data-part=expected_loss]")).to_contain_text("loss given default 85 %")
    expect(price.locator("tr[data-part=cost_of_funds] td.num")).to_have_text("5.00 %")
    rate = Decimal(rec["rate"]["$decimal"]) * 100
    expect(price.locator("tr[data-part=rate] td.num")).to_have_text(f"{rate:.2f} %")
    expect(page.locator("#decision-rate")).to_have_text(f"{rate:.2f} % a year")

    tier = why.locator("#why-tier")
    expect(tier).to_contain_text(rec["tier"].replace("_", " "))
    expect(why.locator(".tier-rows li[data-tier=auto_approve]")).to_have_attribute("data-matched", "no")
    expect(why.locator(".tier-rows li[data-matched=yes]")).to_have_count(1)
    _shot(page, "case-explained-en.png")


def test_the_explanation_reads_in_chinese(web: Web, browser: Any) -> None:
    case_id, _ = _decided_by_the_stored_strategy(web, 47)
    ctx = browser.new_context(locale="zh-CN")
    try:
        ctx.add_cookies([web.session_cookie("risk_analyst")])
        page = ctx.new_page()
        page.goto(f"{web.root}/ui/cases/{case_id}")
        expect(page.locator("#why h2")).to_contain_text("决策依据")
        expect(page.locator("#why-score-reasons li").first).to_have_text("经营年限")
        expect(page.locator("#why-price tr[data-part=cost_of_funds] td.num")).to_have_text("5.00%")
        _shot(page, "case-explained-zh.png")
    finally:
        ctx.close()
