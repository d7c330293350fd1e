"""What the platform fetches itself about an applicant: the credit report and the business'
registration, with where and when it came from.

An intermediary can type anything into an application; the bureau fields the decision reads
and the registration the data check compares against come from the counterparts, never from
the submission. A counterpart that does not answer is :class:`CounterpartUnavailable` (the
case waits and is retried); one that answers that it has no record returns ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from creditfactory.domain.money import to_money
from creditfactory.errors import CreditFactoryError

__all__ = [
    "BUREAU_FIELDS",
    "BureauReport",
    "BusinessRegistration",
    "CounterpartUnavailable",
]

BUREAU_FIELDS: tuple[str, ...] = (
    "bureau_cards",
    "bureau_utilisation",
    "bureau_loans",
    "bureau_debt",
    "overdue_count_6m",
    "overdue_count_12m",
    "overdue_count_24m",
    "max_dpd_ever",
    "inquiries_1m",
    "inquiries_3m",
    "inquiries_6m",
    "has_mortgage",
    "has_car_loan",
    "has_insurance_policy",
    "insurance_annual_premium",
)
"""The application columns that come from the credit report (``data/schema.py``)."""

_MONEY = ("bureau_debt", "insurance_annual_premium")
_FLAGS = ("has_mortgage", "has_car_loan", "has_insurance_policy")


class CounterpartUnavailable(CreditFactoryError):
    """A counterpart (the bureau, a registry) did not answer in time, or answered with an error,
    after the retries its client allows."""


@dataclass(frozen=True, slots=True)
class BureauReport:
    """One credit report as pulled: its fields (money as Decimal), the bureau's report id, the
    date the report is as of, and the source that answered."""

    fields: dict[str, Any]
    report_id: str
    as_of: datetime
    source: str

    @classmethod
    def from_answer(cls, body: dict[str, Any], as_of: datetime, source: str) -> BureauReport:
        """A report from a bureau's answer; ``ValueError`` naming the first field missing or
        of the wrong kind (a bureau answer is trusted for meaning, not for shape)."""
        raw = body.get("fields")
        if not isinstance(raw, dict):
            raise ValueError("the answer has no 'fields' object")
        fields: dict[str, Any] = {}
        for name in BUREAU_FIELDS:
            value = raw.get(name)
            if value is None or isinstance(value, (list, dict)):
                raise ValueError(f"{name}: missing from the report")
            if name in _MONEY:
                try:
                    fields[name] = to_money(value)
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from exc
            elif name in _FLAGS:
                fields[name] = bool(value)
            elif name == "bureau_utilisation":
                fields[name] = float(value)
            else:
                fields[name] = int(value)
        return cls(fields, str(body.get("report_id") or ""), as_of, source)

    def record(self) -> dict[str, Any]:
        """The report as stored (JSON-safe: money as strings)."""
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in self.fields.items()}


@dataclass(frozen=True, slots=True)
class BusinessRegistration:
    """A business as the registry knows it, looked up by its unified social credit code."""

    uscc: str
    registered_name: str
    industry: str
    established_on: date
    status: str
    source: str

    @classmethod
    def from_answer(cls, body: dict[str, Any], source: str) -> BusinessRegistration:
        """A registration from a registry's answer; ``ValueError`` when a field is missing."""
        try:
            return cls(str(body["uscc"]), str(body["registered_name"]), str(body["industry"]),
                       date.fromisoformat(str(body["established_on"])), str(body["status"]),
                       source)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"registration answer: {exc}") from exc

    def years_in_business(self, at: date) -> int:
        """Whole years from establishment to ``at``."""
        years = at.year - self.established_on.year
        if (at.month, at.day) < (self.established_on.month, self.established_on.day):
            years -= 1
        return max(years, 0)

    def record(self) -> dict[str, Any]:
        """The registration as stored."""
        return {"uscc": self.uscc, "registered_name": self.registered_name,
                "industry": self.industry, "established_on": self.established_on.isoformat(),
                "status": self.status}
