"""What verifiers and investigators find, and how it changes the application for re-decision.

Findings do not decide anything themselves, except the two that end a case outright: an
identity that cannot be confirmed and a business that is not real. The rest correct the
application (verified revenue replaces the declared one, hidden debts join the bureau debt)
and the decision port runs again on the corrected application.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["Findings", "knock_outs", "corrected_application", "merge"]


@dataclass(frozen=True)
class Findings:
    """One task's findings; ``None`` means the step did not look at that question."""

    identity_confirmed: bool | None = None
    business_real: bool | None = None
    purpose_confirmed: bool | None = None
    hidden_debt: Decimal | None = None
    verified_monthly_revenue: Decimal | None = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in self.__dict__.values())


def merge(items: list[Findings]) -> Findings:
    """Later findings override earlier ones; of hidden debts, the largest found counts (steps often find the same debt)."""
    values: dict[str, Any] = {}
    debt: Decimal | None = None
    for f in items:
        for key, value in f.__dict__.items():
            if value is None:
                continue
            if key == "hidden_debt":
                debt = max(debt or Decimal(0), value)
            else:
                values[key] = value
    return Findings(**values, hidden_debt=debt)


def knock_outs(f: Findings) -> list[str]:
    """Reason codes that reject the case whatever the scores say."""
    out = []
    if f.identity_confirmed is False:
        out.append("IDENTITY_NOT_CONFIRMED")
    if f.business_real is False:
        out.append("BUSINESS_NOT_REAL")
    if f.purpose_confirmed is False:
        out.append("PURPOSE_NOT_CONFIRMED")
    return out


def corrected_application(application: dict[str, Any], f: Findings) -> dict[str, Any]:
    """The application with verified facts in place of declared ones."""
    out = dict(application)
    if f.verified_monthly_revenue is not None:
        out["declared_monthly_revenue"] = f.verified_monthly_revenue
    if f.hidden_debt:
        out["bureau_debt"] = Decimal(str(out.get("bureau_debt", 0))) + f.hidden_debt
    return out
