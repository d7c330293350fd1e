"""Repayment schedules: amortise to zero, to the fen, whatever the terms the product engine
can decide (100,000-500,000 CNY, 18-24 % a year, 6-36 months) and beyond."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.servicing import METHODS, repayment_schedule
from creditfactory.servicing.schedules import add_months

amounts = st.integers(1, 100_000_000_00).map(lambda f: Decimal(f) / 100)
product_amounts = st.integers(100_000_00, 500_000_00).map(lambda f: Decimal(f) / 100)
rates = st.integers(0, 4000).map(lambda bp: Decimal(bp) / 10_000)
product_rates = st.integers(1800, 2400).map(lambda bp: Decimal(bp) / 10_000)
terms = st.integers(1, 120)
starts = st.dates(date(2020, 1, 1), date(2040, 12, 31))
roundings = st.sampled_from(["half_up", "half_even"])


@given(amounts, rates, terms, st.sampled_from(METHODS), starts, roundings)
def test_principal_sums_to_the_amount_and_balances_run_down_to_zero(
        amount, rate, term, method, start, rounding):
    s = repayment_schedule(amount, rate, term, method, start=start, rounding=rounding)
    rows = s.instalments
    assert len(rows) == term
    assert sum(i.principal for i in rows) == amount
    assert rows[0].opening_balance == amount
    assert rows[-1].closing_balance == 0
    for prev, cur in zip(rows, rows[1:], strict=False):
        assert cur.opening_balance == prev.closing_balance
    for i in rows:
        assert i.principal >= 0 and i.interest >= 0 and i.closing_balance >= 0
        assert i.closing_balance == i.opening_balance - i.principal
        assert i.total == i.principal + i.interest
        assert i.principal == i.principal.quantize(Decimal("0.01"))
    assert s.total_repaid == amount + s.total_interest


@given(amounts, rates, terms, st.sampled_from(METHODS), starts)
def test_interest_is_the_opening_balance_times_the_monthly_rate_rounded_half_up(
        amount, rate, term, method, start):
    s = repayment_schedule(amount, rate, term, method, start=start)
    for i in s.instalments:
        exact = i.opening_balance * rate / 12
        assert i.interest == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(amounts, rates, terms, st.sampled_from(METHODS), starts)
def test_half_even_interest_is_within_half_a_fen_of_the_exact_interest(
        amount, rate, term, method, start):
    # Fineract keeps a month's factor to 12 decimals and 12 significant digits: off the exact
    # interest by that much at most, plus the half fen of rounding
    s = repayment_schedule(amount, rate, term, method, start=start, rounding="half_even")
    for i in s.instalments:
        exact = i.opening_balance * rate / 12
        slack = i.opening_balance * Decimal("1e-12") + exact * Decimal("2e-11")
        assert abs(i.interest - exact) <= Decimal("0.005") + slack
        if abs(abs(exact - exact.quantize(Decimal("0.01"))) - Decimal("0.005")) > slack:
            assert i.interest == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@given(product_amounts, product_rates, st.integers(6, 36), starts, roundings)
def test_equal_instalments_are_equal_except_the_last(amount, rate, term, start, rounding):
    s = repayment_schedule(amount, rate, term, "equal_instalment", start=start,
                           rounding=rounding)
    totals = {i.total for i in s.instalments[:-1]}
    assert len(totals) <= 1
    if totals:
        (level,) = totals
        assert abs(s.instalments[-1].total - level) <= Decimal("0.01") * term


@given(product_amounts, product_rates, st.integers(6, 36), starts)
def test_equal_principal_repays_the_same_principal_and_less_interest_each_month(
        amount, rate, term, start):
    rows = repayment_schedule(amount, rate, term, "equal_principal", start=start).instalments
    assert len({i.principal for i in rows[:-1]}) <= 1
    assert all(a.interest >= b.interest for a, b in zip(rows, rows[1:], strict=False))


@given(product_amounts, product_rates, st.integers(6, 36), starts)
def test_interest_first_repays_all_principal_in_the_last_instalment(amount, rate, term, start):
    rows = repayment_schedule(amount, rate, term, "interest_first", start=start).instalments
    assert all(i.principal == 0 and i.closing_balance == amount for i in rows[:-1])
    assert rows[-1].principal == amount
    assert len({i.interest for i in rows}) == 1


def test_a_known_equal_instalment_loan_to_the_fen():
    s = repayment_schedule(Decimal("240000.00"), Decimal("0.21"), 36, start=date(2026, 3, 31))
    first, last = s.instalments[0], s.instalments[-1]
    assert (first.total, first.interest, first.principal) == (
        Decimal("9042.02"), Decimal("4200.00"), Decimal("4842.02"))  # 9042.0162 by float
    assert first.due_date == date(2026, 4, 30) and last.due_date == date(2029, 3, 31)
    assert last.closing_balance == 0
    assert s.total_interest == sum(i.interest for i in s.instalments)


def test_half_even_and_half_up_differ_on_an_exact_half_fen():
    # 1,005.00 at 0.1 % a month is 1.005 of interest in the first month
    up = repayment_schedule(Decimal("1005.00"), Decimal("0.012"), 2, start=date(2026, 1, 1))
    even = repayment_schedule(Decimal("1005.00"), Decimal("0.012"), 2, start=date(2026, 1, 1),
                              rounding="half_even")
    assert up.instalments[0].interest == Decimal("1.01")
    assert even.instalments[0].interest == Decimal("1.00")


def test_fineracts_emi_adjustment_moves_the_level_instalment_when_the_last_drifts():
    # the annuity rounds to 18,884.21; kept, the last instalment would drift more than
    # floor(24 / 2) fen, so Fineract (and half-even here) raises the level by a fen
    s = repayment_schedule(Decimal("365993.70"), Decimal("0.2143"), 24,
                           start=date(2026, 1, 15), rounding="half_even")
    assert {i.total for i in s.instalments[:-1]} == {Decimal("18884.22")}
    assert s.instalments[-1].total == Decimal("18884.08")
    up = repayment_schedule(Decimal("365993.70"), Decimal("0.2143"), 24,
                            start=date(2026, 1, 15))
    assert up.instalments[0].total == Decimal("18884.21")


def test_due_dates_keep_the_day_or_take_the_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"amount": Decimal("0")}, "amount"),
    ({"amount": Decimal("10.001")}, "amount"),
    ({"amount": 1000}, "amount"),
    ({"annual_rate": Decimal("-0.01")}, "annual_rate"),
    ({"annual_rate": 0.18}, "annual_rate"),
    ({"term_months": 0}, "term_months"),
    ({"method": "balloon"}, "method"),
    ({"rounding": "down"}, "rounding"),
])
def test_bad_terms_are_refused_naming_the_field(kwargs, field):
    args = {"amount": Decimal("100000.00"), "annual_rate": Decimal("0.18"), "term_months": 12,
            "method": "equal_instalment", "rounding": "half_up", **kwargs}
    with pytest.raises(ValueError, match=field):
        repayment_schedule(args.pop("amount"), args.pop("annual_rate"), args.pop("term_months"),
                           args.pop("method"), start=date(2026, 1, 1), **args)
