"""Posting payments against a loan's schedule: the loan's statement, replayed from its
transactions.

A statement is a pure function of the schedule, the *set* of transactions and the date: the
transactions are replayed in value-date order (same-day ones by kind, then id), so the order
they arrive in never matters, a transaction delivered twice counts once, and a reversal is a new transaction that takes its original out
of the replay -- nothing is edited, and the state after a reversal is exactly the state had the
original never come.

Each day is closed in one order, the same as the book's (:mod:`.book`): the day's payments are
allocated, credit held meets the instalment falling due, penalty interest accrues on the
principal overdue at the end of the day, and a loan reaching the product's write-off threshold
is written off. Allocation orders:

- a repayment (``repayment``): penalty, then the instalments due (the overdue ones and the one
  due that day) oldest first, each interest then principal; what is left is held as credit;
- a prepayment (``prepayment``): the same, then principal not yet due with the product's fee on
  it: enough for all of it closes the loan (future interest is not owed, the rest is credit),
  less is a partial prepayment that re-amortises the rest over the same remaining months;
- after write-off every payment is a recovery, allocated the same way, all principal due.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from creditfactory.domain.money import FEN, round_money
from creditfactory.servicing.product import ServicingProduct, check_rate
from creditfactory.servicing.restructure import RESTRUCTURE, apply_restructure
from creditfactory.servicing.schedules import Schedule, repayment_schedule

__all__ = ["KINDS", "Allocation", "InstalmentState", "Statement", "Transaction", "statement"]

KINDS = ("repayment", "prepayment", "reversal")
NPL_DPD = 91
"""Days past due from which a loan is non-performing (substandard: past 90)."""
_RANK = {RESTRUCTURE: -1, "repayment": 0, "prepayment": 1}
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Transaction:
    """Money received for a loan (``amount`` > 0, whole fen) or the reversal of an earlier
    transaction (``reverses`` its id, no amount)."""

    txn_id: str
    kind: str
    on: date
    amount: Decimal = _ZERO
    reverses: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in (*KINDS, RESTRUCTURE):  # a restructure: servicing.restructure
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "reversal":
            if not self.reverses or self.amount != 0:
                raise ValueError(f"reversal {self.txn_id!r} must name reverses and carry no amount")
        elif not isinstance(self.amount, Decimal) or not self.amount.is_finite() or (
                self.amount <= 0 or round_money(self.amount) != self.amount):
            raise ValueError(f"amount of {self.txn_id!r} must be a positive whole-fen Decimal, "
                             f"got {self.amount!r}")


@dataclass(frozen=True, slots=True)
class Allocation:
    """Part of a transaction (or of credit, ``txn_id`` ``"credit"``) applied to a component:
    ``penalty``, ``interest``, ``principal``, ``fee`` or ``credit`` (held)."""

    txn_id: str
    on: date
    component: str
    amount: Decimal
    instalment: int | None = None


@dataclass(slots=True)
class InstalmentState:
    """An instalment: what falls due and what was paid of it."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    paid_principal: Decimal = _ZERO
    paid_interest: Decimal = _ZERO

    @property
    def principal_left(self) -> Decimal:
        return self.principal - self.paid_principal

    @property
    def interest_left(self) -> Decimal:
        return self.interest - self.paid_interest


@dataclass(slots=True)
class Statement:
    """A loan at the end of ``as_of``: its instalments, allocations and balances.

    ``first_npl_on`` is the day it first became non-performing and ``npl_principal`` the
    principal outstanding then (what the cumulative NPL rate sums).
    ``received`` = penalty paid + fees paid + instalments' principal and interest paid +
    ``prepaid_principal`` (partial prepayments, off the re-amortised instalments) + credit.
    """

    as_of: date
    annual_rate: Decimal
    instalments: list[InstalmentState]
    allocations: list[Allocation] = field(default_factory=list)
    penalty_accrued: Decimal = _ZERO
    penalty_paid: Decimal = _ZERO
    fees_paid: Decimal = _ZERO
    credit: Decimal = _ZERO
    received: Decimal = _ZERO
    recovered: Decimal = _ZERO
    prepaid_principal: Decimal = _ZERO
    written_off_on: date | None = None
    written_off_principal: Decimal = _ZERO
    closed_on: date | None = None
    first_npl_on: date | None = None
    npl_principal: Decimal = _ZERO

    @property
    def principal_outstanding(self) -> Decimal:
        return sum((i.principal_left for i in self.instalments), _ZERO)

    @property
    def penalty_outstanding(self) -> Decimal:
        return self.penalty_accrued - self.penalty_paid

    def overdue_principal(self, day: date) -> Decimal:
        """Principal of instalments due before ``day`` still unpaid."""
        return sum((i.principal_left for i in self.instalments if i.due_date < day), _ZERO)

    def oldest_unpaid_due(self, day: date) -> date | None:
        """Due date of the oldest instalment due before ``day`` not fully paid."""
        for i in self.instalments:
            if i.due_date >= day:
                return None
            if i.principal_left or i.interest_left:
                return i.due_date
        return None


def statement(schedule: Schedule, transactions: list[Transaction], as_of: date,
              product: ServicingProduct | None = None) -> Statement:
    """The loan's statement at the end of ``as_of`` (see the module)."""
    check_rate(schedule.annual_rate)
    ledger = _Ledger(schedule, product or ServicingProduct(), as_of)
    by_day: dict[date, list[Transaction]] = defaultdict(list)
    for t in _effective(transactions):
        if schedule.start < t.on <= as_of:
            by_day[t.on].append(t)
        elif t.on <= schedule.start:
            raise ValueError(f"transaction {t.txn_id!r} is dated on or before the payout")
    dues = {i.due_date for i in schedule.instalments if i.due_date <= as_of}
    for day in sorted(set(by_day) | dues | {as_of}):
        ledger.advance(day)
        for t in sorted(by_day[day], key=lambda t: (_RANK[t.kind], t.txn_id)):
            ledger.receive(t, day)
        ledger.close_day(day)
    return ledger.st


def _effective(transactions: list[Transaction]) -> list[Transaction]:
    """The transactions that count: each once (a transaction delivered again is the same
    transaction), every one not reversed, reversals themselves removed."""
    known: dict[str, Transaction] = {}
    for t in transactions:
        if known.setdefault(t.txn_id, t) != t:
            raise ValueError(f"transaction id {t.txn_id!r} is used by two different "
                             f"transactions")
    reversed_ids = set()
    for t in known.values():
        if t.kind == "reversal":
            target = known.get(t.reverses or "")
            if target is None or target.kind == "reversal":
                raise ValueError(f"reversal {t.txn_id!r} names no payment: {t.reverses!r}")
            reversed_ids.add(target.txn_id)
    return [t for t in known.values() if t.kind != "reversal" and t.txn_id not in reversed_ids]


class _Ledger:
    """The replay's mutable state: one statement, closed day after day."""

    def __init__(self, schedule: Schedule, product: ServicingProduct, as_of: date) -> None:
        self.schedule, self.product = schedule, product
        self.st = Statement(as_of, schedule.annual_rate, [
            InstalmentState(i.number, i.due_date, i.principal, i.interest)
            for i in schedule.instalments])
        self.closed = schedule.start

    def advance(self, day: date) -> None:
        """Close the days after the last closed one and before ``day`` (no events in them):
        the same overdue principal every day, written off on the threshold day."""
        first = self.closed + timedelta(days=1)
        last = day - timedelta(days=1)
        if first > last:
            return
        st = self.st
        oldest = st.oldest_unpaid_due(first)
        if oldest is not None and st.first_npl_on is None:
            npl = oldest + timedelta(days=NPL_DPD)
            if first <= npl <= last:
                st.first_npl_on, st.npl_principal = npl, st.principal_outstanding
        if st.written_off_on is None:
            threshold = (oldest + timedelta(days=self.product.write_off_dpd)
                         if oldest is not None else None)
            writes_off = threshold is not None and threshold <= last
            end = max(first, threshold) if writes_off and threshold else last
            daily = self.product.daily_penalty(st.overdue_principal(first), st.annual_rate)
            st.penalty_accrued += daily * ((end - first).days + 1)
            if writes_off:
                self._write_off(end)
        self.closed = last

    def close_day(self, day: date) -> None:
        """Credit meets the instalment due ``day``; penalty accrues; write-off at threshold."""
        st = self.st
        for inst in st.instalments:
            if inst.due_date == day and st.credit:
                st.credit -= self._pay_instalment("credit", day, inst, st.credit)
        oldest = st.oldest_unpaid_due(day)
        dpd = (day - oldest).days if oldest is not None else 0
        if st.written_off_on is None:
            st.penalty_accrued += self.product.daily_penalty(st.overdue_principal(day),
                                                             st.annual_rate)
            if dpd >= self.product.write_off_dpd:
                self._write_off(day)
        if dpd >= NPL_DPD and st.first_npl_on is None:
            st.first_npl_on, st.npl_principal = day, st.principal_outstanding
        self.closed = day

    def receive(self, t: Transaction, day: date) -> None:
        st = self.st
        if t.kind == RESTRUCTURE:
            apply_restructure(st, self.schedule, t.amount, day)
            return
        st.received += t.amount
        if st.written_off_on is not None:
            st.recovered += t.amount
        left = self._waterfall(t.txn_id, day, t.amount)
        if t.kind == "prepayment" and st.closed_on is None and st.written_off_on is None:
            if st.credit:
                st.allocations.append(Allocation(t.txn_id, day, "credit", -st.credit))
            left = self._prepay(t.txn_id, day, left + st.credit)
            st.credit = _ZERO
        if left:
            st.credit += left
            st.allocations.append(Allocation(t.txn_id, day, "credit", left))

    def _waterfall(self, txn_id: str, day: date, amount: Decimal) -> Decimal:
        st = self.st
        pay = min(amount, st.penalty_outstanding)
        if pay:
            st.penalty_paid += pay
            amount -= pay
            st.allocations.append(Allocation(txn_id, day, "penalty", pay))
        accelerated = st.written_off_on is not None
        for inst in st.instalments:
            if not amount:
                break
            if inst.due_date <= day:
                amount -= self._pay_instalment(txn_id, day, inst, amount)
            elif accelerated and inst.principal_left:
                amount -= self._pay(txn_id, day, inst, "principal", amount)
        return amount

    def _pay_instalment(self, txn_id: str, day: date, inst: InstalmentState,
                        amount: Decimal) -> Decimal:
        paid = self._pay(txn_id, day, inst, "interest", amount)
        return paid + self._pay(txn_id, day, inst, "principal", amount - paid)

    def _pay(self, txn_id: str, day: date, inst: InstalmentState, component: str,
             amount: Decimal) -> Decimal:
        left = inst.interest_left if component == "interest" else inst.principal_left
        pay = min(amount, left)
        if pay > 0:
            if component == "interest":
                inst.paid_interest += pay
            else:
                inst.paid_principal += pay
            self.st.allocations.append(Allocation(txn_id, day, component, pay, inst.number))
        return pay

    def _prepay(self, txn_id: str, day: date, available: Decimal) -> Decimal:
        """Principal not yet due, with the fee on it; returns what is left."""
        st, product = self.st, self.product
        future = [i for i in st.instalments if i.due_date > day]
        owed = sum((i.principal_left for i in future), _ZERO)
        if not future or not owed or available <= 0:
            return available
        fee = product.prepayment_fee(owed)
        if available >= owed + fee:
            for inst in future:
                self._pay(txn_id, day, inst, "principal", inst.principal_left)
                inst.interest = inst.paid_interest
            self._fee(txn_id, day, fee)
            st.closed_on = day
            return available - owed - fee
        part = (available / (1 + product.prepayment_fee_rate)).quantize(FEN, ROUND_DOWN)
        while part > 0 and part + product.prepayment_fee(part) > available:
            part -= FEN
        if part <= 0:
            return available
        fee = product.prepayment_fee(part)
        self._fee(txn_id, day, fee)
        st.prepaid_principal += part
        st.allocations.append(Allocation(txn_id, day, "principal", part))
        self._reamortise(future, owed - part, day)
        return available - part - fee

    def _fee(self, txn_id: str, day: date, fee: Decimal) -> None:
        if fee:
            self.st.fees_paid += fee
            self.st.allocations.append(Allocation(txn_id, day, "fee", fee))

    def _reamortise(self, future: list[InstalmentState], principal: Decimal, day: date) -> None:
        """The instalments not yet due become a schedule of ``principal`` over as many months
        (same method and rounding, same due dates), from the last due date before ``day``."""
        s = self.schedule
        before = [i.due_date for i in self.st.instalments if i.due_date <= day]
        start = before[-1] if before else s.start
        new = repayment_schedule(principal, s.annual_rate, len(future), s.method, start=start,
                                 rounding=s.rounding) if principal > 0 else None
        for k, inst in enumerate(future):
            if new is None:
                inst.principal, inst.interest = inst.paid_principal, inst.paid_interest
                continue
            row = new.instalments[k]
            inst.principal = inst.paid_principal + row.principal
            inst.interest = inst.paid_interest + row.interest

    def _write_off(self, day: date) -> None:
        self.st.written_off_on = day
        self.st.written_off_principal = self.st.principal_outstanding
