"""One case walked through the factory in a real browser by each role signing in with the
form: intake (account manager) -> phone and online verification (verifier) -> field
investigation (investigator) -> approval (approver) -> the bank's answer (bank officer) ->
the borrower's signature -> payout; what each role may and may not see on the way. Every page
visited is saved as a numbered screenshot (``$CREDITFACTORY_SCREENSHOTS/walk-<store>``, else
the system temp folder's ``creditfactory-screenshots/walk-<store>``), and one page in Chinese is checked to draw its
Chinese characters (not the empty boxes of a missing font)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from creditfactory.domain.roles import ROLES
from creditfactory.services.errors import UserExists
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.services.users import add_user

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)

if TYPE_CHECKING:
    from conftest import Web

PASSWORD = "s3cret-pass"
WALKERS = {  # user -> role
    "am_walk": "account_manager",
    "am_other": "account_manager",
    "ver_walk": "verifier",
    "inv_walk": "investigator",
    "appr_walk": "approver",
}
SELECTS = ("product_requested", "purpose", "gender", "education", "marital_status",
           "home_ownership", "premises", "industry")


class Inbox:
    """The borrower's phone: the signing notices the platform sent."""

    def __init__(self) -> None:
        self.notices: list[Any] = []

    def send_signing_code(self, notice: Any) -> None:
        self.notices.append(notice)


class Shots:
    """Numbered screenshots of every page visited, in the order of the walk."""

    def __init__(self, store: str) -> None:
        root = Path(os.environ.get("CREDITFACTORY_SCREENSHOTS",
                                   Path(tempfile.gettempdir()) / "creditfactory-screenshots"))
        self.folder = root / f"walk-{store}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.saved: list[Path] = []

    def __call__(self, page: Any, name: str) -> Path:
        path = self.folder / f"{len(self.saved) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        self.saved.append(path)
        return path


@pytest.fixture(scope="module")
def walkers(web: Web) -> dict[str, str]:
    for user, role in WALKERS.items():
        try:
            add_user(web.api.ctx, SYSTEM, user, PASSWORD, role)
        except UserExists:
            pass
    return WALKERS


@pytest.fixture
def inbox(web: Web) -> Iterator[Inbox]:
    before = web.api.ctx.borrowers
    web.api.ctx.borrowers = box = Inbox()
    try:
        yield box
    finally:
        web.api.ctx.borrowers = before


def _sign_in(browser: Any, web: Web, user: str, shots: Shots, locale: str = "en-GB") -> Any:
    """A browser of its own for ``user``, signed in through the login form."""
    ctx = browser.new_context(locale=locale)
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    page.goto(f"{web.root}/ui/login")
    shots(page, f"login-{user}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/ui/login"))
    return page


def _work_on_case(page: Any, web: Web, case_id: int, step: str, shots: Shots, user: str) -> None:
    """Claim the case's task from the queue, then open the case at its station's form."""
    page.goto(f"{web.root}/ui/queue")
    row = page.locator(f"#station-{step} tr[data-task]").filter(
        has=page.locator(f"a[href='/ui/cases/{case_id}']"))
    expect(row).to_have_count(1)
    shots(page, f"queue-{user}-{step}")
    row.locator("button[name=claim]").click()
    expect(page.locator(".notice")).to_contain_text("Task claimed")
    if step == "investigation_review":  # the approver decides on the case page, not here
        expect(page.locator(f"#station-{step} a.approval-link[href='/ui/cases/{case_id}#work']")
               ).to_have_count(1)
        expect(page.locator(f"#station-{step} form.findings")).to_have_count(0)
    page.goto(f"{web.root}/ui/cases/{case_id}")
    expect(page.locator("#work")).to_have_attribute("data-step", step)


def _draws_chinese(page: Any) -> bool:
    """Whether the page's font draws two Chinese characters as two different glyphs (with no
    CJK font both come out as the same empty box)."""
    return bool(page.evaluate("""() => {
        const c = document.createElement('canvas'); c.width = 48; c.height = 48;
        const g = c.getContext('2d');
        const family = getComputedStyle(document.body).fontFamily;
        const draw = ch => { g.clearRect(0, 0, 48, 48); g.font = `36px ${family}`;
            g.fillText(ch, 4, 40); const d = g.getImageData(0, 0, 48, 48).data;
            let ink = 0; for (let i = 3; i < d.length; i += 4) ink += d[i] > 0 ? 1 : 0;
            return [ink, Array.from(d).join(',')]; };
        const [a, b] = [draw('案'), draw('贷')];
        return a[0] > 20 && b[0] > 20 && a[1] !== b[1];
    }"""))


def test_one_case_walked_by_every_role_through_to_payout(
        web: Web, browser: Any, walkers: dict[str, str], inbox: Inbox) -> None:
    shots = Shots(web.api.ctx.engine.dialect.name)
    pages: list[Any] = []
    try:
        _walk(web, browser, shots, pages, inbox)
    finally:
        for p in pages:
            p.context.close()
    assert len(shots.saved) >= 25 and all(p.exists() for p in shots.saved)


def _walk(web: Web, browser: Any, shots: Shots, pages: list[Any], inbox: Inbox) -> None:
    # intake: the account manager's form, pre-screened and submitted
    am = _sign_in(browser, web, "am_walk", shots)
    pages.append(am)
    app = web.api.application(75, amount=450000.0, declared_monthly_revenue=150000.0,
                              industry="F52")
    am.goto(f"{web.root}/ui/intake")
    form = am.locator("#intake-form")
    for key, value in app.items():
        if key == "bureau_consent_ref":
            continue
        if key in SELECTS:
            form.locator(f"select[name={key}]").select_option(str(value))
        else:
            form.locator(f"input[name={key}]").fill(str(value))
    am.click("button[value=check]")
    expect(am.locator("#prescreen")).to_have_attribute("data-fails", "0")
    shots(am, "intake-prescreened")
    am.check("#consent input[name=consent]")
    am.fill("#consent input[name=bureau_consent_ref]", "CONSENT-WALK-75")
    am.click("button[value=submit]")
    expect(am.locator("#submitted")).to_be_visible()
    case_id = int(am.url.rsplit("/", 1)[1].split("?")[0])
    expect(am.locator("#decision-tier")).to_have_attribute("data-tier", "field_investigation")
    expect(am.locator("#work")).to_have_count(0)  # no station of the account manager's here
    shots(am, "case-account-manager")
    am.goto(f"{web.root}/ui/cases")
    expect(am.locator(f"a[href='/ui/cases/{case_id}']")).to_have_count(1)
    shots(am, "cases-account-manager")

    # another account manager sees neither the case nor it in their list
    other = _sign_in(browser, web, "am_other", shots)
    pages.append(other)
    assert other.goto(f"{web.root}/ui/cases/{case_id}").status == 404
    shots(other, "case-other-account-manager-404")
    other.goto(f"{web.root}/ui/cases")
    expect(other.locator(f"a[href='/ui/cases/{case_id}']")).to_have_count(0)
    shots(other, "cases-other-account-manager")

    # verification: phone then online, from the case page
    ver = _sign_in(browser, web, "ver_walk", shots)
    pages.append(ver)
    for step, check in (("phone_verification", "identity_confirmed"),
                        ("online_verification", "business_real")):
        _work_on_case(ver, web, case_id, step, shots, "verifier")
        shots(ver, f"case-verifier-{step}")
        ver.locator(f"#work select[name={check}]").select_option("yes")
        ver.locator("#work button[name=complete]").click()
        expect(ver.locator("#work-done")).to_contain_text("Task completed")
    expect(ver.locator("#audit")).to_contain_text("shown to")  # not an audit reader
    assert ver.goto(f"{web.root}/ui/bank").status == 403
    shots(ver, "bank-verifier-403")

    # field investigation
    inv = _sign_in(browser, web, "inv_walk", shots)
    pages.append(inv)
    _work_on_case(inv, web, case_id, "field_investigation", shots, "investigator")
    inv.locator("#work select[name=business_real]").select_option("yes")
    inv.locator("#work select[name=purpose_confirmed]").select_option("yes")
    inv.locator("#work input[name=verified_monthly_revenue]").fill("140,000")
    shots(inv, "case-investigator-form")
    inv.locator("#work button[name=complete]").click()
    expect(inv.locator("#work-done")).to_contain_text("Task completed")
    shots(inv, "case-investigator-done")

    # approval: the approver's form with the engine's terms beside it
    appr = _sign_in(browser, web, "appr_walk", shots)
    pages.append(appr)
    _work_on_case(appr, web, case_id, "investigation_review", shots, "approver")
    expect(appr.locator("#work")).to_have_attribute("data-kind", "approval")
    expect(appr.locator("#work-machine")).to_contain_text("450,000.00")
    shots(appr, "case-approver-form")
    appr.locator("#work input[value=approve]").check()
    appr.locator("#work button[name=decide]").click()
    expect(appr.locator("#work-done")).to_contain_text("Your decision is recorded")
    expect(appr.locator("#case-step")).to_have_attribute("data-step", "bank_approval")
    expect(appr.locator("#audit tr[data-action='task.completed']").last).to_contain_text("approve")
    shots(appr, "case-approver-done")

    # the bank: another bank's officer sees nothing of it; its own answers
    icbc = browser.new_context()
    pages.append(icbc.new_page())
    icbc.add_cookies([web.session_cookie("officer_icbc")])
    assert pages[-1].goto(f"{web.root}/ui/cases/{case_id}").status == 404
    shots(pages[-1], "case-other-bank-404")
    pages[-1].goto(f"{web.root}/ui/bank")
    expect(pages[-1].locator(f"tr[data-case='{case_id}']")).to_have_count(0)
    shots(pages[-1], "bank-other-bank")

    bank = _sign_in(browser, web, "officer_cmb", shots)
    pages.append(bank)
    bank.goto(f"{web.root}/ui/bank")
    submission = web.case_json(case_id)["bank_submissions"][0]["submission_id"]
    row = bank.locator(f"tr[data-submission='{submission}']")
    expect(row).to_have_count(1)
    shots(bank, "bank-officer")
    row.locator("input[name=reason]").fill("within our policy")
    row.locator("button[value=approve]").click()
    expect(bank.locator(".notice")).to_contain_text("approved")
    shots(bank, "bank-officer-answered")

    # the borrower signs (through the API, as the borrower's app does); payout follows
    with web.api_client() as c:
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
    web.api.wait_for(lambda: web.case_json(case_id)["loan"])
    bank.goto(f"{web.root}/ui/cases/{case_id}")
    expect(bank.locator("#case-status")).to_have_attribute("data-status", "done")
    expect(bank.locator("#process li[data-step=payout]")).to_have_attribute("data-state", "passed")
    expect(bank.locator("#loan-link")).to_be_visible()
    shots(bank, "case-bank-paid-out")
    am.goto(f"{web.root}/ui/cases/{case_id}")
    expect(am.locator("#case-status")).to_have_attribute("data-status", "done")
    shots(am, "case-account-manager-paid-out")

    # roles outside the case's work: the channel manager and, where the role exists, the collector
    cm = browser.new_context()
    pages.append(cm.new_page())
    cm.add_cookies([web.session_cookie("channel_manager")])
    assert pages[-1].goto(f"{web.root}/ui/queue").status == 403
    shots(pages[-1], "queue-channel-manager-403")
    if "collector" in ROLES:
        try:
            add_user(web.api.ctx, SYSTEM, "col_walk", PASSWORD, "collector")
        except UserExists:
            pass
        col = browser.new_context()
        pages.append(col.new_page())
        token = web.api.signer.issue(web.api.ctx, Actor("col_walk", "collector"))
        col.add_cookies([{**web.session_cookie("verifier"), "value": token}])
        for path in ("/ui/intake", "/ui/bank"):
            response = pages[-1].goto(f"{web.root}{path}")
            assert response is not None and response.status == 403, path
        shots(pages[-1], "bank-collector-403")

    # the approver's case page in Chinese: Chinese characters drawn, not empty boxes
    zh = browser.new_context(locale="zh-CN")
    pages.append(zh.new_page())
    zh.add_cookies([web.session_cookie("approver")])
    pages[-1].goto(f"{web.root}/ui/cases/{case_id}")
    expect(pages[-1].locator("html")).to_have_attribute("lang", "zh-CN")
    expect(pages[-1].locator("h1")).to_contain_text("案件")
    shots(pages[-1], "case-approver-zh")
    assert _draws_chinese(pages[-1]), "no CJK font: Chinese draws as empty boxes"
