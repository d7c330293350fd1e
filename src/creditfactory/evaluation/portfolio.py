"""A portfolio run: a strategy's approved applications booked at their decided terms and
repaid, day by day, by the world's borrowers through the servicing engine's book.

The world is outside the lender: this module is the wiring between the two. The lender's
side is the servicing book (:mod:`creditfactory.servicing.book`), closed every business day;
the borrowers (:mod:`creditfactory.world.repayment`) see only their contract and the
statement a borrower's app shows -- what is owed today, what settles the loan, whether it was
written off -- and answer with payments. Each borrower acts on the loan's monthly date (the
due dates, continued monthly after the term): pays the instalment, misses it, pays all that
is owed, settles early, or, after write-off, pays something back.

Stand-ins where the decision does not say: payout the day after the application (the seed's
fastest referral-to-payout is two hours), every loan equal instalment unless another method is
asked for, and the bank the factory's routing picks (:func:`creditfactory.factory.banks.route`,
most monthly quota left among the banks whose policy takes the case, with the platform score
banks see; without an A-card score the score rule is not applied). A case no bank takes is not
booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from creditfactory.factory.banks import load_banks, refusals
from creditfactory.services.strategy_port import platform_score
from creditfactory.servicing.book import Book, DayClose, close_day, day_number, prepay_in_full
from creditfactory.servicing.book_terms import book_from_terms
from creditfactory.servicing.product import ServicingProduct
from creditfactory.servicing.schedules import add_months
from creditfactory.world.repayment import Repayment
from creditfactory.world.repayment_state import hidden_borrowers, month_index, world_macro

__all__ = ["LOAN_COLUMNS", "PortfolioBook", "book_approved", "play_portfolio"]

LOAN_COLUMNS = ("loan_id", "application_id", "bank", "booked_on", "principal", "rate", "term_months",
                "method", "branch", "product", "industry", "channel_id", "a_pd")
STATUS = ("current", "delinquent", "prepaid", "paid_off", "written_off", "recovered")
_EPOCH = date(1970, 1, 1)


def _bank_of(amount: np.ndarray, industry: np.ndarray, score: list[float | None],
             month: np.ndarray) -> np.ndarray:
    """Each case's bank by the factory's routing; ``""`` where no bank takes it."""
    banks = load_banks()
    top = max(b.min_score for b in banks)
    out = np.empty(len(amount), object)
    used: dict[tuple[int, str], int] = {}
    for i in range(len(amount)):
        s = top if score[i] is None else score[i]
        ok = [b for b in banks if not refusals(b, Decimal(str(amount[i])), industry[i], s,
                                               used.get((month[i], b.code), 0))]
        if not ok:
            out[i] = ""
            continue
        pick = min(ok, key=lambda b: (used.get((month[i], b.code), 0) / b.monthly_quota, b.code))
        used[(month[i], pick.code)] = used.get((month[i], pick.code), 0) + 1
        out[i] = pick.code
    return out


def book_approved(apps: pd.DataFrame, decisions: pd.DataFrame,
                  method: str = "equal_instalment") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The loans booked from ``decisions`` (approved and routed to a bank), with their
    applications (money as float), both in loan order."""
    d = decisions[decisions["decision"] == "approve"].set_index("application_id")
    a = apps.set_index("application_id").loc[d.index]
    limit = np.array([float(x) for x in d["limit"]])
    a_pd = pd.to_numeric(d["a_pd"], errors="coerce").to_numpy(float)
    score = [platform_score(None, p) if np.isfinite(p) else None for p in a_pd]
    applied = pd.to_datetime(a["applied_at"])
    bank = _bank_of(limit, a["industry"].to_numpy(object), score,
                    month_index(applied.to_numpy()))
    keep = bank != ""
    loans = pd.DataFrame({
        "application_id": d.index.to_numpy(np.int64),
        "bank": bank,
        "booked_on": (applied.dt.normalize() + pd.Timedelta(days=1)).dt.date.to_numpy(),
        "principal": limit,
        "rate": np.array([float(x) for x in d["rate"]]),
        "term_months": d["term_months"].to_numpy(np.int64),
        "method": method,
        "branch": a["branch"].to_numpy(object),
        "product": d["product"].to_numpy(object),
        "industry": a["industry"].to_numpy(object),
        "channel_id": a["channel_id"].to_numpy(object),
        "a_pd": a_pd,
    })[keep].reset_index(drop=True)
    loans.insert(0, "loan_id", np.arange(1, len(loans) + 1, dtype=np.int64))
    return loans, a[keep].reset_index()


@dataclass
class PortfolioBook:
    """What a portfolio run leaves: the book, its schedules, transactions, month-end rows,
    and each loan's net loss inputs (principal at first NPL and what came in after)."""

    book: Book
    schedules: pd.DataFrame
    transactions: pd.DataFrame
    monthly: pd.DataFrame
    received_after_npl: np.ndarray
    disbursed: np.ndarray


def _owners(book: Book, loans: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = book.offsets[loans]
    lengths = book.offsets[loans + 1] - starts
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + within, np.repeat(np.arange(len(loans)), lengths)


def _sums(book: Book, loans: np.ndarray, day: int, fee_rate: Decimal
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The statement a borrower sees at the start of ``day``: owed now, the payoff, and the
    principal and interest left (for the allocation of a day's payments)."""
    rows, owner = _owners(book, loans)
    k = len(loans)
    wo = book.written_off_on[loans] >= 0
    due = book.due[rows] <= day
    p, i = book.principal_left[rows].astype(np.int64), book.interest_left[rows].astype(np.int64)
    p_due = np.bincount(owner, np.where(due | wo[owner], p, 0), minlength=k).astype(np.int64)
    i_due = np.bincount(owner, np.where(due, i, 0), minlength=k).astype(np.int64)
    p_all = np.bincount(owner, p, minlength=k).astype(np.int64)
    i_all = np.bincount(owner, i, minlength=k).astype(np.int64)
    pen = book.penalty_accrued[loans] - book.penalty_paid[loans]
    owed = np.maximum(pen + p_due + i_due - book.credit[loans], 0)
    future = p_all - p_due
    num, den = fee_rate.as_integer_ratio()
    payoff = owed + future + (2 * future * num + den) // (2 * den)
    return owed, payoff, p_all, i_all


def _due_days(start_day: np.ndarray, months: int) -> np.ndarray:
    """Day numbers of each loan's monthly dates 1..months after payout (month-major)."""
    starts, inverse = np.unique(start_day, return_inverse=True)
    table = np.array([[day_number(add_months(_EPOCH + timedelta(days=int(s)), k))
                       for k in range(1, months + 1)] for s in starts], np.int64)
    return table[inverse.ravel()].T


def play_portfolio(loans: pd.DataFrame, apps: pd.DataFrame, truth: pd.DataFrame, meta: dict,
                   seed: int | None = None, product: ServicingProduct | None = None,
                   tail_months: int = 24) -> PortfolioBook:
    """Book ``loans`` and play their lives to the end (paid, settled, or written off and
    ``tail_months`` of recoveries)."""
    product = product or ServicingProduct()
    seed = int(meta["seed"]) if seed is None else seed
    n = len(loans)
    amount = np.round(loans["principal"].to_numpy(float) * 100).astype(np.int64)
    rate_ppm = np.round(loans["rate"].to_numpy(float) * 1_000_000).astype(np.int64)
    term = loans["term_months"].to_numpy(np.int64)
    start = np.array([day_number(d) for d in loans["booked_on"]], np.int64)
    methods = loans["method"].unique()
    if len(methods) != 1:
        raise ValueError("one repayment method per portfolio run")
    book = book_from_terms(amount, rate_ppm, term, start, str(methods[0]))
    schedules = pd.DataFrame({
        "loan_id": loans["loan_id"].to_numpy(np.int64)[book.loan],
        "instalment": (np.arange(len(book.loan)) - book.offsets[book.loan] + 1).astype(np.int16),
        "due_on": book.due.astype("datetime64[D]"),
        "principal_due": book.principal_left.astype(np.int64),
        "interest_due": book.interest_left.astype(np.int64),
    })
    width = int(term.max())
    inst = np.zeros((width + tail_months + 1, n), np.int64)
    k_of_row = np.arange(len(book.loan)) - book.offsets[book.loan]
    inst[k_of_row + 1, book.loan] = book.principal_left.astype(np.int64) + book.interest_left
    macro = world_macro(meta)
    borrowers = hidden_borrowers(apps, truth, macro, seed)
    booked_month = month_index(start.astype("datetime64[D]"))
    world = Repayment(borrowers, inst.sum(axis=0) / term / 100, term, booked_month, macro, seed,
                      tail_months)
    months = width + tail_months
    dates = _due_days(start, months)
    ev_day = dates.ravel()
    ev_loan = np.tile(np.arange(n), months)
    ev_k = np.repeat(np.arange(1, months + 1), n)
    keep = ev_k <= term[ev_loan] + tail_months
    order = np.argsort(ev_day[keep], kind="stable")
    ev_day, ev_loan, ev_k = ev_day[keep][order], ev_loan[keep][order], ev_k[keep][order]
    return _play(book, world, loans, product, start, inst, ev_day, ev_loan, ev_k, schedules,
                 amount)


def _play(book: Book, world: Repayment, loans: pd.DataFrame, product: ServicingProduct,
          start: np.ndarray, inst: np.ndarray, ev_day: np.ndarray, ev_loan: np.ndarray,
          ev_k: np.ndarray, schedules: pd.DataFrame, amount: np.ndarray) -> PortfolioBook:
    n = book.n
    ended = np.zeros(n, bool)
    status_end = np.full(n, -1, np.int8)
    at_npl = np.full(n, -1, np.int64)
    txn: dict[str, list[np.ndarray]] = {k: [] for k in ("loan", "day", "kind", "amount", "p", "i", "pen")}
    monthly: list[pd.DataFrame] = []
    first, last = int(start.min()) + 1, int(ev_day.max())
    bounds = np.searchsorted(ev_day, np.arange(first, last + 2))
    loan_ids = loans["loan_id"].to_numpy(np.int64)
    start_m = start.astype("datetime64[D]").astype("datetime64[M]")
    for day in range(first, last + 1):
        sl = slice(bounds[day - first], bounds[day - first + 1])
        idx, k = ev_loan[sl], ev_k[sl]
        live = ~ended[idx] & ~world.done[idx]
        idx, k = idx[live], k[live]
        paying = amt = np.zeros(0, np.int64)
        if len(idx):
            owed, payoff, p0, i0 = _sums(book, idx, day, product.prepayment_fee_rate)
            wo = book.written_off_on[idx] >= 0
            act = world.month(idx, k, inst[np.minimum(k, inst.shape[0] - 1), idx], owed, payoff, wo)
            pay = act.amount > 0
            paying, amt = idx[pay], act.amount[pay]
            gone = world.done[idx] & wo
            ended[idx[gone]], status_end[idx[gone]] = True, 4
            pen0 = book.penalty_paid[paying].copy()
        d = _EPOCH + timedelta(days=day)
        report = close_day(book, d, paying, amt, product) if len(paying) else close_day(book, d, product=product)
        if len(paying):
            prepaid = act.prepay[pay]
            _, _, _, i1 = _sums(book, paying, day, product.prepayment_fee_rate)
            if prepaid.any():  # the interest not yet due is forgiven, not paid
                prepay_in_full(book, d, paying[prepaid], product)
            _, _, p1, _ = _sums(book, paying, day, product.prepayment_fee_rate)
            kind = np.where(wo[pay], 2, np.where(prepaid, 1, 0))
            for key, v in (("loan", paying), ("day", np.full(len(paying), day)), ("kind", kind),
                           ("amount", amt), ("p", p0[pay] - p1), ("i", i0[pay] - i1),
                           ("pen", book.penalty_paid[paying] - pen0)):
                txn[key].append(v)
            out = p1 == 0
            status_end[paying[out]] = np.where(wo[pay][out], 5, np.where(prepaid[out], 2, 3))
            ended[paying[out]] = True
        newly_npl = (book.first_npl_on == day) & (at_npl < 0)
        at_npl[newly_npl] = book.received[newly_npl]
        if (_EPOCH + timedelta(days=day + 1)).day == 1:
            monthly.append(_month_rows(report, day, start, start_m, status_end, loan_ids, book))
            status_end[ended & (status_end != 4)] = -2  # written off: on the books to the end
    received_after = np.where(at_npl >= 0, book.received - at_npl, 0)
    return PortfolioBook(book, schedules, _transactions(txn, loan_ids),
                         pd.concat(monthly, ignore_index=True), received_after, amount)


def _month_rows(report: DayClose, day: int, start: np.ndarray, start_m: np.ndarray,
                status_end: np.ndarray, loan_ids: np.ndarray, book: Book) -> pd.DataFrame:
    """Month-end rows of the loans on book this month (those ended this month included);
    money in fen."""
    on = (start <= day) & (status_end != -2)
    month = np.datetime64(_EPOCH + timedelta(days=day), "M")
    wo = book.written_off_on >= 0
    status = np.where(report.dpd > 0, 1, 0)
    status = np.where(wo, 4, status)
    status = np.where(status_end >= 0, status_end, status)
    rows = np.flatnonzero(on)
    return pd.DataFrame({
        "loan_id": loan_ids[rows],
        "month": np.full(len(rows), month.astype("datetime64[D]")),
        "mob": (month - start_m[rows]).astype(np.int16),
        "dpd": np.minimum(report.dpd[rows], 32_000).astype(np.int16),
        "bucket": report.bucket[rows],
        "class5": report.five_class[rows],
        "principal_outstanding": report.principal_outstanding[rows],
        "status": status[rows].astype(np.int8),
    })


def _transactions(txn: dict[str, list[np.ndarray]], loan_ids: np.ndarray) -> pd.DataFrame:
    """The payments posted, with their principal, interest and penalty (fen)."""
    cat = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in txn.items()}
    loan = cat["loan"].astype(np.int64)
    seq = np.arange(len(loan))
    return pd.DataFrame({
        "loan_id": loan_ids[loan] if len(loan) else np.zeros(0, np.int64),
        "posted_on": cat["day"].astype("datetime64[D]"),
        "kind": np.array(["repayment", "prepayment", "recovery"])[cat["kind"].astype(np.int64)],
        "amount": cat["amount"].astype(np.int64),
        "principal": cat["p"].astype(np.int64),
        "interest": cat["i"].astype(np.int64),
        "penalty": cat["pen"].astype(np.int64),
        "reference": np.char.add("PMT", seq.astype(str)),
    })
