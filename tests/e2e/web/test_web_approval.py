"""The approver's form on the case page in a real browser, and the committee path when the
approver and the engine disagree; the verifier's findings form on the case page."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from creditfactory.services.errors import UserExists
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.services.users import add_user

if TYPE_CHECKING:
    from conftest import Web

PASSWORD = "s3cret-pass"


def _shot(page: Any, name: str) -> None:
    folder = Path(os.environ.get("CREDITFACTORY_SCREENSHOTS",
                                 Path(tempfile.gettempdir()) / "creditfactory-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


@pytest.fixture(scope="module")
def committee_cookie(web: Web) -> dict[str, Any]:
    """A second approver (the committee: not the one who reviewed the case)."""
    try:
        add_user(web.api.ctx, SYSTEM, "approver_two", PASSWORD, "approver")
    except UserExists:
        pass
    token = web.api.signer.issue(web.api.ctx, Actor("approver_two", "approver"))
    return {**web.session_cookie("approver"), "value": token}


def _at_review(web: Web, i: int, revenue_found: str) -> int:
    """A field-investigation case through verification and investigation (by the API), at
    the approver's review; ``revenue_found`` the investigator's verified monthly revenue."""
    sub = web.submit(i, amount=450000.0, declared_monthly_revenue=150000.0, industry="F52")
    assert sub["decision"]["tier"] == "field_investigation"
    case_id = int(sub["case_id"])
    for step, role, body in (
        ("phone_verification", "verifier", {"identity_confirmed": True}),
        ("online_verification", "verifier", {"business_real": True}),
        ("field_investigation", "investigator", {"business_real": True, "purpose_confirmed": True,
                                                 "verified_monthly_revenue": revenue_found}),
    ):
        web.complete_via_api(case_id, step, role, body)
    assert web.case_json(case_id)["step"] == "investigation_review"
    return case_id


def test_approving_what_the_engine_declines_goes_to_the_committee_not_overruled(
        web: Web, context: Any, committee_cookie: dict[str, Any]) -> None:
    # the investigator found 15,000 a month: with it the engine declines (below 20,000)
    case_id = _at_review(web, 70, "15000.00")
    context.add_cookies([web.session_cookie("approver")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/cases/{case_id}")
    work = page.locator("#work")
    expect(work).to_have_attribute("data-kind", "approval")
    expect(work.locator("#work-machine dd[data-tier]")).to_have_text("field investigation")
    expect(work).to_contain_text("450,000.00")
    expect(work.locator("#work-preview")).to_have_attribute("data-tier", "reject")
    expect(work.locator("#work-preview")).to_contain_text("declared revenue too low")
    expect(work.locator("#work-preview-committee")).to_contain_text("goes to the committee")
    _shot(page, "approval-form-en.png")

    # beyond anyone's authority: refused by field, nothing moves
    work.locator("input[value=approve_changed]").check()
    work.locator("input[name=limit]").fill("460,000")
    work.locator("input[name=rate_percent]").fill("30")
    work.locator("button[name=decide]").click()
    errors = page.locator("#work .errors")
    expect(errors).to_contain_text("Limit (CNY)")
    expect(errors).to_contain_text("Yearly rate (per cent)")
    assert web.case_json(case_id)["step"] == "investigation_review"
    expect(page.locator("#work input[name=limit]")).to_have_value("460,000")

    page.locator("#work input[value=approve]").check()
    page.locator("#work textarea[name=note]").fill("seasonal trade: the winter months are low")
    page.locator("#work button[name=decide]").click()
    expect(page.locator("#work-done")).to_contain_text("Your decision is recorded")
    case = web.case_json(case_id)
    assert (case["status"], case["step"], case["exception"]) == ("open", "committee_approval", True)
    referred = page.locator("#audit tr[data-action='approval.referred']")
    expect(referred).to_contain_text("sent to the committee")
    expect(referred).to_contain_text("approved what the machine declines")
    expect(page.locator("#audit tr[data-action='decision.revised']")).to_contain_text("reject")
    # four eyes: the reviewer does not sit on the committee for the case
    expect(page.locator("#work-barred")).to_be_visible()
    expect(page.locator("#approval-form")).to_have_count(0)

    context.add_cookies([committee_cookie])
    page.goto(f"{web.root}/ui/cases/{case_id}")
    expect(page.locator("#work-done")).to_have_count(0)
    expect(page.locator("#work input[name=limit]")).to_have_attribute("placeholder", "450,000.00")
    work = page.locator("#work")
    expect(work).to_have_attribute("data-kind", "committee")
    expect(work.locator("#work-reviewed dd[data-verdict]")).to_have_attribute("data-verdict", "approve")
    expect(work.locator("#work-why li")).to_have_attribute("data-why", "approved_what_the_machine_declines")
    expect(work.locator("input[value=approve]")).to_have_count(0)  # nothing to approve "as decided"
    expect(work.locator("input[value=refer]")).to_have_count(0)
    _shot(page, "committee-form-en.png")
    work.locator("input[value=approve_changed]").check()
    work.locator("input[name=limit]").fill("200,000")
    work.locator("input[name=rate_percent]").fill("22")
    work.locator("button[name=decide]").click()
    expect(page.locator("#work-done")).to_contain_text("Your decision is recorded")
    case = web.case_json(case_id)
    # past the committee to the banks, which judge the package with the platform's score
    # (the engine's, 500 here: no partner bank takes it)
    assert (case["status"], case["step"]) == ("no_bank", "bank_package"), case
    with web.api_client() as c:
        app = c.get(f"/applications/{case['application_id']}", headers=web.api.h("admin")).json()
    assert [d["basis"] for d in app["decisions"]] == ["application", "findings", "committee"]
    assert (app["decision"]["limit"], app["decision"]["rate"]) == ("200000.00", "0.220000")
    expect(page.locator("#audit tr[data-action='committee.approved']")).to_contain_text("approver_two")


def test_an_approver_declines_with_reasons_and_the_case_ends_with_them(
        web: Web, context: Any) -> None:
    case_id = _at_review(web, 71, "140000.00")
    context.add_cookies([web.session_cookie("approver")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/cases/{case_id}")
    work = page.locator("#work")
    work.locator("input[value=decline]").check()
    work.locator("button[name=decide]").click()
    expect(page.locator("#work .errors")).to_contain_text("choose at least one reason")
    work = page.locator("#work")
    work.locator("input[value=decline]").check()
    work.locator("input[name=reason_HUMAN_HIDDEN_DEBT]").check()
    work.locator("input[name=reason_HUMAN_DOCUMENTS]").check()
    work.locator("button[name=decide]").click()
    expect(page.locator("#case-status")).to_have_attribute("data-status", "rejected")
    expect(page.locator("#decision-tier")).to_have_attribute("data-tier", "reject")
    expect(page.locator("#decision")).to_contain_text("hidden debts found")
    expect(page.locator("#decision")).to_contain_text("documents missing or not genuine")
    expect(page.locator("#audit tr[data-action='approver.declined']")).to_contain_text("declined by the approver")
    expect(page.locator("#work")).to_have_count(0)


def test_a_lower_limit_is_the_approvers_own_and_a_higher_one_goes_to_the_committee(
        web: Web, context: Any) -> None:
    lower = _at_review(web, 72, "140000.00")
    higher = _at_review(web, 73, "60000.00")  # the engine's limit with it: 5 x 60,000
    context.add_cookies([web.session_cookie("approver")])
    page = context.new_page()
    for case_id, limit in ((lower, "380000"), (higher, "400000")):
        page.goto(f"{web.root}/ui/cases/{case_id}")
        work = page.locator("#work")
        expect(work.locator("#work-preview-committee")).to_have_count(0)
        work.locator("input[value=approve_changed]").check()
        work.locator("input[name=limit]").fill(limit)
        work.locator("input[name=rate_percent]").fill("21")
        work.locator("button[name=decide]").click()
        expect(page.locator("#work-done")).to_be_visible()
    mine = web.case_json(lower)
    assert mine["step"] != "committee_approval" and not mine["exception"]
    with web.api_client() as c:
        app = c.get(f"/applications/{mine['application_id']}", headers=web.api.h("admin")).json()
    assert app["decisions"][-1]["basis"] == "approver"
    assert (app["decision"]["limit"], app["decision"]["rate"]) == ("380000.00", "0.210000")
    page.goto(f"{web.root}/ui/cases/{lower}")
    expect(page.locator("#audit tr[data-action='approval.terms_applied']")).to_contain_text("380000.00")
    expect(page.locator("#audit tr[data-action='approval.terms_applied']")).to_contain_text("21.00 %")

    theirs = web.case_json(higher)
    assert theirs["step"] == "committee_approval" and theirs["exception"]
    page.goto(f"{web.root}/ui/cases/{higher}")
    expect(page.locator("#audit tr[data-action='decision.revised']")).to_contain_text("300000.00")
    expect(page.locator("#audit tr[data-action='approval.referred']")).to_contain_text(
        "limit above the machine")


def test_the_verifier_completes_their_station_from_the_case_page(web: Web, context: Any) -> None:
    sub = web.submit(74, amount=330000.0, declared_monthly_revenue=90000.0)
    context.add_cookies([web.session_cookie("verifier")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/cases/{sub['case_id']}")
    work = page.locator("#work")
    expect(work).to_have_attribute("data-kind", "findings")
    expect(work).to_have_attribute("data-step", "phone_verification")
    expect(work.locator("input[value=approve]")).to_have_count(0)
    work.locator("select[name=identity_confirmed]").select_option("yes")
    work.locator("input[name=verified_monthly_revenue]").fill("-1")
    work.locator("button[name=complete]").click()
    expect(page.locator("#work .errors")).to_contain_text("Verified monthly revenue (CNY)")
    page.locator("#work input[name=verified_monthly_revenue]").fill("85,000")
    page.locator("#work button[name=complete]").click()
    expect(page.locator("#work-done")).to_contain_text("Task completed")
    expect(page.locator("#work")).to_have_attribute("data-step", "online_verification")
    context.add_cookies([web.session_cookie("approver")])
    page.reload()
    expect(page.locator("#work")).to_have_count(0)  # the approver's station is not here yet


def test_an_approver_refers_a_case_to_the_committee_with_a_note(web: Web, context: Any) -> None:
    case_id = _at_review(web, 76, "140000.00")
    context.add_cookies([web.session_cookie("approver")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/cases/{case_id}")
    page.locator("#work input[value=refer]").check()
    page.locator("#work button[name=decide]").click()
    expect(page.locator("#work .errors li[data-field=note]")).to_contain_text(
        "say what the committee should decide")
    page.locator("#work input[value=refer]").check()
    page.locator("#work textarea[name=note]").fill("a related company borrows from us too")
    page.locator("#work button[name=decide]").click()
    expect(page.locator("#case-step")).to_have_attribute("data-step", "committee_approval")
    expect(page.locator("#audit tr[data-action='approval.referred']")).to_contain_text(
        "referred by approver")
