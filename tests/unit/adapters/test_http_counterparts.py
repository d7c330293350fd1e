"""The HTTP clients of the credit bureau and the business registry against the simulated ones:
answers parsed to the domain's types, no record as None, failures retried with backoff within
the time budget and then reported."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from creditfactory.adapters import HttpCreditBureau, HttpExternalData, RetryPolicy
from creditfactory.domain.external_data import BUREAU_FIELDS, CounterpartUnavailable
from creditfactory.world import generate
from creditfactory.world.bureau_server import BureauFaults

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def apps() -> Any:
    return generate(200, 12, seed=3).applications


def test_a_report_is_the_latest_application_of_the_resident_at_the_date(apps: Any, counterparts: Any) -> None:
    bureau = HttpCreditBureau(counterparts(apps).url)
    row = apps.iloc[10]
    report = bureau.pull(row["resident_id"], "C-1", NOW)
    assert report is not None and set(report.fields) == set(BUREAU_FIELDS)
    assert report.fields["bureau_debt"] == Decimal(str(row["bureau_debt"])).quantize(Decimal("0.01"))
    assert report.fields["inquiries_6m"] == int(row["inquiries_6m"])
    assert report.source.startswith("bureau@http://127.0.0.1:") and report.as_of == NOW
    before = row["applied_at"].to_pydatetime().replace(tzinfo=UTC).replace(year=2000)
    assert bureau.pull(row["resident_id"], "C-1", before) is None
    assert bureau.pull("11010519491231002X", "C-1", NOW) is None


def test_a_registration_is_the_declared_business_as_the_registry_holds_it(apps: Any,
                                                                       counterparts: Any) -> None:
    registry = HttpExternalData(counterparts(apps).url)
    row = apps.iloc[20]
    found = registry.registration(row["uscc"], NOW)
    assert found is not None
    assert (found.registered_name, found.industry, found.status) == (
        row["business_name"], row["industry"], "active")
    applied = row["applied_at"].date()
    assert found.years_in_business(applied) == int(row["years_in_business"])
    assert registry.registration("91110000000000000X", NOW) is None


def test_a_failing_bureau_is_retried_with_backoff_then_reported_within_the_budget(
    apps: Any, counterparts: Any
) -> None:
    running = counterparts(apps, fail_rate=1.0)
    policy = RetryPolicy(attempts=3, timeout=0.2, backoff=0.02, budget=0.5)
    t0 = time.monotonic()
    with pytest.raises(CounterpartUnavailable, match="HTTP 503 \\(3 attempts"):
        HttpCreditBureau(running.url, policy).pull(apps.iloc[0]["resident_id"], "C-1", NOW)
    assert 0.06 <= time.monotonic() - t0 < 0.5  # two pauses: 20 ms then 40 ms
    assert running.server.calls["fail"] == 3


def test_a_hanging_bureau_times_out_and_the_whole_exchange_stays_in_the_budget(
    apps: Any, counterparts: Any
) -> None:
    running = counterparts(apps, timeout_rate=1.0, hang_seconds=2.0)
    policy = RetryPolicy(attempts=5, timeout=0.1, backoff=0.01, budget=0.25)
    t0 = time.monotonic()
    with pytest.raises(CounterpartUnavailable, match="timed out"):
        HttpCreditBureau(running.url, policy).pull(apps.iloc[0]["resident_id"], "C-1", NOW)
    assert time.monotonic() - t0 < 0.6  # the budget, give or take a busy machine


def test_a_flaky_bureau_answers_on_a_retry(apps: Any, counterparts: Any) -> None:
    running = counterparts(apps, fail_rate=0.3, seed=4)
    bureau = HttpCreditBureau(running.url, RetryPolicy(attempts=6, budget=2.0))
    for i in range(10):
        assert bureau.pull(apps.iloc[i]["resident_id"], "C-1", NOW) is not None
    assert running.server.calls["fail"] > 0


def test_the_faults_are_drawn_from_the_seed() -> None:
    draws = [[BureauFaults(fail_rate=0.3, timeout_rate=0.2, seed=9) for _ in range(2)]]
    a, b = draws[0]
    assert [a.draw() for _ in range(50)] == [b.draw() for _ in range(50)]
    with pytest.raises(ValueError, match="shares"):
        BureauFaults(fail_rate=0.8, timeout_rate=0.5)


def test_a_kept_alive_connection_closed_meanwhile_is_replaced_without_an_attempt(
    apps: Any, counterparts: Any
) -> None:
    from creditfactory.adapters.keepalive import KeepAlivePool

    running = counterparts(apps)
    pool = KeepAlivePool(running.url)
    assert pool.request("GET", "/health", timeout=1.0) == (200, b'{"ok": true}')
    [idle] = pool._idle
    assert idle.sock is not None
    idle.sock.close()  # as if the counterpart had dropped the idle connection
    assert pool.request("GET", "/health", timeout=1.0)[0] == 200
    assert running.server.calls == {}  # /health draws no fault: nothing counted
