"""The blacklists page over plain HTTP: a risk analyst adds and removes with the form's CSRF
token, an admin reads without the forms, other roles are refused; values are never shown."""

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
