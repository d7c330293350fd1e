"""A restructure: the loan's outstanding principal re-amortised as a lower instalment over a
longer term, applied in the loan's statement like any other transaction.

A restructure is posted as a transaction of kind ``restructure`` whose amount is the agreed
monthly instalment; it takes effect at the start of its value date, before that day's
payments. Every instalment not fully paid is cut to what was paid of it; the principal left on
all of them becomes an equal-instalment schedule from that day, its term the fewest months
whose instalment does not exceed the agreed one (so a payment arriving between the proposal and
the effective day shortens the term, never raises the instalment); interest already due and
unpaid is added to the first new instalment (never capitalised: the principal, and so the
reconciliation disbursed = repaid + outstanding + written off, is unchanged). Penalty owed
stays owed. Being a transaction, a restructure replays with the loan's others, so the order
of arrival never matters and a reversal undoes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from creditfactory.servicing.schedules import level_instalment, repayment_schedule

if TYPE_CHECKING:
    from creditfactory.servicing.allocation import Statement
    from creditfactory.servicing.schedules import Schedule

__all__ = ["MAX_TERM", "RESTRUCTURE", "RestructureTerms", "apply_restructure",
           "restructure_terms", "term_for"]

RESTRUCTURE = "restructure"
MAX_TERM = 120
"""The longest restructured term, in months."""
_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RestructureTerms:
    """What a restructure of ``principal`` at ``annual_rate`` over ``term_months`` asks."""

    principal: Decimal
    annual_rate: Decimal
    term_months: int
    instalment: Decimal


def restructure_terms(principal: Decimal, annual_rate: Decimal, term_months: int) -> RestructureTerms:
    """The instalment (rounded up to the fen) that repays ``principal`` in ``term_months``."""
    if not 1 <= term_months <= MAX_TERM:
        raise ValueError(f"term_months must be 1 to {MAX_TERM}, got {term_months}")
    if principal <= 0:
        raise ValueError("nothing is outstanding to restructure")
    inst = level_instalment(principal, annual_rate, term_months, ROUND_CEILING)
    return RestructureTerms(principal, annual_rate, term_months, inst)


def term_for(principal: Decimal, annual_rate: Decimal, instalment: Decimal) -> int:
    """The fewest months whose equal instalment on ``principal`` is at most ``instalment``
    (at most :data:`MAX_TERM`)."""
    r = float(annual_rate) / 12
    p, a = float(principal), float(instalment)
    if a <= 0:
        return MAX_TERM
    if r == 0:
        return max(1, min(MAX_TERM, math.ceil(p / a - 1e-9)))
    if a <= p * r:
        return MAX_TERM
    n = math.ceil(-math.log(1 - p * r / a) / math.log(1 + r) - 1e-9)
    while n < MAX_TERM and level_instalment(principal, annual_rate, n, ROUND_CEILING) > instalment:
        n += 1
    return max(1, min(MAX_TERM, n))


def apply_restructure(st: Statement, schedule: Schedule, instalment: Decimal, day: date) -> None:
    """Re-amortise the principal left on ``st`` from ``day`` (see the module)."""
    from creditfactory.servicing.allocation import InstalmentState

    if st.closed_on is not None or st.written_off_on is not None:
        return
    principal = st.principal_outstanding
    if principal <= 0:
        return
    arrears = sum((i.interest_left for i in st.instalments if i.due_date <= day), _ZERO)
    for inst in st.instalments:
        inst.principal, inst.interest = inst.paid_principal, inst.paid_interest
    months = term_for(principal, schedule.annual_rate, instalment)
    new = repayment_schedule(principal, schedule.annual_rate, months, "equal_instalment",
                             start=day, rounding=schedule.rounding)
    first = max((i.number for i in st.instalments), default=0) + 1
    for k, row in enumerate(new.instalments):
        interest = row.interest + (arrears if k == 0 else _ZERO)
        st.instalments.append(InstalmentState(first + k, row.due_date, row.principal, interest))
    st.instalments.sort(key=lambda i: (i.due_date, i.number))
