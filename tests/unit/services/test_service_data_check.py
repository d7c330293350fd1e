"""The data check: the declared business against its registration, as a packager would bend it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from creditfactory.domain.external_data import BusinessRegistration
from creditfactory.services.data_fetch import business_checks

AT = datetime(2026, 6, 1, tzinfo=UTC)
REGISTERED = BusinessRegistration("92430100054656638F", "长沙福永便利店", "F52",
                                  date(2020, 3, 1), "active", "registry@test")
DECLARED = {"business_name": "长沙福永便利店", "industry": "F52", "years_in_business": 6,
            "applied_at": AT}


def _outcomes(declared: dict[str, Any], registration: BusinessRegistration | None) -> dict[str, str]:
    return {c["check_name"]: c["outcome"] for c in business_checks(7, declared, registration, AT)}


def test_a_business_as_registered_matches_every_check() -> None:
    assert _outcomes(DECLARED, REGISTERED) == {"registration": "match", "business_name": "match",
                                                "industry": "match", "years_in_business": "match"}
    rows = business_checks(7, DECLARED, REGISTERED, AT)
    assert {r["application_id"] for r in rows} == {7} and {r["checked_at"] for r in rows} == {AT}


def test_an_overstated_age_another_name_or_sector_are_mismatches() -> None:
    packaged = {**DECLARED, "business_name": "长沙福永贸易有限公司", "industry": "C13",
                "years_in_business": 9}
    assert _outcomes(packaged, REGISTERED) == {"registration": "match", "business_name": "mismatch",
                                               "industry": "mismatch",
                                               "years_in_business": "mismatch"}
    [years] = [c for c in business_checks(7, packaged, REGISTERED, AT)
               if c["check_name"] == "years_in_business"]
    assert years["detail"] == {"declared": 9, "registered": 6}


def test_fewer_years_than_registered_and_a_division_of_the_same_section_are_no_risk() -> None:
    modest = {**DECLARED, "years_in_business": 2, "industry": "F51"}
    assert set(_outcomes(modest, REGISTERED).values()) == {"match"}


def test_a_code_not_on_the_register_or_a_revoked_business_is_recorded() -> None:
    assert _outcomes(DECLARED, None) == {"registration": "missing"}
    revoked = BusinessRegistration(REGISTERED.uscc, REGISTERED.registered_name, "F52",
                                   date(2020, 3, 1), "revoked", "registry@test")
    assert _outcomes(DECLARED, revoked)["registration"] == "mismatch"
