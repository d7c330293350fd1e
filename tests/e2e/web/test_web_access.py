"""The pages' guards over plain HTTP: sign-in redirects, CSRF, roles, headers, bad input."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Web


@pytest.fixture
def browserless(web: Web) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.root, timeout=10, follow_redirects=False) as c:
        yield c


def _as(client: httpx.Client, web: Web, who: str) -> httpx.Client:
    client.cookies.set("cf_session", web.api.tokens[who], domain="127.0.0.1", path="/ui")
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def test_pages_send_the_unsigned_to_the_login_form(web: Web, browserless: httpx.Client) -> None:
    r = browserless.get("/ui/queue")
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?next=/ui/queue"
    browserless.cookies.set("cf_session", web.api.tokens["verifier"][:-4] + "AAAA", path="/ui")
    r = browserless.get("/ui/cases")
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
    assert 'cf_session=""' in r.headers["set-cookie"]


def test_login_form_needs_its_nonce_and_redirects_only_inside_the_site(web: Web, browserless: httpx.Client) -> None:
    r = browserless.post("/ui/login", data={"username": "admin", "password": "x", "csrf_token": "forged"})
    assert r.status_code == 403
    form = browserless.get("/ui/login")
    assert "cf_login" in form.cookies and "HttpOnly" in form.headers["set-cookie"]
    assert "SameSite=strict" in form.headers["set-cookie"]
    _as(browserless, web, "verifier")
    assert browserless.get("/ui/login", params={"next": "https://evil.example/"}).headers["location"] == "/ui/queue"
    assert browserless.get("/ui/login", params={"next": "//evil.example/ui/"}).headers["location"] == "/ui/queue"
    assert browserless.get("/ui/login", params={"next": "/ui/cases"}).headers["location"] == "/ui/cases"


def test_a_form_without_its_csrf_token_changes_nothing(web: Web, browserless: httpx.Client) -> None:
    sub = web.submit(43, amount=330000.0, declared_monthly_revenue=90000.0)
    task = next(t for t in web.case_json(sub["case_id"])["tasks"] if t["step"] == "phone_verification")
    _as(browserless, web, "verifier")
    assert browserless.post(f"/ui/tasks/{task['task_id']}/claim").status_code == 403
    with httpx.Client(base_url=web.root) as approver:
        other = _csrf(_as(approver, web, "approver").get("/ui/queue").text)
    r = browserless.post(f"/ui/tasks/{task['task_id']}/claim", data={"csrf_token": other})
    assert r.status_code == 403 and "did not come from this site" in r.text
    assert next(t for t in web.case_json(sub["case_id"])["tasks"] if t["task_id"] == task["task_id"])["status"] == "open"
    token = _csrf(browserless.get("/ui/queue").text)
    r = browserless.post(f"/ui/tasks/{task['task_id']}/claim", data={"csrf_token": token})
    assert r.status_code == 303
    assert next(t for t in web.case_json(sub["case_id"])["tasks"] if t["task_id"] == task["task_id"])["assignee"] == "verifier"


@pytest.mark.parametrize(("who", "path", "status"), [
    ("channel_manager", "/ui/cases", 403),
    ("channel_manager", "/ui/queue", 403),
    ("account_manager", "/ui/channels", 403),
    ("officer_cmb", "/ui/queue", 403),
    ("verifier", "/ui/bank", 403),
    ("admin", "/ui/cases/987654321", 404),
    ("admin", "/ui/cases/not-a-number", 404),
    ("risk_analyst", "/ui/channels/NO_SUCH_CHANNEL", 404),
])
def test_pages_answer_like_the_api_with_an_html_page(web: Web, browserless: httpx.Client, who: str, path: str,
                                                   status: int) -> None:
    r = _as(browserless, web, who).get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert 'class="error-message"' in r.text


def test_pages_carry_security_headers_and_stay_out_of_the_api_schema(web: Web, browserless: httpx.Client) -> None:
    r = _as(browserless, web, "admin").get("/ui/cases")
    assert r.status_code == 200
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
    assert browserless.get("/ui/static/app.css").headers["content-type"].startswith("text/css")
    with web.api_client() as api:
        paths = api.get("/openapi.json").json()["paths"]
    assert paths and not [p for p in paths if p.startswith("/ui")]


def test_a_deduction_beyond_the_deposit_names_the_amount_and_writes_nothing(web: Web, browserless: httpx.Client) -> None:
    _as(browserless, web, "channel_manager")
    listing = browserless.get("/ui/channels").text
    channel_id = re.findall(r'data-channel="([^"]+)" data-status="active"', listing)[0]
    page = browserless.get(f"/ui/channels/{channel_id}").text

    def state() -> tuple[str, int]:
        with web.api_client() as api:
            h = web.api.h("channel_manager")
            deposit = api.get(f"/channels/{channel_id}", headers=h).json()["deposit"]
            return deposit, api.get(f"/channels/{channel_id}/deposit-movements", headers=h).json()["count"]

    before = state()
    r = browserless.post(f"/ui/channels/{channel_id}/deposit", data={
        "csrf_token": _csrf(page), "kind": "deduct", "amount": str(float(before[0]) + 1), "reason": "fine"})
    assert r.status_code == 422
    assert 'data-field="amount"' in r.text and "the deposit holds only" in r.text
    assert state() == before


def test_case_page_draws_the_fraud_neighbourhood_when_the_graph_has_one(
        web: Web, browserless: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import creditfactory.services.fraud_graph as fraud_graph

    sub = web.submit(44, amount=200000.0, declared_monthly_revenue=80000.0)
    app_id = sub["application_id"]
    _as(browserless, web, "risk_analyst")
    assert "No neighbourhood available" in browserless.get(f"/ui/cases/{sub['case_id']}").text

    def drawn(ctx: object, application_id: int) -> dict[str, object]:
        assert application_id == app_id
        return {"center": f"store:{app_id}", "truncated": False,
                "nodes": [{"key": f"store:{app_id}", "application_id": app_id, "hop": 0},
                          {"key": "training:3", "origin": "training", "application_id": 3, "hop": 1,
                           "known_bad_since": "2024-01-01T00:00:00"}],
                "links": [{"source": "training:3", "target": f"store:{app_id}", "kinds": ["phone"]}]}

    monkeypatch.setattr(fraud_graph, "case_neighbourhood", drawn)
    html = browserless.get(f"/ui/cases/{sub['case_id']}").text
    assert '<svg class="neighbourhood"' in html
    assert f'class="nb-centre" data-node="store:{app_id}"' in html
    assert 'class="nb-bad" data-node="training:3"' in html


# the blacklists page: risk analysts add and remove with the form's CSRF token, admins read
# without the forms, other roles are refused; an identifier is never shown


def _row_of(html: str, masked: str) -> str | None:
    found = re.search(r'<tr data-entry="(\d+)" data-live="yes">\s*<td>[^<]*</td><td>'
                      + re.escape(masked), html)
    return found.group(1) if found else None


def test_a_risk_analyst_adds_and_removes_an_entry_and_never_sees_the_value(
    web: Web, browserless: httpx.Client
) -> None:
    phone = "135" + f"{uuid.uuid4().int % 10**8:08d}"
    masked = f"{phone[:3]}****{phone[-4:]}"
    page = _as(browserless, web, "risk_analyst").get("/ui/blacklists")
    assert page.status_code == 200 and 'id="add-form"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    token = _csrf(page.text)
    assert browserless.post("/ui/blacklists", data={"kind": "phone", "value": phone,
                                                    "reason": "ring"}).status_code == 403
    bad = browserless.post("/ui/blacklists", data={"kind": "phone", "value": "12345",
                                                   "reason": "ring", "csrf_token": token})
    assert bad.status_code == 422 and 'data-field="value"' in bad.text and "12345" not in bad.text
    added = browserless.post("/ui/blacklists", data={"kind": "phone", "value": phone,
                                                     "reason": "ring member", "csrf_token": token})
    assert added.status_code == 303 and added.headers["location"] == "/ui/blacklists?notice=added"
    listed = browserless.get("/ui/blacklists", params={"notice": "added"}).text
    assert "Entry added" in listed and phone not in listed
    entry = _row_of(listed, masked)
    assert entry is not None
    gone = browserless.post(f"/ui/blacklists/{entry}/remove",
                            data={"reason": "cleared by investigation", "csrf_token": token})
    assert gone.status_code == 303
    assert _row_of(browserless.get("/ui/blacklists").text, masked) is None
    every = browserless.get("/ui/blacklists", params={"removed": "yes"}).text
    assert "cleared by investigation" in every


def test_an_admin_reads_the_list_without_the_forms(web: Web, browserless: httpx.Client) -> None:
    page = _as(browserless, web, "admin").get("/ui/blacklists")
    assert page.status_code == 200
    assert 'data-live="yes"' in page.text and 'id="add-form"' not in page.text
    assert 'href="/ui/blacklists"' in page.text  # in the navigation


def test_other_roles_are_refused(web: Web, browserless: httpx.Client) -> None:
    for role in ("account_manager", "approver"):
        assert _as(browserless, web, role).get("/ui/blacklists").status_code == 403
