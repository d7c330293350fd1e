"""Half-even schedules are Apache Fineract's progressive (EMI) schedules for monthly 30/360
loans, to the fen: the expected rows below are those of Fineract's own tests (the
``ProgressiveEMICalculator`` unit tests and the progressive-loan end-to-end features), and
every equal instalment stays within a fen of the annuity of an independent reference
(numpy-financial) on thousands of random contracts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import numpy_financial as npf
import pytest

from creditfactory.servicing import repayment_schedule
from creditfactory.servicing.schedules import add_months, monthly_factor

FEN = Decimal("0.01")

# (amount, annual rate %, term, start, level instalment, rows of
#  (closing balance, principal, interest)), the last row's instalment is what is left.
FINERACT = [
    ("100", "9.4822", 6, date(2024, 1, 1), "17.13", [
        ("83.66", "16.34", "0.79"), ("67.19", "16.47", "0.66"), ("50.59", "16.60", "0.53"),
        ("33.86", "16.73", "0.40"), ("17.00", "16.86", "0.27"), ("0", "17.00", "0.13")]),
    ("100", "7", 6, date(2024, 1, 1), "17.01", [
        ("83.57", "16.43", "0.58"), ("67.05", "16.52", "0.49"), ("50.43", "16.62", "0.39"),
        ("33.71", "16.72", "0.29"), ("16.90", "16.81", "0.20"), ("0", "16.90", "0.10")]),
    ("1383", "12.23", 24, date(2025, 3, 28), "65.25", [
        ("1331.85", "51.15", "14.10"), ("1280.17", "51.68", "13.57"),
        ("1227.97", "52.20", "13.05"), ("1175.24", "52.73", "12.52"),
        ("1121.97", "53.27", "11.98"), ("1068.15", "53.82", "11.43"),
        ("1013.79", "54.36", "10.89"), ("958.87", "54.92", "10.33"),
        ("903.39", "55.48", "9.77"), ("847.35", "56.04", "9.21"), ("790.74", "56.61", "8.64"),
        ("733.55", "57.19", "8.06"), ("675.78", "57.77", "7.48"), ("617.42", "58.36", "6.89"),
        ("558.46", "58.96", "6.29"), ("498.90", "59.56", "5.69"), ("438.73", "60.17", "5.08"),
        ("377.95", "60.78", "4.47"), ("316.55", "61.40", "3.85"), ("254.53", "62.02", "3.23"),
        ("191.87", "62.66", "2.59"), ("128.58", "63.29", "1.96"), ("64.64", "63.94", "1.31"),
        ("0", "64.64", "0.66")]),
    ("1001", "35.99", 24, date(2025, 5, 7), "59.10", [
        ("971.92", "29.08", "30.02"), ("941.97", "29.95", "29.15"), ("911.12", "30.85", "28.25"),
        ("879.35", "31.77", "27.33"), ("846.62", "32.73", "26.37"), ("812.91", "33.71", "25.39"),
        ("778.19", "34.72", "24.38"), ("742.43", "35.76", "23.34"), ("705.60", "36.83", "22.27"),
        ("667.66", "37.94", "21.16"), ("628.58", "39.08", "20.02"), ("588.33", "40.25", "18.85"),
        ("546.87", "41.46", "17.64"), ("504.17", "42.70", "16.40"), ("460.19", "43.98", "15.12"),
        ("414.89", "45.30", "13.80"), ("368.23", "46.66", "12.44"), ("320.17", "48.06", "11.04"),
        ("270.67", "49.50", "9.60"), ("219.69", "50.98", "8.12"), ("167.18", "52.51", "6.59"),
        ("113.09", "54.09", "5.01"), ("57.38", "55.71", "3.39"), ("0", "57.38", "1.72")]),
    ("209.72", "12.25", 24, date(2025, 4, 11), "9.90", [
        ("201.96", "7.76", "2.14"), ("194.12", "7.84", "2.06"), ("186.20", "7.92", "1.98"),
        ("178.20", "8.00", "1.90"), ("170.12", "8.08", "1.82"), ("161.96", "8.16", "1.74"),
        ("153.71", "8.25", "1.65"), ("145.38", "8.33", "1.57"), ("136.96", "8.42", "1.48"),
        ("128.46", "8.50", "1.40"), ("119.87", "8.59", "1.31"), ("111.19", "8.68", "1.22"),
        ("102.43", "8.76", "1.14"), ("93.58", "8.85", "1.05"), ("84.64", "8.94", "0.96"),
        ("75.60", "9.04", "0.86"), ("66.47", "9.13", "0.77"), ("57.25", "9.22", "0.68"),
        ("47.93", "9.32", "0.58"), ("38.52", "9.41", "0.49"), ("29.01", "9.51", "0.39"),
        ("19.41", "9.60", "0.30"), ("9.71", "9.70", "0.20"), ("0", "9.71", "0.10")]),
]


@pytest.mark.parametrize(("amount", "rate", "term", "start", "level", "rows"), FINERACT,
                         ids=[f"{c[0]}@{c[1]}%x{c[2]}" for c in FINERACT])
def test_half_even_schedules_are_fineracts_to_the_fen(amount, rate, term, start, level, rows):
    s = repayment_schedule(Decimal(amount).quantize(FEN), Decimal(rate) / 100, term,
                           start=start, rounding="half_even")
    got = [(i.closing_balance, i.principal, i.interest) for i in s.instalments]
    assert got == [tuple(Decimal(v) for v in r) for r in rows]
    assert all(i.total == Decimal(level) for i in s.instalments[:-1])
    assert [i.due_date for i in s.instalments] == [add_months(start, n) for n in range(1, term + 1)]


def test_a_twelve_month_fineract_loan_keeps_its_level_instalment():
    s = repayment_schedule(Decimal("100.00"), Decimal("0.07"), 12, start=date(2024, 1, 1),
                           rounding="half_even")
    assert {i.total for i in s.instalments[:-1]} == {Decimal("8.65")}
    assert s.instalments[-1].closing_balance == 0


@pytest.mark.parametrize(("rate", "days", "factor"), [
    ("0.094822", 31, "0.007901833333"), ("0.094822", 29, "0.007901833333"),
    ("0.07", 31, "0.005833333333"), ("0.04", 30, "0.003333333333"),
    ("0.18", 31, "0.015000000000")])
def test_the_monthly_rate_factor_is_fineracts(rate, days, factor):
    assert monthly_factor(Decimal(rate), days) == Decimal(factor)


def _random_contracts(n: int, seed: int):
    rng = np.random.default_rng(seed)
    amounts = rng.integers(100_000_00, 500_000_01, n)
    rates_bp = rng.integers(1800, 2401, n)
    terms = rng.choice([6, 12, 18, 24, 36], n)
    days = rng.integers(0, 3650, n)
    for a, bp, t, d in zip(amounts, rates_bp, terms, days, strict=True):
        yield (Decimal(int(a)) / 100, Decimal(int(bp)) / 10_000, int(t),
               date.fromordinal(date(2020, 1, 1).toordinal() + int(d)))


@pytest.mark.parametrize("rounding", ["half_up", "half_even"])
def test_equal_instalments_are_within_a_fen_of_numpy_financials_annuity(rounding):
    checked = 0
    for amount, rate, term, start in _random_contracts(1500, seed=7):
        s = repayment_schedule(amount, rate, term, start=start, rounding=rounding)
        level = s.instalments[0].total
        annuity = -npf.pmt(float(rate) / 12, term, float(amount))
        assert abs(float(level) - annuity) <= 0.01 + 1e-9, (amount, rate, term, start)
        assert all(i.total == level for i in s.instalments[:-1])
        interest = -npf.ipmt(float(rate) / 12, np.arange(1, term + 1), term, float(amount))
        got = np.array([float(i.interest) for i in s.instalments])
        assert np.all(np.abs(got - interest) <= 0.01 * np.arange(1, term + 1) + 0.005)
        checked += 1
    assert checked == 1500


def test_half_up_and_half_even_agree_but_for_rounding_on_product_contracts():
    for amount, rate, term, start in _random_contracts(200, seed=11):
        up = repayment_schedule(amount, rate, term, start=start)
        even = repayment_schedule(amount, rate, term, start=start, rounding="half_even")
        assert abs(up.total_interest - even.total_interest) <= FEN * term
