"""The living factory: a world's months played against the running platform, in simulated time.

The world is the outside. Each simulated day its new applicants apply through the platform's
intake (at their own times: the platform's business clock is the world's), the simulated
partner banks answer and the borrowers sign what they are sent, and the loans paid out are
booked. On each monthly due date of a loan its borrower reads what the platform's statement
says is owed and pays or not from their hidden state (:class:`.repayment.Repayment`, the same
behaviour model as ``portfolio run``); the day's payments reach the platform as each bank's
repayment file (a settlement of the whole loan as the bank's prepayment), and the day is
closed. The platform sees applications, bank answers, signatures, payments and files -- never
the world's truth; the driver reaches it only through :class:`Platform`, which the command
line builds over the platform's service functions.

Deterministic by seed: the applicants sampled, the borrowers' draws (one stream per day's
cohort of loans) and the platform's own simulated banks and borrowers are all seeded.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from creditfactory.domain.external_data import BUREAU_FIELDS
from creditfactory.servicing.book import day_number
from creditfactory.servicing.schedules import add_months
from creditfactory.world.config import START_MONTH, START_YEAR
from creditfactory.world.macro import Macro
from creditfactory.world.repayment import Repayment
from creditfactory.world.repayment_state import (
    hidden_borrowers,
    last_months,
    month_index,
    world_macro,
)

__all__ = ["Platform", "PlayConfig", "PlaySummary", "PlayWorld", "Statement", "play"]

TAIL_MONTHS = 24
"""Monthly dates a loan's borrower keeps acting past the term (cures, recoveries)."""
WORK_AT = time(22, 0)
"""When in the day the banks answer and the borrowers sign what came that day."""
CLOSE_AT = time(23, 50)


class Statement(Protocol):
    """What a borrower's statement shows at the start of a day (fen)."""

    owed: int
    payoff: int
    written_off: bool
    closed: bool


class Platform(Protocol):
    """The platform as the outside world reaches it (its service functions, in the CLI)."""

    def submit(self, application: dict[str, Any], at: datetime, key: str) -> int | None:
        """An applicant applies at ``at``; the platform's application id (None: refused)."""

    def work(self, at: datetime) -> int:
        """The banks answer the packages due and the borrowers sign; how many moved."""

    def booked(self, after: int) -> list[dict[str, Any]]:
        """Loans booked after loan id ``after``: ``loan_id``, ``application_id``,
        ``bank_code``, ``contract_no``, ``start_date``, ``term_months``,
        ``instalments_fen``."""

    def statements(self, bank: str, loan_ids: Sequence[int], day: date
                   ) -> dict[int, Statement]:
        """Each of the bank's loans' statement at the start of ``day``."""

    def bank_file(self, bank: str, path: Path, at: datetime) -> tuple[int, int]:
        """The bank's repayment file imported; (rows posted, rows refused)."""

    def prepay(self, bank: str, loan_id: int, reference: str, day: date, amount_fen: int,
               at: datetime) -> None:
        """The bank posts a borrower's settlement of the whole loan."""

    def close(self, day: date, at: datetime) -> None:
        """Close of business through ``day``."""


@dataclass(frozen=True)
class PlayConfig:
    """``months`` of the world from its month ``first_month`` (0: its first), at most
    ``per_month`` applicants a month (all when None)."""

    months: int
    per_month: int | None = None
    first_month: int = 0
    seed: int = 0


@dataclass
class PlaySummary:
    """What the played months did."""

    days: int = 0
    submitted: int = 0
    refused: int = 0
    loans: int = 0
    payments: int = 0
    prepayments: int = 0
    files: int = 0
    rows_refused: int = 0
    first_day: date | None = None
    last_day: date | None = None


@dataclass
class PlayWorld:
    """A world's applications (money as float), truth, last as-if month and economy."""

    applications: pd.DataFrame
    truth: pd.DataFrame
    performance: pd.DataFrame
    meta: dict[str, Any]

    @cached_property
    def macro(self) -> Macro:
        """The world's economy, drawn again from its seed."""
        return world_macro(self.meta)

    @cached_property
    def last_mob(self) -> pd.Series:
        """The last month on book of each application's as-if life, by application id."""
        ids = self.applications["application_id"].to_numpy()
        return pd.Series(last_months(self.performance, ids), index=ids)

    def declared(self, row: int) -> dict[str, Any]:
        """What applicant ``row`` declares (no id, no time, no bureau fields)."""
        skip = {"application_id", "applied_at", *BUREAU_FIELDS}
        r = self.applications.iloc[row]
        return {str(k): (v.item() if hasattr(v, "item") else v) for k, v in r.items()
                if k not in skip}


@dataclass
class _Cohort:
    """The loans booked on one day (they fall due together) and their borrowers."""

    start: date
    loan_ids: np.ndarray
    banks: list[str]
    contracts: list[str]
    term: np.ndarray
    inst: np.ndarray
    world: Repayment
    ended: np.ndarray
    k: int = 0


@dataclass
class _Run:
    world: PlayWorld
    platform: Platform
    cfg: PlayConfig
    out: Path
    summary: PlaySummary = field(default_factory=PlaySummary)
    apps_of: dict[int, int] = field(default_factory=dict)
    due: dict[date, list[_Cohort]] = field(default_factory=dict)
    last_loan: int = 0


def _at(day: date, when: time) -> datetime:
    return datetime.combine(day, when, UTC)


def _sample(world: PlayWorld, cfg: PlayConfig) -> tuple[list[int], list[datetime]]:
    """The applicants who apply (``per_month`` of each month played) and when, in time
    order."""
    when = pd.to_datetime(world.applications["applied_at"]).to_numpy()
    month = month_index(when)
    rng = np.random.default_rng([cfg.seed, 23])
    rows: list[np.ndarray] = []
    for m in range(cfg.first_month, cfg.first_month + cfg.months):
        idx = np.flatnonzero(month == m)
        if cfg.per_month is not None and len(idx) > cfg.per_month:
            idx = np.sort(rng.choice(idx, cfg.per_month, replace=False))
        rows.append(idx)
    picked = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    picked = picked[np.lexsort((picked, when[picked]))]
    times = [datetime.fromisoformat(str(t.astype("datetime64[us]"))).replace(tzinfo=UTC)
             for t in when[picked]]
    return picked.tolist(), times


def _cohort(run: _Run, loans: list[dict[str, Any]], start: date) -> _Cohort:
    """The day's booked loans with their borrowers' hidden state (the world's, never shown)."""
    w = run.world
    rows = np.array([run.apps_of[int(r["application_id"])] for r in loans], np.int64)
    apps = w.applications.iloc[rows].reset_index(drop=True)
    macro = w.macro
    last = w.last_mob.reindex(apps["application_id"].to_numpy()).to_numpy(np.int64)
    borrowers = hidden_borrowers(apps, w.truth, macro, int(w.meta["seed"]), last)
    term = np.array([int(r["term_months"]) for r in loans], np.int64)
    inst = np.zeros((int(term.max()) + 2, len(loans)), np.int64)
    for j, r in enumerate(loans):
        inst[1:len(r["instalments_fen"]) + 1, j] = r["instalments_fen"]
    start_month = month_index(np.array([np.datetime64(start, "D")]))
    seed = int(run.cfg.seed) * 1_000_003 + day_number(start)
    world = Repayment(borrowers, inst.sum(axis=0) / term / 100, term,
                      np.repeat(start_month, len(loans)), macro, seed, TAIL_MONTHS)
    return _Cohort(start, np.array([int(r["loan_id"]) for r in loans], np.int64),
                   [str(r["bank_code"]) for r in loans], [str(r["contract_no"]) for r in loans],
                   term, inst, world, np.zeros(len(loans), bool))


def _book_new(run: _Run) -> None:
    """The loans paid out since the last look join the cohort of their payout day."""
    booked = run.platform.booked(run.last_loan)
    if not booked:
        return
    run.last_loan = max(int(r["loan_id"]) for r in booked)
    new = [r for r in booked if int(r["application_id"]) in run.apps_of]  # not others' loans
    by_day: dict[date, list[dict[str, Any]]] = {}
    for r in new:
        by_day.setdefault(r["start_date"], []).append(r)
    for start, loans in sorted(by_day.items()):
        c = _cohort(run, loans, start)
        run.due.setdefault(add_months(start, 1), []).append(c)
        run.summary.loans += len(loans)


def _fen_text(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


def _pay(run: _Run, c: _Cohort, day: date, files: dict[str, list[tuple[str, ...]]]) -> None:
    """The cohort's borrowers at their next monthly date: each reads the statement and acts."""
    k = c.k + 1
    c.k = k
    live = np.flatnonzero(~c.ended & ~c.world.done)
    if len(live):
        st: dict[int, Statement] = {}
        for bank in sorted({c.banks[n] for n in live.tolist()}):
            mine = [int(c.loan_ids[n]) for n in live.tolist() if c.banks[n] == bank]
            st.update(run.platform.statements(bank, mine, day))
        gone = np.array([st[i].closed if i in st else True for i in c.loan_ids[live].tolist()])
        c.ended[live[gone]] = True
        live = live[~gone]
    if len(live):
        owed = np.array([st[i].owed for i in c.loan_ids[live].tolist()], np.int64)
        payoff = np.array([st[i].payoff for i in c.loan_ids[live].tolist()], np.int64)
        wo = np.array([st[i].written_off for i in c.loan_ids[live].tolist()], bool)
        inst = c.inst[min(k, c.inst.shape[0] - 1), live]
        act = c.world.month(live, np.full(len(live), k), inst, owed, payoff, wo)
        for j in np.flatnonzero(act.amount > 0).tolist():
            n = int(live[j])
            ref = f"{c.contracts[n]}-{k:02d}"
            if act.prepay[j]:
                run.platform.prepay(c.banks[n], int(c.loan_ids[n]), ref + "P", day,
                                    int(act.amount[j]), _at(day, WORK_AT))
                run.summary.prepayments += 1
            else:
                files.setdefault(c.banks[n], []).append(
                    (ref, c.contracts[n], day.isoformat(), _fen_text(int(act.amount[j]))))
                run.summary.payments += 1
    if k < int(c.term.max()) + TAIL_MONTHS and not (c.ended | c.world.done).all():
        run.due.setdefault(add_months(c.start, k + 1), []).append(c)


def _send_files(run: _Run, day: date, files: dict[str, list[tuple[str, ...]]]) -> None:
    """Each bank's repayment file of the day, written and imported."""
    for bank, rows in sorted(files.items()):
        path = run.out / f"{bank}-{day.isoformat()}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(("reference", "loan", "date", "amount"))
            w.writerows(rows)
        _, refused = run.platform.bank_file(bank, path, _at(day, WORK_AT))
        run.summary.files += 1
        run.summary.rows_refused += refused


def _first_day(cfg: PlayConfig) -> date:
    """The first day of the world's month ``cfg.first_month``."""
    base = np.datetime64(f"{START_YEAR:04d}-{START_MONTH:02d}", "M") + cfg.first_month
    return date.fromisoformat(str(base.astype("datetime64[D]")))


def play(world: PlayWorld, platform: Platform, cfg: PlayConfig, out: Path,
         progress: Callable[[int, int], None] | None = None) -> PlaySummary:
    """Play ``cfg.months`` of ``world`` against ``platform``; bank files are written to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    run = _Run(world, platform, cfg, out)
    rows, times = _sample(world, cfg)
    first = _first_day(cfg)
    last = add_months(first, cfg.months) - timedelta(days=1)
    total = (last - first).days + 1
    run.summary.first_day, run.summary.last_day = first, last
    a = 0
    for n in range(total):
        day = first + timedelta(days=n)
        while a < len(rows) and times[a].date() <= day:
            got = platform.submit(world.declared(rows[a]), times[a], f"world-{rows[a]}")
            run.summary.submitted += 1
            if got is None:
                run.summary.refused += 1
            else:
                run.apps_of[got] = rows[a]
            a += 1
        if platform.work(_at(day, WORK_AT)) or n == 0:  # payouts come only from the work
            _book_new(run)
        files: dict[str, list[tuple[str, ...]]] = {}
        for c in run.due.pop(day, []):
            _pay(run, c, day, files)
        _send_files(run, day, files)
        platform.close(day, _at(day, CLOSE_AT))
        run.summary.days += 1
        if progress is not None:
            progress(n + 1, total)
    return run.summary
