"""The loan book as people read it: one loan's page, the portfolio, the book's figures, and
what a borrower's statement says is owed.

A bank's own accounts read only their bank's loans; risk analysts and administrators read the
whole book; no other role reads it. Money is ``Decimal`` to the fen, summed in whole fen by the
store (never float). The portfolio follows ``../shared/DESIGN.md``: M-buckets and the five
categories of loans on the book, the non-performing ratio (substandard, doubtful, loss over the
principal outstanding) and the cumulative NPL rate (principal outstanding when each loan first
became non-performing, over all principal paid out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from creditfactory.domain.roles import BANK_ROLES, OVERSEERS
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import LoanNotFound, loan_view
from creditfactory.services.servicing_state import fen, money, product_of
from creditfactory.servicing.book import day_number
from creditfactory.servicing.close import BUCKETS, CLASSES, NON_PERFORMING

__all__ = ["BOOK_READERS", "DIMENSIONS", "BookFigures", "Due", "amounts_due", "book_figures",
           "booked_loans", "loan_list", "loan_of_case", "loan_page", "portfolio_view"]

BOOK_READERS = (*BANK_ROLES, *OVERSEERS)
"""Who reads loans and the portfolio (a bank's accounts: their bank's only)."""
DIMENSIONS = (("bank_code", "Bank"), ("branch", "Branch"), ("product", "Product"),
              ("bucket", "M-bucket"), ("five_class", "Five-category class"))
"""The portfolio's breakdowns: the store's group key and its label."""
_ORDER = {"bucket": BUCKETS, "five_class": CLASSES}


def _bank_scope(actor: Actor) -> str | None:
    """The bank whose loans ``actor`` reads (``None``: every bank's)."""
    if actor.role in BANK_ROLES:
        if not actor.bank_code:
            raise RoleNotAllowed(f"a {actor.role} account without a bank reads no loans")
        return actor.bank_code
    if actor.role in OVERSEERS:
        return None
    raise RoleNotAllowed("the loan book is read by its banks' accounts, risk analysts and "
                         "administrators")


@dataclass(frozen=True)
class BookFigures:
    """The book at the business date (money in CNY, to the fen)."""

    as_of: date | None
    loans: int
    on_book: int
    paid_out: Decimal
    outstanding: Decimal
    npl_outstanding: Decimal
    npl_at_entry: Decimal
    written_off: Decimal
    recovered: Decimal
    buckets: dict[str, int]

    @property
    def npl_ratio(self) -> float:
        """Non-performing principal over the principal outstanding on the book."""
        return float(self.npl_outstanding / self.outstanding) if self.outstanding else 0.0

    @property
    def cumulative_npl(self) -> float:
        """Principal outstanding when each loan first became non-performing over all paid out."""
        return float(self.npl_at_entry / self.paid_out) if self.paid_out else 0.0

    def line(self) -> str:
        """One line for a summary: loans, outstanding, DPD buckets, NPL."""
        buckets = ", ".join(f"{b} {n}" for b, n in self.buckets.items() if n)
        return (f"{self.loans:,} loans paid out ({self.paid_out:,.2f} CNY), {self.on_book:,} on "
                f"the book at {self.as_of}: {self.outstanding:,.2f} CNY outstanding "
                f"({buckets or 'none'}); NPL ratio {self.npl_ratio:.2%}, cumulative NPL "
                f"{self.cumulative_npl:.2%}, written off {self.written_off:,.2f}, recovered "
                f"{self.recovered:,.2f}")


def _figures(groups: Sequence[Mapping[str, Any]], as_of: date | None) -> BookFigures:
    live = [g for g in groups if g["status"] == "active"]
    buckets = dict.fromkeys(BUCKETS, 0)
    for g in live:
        buckets[g["bucket"]] += g["loans"]

    def total(rows: Iterable[Mapping[str, Any]], key: str) -> Decimal:
        return money(sum(r[key] for r in rows))

    return BookFigures(
        as_of, sum(g["loans"] for g in groups), sum(g["loans"] for g in live),
        total(groups, "principal_fen"), total(live, "principal_outstanding_fen"),
        total((g for g in live if g["five_class"] in NON_PERFORMING), "principal_outstanding_fen"),
        total(groups, "npl_principal_fen"), total(groups, "written_off_principal_fen"),
        total(groups, "recovered_fen"), buckets)


def _breakdown(groups: Sequence[Mapping[str, Any]], key: str, outstanding: Decimal
               ) -> list[dict[str, Any]]:
    """Loans paid out and on the book, principal paid out and outstanding, by ``key``."""
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "loans": 0, "on_book": 0, "paid_out_fen": 0, "outstanding_fen": 0, "npl_fen": 0})
    for g in groups:
        live = g["status"] == "active"
        if key in _ORDER and not live:
            continue  # buckets and classes are of the loans on the book
        r = rows[str(g[key])]
        r["loans"] += g["loans"]
        r["paid_out_fen"] += g["principal_fen"]
        if live:
            r["on_book"] += g["loans"]
            r["outstanding_fen"] += g["principal_outstanding_fen"]
            if g["five_class"] in NON_PERFORMING:
                r["npl_fen"] += g["principal_outstanding_fen"]
    order = _ORDER.get(key)
    names = [n for n in order if n in rows] if order else sorted(rows)
    out = []
    for name in names:
        r = rows[name]
        amount = money(r["outstanding_fen"])
        out.append({"name": name, "loans": r["loans"], "on_book": r["on_book"],
                    "paid_out": money(r["paid_out_fen"]), "outstanding": amount,
                    "npl_outstanding": money(r["npl_fen"]),
                    "share": float(amount / outstanding) if outstanding else 0.0})
    return out


def portfolio_view(ctx: ServiceContext, actor: Actor, worst: int = 20) -> dict[str, Any]:
    """The book (the actor's bank's, or all) by bank, branch, product, bucket and class, its
    figures, and the ``worst`` loans by days past due."""
    bank = _bank_scope(actor)
    with ctx.uow(write=False) as uow:
        as_of = uow.servicing.business_date()
        groups = uow.servicing.book_groups(bank)
        worst_rows = uow.servicing.loan_rows(bank_code=bank, limit=worst, worst_first=True)
    figures = _figures(groups, as_of)
    return {"bank": bank, "figures": figures,
            "breakdowns": [(key, label, _breakdown(groups, key, figures.outstanding))
                           for key, label in DIMENSIONS],
            "worst": [_row(r) for r in worst_rows]}


def loan_list(ctx: ServiceContext, actor: Actor, offset: int, limit: int
              ) -> tuple[list[dict[str, Any]], int]:
    """A page of the book (the actor's bank's, or all), furthest past due first, and how many
    loans there are in all."""
    bank = _bank_scope(actor)
    with ctx.uow(write=False) as uow:
        rows = uow.servicing.loan_rows(bank_code=bank, limit=limit, offset=offset,
                                       worst_first=True)
        return [_row(r) for r in rows], uow.servicing.loan_count(bank)


def book_figures(ctx: ServiceContext, actor: Actor) -> BookFigures:
    """The book's figures at the business date (the actor's bank's, or all)."""
    bank = _bank_scope(actor)
    with ctx.uow(write=False) as uow:
        return _figures(uow.servicing.book_groups(bank), uow.servicing.business_date())


def _row(r: Mapping[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in r.items() if k != "principal_outstanding_fen"},
            "principal_outstanding": money(r["principal_outstanding_fen"])}


def loan_of_case(ctx: ServiceContext, actor: Actor, case_id: int) -> int:
    """The loan paid out for a case (one the actor may read)."""
    bank = _bank_scope(actor)
    with ctx.uow(write=False) as uow:
        loan = uow.submissions.loan_of_case(case_id)
        booked = loan is not None and uow.servicing.account(loan.id) is not None
    if loan is None or not booked or (bank is not None and loan.bank_code != bank):
        raise LoanNotFound(f"case {case_id} has no loan on the book")
    return loan.id


def loan_page(ctx: ServiceContext, actor: Actor, loan_id: int) -> dict[str, Any]:
    """A loan for its page: the servicing view (six elements, schedule, transactions, state)
    with its case, branch, industry and the borrower's masked name."""
    view = loan_view(ctx, actor, loan_id)  # refuses what the actor may not read
    with ctx.uow(write=False) as uow:
        rows = uow.servicing.loan_rows(after=loan_id - 1, limit=1)
        if not rows or rows[0]["loan_id"] != loan_id:
            raise LoanNotFound(f"no loan {loan_id}")
        party = uow.contracts.borrower(rows[0]["case_id"])
    reversed_refs = {t["reverses"] for t in view["transactions"] if t["kind"] == "reversal"}
    return {**view, "case_id": rows[0]["case_id"], "application_id": rows[0]["application_id"],
            "branch": rows[0]["branch"], "industry": rows[0]["industry"],
            "borrower": party.get("name_masked") or "", "reversed_refs": reversed_refs}


@dataclass(frozen=True)
class Due:
    """What a borrower's statement shows at the start of a day (fen): owed now, what settles
    the loan today (the principal not yet due with the prepayment fee), and whether it was
    written off."""

    owed: int
    payoff: int
    written_off: bool
    closed: bool


def amounts_due(ctx: ServiceContext, actor: Actor, loan_ids: Sequence[int], day: date
                ) -> dict[int, Due]:
    """The statements of the actor's bank's ``loan_ids`` on ``day``, from their state at the
    business date (the day before ``day`` when the book is closed daily)."""
    bank = _bank_scope(actor)
    today = day_number(day)
    with ctx.uow(write=False) as uow:
        states = uow.servicing.loan_states(loan_ids)
    out: dict[int, Due] = {}
    for loan_id, s in states.items():
        if bank is not None and s["bank_code"] != bank:
            continue
        dues = np.frombuffer(s["dues"], np.int32)
        p = np.frombuffer(s["principal_left"], np.int32).astype(np.int64)
        i = np.frombuffer(s["interest_left"], np.int32).astype(np.int64)
        written_off = s["written_off_on"] is not None
        due = dues <= today
        p_due = int(p.sum()) if written_off else int(p[due].sum())
        owed = max(s["penalty_accrued_fen"] - s["penalty_paid_fen"] + p_due
                   + int(i[due].sum()) - s["credit_fen"], 0)
        future = int(p.sum()) - p_due
        fee = fen(product_of(s).prepayment_fee(money(future)))  # the loan's own product
        out[loan_id] = Due(owed, owed + future + fee, written_off, s["status"] == "closed")
    return out


def booked_loans(ctx: ServiceContext, actor: Actor, after: int = 0) -> list[dict[str, Any]]:
    """The loans booked after loan id ``after`` (the actor's bank's, or all), each with its
    application, bank, contract, payout day and the instalments' due dates and totals (fen)."""
    bank = _bank_scope(actor)
    with ctx.uow(write=False) as uow:
        rows = uow.servicing.loan_rows(bank_code=bank, after=after, limit=None)
        schedules = uow.servicing.schedules([r["loan_id"] for r in rows])
    return [{**r, "due_dates": [s["due_date"] for s in schedules[r["loan_id"]]],
             "instalments_fen": [int(s["total"] * 100) for s in schedules[r["loan_id"]]]}
            for r in rows]
