"""The early-warning page over plain HTTP: the overseers see a month's alerts with owner and
action and the industry outlook; other roles are refused; the page keeps the strict CSP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest

from creditfactory.store import UnitOfWork
from creditfactory.store.repo_monitoring import MonitoringRepository

if TYPE_CHECKING:
    from conftest import Web


@pytest.fixture
def client(web: Web) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.root, timeout=10, follow_redirects=False) as c:
        yield c


def _as(client: httpx.Client, web: Web, who: str) -> httpx.Client:
    client.cookies.set("cf_session", web.api.tokens[who], domain="127.0.0.1", path="/ui")
    return client


def test_the_warning_page_shows_the_months_alerts_and_outlook_to_overseers(
        web: Web, client: httpx.Client) -> None:
    alert = {"dimension": "channel", "value": "AG00042", "metric": "early_dpd30_ratio",
             "level": "red", "action": "stop a channel", "owner": "channel_manager",
             "rule": "channel_early_delinquency", "observed": 0.081, "bound": 0.06, "volume": 57}
    outlook = {"industry": "C18", "loans": 420, "forecast_90plus_6m": 0.031, "low": 0.02,
               "high": 0.042, "flagged": True}
    with UnitOfWork(web.api.ctx.engine) as uow:
        MonitoringRepository(uow.conn).replace_results(
            "2031-07", [alert], [outlook],
            {"loans": 900, "alerts": 1, "red": 1, "ran_at": datetime.now(UTC)})
        uow.commit()
    r = _as(client, web, "risk_analyst").get("/ui/warning", params={"month": "2031-07"})
    assert r.status_code == 200
    assert "default-src 'none'" in r.headers["content-security-policy"]
    html = r.text
    assert 'data-level="red"' in html and "AG00042" in html and "stop a channel" in html
    assert 'data-industry="C18" data-flagged="yes"' in html and "<meter" in html
    assert 'href="/ui/warning"' in html
    assert _as(client, web, "admin").get("/ui/warning").status_code == 200
    assert _as(client, web, "verifier").get("/ui/warning").status_code == 403
    assert _as(client, web, "risk_analyst").get("/ui/warning",
                                                params={"month": "July"}).status_code == 404
