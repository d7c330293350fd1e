"""The capacity simulation against queueing theory, staff monotonicity and its seed."""

from __future__ import annotations

import math
import statistics

import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.factory import load_process
from creditfactory.factory.capacity import Duration, FloorInputs, floor_inputs, parse_staff
from creditfactory.factory.capacity_search import smallest_staff
from creditfactory.factory.capacity_sim import Plan, simulate
from creditfactory.factory.process import parse_process

ONE_DESK = parse_process("""
steps:
  - {id: referral, name: Referral, office: front, station: front_desk, mode: intake, role: account_manager, sla_minutes: 30}
  - {id: phone_verification, name: Phone, office: middle, station: phone_verification, mode: staffed, role: verifier, skip_tiers: [auto_approve], sla_minutes: 60}
""")


def _mm1(mean_service: float) -> FloorInputs:
    return FloorInputs(
        tier_mix={"remote_verification": 1.0}, exception_share=0.0,
        service={"phone_verification": Duration("exponential", mean_service)},
        pass_share={"phone_verification": 1.0},
        bank_answer=Duration("exponential", 1.0), bank_approval_share=1.0,
        signature=Duration("exponential", 1.0), working_hours=(0, 24))


def test_one_server_with_exponential_times_matches_mm1_theory() -> None:
    # arrivals 0.5 a minute, service 1 a minute: time in system is exponential, rate 0.5
    report = simulate(ONE_DESK, _mm1(1.0), Plan(0.5 * 1440, {"verifier": 1}, days=60, seed=3))
    figures = report.tier("remote_verification")
    mean_minutes = figures.mean_hours * 60
    median_minutes = figures.median_hours * 60
    assert mean_minutes == pytest.approx(2.0, rel=0.08)
    assert median_minutes == pytest.approx(2.0 * math.log(2), rel=0.08)
    (desk,) = report.pools
    assert desk.utilisation == pytest.approx(0.5, rel=0.05)
    # mean queue (waiting, not in service) of M/M/1: rho^2 / (1 - rho)
    assert report.stations[0].mean_queue == pytest.approx(0.5, rel=0.15)


def _median(verifiers: int, seed: int) -> float:
    process = load_process()
    inputs = floor_inputs(None, ["phone_verification", "online_verification",
                                 "field_investigation", "investigation_review", "committee"])
    plan = Plan(600, {"verifier": verifiers, "investigator": 30, "approver": 6}, days=5, seed=seed)
    median = simulate(process, inputs, plan).tier("remote_verification").median_hours
    assert median is not None
    return median


def test_more_staff_never_lengthens_the_median_in_expectation() -> None:
    medians = {n: statistics.mean(_median(n, seed) for seed in range(3)) for n in (9, 11, 14, 20)}
    ordered = [medians[n] for n in sorted(medians)]
    assert ordered == sorted(ordered, reverse=True)
    assert ordered[0] > ordered[-1]


def test_same_seed_same_report_and_another_seed_another() -> None:
    process = load_process()
    inputs = floor_inputs(None, ["phone_verification", "online_verification",
                                 "field_investigation", "investigation_review", "committee"])
    plan = Plan(300, parse_staff("verifier=8,investigator=20,approver=4"), days=3, seed=11)
    assert simulate(process, inputs, plan) == simulate(process, inputs, plan)
    other = Plan(300, plan.staff, days=3, seed=12)
    assert simulate(process, inputs, plan) != simulate(process, inputs, other)


def test_search_finds_the_smallest_staff_meeting_the_target() -> None:
    inputs = _mm1(10.0)
    plan = Plan(0.05 * 1440, {"verifier": 1}, days=20, seed=5)  # offered load 0.5 x 24 h
    answer = smallest_staff(ONE_DESK, inputs, plan, "verifier", "remote_verification",
                            target_hours=12 / 60)
    assert answer.staff is not None and answer.staff >= 1
    assert answer.report.tier("remote_verification").median_hours <= 12 / 60
    if answer.staff > 1:
        fewer = simulate(ONE_DESK, inputs, Plan(plan.arrivals_per_day,
                                                {"verifier": answer.staff - 1}, 20, seed=5))
        assert fewer.tier("remote_verification").median_hours > 12 / 60


def test_declared_defaults_are_named_and_unknown_staff_refused() -> None:
    inputs = floor_inputs(None, ["phone_verification"])
    assert any("tier mix: declared default" in n for n in inputs.notes)
    with pytest.raises(InvalidArgument, match="no staffed station or role"):
        simulate(ONE_DESK, _mm1(1.0), Plan(10, {"verifier": 1, "cook": 2}, days=1))
    with pytest.raises(InvalidArgument, match="station=N"):
        parse_staff("verifier:3")
