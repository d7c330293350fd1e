"""The committee rule: what an approver decides alone, and what goes to the committee."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditfactory.domain.approval import (
    Terms,
    Verdict,
    committee_reasons,
    parse_verdict,
)

MACHINE = Terms("field_investigation", Decimal("300000.00"), Decimal("0.195"))
DECLINED = Terms("reject", Decimal("0.00"), Decimal("0.195"))
ASKED = Decimal("450000.00")


def _parse(values: dict[str, object], committee: bool = False) -> Verdict:
    verdict, errors = parse_verdict(values, MACHINE, ASKED, committee=committee)
    assert not errors, errors
    assert verdict is not None
    return verdict


def test_approving_at_the_machines_terms_needs_no_committee() -> None:
    assert committee_reasons(_parse({"verdict": "approve"}), MACHINE) == ()


def test_approving_what_the_machine_declines_goes_to_the_committee() -> None:
    assert committee_reasons(_parse({"verdict": "approve"}), DECLINED) == (
        "approved_what_the_machine_declines",)
    changed = _parse({"verdict": "approve_changed", "limit": "100000", "rate_percent": "22"})
    assert committee_reasons(changed, DECLINED) == ("approved_what_the_machine_declines",)


def test_a_safer_change_is_within_the_approvers_authority() -> None:
    lower = _parse({"verdict": "approve_changed", "limit": "250000.00", "rate_percent": "21.5"})
    assert (lower.limit, lower.rate) == (Decimal("250000.00"), Decimal("0.215000"))
    assert committee_reasons(lower, MACHINE) == ()


def test_a_limit_above_or_a_rate_below_the_machines_goes_to_the_committee() -> None:
    higher = _parse({"verdict": "approve_changed", "limit": "300000.01", "rate_percent": "19.5"})
    assert committee_reasons(higher, MACHINE) == ("limit_above_the_machine",)
    cheaper = _parse({"verdict": "approve_changed", "limit": "300000", "rate_percent": "18"})
    assert committee_reasons(cheaper, MACHINE) == ("rate_below_the_machine",)
    both = _parse({"verdict": "approve_changed", "limit": "400000", "rate_percent": "15"})
    assert committee_reasons(both, MACHINE) == ("limit_above_the_machine", "rate_below_the_machine")


def test_a_decline_never_needs_the_committee_and_a_referral_always_does() -> None:
    decline = _parse({"verdict": "decline", "reasons": ["HUMAN_HIDDEN_DEBT"]})
    assert decline.reasons == ("HUMAN_HIDDEN_DEBT",)
    assert committee_reasons(decline, MACHINE) == ()
    assert committee_reasons(decline, DECLINED) == ()
    refer = _parse({"verdict": "refer", "note": "the seasonality explains the dip"})
    assert committee_reasons(refer, MACHINE) == ("referred_by_approver",)


@pytest.mark.parametrize(("values", "field"), [
    ({"verdict": "overrule"}, "verdict"),
    ({"verdict": "decline"}, "reasons"),
    ({"verdict": "decline", "reasons": ["BECAUSE"]}, "reasons"),
    ({"verdict": "refer"}, "note"),
    ({"verdict": "approve_changed", "limit": "450000.01", "rate_percent": "20"}, "limit"),
    ({"verdict": "approve_changed", "limit": "0", "rate_percent": "20"}, "limit"),
    ({"verdict": "approve_changed", "limit": "1000.001", "rate_percent": "20"}, "limit"),
    ({"verdict": "approve_changed", "limit": "abc", "rate_percent": "20"}, "limit"),
    ({"verdict": "approve_changed", "limit": "1000", "rate_percent": "24.01"}, "rate_percent"),
    ({"verdict": "approve_changed", "limit": "1000", "rate_percent": "2.99"}, "rate_percent"),
    ({"verdict": "approve_changed", "limit": "1000", "rate_percent": "NaN"}, "rate_percent"),
])
def test_beyond_anyones_authority_is_refused_by_field(values: dict[str, object], field: str) -> None:
    verdict, errors = parse_verdict(values, MACHINE, ASKED, committee=False)
    assert verdict is None
    assert field in dict(errors)


def test_the_committee_decides_and_does_not_refer_onwards() -> None:
    verdict, errors = parse_verdict({"verdict": "refer", "note": "?"}, MACHINE, ASKED, committee=True)
    assert verdict is None and "verdict" in dict(errors)
    verdict, errors = parse_verdict({"verdict": "approve"}, DECLINED, ASKED, committee=True)
    assert verdict is None and "verdict" in dict(errors)


def test_a_verdict_keeps_its_terms_through_the_task_outcome() -> None:
    v = _parse({"verdict": "approve_changed", "limit": "250000", "rate_percent": "21",
                "note": "lower: seasonal trade"})
    assert Verdict.from_outcome(v.as_outcome()) == v
    assert Verdict.from_outcome({"verdict": "pass"}).kind == "approve"
    assert Verdict.from_outcome({"verdict": "reject"}).kind == "decline"
