"""A restructure in the loan's statement: the principal left re-amortised as a lower
instalment over a longer term from its day, arrears cured, nothing capitalised, so disbursed =
principal repaid + outstanding always; a reversal undoes it exactly; arrival order is
irrelevant."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.servicing import repayment_schedule
from creditfactory.servicing.allocation import Transaction, statement
from creditfactory.servicing.close import state_of
from creditfactory.servicing.restructure import restructure_terms, term_for

START = date(2026, 1, 15)
SCHEDULE = repayment_schedule(Decimal("100000.00"), Decimal("0.18"), 12, start=START)


def _repaid(st: object) -> Decimal:
    return sum((a.amount for a in st.allocations if a.component == "principal"), Decimal(0))  # type: ignore[attr-defined]


def test_a_restructure_cures_the_arrears_and_keeps_the_principal() -> None:
    paid = [Transaction("p1", "repayment", date(2026, 2, 15), Decimal("9168.00"))]
    before = statement(SCHEDULE, paid, date(2026, 5, 1))
    assert state_of(before).dpd == 47
    terms = restructure_terms(before.principal_outstanding, SCHEDULE.annual_rate, 24)
    assert terms.instalment == Decimal("4609.60")
    moved = paid + [Transaction("r1", "restructure", date(2026, 5, 2), terms.instalment)]
    after = statement(SCHEDULE, moved, date(2026, 5, 2))
    assert state_of(after).dpd == 0
    assert after.principal_outstanding == before.principal_outstanding
    assert after.received == before.received  # a restructure moves no money
    left = [i for i in after.instalments if i.principal_left or i.interest_left]
    assert len(left) == 24 and left[0].due_date == date(2026, 6, 2)
    assert terms.instalment - (left[1].principal + left[1].interest) in (Decimal("0.00"), Decimal("0.01"))
    assert left[0].interest > left[1].interest  # the arrears' interest, due with the first
    assert _repaid(after) + after.principal_outstanding == SCHEDULE.amount


def test_a_reversed_restructure_leaves_the_statement_as_if_it_never_came() -> None:
    paid = [Transaction("p1", "repayment", date(2026, 2, 15), Decimal("9168.00")),
            Transaction("p2", "repayment", date(2026, 7, 1), Decimal("3000.00"))]
    with_r = paid + [Transaction("r1", "restructure", date(2026, 5, 2), Decimal("4609.60")),
                     Transaction("x1", "reversal", date(2026, 6, 1), reverses="r1")]
    a, b = statement(SCHEDULE, paid, date(2026, 9, 30)), statement(SCHEDULE, with_r,
                                                                   date(2026, 9, 30))
    assert (state_of(a), a.penalty_accrued, a.received) == (state_of(b), b.penalty_accrued,
                                                            b.received)


def test_the_term_is_the_fewest_months_the_agreed_instalment_repays() -> None:
    for months in (13, 24, 36, 60, 119):
        terms = restructure_terms(Decimal("92332.00"), Decimal("0.18"), months)
        assert term_for(terms.principal, terms.annual_rate, terms.instalment) == months


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(20, 400), st.integers(100, 12000)), max_size=6),
       st.integers(30, 300), st.integers(13, 72), st.randoms(use_true_random=False))
def test_disbursed_is_always_repaid_plus_outstanding_in_any_order(
        pays: list[tuple[int, int]], on: int, months: int, rnd: random.Random) -> None:
    from datetime import timedelta

    txns = [Transaction(f"p{k}", "repayment", START + timedelta(days=d), Decimal(f"{a}.00"))
            for k, (d, a) in enumerate(pays)]
    txns.append(Transaction("r", "restructure", START + timedelta(days=on), Decimal("2000.00")
                            + months))
    end = START + timedelta(days=600)
    st_a = statement(SCHEDULE, txns, end)
    rnd.shuffle(txns)
    st_b = statement(SCHEDULE, txns, end)
    assert state_of(st_a) == state_of(st_b)
    written_off = st_a.written_off_principal if st_a.written_off_on else Decimal(0)
    assert _repaid(st_a) + st_a.principal_outstanding == SCHEDULE.amount
    assert written_off <= SCHEDULE.amount
