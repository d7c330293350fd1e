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
        repo = MonitoringRepository(uow.conn)
        repo.replace_results(
            "2031-07", [alert], [outlook],
            {"loans": 900, "alerts": 1, "red": 1, "ran_at": datetime.now(UTC)})
        repo.save_states("2031-07", [  # the month-end's book: 3,000.00 of 10,000.00 is 30+
            {"loan_id": 9_000_001, "mob": 5, "dpd": 0, "bucket": "M0", "five_class": "normal",
             "principal_outstanding_fen": 700_000, "status": "current"},
            {"loan_id": 9_000_002, "mob": 5, "dpd": 45, "bucket": "M2",
             "five_class": "special_mention", "principal_outstanding_fen": 300_000,
             "status": "delinquent"}])
        uow.commit()
    r = _as(client, web, "risk_analyst").get("/ui/warning", params={"month": "2031-07"})
    assert r.status_code == 200
    assert "default-src 'none'" in r.headers["content-security-policy"]
    html = r.text
    assert 'data-level="red"' in html and "AG00042" in html and "stop a channel" in html
    assert 'data-industry="C18" data-flagged="yes"' in html and "<meter" in html
    assert 'href="/ui/warning"' in html
    assert 'id="book-trend"' in html and "2031-07" in html and ">30 %<" in html
    assert _as(client, web, "admin").get("/ui/warning").status_code == 200
    assert _as(client, web, "verifier").get("/ui/warning").status_code == 403
    assert _as(client, web, "risk_analyst").get("/ui/warning",
                                                params={"month": "July"}).status_code == 404


def test_the_warning_page_shows_the_scorecards_against_outcomes_and_the_challenger(
        web: Web, client: httpx.Client) -> None:
    from creditfactory.store.repo_learning import LearningRepository

    with UnitOfWork(web.api.ctx.engine) as uow:
        MonitoringRepository(uow.conn).replace_results(
            "2031-08", [], [], {"loans": 900, "alerts": 0, "red": 0, "ran_at": datetime.now(UTC)})
        learning = LearningRepository(uow.conn)
        learning.replace_performance("2031-08", [
            {"model": "a_card", "window_from": "2031-06", "window_to": "2031-08", "n": 640,
             "bads": 19, "bad_rate": 0.0297, "mean_pd": 0.024, "auc": 0.6931, "ks": 0.31,
             "psi": 0.04, "calibration_ratio": 1.24, "max_band_gap": 0.02},
            {"model": "b_card", "window_from": "2031-08", "window_to": "2031-08", "n": 5120,
             "bads": 40, "bad_rate": 0.0078, "mean_pd": 0.009, "auc": 0.8712, "ks": 0.6,
             "psi": None, "calibration_ratio": 0.87, "max_band_gap": 0.01}])
        learning.add_promotion({
            "decided_at": datetime.now(UTC), "as_of": "2031-08", "model": "a_card",
            "champion": "champion", "challenger": "book-challenger", "promoted": False,
            "champion_auc": 0.69, "challenger_auc": 0.7012, "psi": 0.31, "n": 640, "bads": 19,
            "window_from": "2030-03", "window_to": "2030-08", "rule": {"auc_margin": 0.01},
            "reasons": ["too few bads in the window: 19 < 50"], "figures": {},
            "decided_by": "test"})
        learning.replace_bcard("2031-08", [
            {"loan_id": 17, "score": 512.0, "pd": 0.31, "reasons": "dpd_now;paid_ratio_3m"},
            {"loan_id": 18, "score": 655.0, "pd": 0.012, "reasons": "mob"}])
        uow.commit()
    html = _as(client, web, "risk_analyst").get("/ui/warning", params={"month": "2031-08"}).text
    assert 'data-model="a_card"' in html and "0.693" in html
    assert 'data-model="b_card"' in html and "0.871" in html
    assert 'data-promoted="no"' in html and "0.701" in html and "too few bads" in html
    assert 'data-loan="17"' in html and "dpd_now, paid_ratio_3m" in html
    assert html.index('data-loan="17"') < html.index('data-loan="18"')  # riskiest first
