"""The 24-step process file and the partner-bank routing rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditfactory.factory import (
    BankPolicy,
    Findings,
    corrected_application,
    knock_outs,
    load_process,
    merge,
    route,
)
from creditfactory.factory.errors import NoEligibleBank, ProcessInvalid
from creditfactory.factory.process import parse_process


def test_the_process_has_24_steps_across_four_offices() -> None:
    p = load_process()
    assert len(p.steps) == 24
    assert [s.office for s in p.steps].count("front") == 5
    assert {s.office for s in p.steps} == {"front", "middle", "bank", "back"}


def test_auto_approve_skips_verification_and_waits_only_for_the_bank() -> None:
    passed, stop = load_process().next_stop("tier_routing", "auto_approve", exception=False)
    assert stop is not None and stop.id == "bank_approval"
    assert "phone_verification" in [s.id for s in passed]


def test_remote_verification_skips_the_field_visit() -> None:
    p = load_process()
    passed, stop = p.next_stop("online_verification", "remote_verification", exception=False)
    assert stop is not None and stop.id == "bank_approval"
    assert "field_investigation" in [s.id for s in passed]


def test_committee_sits_only_for_exceptions() -> None:
    p = load_process()
    assert p.next_stop("product", "remote_verification", exception=True)[1].id == "committee_approval"  # type: ignore[union-attr]
    assert p.next_stop("product", "remote_verification", exception=False)[1].id == "bank_approval"  # type: ignore[union-attr]


def test_a_staffed_step_without_a_role_is_refused() -> None:
    with pytest.raises(ProcessInvalid, match="needs a role"):
        parse_process("steps:\n  - {id: a, name: A, office: front, station: s, mode: staffed, sla_minutes: 5}\n")


def _bank(code: str, cap: int, quota: int = 10, excluded: tuple[str, ...] = ()) -> BankPolicy:
    return BankPolicy(code, code, Decimal(cap), 600.0, quota, excluded)


def test_routing_picks_the_eligible_bank_with_most_quota_left() -> None:
    banks = [_bank("A", 300000), _bank("B", 500000), _bank("C", 500000, excluded=("F",))]
    assert route(banks, Decimal(200000), "F52", 650.0, {"A": 5, "B": 1}).code == "B"
    assert route(banks, Decimal(200000), "F52", 650.0, {"A": 1, "B": 5}).code == "A"
    assert route(banks, Decimal(400000), "C13", 650.0, {"B": 9, "C": 2}).code == "C"
    with pytest.raises(NoEligibleBank):
        route(banks, Decimal(200000), "F52", 590.0, {})


def test_findings_correct_the_application_and_knock_out_false_identities() -> None:
    f = merge([Findings(hidden_debt=Decimal(30000)), Findings(verified_monthly_revenue=Decimal(50000),
                                                              hidden_debt=Decimal(20000))])
    app = corrected_application({"declared_monthly_revenue": Decimal(90000), "bureau_debt": Decimal(1000)}, f)
    assert app == {"declared_monthly_revenue": Decimal(50000), "bureau_debt": Decimal(31000)}
    assert knock_outs(Findings(identity_confirmed=False, business_real=True)) == ["IDENTITY_NOT_CONFIRMED"]
