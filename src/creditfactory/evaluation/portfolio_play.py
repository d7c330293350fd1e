"""The days of a portfolio run: the world's borrowers and the servicing book, in step.

Loans paid out on the same day of the month fall due on the same day of each month, and the
borrowers act only on those days, so each such group is one book: its event days are closed
one by one with :func:`~creditfactory.servicing.book.close_day` (the day's payments posted)
and the quiet days between them in one pass with
:func:`~creditfactory.servicing.book.close_quiet_days` -- the same figures as closing every
day, a few dozen closes a year instead of 365. Month ends are closed too, for the month-end
rows (DPD, bucket, class, principal outstanding, status).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from creditfactory.servicing.book import Book, DayClose, close_day, close_quiet_days, prepay_in_full
from creditfactory.servicing.product import ServicingProduct
from creditfactory.world.repayment import Repayment

__all__ = ["TXN_KINDS", "Group", "Ledger", "play_groups", "text_column", "transactions"]

_EPOCH = date(1970, 1, 1)
_TXN = ("loan", "day", "kind", "amount", "p", "i", "pen")
FINAL = ("received", "recovered", "written_off_on", "written_off_principal", "npl_principal",
         "penalty_accrued", "principal_outstanding")
COMPACT_MONTHS = 1
"""Every so many month ends, loans paid or settled leave their group's book (their figures
kept) and so do the instalments paid, so the closes scan only what is still owed."""
TXN_KINDS = ("repayment", "prepayment", "recovery")
PREPAID, PAID_OFF, WRITTEN_OFF, RECOVERED, GONE = 2, 3, 4, 5, -2


@dataclass
class Group:
    """One book: loans (global indices ``members``) sharing their monthly due day."""

    book: Book
    members: np.ndarray


@dataclass
class Ledger:
    """Per-loan bookkeeping of the run (global indices) and what it writes."""

    n: int
    ended: np.ndarray = field(init=False)
    status_end: np.ndarray = field(init=False)
    at_npl: np.ndarray = field(init=False)
    txn: dict[str, list[np.ndarray]] = field(default_factory=lambda: {k: [] for k in _TXN})
    monthly: list[dict[str, np.ndarray]] = field(default_factory=list)
    final: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ended = np.zeros(self.n, bool)
        self.status_end = np.full(self.n, -1, np.int8)
        self.at_npl = np.full(self.n, -1, np.int64)
        self.final = {name: np.zeros(self.n, np.int64) for name in FINAL}

    def keep_final(self, g: Group, loans: np.ndarray) -> None:
        """Record the end figures of the group's ``loans`` (local indices)."""
        b = g.book
        for name in FINAL[:-1]:
            self.final[name][g.members[loans]] = getattr(b, name)[loans]
        outstanding = np.bincount(b.loan, b.principal_left, minlength=b.n)
        self.final["principal_outstanding"][g.members[loans]] = outstanding[loans]

    def monthly_frame(self, loan_ids: np.ndarray) -> pd.DataFrame:
        """Every month-end row, by loan and month."""
        loan = np.concatenate([m["loan_id"] for m in self.monthly])
        order = np.argsort(loan, kind="stable")  # each loan's months were added in order
        cols = {"loan_id": loan_ids[loan[order]]}
        for k in list(self.monthly[0]):
            if k != "loan_id":
                cols[k] = np.concatenate([m.pop(k) for m in self.monthly])[order]
        self.monthly = []
        return pd.DataFrame(cols)


def _per_loan(book: Book, values: np.ndarray) -> np.ndarray:
    """Sum of an instalment-row array over each loan's rows (every loan has at least one)."""
    return np.add.reduceat(values.astype(np.int64), book.offsets[:-1])


def statement_sums(book: Book, loans: np.ndarray, day: int, fee_rate: Decimal
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What a borrower's statement shows at the start of ``day``: owed now, the payoff, and
    the principal and interest left (fen). The group's loans all fall due together, so the
    sums run over the whole book and are taken at ``loans``."""
    due = book.due <= day
    p, i = book.principal_left, book.interest_left
    p_all, i_all = _per_loan(book, p)[loans], _per_loan(book, i)[loans]
    wo = book.written_off_on[loans] >= 0
    p_due = np.where(wo, p_all, _per_loan(book, np.where(due, p, 0))[loans])
    i_due = _per_loan(book, np.where(due, i, 0))[loans]
    owed = np.maximum(book.penalty_accrued[loans] - book.penalty_paid[loans] + p_due + i_due
                      - book.credit[loans], 0)
    future = p_all - p_due
    num, den = fee_rate.as_integer_ratio()
    return owed, owed + future + (2 * future * num + den) // (2 * den), p_all, i_all


def _event(g: Group, day: int, local: np.ndarray, k: np.ndarray, world: Repayment,
           inst: np.ndarray, product: ServicingProduct, led: Ledger, month_end: bool = False
           ) -> DayClose:
    """The borrowers due today act on their statements; the day is closed with their payments
    (reported after the day's settlements when it is a ``month_end``: its rows are written)."""
    book, d = g.book, _EPOCH + timedelta(days=day)
    glob = g.members[local]
    live = ~led.ended[glob] & ~world.done[glob]
    local, glob, k = local[live], glob[live], k[live]
    if not len(local):
        return close_day(book, d, product=product)
    owed, payoff, p0, i0 = statement_sums(book, local, day, product.prepayment_fee_rate)
    wo = book.written_off_on[local] >= 0
    act = world.month(glob, k, inst[np.minimum(k, inst.shape[0] - 1), glob], owed, payoff, wo)
    gone = world.done[glob] & wo
    led.ended[glob[gone]], led.status_end[glob[gone]] = True, WRITTEN_OFF
    pay = act.amount > 0
    if not pay.any():
        return close_day(book, d, product=product)
    paying, amt, prepaid, wo_p = local[pay], act.amount[pay], act.prepay[pay], wo[pay]
    pen0 = book.penalty_paid[paying].copy()
    report = close_day(book, d, paying, amt, product)
    i1 = _per_loan(book, book.interest_left)[paying]
    if prepaid.any():  # the interest not yet due is forgiven, not paid
        prepay_in_full(book, d, paying[prepaid], product)
        if month_end:
            report = close_day(book, d, product=product)  # reported after the settlements
    p1 = _per_loan(book, book.principal_left)[paying]
    kind = np.where(wo_p, 2, np.where(prepaid, 1, 0)).astype(np.int8)
    for key, v in zip(_TXN, (g.members[paying].astype(np.int32), np.full(len(paying), day, np.int32),
                             kind, amt, p0[pay] - p1, i0[pay] - i1,
                             book.penalty_paid[paying] - pen0), strict=True):
        led.txn[key].append(v)
    out = p1 == 0
    who = g.members[paying[out]]
    led.status_end[who] = np.where(wo_p[out], RECOVERED, np.where(prepaid[out], PREPAID, PAID_OFF))
    led.ended[who] = True
    return report


def _month_rows(report: DayClose, day: int, g: Group, start: np.ndarray, led: Ledger
                ) -> dict[str, np.ndarray]:
    """Month-end rows of the group's loans on book this month (global loan index; fen)."""
    book, glob = g.book, g.members
    rows = np.flatnonzero((start[glob] <= day) & (led.status_end[glob] != GONE))
    who = glob[rows]
    month = np.datetime64(_EPOCH + timedelta(days=day), "M")
    status = np.where(report.dpd[rows] > 0, 1, 0)
    status = np.where(book.written_off_on[rows] >= 0, WRITTEN_OFF, status)
    status = np.where(led.status_end[who] >= 0, led.status_end[who], status)
    return {
        "loan_id": who.astype(np.int32),
        "month": np.full(len(rows), month.astype("datetime64[D]")),
        "mob": (month - start[who].astype("datetime64[D]").astype("datetime64[M]")).astype(np.int16),
        "dpd": np.minimum(report.dpd[rows], 32_000).astype(np.int16),
        "bucket": report.bucket[rows],
        "class5": report.five_class[rows],
        "principal_outstanding": report.principal_outstanding[rows],
        "status": status.astype(np.int8),
    }


def _compact(g: Group, led: Ledger) -> Group:
    """The group without its loans gone for good (paid or settled), their figures kept, and
    without the instalments already paid (a paid instalment adds nothing to any figure of the
    close; each loan keeps its last row, so every loan still has one)."""
    b = g.book
    keep = led.status_end[g.members] != GONE
    last = np.zeros(len(b.due), bool)
    last[b.offsets[1:] - 1] = True
    rows = keep[b.loan] & (last | (b.due > b.closed_on) | (b.principal_left != 0)
                           | (b.interest_left != 0))
    if rows.all():
        return g
    if not keep.all():
        led.keep_final(g, np.flatnonzero(~keep))
    lengths = np.bincount(b.loan[rows], minlength=b.n)[keep]
    return Group(Book(
        rate_ppm=b.rate_ppm[keep], offsets=np.concatenate([[0], np.cumsum(lengths)]),
        due=b.due[rows], loan=np.repeat(np.arange(len(lengths), dtype=np.int32), lengths),
        principal_left=b.principal_left[rows], interest_left=b.interest_left[rows],
        penalty_accrued=b.penalty_accrued[keep], penalty_paid=b.penalty_paid[keep],
        credit=b.credit[keep], received=b.received[keep], recovered=b.recovered[keep],
        written_off_on=b.written_off_on[keep], written_off_principal=b.written_off_principal[keep],
        first_npl_on=b.first_npl_on[keep], npl_principal=b.npl_principal[keep], closed_on=b.closed_on,
    ), g.members[keep])


def play_groups(groups: list[Group], world: Repayment, inst: np.ndarray, start: np.ndarray,
                ev_day: np.ndarray, ev_loan: np.ndarray, ev_k: np.ndarray,
                product: ServicingProduct) -> Ledger:
    """Every group's days from its first payout to the last monthly date of any loan; the
    ledger's ``final`` holds every loan's end figures."""
    led = Ledger(len(start))
    last = int(ev_day.max())
    local_of = np.zeros(len(start), np.int64)
    group_of = np.zeros(len(start), np.int16)
    for j, g in enumerate(groups):
        local_of[g.members], group_of[g.members] = np.arange(len(g.members)), j
    order = np.lexsort((ev_day, group_of[ev_loan]))
    ev_day, ev_loan, ev_k = ev_day[order], ev_loan[order], ev_k[order]
    ev_group = group_of[ev_loan]
    for j, g in enumerate(groups):
        lo, hi = np.searchsorted(ev_group, np.array([j, j + 1], ev_group.dtype))  # no widening copy
        days, loans, ks = ev_day[lo:hi], ev_loan[lo:hi], ev_k[lo:hi]
        first = int(start[g.members].min())
        month_ends = np.arange(np.datetime64(_EPOCH + timedelta(days=first), "M") + 1,
                               np.datetime64(_EPOCH + timedelta(days=last), "M") + 2
                               ).astype("datetime64[D]").astype(np.int64) - 1
        month_ends = month_ends[month_ends <= last]
        timeline = np.union1d(np.unique(days), month_ends)
        timeline = np.union1d(timeline, [last])
        close_day(g.book, _EPOCH + timedelta(days=first), product=product)
        bounds = np.searchsorted(days, np.append(timeline, last + 1))
        ends = set(month_ends.tolist())
        seen = 0
        for t, day in enumerate(timeline.tolist()):  # noqa: B007 (g is compacted in the loop)
            a, b = bounds[t], bounds[t + 1]
            if a == b:  # no instalment falls due: the quiet days through this one in one pass
                report = close_quiet_days(g.book, _EPOCH + timedelta(days=day), product)
            else:
                if day - 1 > g.book.closed_on:
                    close_quiet_days(g.book, _EPOCH + timedelta(days=day - 1), product)
                here = ~led.ended[loans[a:b]]
                if here.any():
                    sel = loans[a:b][here]
                    report = _event(g, day, local_of[sel], ks[a:b][here], world, inst, product, led,
                                    day in ends)
                else:  # a due day of loans already paid: closed by day all the same
                    report = close_day(g.book, _EPOCH + timedelta(days=day), product=product)
            fresh = (g.book.first_npl_on >= 0) & (led.at_npl[g.members] < 0)
            led.at_npl[g.members[fresh]] = g.book.received[fresh]
            if day in ends:
                led.monthly.append(_month_rows(report, day, g, start, led))
                done = led.ended[g.members] & (led.status_end[g.members] != WRITTEN_OFF)
                led.status_end[g.members[done]] = GONE
                seen += 1
                if seen % COMPACT_MONTHS == 0:
                    g = groups[j] = _compact(g, led)
                    local_of[g.members] = np.arange(len(g.members))
        led.keep_final(g, np.arange(g.book.n))
    return led


def text_column(codes: np.ndarray, names: tuple[str, ...]) -> pd.Series:
    """``names[codes]`` as pandas text, made by Arrow (no Python string per row)."""
    d = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, np.int32)),
                                       pa.array(names, pa.large_string()))
    return pd.Series(d.cast(pa.large_string()), dtype="str")


def _references(n: int) -> pd.Series:
    """``PMT0``, ``PMT1``, ... as pandas text, made by Arrow."""
    text = pa.large_string()
    refs = pc.binary_join_element_wise(pa.scalar("PMT", text), pc.cast(pa.array(np.arange(n)), text),
                                       pa.scalar("", text))
    return pd.Series(refs, dtype="str")


def transactions(txn: dict[str, list[np.ndarray]], loan_ids: np.ndarray) -> pd.DataFrame:
    """The payments posted, with their principal, interest and penalty (fen), in date order."""
    cat = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in txn.items()}
    order = np.lexsort((cat["loan"], cat["day"]))
    return pd.DataFrame({
        "loan_id": loan_ids[cat.pop("loan")[order]],
        "posted_on": cat.pop("day")[order].astype("datetime64[D]"),
        "kind": text_column(cat.pop("kind")[order], TXN_KINDS),
        "amount": cat.pop("amount")[order].astype(np.int64),
        "principal": cat.pop("p")[order].astype(np.int64),
        "interest": cat.pop("i")[order].astype(np.int64),
        "penalty": cat.pop("pen")[order].astype(np.int64),
        "reference": _references(len(order)),
    })
