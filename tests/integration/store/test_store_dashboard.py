"""The supervisor dashboard's figures (SQL aggregates) equal the same figures computed in plain
Python from the rows written, on both stores."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from creditfactory.services.dashboard import compute

from .dashboard_seed import seed_dashboard

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 3, 30, tzinfo=UTC)  # 11:30 in China: today began at 16:00 UTC


def _nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


def _day(at: datetime) -> str:
    return at.astimezone(ZONE).date().isoformat()


def test_dashboard_figures_match_an_independent_computation(migrated_engine: sa.Engine) -> None:
    rows = seed_dashboard(migrated_engine, 3000, NOW, days=45, seed=5)
    with migrated_engine.connect() as conn:
        board = compute(conn, ZONE, NOW)

    today = _day(NOW)
    day_start = datetime(2026, 12, 6, 16, tzinfo=UTC)
    since = day_start - timedelta(days=29)
    assert board.days[-1] == today and len(board.days) == 30 and board.days[0] == "2026-11-08"

    apps = {a["application_id"]: a for a in rows["applications"]}
    tier = {c["id"]: c["tier"] for c in rows["cases"]}
    status = {c["id"]: c["status"] for c in rows["cases"]}

    # queues and SLA breaches per station
    by_station: dict[str, Counter[str]] = {}
    for t in rows["tasks"]:
        s = by_station.setdefault(t["station"], Counter())
        if t["status"] != "done":
            s["waiting" if t["status"] == "open" else "in_hand"] += 1
            s["overdue"] += t["due_at"] < NOW
        elif t["completed_at"] >= day_start:
            s["done_today"] += 1
            s["late_today"] += t["completed_at"] > t["due_at"]
    got = {s["station"]: s for s in board.stations}
    assert set(got) == set(by_station)
    for station, expected in by_station.items():
        for key in ("waiting", "in_hand", "overdue", "done_today", "late_today"):
            assert got[station][key] == expected[key], (station, key)
    assert board.breaches["overdue_now"] == sum(c["overdue"] for c in by_station.values()) > 0

    # throughput by day and station
    done = Counter((_day(t["completed_at"]), t["station"]) for t in rows["tasks"]
                   if t["status"] == "done" and t["completed_at"] >= since)
    for station, counts in board.throughput.items():
        for day, n in zip(board.days, counts, strict=True):
            assert n == done[(day, station)]
    assert sum(map(sum, board.throughput.values())) == sum(done.values()) > 0

    # tier mix and approval, today and over the period
    recent = [a for a in rows["applications"] if a["applied_at"] >= since]
    mix = Counter(tier[a["application_id"]] for a in recent)
    assert board.mix_period["tiers"] == {t: mix[t] for t in board.mix_period["tiers"]}
    decided = len(recent) - mix["pending"]
    assert board.mix_period["approval_rate"] == pytest.approx((decided - mix["reject"]) / decided)
    today_apps = [a for a in recent if _day(a["applied_at"]) == today]
    assert board.mix_today["total"] == len(today_apps) > 0
    assert board.mix_period["done"] == sum(status[a["application_id"]] == "done" for a in recent)
    per_day = Counter((_day(a["applied_at"]), tier[a["application_id"]]) for a in recent)
    for t, counts in board.applications.items():
        assert counts == [per_day[(d, t)] for d in board.days]

    # time from application to payout: median and 90th percentile by nearest rank
    secs: dict[str, dict[str, list[float]]] = {}
    for ln in rows["loans"]:
        if ln["paid_out_at"] < since:
            continue
        took = (ln["paid_out_at"] - apps[ln["application_id"]]["applied_at"]).total_seconds()
        scopes = ("period", "today") if ln["paid_out_at"] >= day_start else ("period",)
        for scope in scopes:
            secs.setdefault(tier[ln["case_id"]], {}).setdefault(scope, []).append(took)
    paid = Counter((_day(ln["paid_out_at"]), tier[ln["case_id"]]) for ln in rows["loans"]
                   if ln["paid_out_at"] >= since)
    for t, counts in board.payouts.items():
        assert counts == [paid[(d, t)] for d in board.days]
    assert sum(map(sum, board.payouts.values())) == sum(paid.values()) > 0
    assert {r["tier"] for r in board.payout_times} == set(secs)
    for r in board.payout_times:
        for scope, values in secs[r["tier"]].items():
            assert r[scope]["n"] == len(values)
            assert r[scope]["median"] == pytest.approx(_nearest_rank(values, 0.5), abs=0.05)
            assert r[scope]["p90"] == pytest.approx(_nearest_rank(values, 0.9), abs=0.05)
