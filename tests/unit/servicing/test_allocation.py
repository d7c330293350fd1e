"""Posting payments: the waterfall per loan state, penalty interest, prepayment, credit,
write-off and recovery; allocations never exceed what is owed and add up to the fen; the
statement is the same whatever order transactions arrive in; a reversal restores it exactly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.servicing import repayment_schedule
from creditfactory.servicing.allocation import Transaction, statement
from creditfactory.servicing.product import ServicingProduct

START = date(2026, 1, 15)
SCHEDULE = repayment_schedule(Decimal("120000.00"), Decimal("0.18"), 12, start=START)
LEVEL = SCHEDULE.instalments[0].total  # 11,001.60


def pay(txn_id: str, on: date, amount: str | Decimal, kind: str = "repayment") -> Transaction:
    return Transaction(txn_id, kind, on, Decimal(amount))


def test_an_instalment_paid_on_its_due_date_pays_interest_then_principal():
    st_ = statement(SCHEDULE, [pay("a", date(2026, 2, 15), LEVEL)], date(2026, 2, 15))
    first = st_.instalments[0]
    assert (first.paid_interest, first.paid_principal) == (Decimal("1800.00"), Decimal("9201.60"))
    assert [(a.component, a.amount) for a in st_.allocations] == [
        ("interest", Decimal("1800.00")), ("principal", Decimal("9201.60"))]
    assert st_.penalty_accrued == 0 and st_.credit == 0


def test_overdue_principal_accrues_one_and_a_half_times_the_rate_daily_and_is_paid_first():
    # instalment 1 (9,201.60 principal) is overdue from Feb 16: 9,201.60 * 0.18 * 1.5 / 360
    # = 6.90 a day; paid on Feb 25 before that day's accrual: 9 days, 62.10
    st_ = statement(SCHEDULE, [pay("a", date(2026, 2, 25), LEVEL)], date(2026, 2, 25))
    assert [(a.component, a.amount, a.instalment) for a in st_.allocations] == [
        ("penalty", Decimal("62.10"), None), ("interest", Decimal("1800.00"), 1),
        ("principal", Decimal("9139.50"), 1)]
    # 62.10 of principal still overdue at the end of Feb 25: 62.10 * 0.00075 = 0.05 a day
    assert st_.penalty_accrued == Decimal("62.15") and st_.penalty_paid == Decimal("62.10")
    nxt = statement(SCHEDULE, [pay("a", date(2026, 2, 25), LEVEL)], date(2026, 2, 26))
    assert nxt.penalty_accrued == Decimal("62.20")


def test_a_partial_payment_goes_oldest_instalment_first():
    late = [pay("a", date(2026, 3, 20), "12000.00")]
    st_ = statement(SCHEDULE, late, date(2026, 3, 20))
    one, two = st_.instalments[:2]
    assert one.principal_left == 0 and one.interest_left == 0
    assert 0 < two.paid_interest < two.interest and two.paid_principal == 0
    assert st_.penalty_paid > 0 and st_.instalments[2].paid_interest == 0


def test_an_overpayment_is_held_as_credit_and_meets_the_next_instalment():
    st_ = statement(SCHEDULE, [pay("a", date(2026, 2, 15), "15000.00")], date(2026, 3, 15))
    assert st_.instalments[1].principal_left + st_.instalments[1].interest_left == (
        LEVEL - (Decimal("15000.00") - LEVEL))
    assert st_.credit == 0
    held = statement(SCHEDULE, [pay("a", date(2026, 2, 15), "15000.00")], date(2026, 3, 14))
    assert held.credit == Decimal("15000.00") - LEVEL


def test_full_prepayment_closes_the_loan_with_the_fee_and_no_future_interest():
    txns = [pay("a", date(2026, 2, 15), LEVEL), pay("p", date(2026, 3, 1), "200000.00",
                                                    "prepayment")]
    st_ = statement(SCHEDULE, txns, date(2026, 12, 31))
    remaining = Decimal("120000.00") - Decimal("9201.60")
    assert st_.principal_outstanding == 0 and st_.closed_on == date(2026, 3, 1)
    assert st_.fees_paid == (remaining * Decimal("0.02")).quantize(Decimal("0.01"))
    assert st_.credit == Decimal("200000.00") - remaining - st_.fees_paid
    assert all(i.interest_left == 0 for i in st_.instalments) and st_.penalty_accrued == 0


def test_partial_prepayment_reamortises_the_rest_over_the_same_months():
    txns = [pay("a", date(2026, 2, 15), LEVEL), pay("p", date(2026, 3, 1), "51000.00",
                                                    "prepayment")]
    st_ = statement(SCHEDULE, txns, date(2026, 3, 1))
    assert st_.prepaid_principal == Decimal("50000.00") and st_.fees_paid == Decimal("1000.00")
    future = st_.instalments[1:]
    assert len(future) == 11 and st_.principal_outstanding == Decimal("60798.40")
    assert len({i.principal + i.interest for i in future[:-1]}) == 1
    assert future[0].principal + future[0].interest < LEVEL


def test_a_loan_is_written_off_at_the_threshold_and_later_money_is_a_recovery():
    product = ServicingProduct(write_off_dpd=90)
    st_ = statement(SCHEDULE, [pay("r", date(2026, 7, 1), "5000.00")], date(2026, 8, 1),
                    product)
    assert st_.written_off_on == date(2026, 2, 15) + timedelta(days=90)
    assert st_.written_off_principal == Decimal("120000.00")
    assert st_.recovered == Decimal("5000.00")
    frozen = statement(SCHEDULE, [], st_.written_off_on, product).penalty_accrued
    assert st_.penalty_accrued == frozen  # no penalty accrues after write-off


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "gift"}, "kind"), ({"amount": Decimal("0")}, "amount"),
    ({"amount": Decimal("1.001")}, "amount"), ({"kind": "reversal"}, "reverses")])
def test_bad_transactions_are_refused_naming_the_field(kwargs, field):
    args = {"txn_id": "x", "kind": "repayment", "on": date(2026, 2, 1),
            "amount": Decimal("1.00"), **kwargs}
    with pytest.raises(ValueError, match=field):
        Transaction(**args)


def test_a_reversal_of_nothing_and_one_id_for_two_transactions_are_refused():
    with pytest.raises(ValueError, match="names no payment"):
        statement(SCHEDULE, [Transaction("r", "reversal", date(2026, 2, 1), reverses="zz")],
                  date(2026, 3, 1))
    with pytest.raises(ValueError, match="two different"):
        statement(SCHEDULE, [pay("a", date(2026, 2, 1), "1.00"), pay("a", date(2026, 2, 1),
                                                                      "2.00")],
                  date(2026, 3, 1))


txn_strategy = st.lists(st.tuples(
    st.integers(1, 420), st.sampled_from(["repayment"] * 4 + ["prepayment"]),
    st.integers(1, 2_500_000)), max_size=12)


def _txns(raw):
    return [Transaction(f"t{k}", kind, START + timedelta(days=d), Decimal(fen) / 100)
            for k, (d, kind, fen) in enumerate(raw)]


def _schedule(amount_fen: int, term: int, method: str):
    return repayment_schedule(Decimal(amount_fen) / 100, Decimal("0.2150"), term, method,
                              start=START)


schedules = st.builds(_schedule, st.integers(10_000_00, 200_000_00), st.integers(3, 12),
                      st.sampled_from(["equal_instalment", "equal_principal", "interest_first"]))
products = st.builds(ServicingProduct, write_off_dpd=st.integers(30, 200))


@settings(max_examples=60, deadline=None)
@given(schedules, txn_strategy, st.integers(0, 450), products)
def test_allocations_never_exceed_what_is_owed_and_add_up_to_the_fen(sch, raw, days, product):
    txns = _txns(raw)
    st_ = statement(sch, txns, START + timedelta(days=days), product)
    for i in st_.instalments:
        assert 0 <= i.paid_principal <= i.principal and 0 <= i.paid_interest <= i.interest
    assert 0 <= st_.penalty_paid <= st_.penalty_accrued and st_.credit >= 0
    paid = sum((i.paid_principal + i.paid_interest for i in st_.instalments), Decimal(0))
    assert st_.received == (st_.penalty_paid + st_.fees_paid + paid + st_.prepaid_principal
                            + st_.credit)
    assert sum((i.principal_left for i in st_.instalments), Decimal(0)) + sum(
        (i.paid_principal for i in st_.instalments), Decimal(0)) + st_.prepaid_principal == (
        sch.amount)
    counted = [t for t in txns if t.on <= st_.as_of]
    assert st_.received == sum((t.amount for t in counted), Decimal(0))
    for t in counted:
        assert sum((a.amount for a in st_.allocations if a.txn_id == t.txn_id),
                   Decimal(0)) == t.amount


@settings(max_examples=40, deadline=None)
@given(schedules, txn_strategy, st.randoms(use_true_random=False), products)
def test_the_statement_reads_the_same_whatever_order_transactions_arrive_in(sch, raw, rnd,
                                                                         product):
    txns = _txns(raw)
    shuffled = txns[:]
    rnd.shuffle(shuffled)
    as_of = START + timedelta(days=450)
    assert statement(sch, shuffled, as_of, product) == statement(sch, txns, as_of, product)


@settings(max_examples=30, deadline=None)
@given(schedules, txn_strategy, st.data(), products)
def test_a_transaction_delivered_again_counts_once(sch, raw, data, product):
    txns = _txns(raw)
    again = data.draw(st.lists(st.sampled_from(txns), max_size=4)) if txns else []
    as_of = START + timedelta(days=450)
    assert statement(sch, [*txns, *again], as_of, product) == statement(sch, txns, as_of,
                                                                          product)


@settings(max_examples=40, deadline=None)
@given(schedules, txn_strategy, st.data(), products)
def test_a_reversal_restores_the_state_exactly(sch, raw, data, product):
    txns = _txns(raw)
    as_of = START + timedelta(days=450)
    before = statement(sch, txns, as_of, product)
    extra = Transaction("late", data.draw(st.sampled_from(["repayment", "prepayment"])),
                        START + timedelta(days=data.draw(st.integers(1, 420))),
                        Decimal(data.draw(st.integers(1, 5_000_000))) / 100)
    undo = Transaction("undo", "reversal", extra.on + timedelta(days=3), reverses="late")
    after = statement(sch, [*txns, extra, undo], as_of, product)
    assert after == before
