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
from pathlib import Path

import numpy as np
import pandas as pd

from creditfactory.evaluation.portfolio_play import Group, play_groups, transactions
from creditfactory.factory.banks import load_banks, refusals
from creditfactory.services.strategy_port import platform_score
from creditfactory.servicing.book import day_number
from creditfactory.servicing.book_terms import book_from_terms
from creditfactory.servicing.product import ServicingProduct
from creditfactory.servicing.schedules import add_months
from creditfactory.world.config import SignalConfig
from creditfactory.world.repayment import Repayment
from creditfactory.world.repayment_state import (
    hidden_borrowers,
    last_months,
    month_index,
    world_macro,
)

__all__ = ["LOAN_COLUMNS", "WORLD_COLUMNS", "PortfolioBook", "as_if_last_months", "book_approved", "play_portfolio",
           "portfolio_signals", "write_signals"]

LOAN_COLUMNS = ("loan_id", "application_id", "bank", "booked_on", "principal", "rate", "term_months",
                "method", "branch", "product", "industry", "channel_id", "a_pd")
WORLD_COLUMNS: dict[str, list[str]] = {
    "performance": ["application_id", "mob", "month", "dpd", "balance", "paid"]}
"""What a portfolio run reads of the world's performance (models trained on its outcomes; the
as-if instalments and statuses it leaves out are hundreds of MB at a million applications)."""
STATUS = ("current", "delinquent", "prepaid", "paid_off", "written_off", "recovered")
"""Month-end status codes (``monthly.status``)."""
_EPOCH = date(1970, 1, 1)


def _bank_of(amount: np.ndarray, industry: np.ndarray, score: list[float | None],
             month: np.ndarray) -> np.ndarray:
    """Each case's bank by the factory's routing; ``""`` where no bank takes it.

    What a bank's policy says of the case itself (amount cap, industry, score:
    :func:`~creditfactory.factory.banks.refusals` with no quota used) is checked once per
    distinct case; only the quota left is followed case by case, in order."""
    banks = load_banks()
    top = max(b.min_score for b in banks)
    s = np.array([top if x is None else x for x in score], float)
    score_ok = (s[:, None] >= np.array([b.min_score for b in banks])[None, :]).tolist()
    kinds = pd.DataFrame({"a": amount, "i": industry})
    code = kinds.groupby(["a", "i"], sort=False).ngroup()  # numbered as first met
    allowed = [[j for j, b in enumerate(banks) if not refusals(b, Decimal(str(a)), i, top, 0)]
               for a, i in kinds.drop_duplicates().itertuples(index=False, name=None)]
    quota = [b.monthly_quota for b in banks]
    used: dict[int, list[int]] = {}
    out = np.full(len(amount), "", object)
    for i, (c, m, sok) in enumerate(zip(code.to_numpy().tolist(), month.tolist(), score_ok, strict=True)):
        counts = used.setdefault(m, [0] * len(banks))
        ok = [j for j in allowed[c] if sok[j] and counts[j] < quota[j]]
        if ok:
            pick = min(ok, key=lambda j: (counts[j] / quota[j], banks[j].code))
            counts[pick] += 1
            out[i] = banks[pick].code
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
    """What a portfolio run leaves: schedules, transactions and month-end rows, and each
    loan's figures at the end (fen; day numbers, -1 for never): principal paid out and
    outstanding, write-off, first NPL, recoveries and what came in after the first NPL."""

    schedules: pd.DataFrame
    transactions: pd.DataFrame
    monthly: pd.DataFrame
    disbursed: np.ndarray
    principal_outstanding: np.ndarray
    written_off_on: np.ndarray
    written_off_principal: np.ndarray
    npl_principal: np.ndarray
    penalty_accrued: np.ndarray
    recovered: np.ndarray
    received_after_npl: np.ndarray
    as_of: date


def _due_days(start_day: np.ndarray, months: int) -> np.ndarray:
    """Day numbers of each loan's monthly dates 1..months after payout (month-major)."""
    starts, inverse = np.unique(start_day, return_inverse=True)
    table = np.array([[day_number(add_months(_EPOCH + timedelta(days=int(s)), k))
                       for k in range(1, months + 1)] for s in starts], np.int32)
    return table[inverse.ravel()].T


def _groups(amount: np.ndarray, rate_ppm: np.ndarray, term: np.ndarray, start: np.ndarray,
            method: str) -> list[Group]:
    """One book per payout day of the month (their loans fall due on the same days)."""
    days = start.astype("datetime64[D]")
    dom = (days - days.astype("datetime64[M]")).astype(np.int64)
    out = []
    for v in np.unique(dom):
        members = np.flatnonzero(dom == v)
        out.append(Group(book_from_terms(amount[members], rate_ppm[members], term[members],
                                         start[members], method), members))
    return out


def as_if_last_months(performance: pd.DataFrame, application_id: np.ndarray) -> np.ndarray:
    """The last month on book of each application's as-if life in the world's performance
    (what :func:`play_portfolio` needs of that table, so the caller can let it go)."""
    return last_months(performance, application_id)


def play_portfolio(loans: pd.DataFrame, apps: pd.DataFrame, truth: pd.DataFrame,
                   last_mob: np.ndarray, meta: dict, seed: int | None = None, product: ServicingProduct | None = None,
                   tail_months: int = 24) -> PortfolioBook:
    """Book ``loans`` (their applications ``apps``, in the same order; ``last_mob`` from
    :func:`as_if_last_months`) and play their lives to the end (paid, settled, or written off
    and ``tail_months`` of recoveries)."""
    product = product or ServicingProduct()
    seed = int(meta["seed"]) if seed is None else seed
    n = len(loans)
    amount = np.round(loans["principal"].to_numpy(float) * 100).astype(np.int64)
    rate_ppm = np.round(loans["rate"].to_numpy(float) * 1_000_000).astype(np.int64)
    term = loans["term_months"].to_numpy(np.int64)
    start = pd.to_datetime(loans["booked_on"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    methods = loans["method"].unique()
    if len(methods) != 1:
        raise ValueError("one repayment method per portfolio run")
    groups = _groups(amount, rate_ppm, term, start, str(methods[0]))
    loan_ids = loans["loan_id"].to_numpy(np.int64)
    width = int(term.max())
    inst = np.zeros((width + tail_months + 1, n), np.int64)
    first_row = np.concatenate([[0], np.cumsum(term)[:-1]])  # each loan's rows, in loan order
    rows = int(term.sum())
    sched: dict[str, np.ndarray] = {
        "loan_id": np.empty(rows, np.int64), "instalment": np.empty(rows, np.int16),
        "due_on": np.empty(rows, "datetime64[D]"), "principal_due": np.empty(rows, np.int64),
        "interest_due": np.empty(rows, np.int64)}
    for g in groups:
        b = g.book
        k = np.arange(len(b.loan)) - b.offsets[b.loan]
        who = g.members[b.loan]
        inst[k + 1, who] = b.principal_left.astype(np.int64) + b.interest_left
        at = first_row[who] + k
        sched["loan_id"][at], sched["instalment"][at] = loan_ids[who], k + 1
        sched["due_on"][at] = b.due.astype("datetime64[D]")
        sched["principal_due"][at], sched["interest_due"][at] = b.principal_left, b.interest_left
    schedules = pd.DataFrame(sched)
    macro = world_macro(meta)
    borrowers = hidden_borrowers(apps, truth, macro, seed, last_mob)
    booked_month = month_index(start.astype("datetime64[D]"))
    world = Repayment(borrowers, inst.sum(axis=0) / term / 100, term, booked_month, macro, seed,
                      tail_months)
    months = width + tail_months
    ev_day = _due_days(start, months).ravel()
    ev_loan = np.tile(np.arange(n, dtype=np.int32), months)
    ev_k = np.repeat(np.arange(1, months + 1, dtype=np.int16), n)
    keep = ev_k <= term[ev_loan] + tail_months
    led = play_groups(groups, world, inst, start, ev_day[keep], ev_loan[keep], ev_k[keep], product)
    f = led.final
    return PortfolioBook(
        schedules, transactions(led.txn, loan_ids), led.monthly_frame(loan_ids), amount,
        f["principal_outstanding"], f["written_off_on"], f["written_off_principal"], f["npl_principal"],
        f["penalty_accrued"], f["recovered"],
        np.where(led.at_npl >= 0, f["received"] - led.at_npl, 0),
        _EPOCH + timedelta(days=int(groups[0].book.closed_on)))


# --- post-loan signals (world.signals): what the lender sees of its borrowers each month ---

def portfolio_signals(loans: pd.DataFrame, apps: pd.DataFrame, truth: pd.DataFrame,
                      last_mob: np.ndarray, meta: dict, played: PortfolioBook,
                      config: SignalConfig | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The world's monthly signals of every active loan-month of ``played`` (current or
    delinquent at the month end) and the industry index over the book's months (``config``:
    default the world's own, :func:`~creditfactory.world.signals.signal_config`)."""
    from creditfactory.world.signals import industry_index, publish_signals, signal_config

    m = played.monthly
    rows = m.loc[m["status"].isin((0, 1)), ["loan_id", "month"]]
    due = played.schedules.groupby("loan_id")[["principal_due", "interest_due"]].sum().sum(axis=1)
    term = loans["term_months"].to_numpy(np.int64)
    mean_instalment = due.reindex(loans["loan_id"]).to_numpy(float) / term / 100
    cfg = config or signal_config(meta)
    signals = publish_signals(loans, apps, truth, last_mob, meta, mean_instalment, rows, cfg)
    return signals, industry_index(meta, m["month"].max(), cfg)


def write_signals(signals: pd.DataFrame, index: pd.DataFrame, out: str | Path) -> None:
    """``signals.parquet`` and ``industry_index.parquet`` in the run's directory."""
    Path(out).mkdir(parents=True, exist_ok=True)
    signals.to_parquet(Path(out) / "signals.parquet", index=False)
    index.to_parquet(Path(out) / "industry_index.parquet", index=False)
