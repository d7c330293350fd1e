"""A partner bank's files: its repayments in, the day's reconciliation out.

The repayment file is CSV with a header ``reference,loan,date,amount`` (``loan`` the contract
number). Good rows post in one transaction -- a crash posts none of them -- and each bad row
(unknown loan, another bank's loan, a reference used before or twice in the file, an amount
not positive in whole fen, a date that does not parse or is not after the payout) goes to the
report with its line and reason. Posting is that of :mod:`.servicing_book`: rows dated after
the business date wait for their day's close, earlier ones restate their loan at once.

At a million rows nothing goes row by row through Python where a column will do: the file is
read and checked by :mod:`creditfactory.servicing.bank_file`, the contracts and the references
already used are looked up in one statement each, the rules are NumPy masks, the good rows go
to the driver in bulk (``COPY`` on PostgreSQL) and the loans behind the business date are
caught up together (:mod:`.servicing_catchup`). Only the refused rows are written one by one.

The reconciliation is per loan of the bank at a date: the day's movements (received, reversed,
and how the day's money was allocated) and the balances, each loan checked: the principal
disbursed equals the principal repaid plus the principal outstanding plus the principal
written off (the off-book balance of a written-off loan); at the business date the book's
stored balance must also equal the statement's.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from creditfactory.services.servicing_book import as_of
from creditfactory.services.servicing_catchup import catch_up
from creditfactory.services.servicing_state import money, product_of, restated, schedule_of
from creditfactory.servicing.bank_file import MAX_REFERENCE, NO_DAY, read_repayment_file
from creditfactory.servicing.book import day_number
from creditfactory.store import UnitOfWork
from creditfactory.store import repo_servicing_bulk as bulk
from creditfactory.store.types import utcnow

__all__ = ["FileSummary", "import_bank_file", "reconcile"]

_ZERO = Decimal("0.00")
_MAX_FEN = 10**14
"""Amounts stop below a trillion CNY (the stored ``Money`` has twelve integer digits)."""


@dataclass(frozen=True)
class FileSummary:
    posted: int
    refused: int
    restated: int
    report: Path


def _write_atomically(path: Path, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


def _hashes(loan_ids: list[int], days: list[str], amounts: list[str]) -> list[str]:
    """:func:`.servicing_book.request_hash` of each repayment (the same JSON, written out)."""
    sha = hashlib.sha256
    return [sha(f'{{"amount": "{a}", "kind": "repayment", "loan_id": {i}, "reverses": null, '
                f'"value_date": "{d}"}}'.encode()).hexdigest()
            for i, d, a in zip(loan_ids, days, amounts, strict=True)]


def import_bank_file(engine: Engine, path: Path, bank: str, report: Path, *,
                     clock: Callable[[], datetime] = utcnow) -> FileSummary:
    """Post the bank's repayment file; the bad rows to ``report`` (line, reference, reason)."""
    f = read_repayment_file(path)
    at = clock()
    n = len(f)
    refs = pd.Series(f.reference, dtype=object)
    contracts = pd.Series(f.contract, dtype=object)
    with UnitOfWork(engine) as uow:
        business_date = uow.servicing.business_date(for_update=True)
        found = bulk.lookup_contracts(uow.conn, contracts.unique().tolist()) if n else []
        index = pd.Index([c for c, *_ in found])
        at_row = index.get_indexer(pd.Index(contracts)) if n else np.zeros(0, np.int64)
        known = at_row >= 0
        pick = np.where(known, at_row, 0)
        loan_id = np.array([r[1] for r in found] or [0], np.int64)[pick]
        ours = known & np.array([r[2] == bank for r in found] or [False], bool)[pick]
        start = np.array([r[3] for r in found] or [0], np.int64)[pick]
        used = bulk.used_references(uow.conn, bank, refs.unique().tolist()) if n else set()
        posted_before = refs.isin(used).to_numpy(bool)
        repeated = refs.duplicated(keep="first").to_numpy(bool)
        day_ok = f.day != NO_DAY
        after = ~known | ~day_ok | (f.day > start)
        fen_ok = (f.fen > 0) & (f.fen < _MAX_FEN)
        good = ours & f.reference_ok & day_ok & after & fen_ok & ~posted_before & ~repeated
        bad = [*f.malformed]
        for i in np.flatnonzero(~good).tolist():
            reasons = ([] if ours[i] else ["loan: another bank's loan"] if known[i] else
                       [f"loan: unknown contract {f.contract[i]!r}"])
            if not f.reference_ok[i]:
                reasons.append(f"reference: must be 1 to {MAX_REFERENCE} printable characters")
            if not day_ok[i]:
                reasons.append("value_date: must be a date YYYY-MM-DD")
            elif not after[i]:
                reasons.append("value_date: must be after the payout date")
            if not fen_ok[i]:
                reasons.append("amount: must be a positive amount in whole fen")
            if posted_before[i]:
                reasons.append("reference: already posted")
            elif repeated[i]:
                reasons.append("reference: repeated in this file")
            bad.append((int(f.line[i]), f.reference[i], "; ".join(reasons)))
        bad.sort()
        rows = np.flatnonzero(good)
        ids, fen = loan_id[rows].tolist(), f.fen[rows]
        days = np.datetime_as_string(f.day[rows].astype("datetime64[D]"), unit="D").tolist()
        amounts = [f"{x // 100}.{x % 100:02d}" for x in fen.tolist()]
        source, by = f"file:{path.name}"[:80], f"bank:{bank}"
        good_refs = refs.to_numpy(object)[rows].tolist()
        bulk.insert_transactions(uow.conn, [
            (i, bank, r, "repayment", d, a, None, h, source, by, at)
            for i, r, d, a, h in zip(ids, good_refs, days, amounts,
                                     _hashes(ids, days, amounts), strict=True)])
        behind = np.zeros(0, np.int64)
        if business_date is not None:
            behind = np.unique(loan_id[rows][f.day[rows] <= day_number(business_date)])
            catch_up(uow, behind, business_date)
        uow.audit.append(f"bank:{bank}", "loan.file_imported", "bank_file", path.name,
                         detail={"posted": len(rows), "refused": len(bad)}, at=at)
        uow.commit()
    _write_atomically(report, ("line", "reference", "reason"), bad)
    return FileSummary(len(rows), len(bad), len(behind), report)


RECONCILE_HEADER = (
    "contract_no", "loan_id", "date", "received", "reversed", "penalty_paid", "interest_paid",
    "principal_paid", "fee_paid", "credit_held", "disbursed", "principal_repaid",
    "principal_outstanding", "written_off", "dpd", "five_class", "reconciled")


def reconcile(engine: Engine, bank: str, day: date, out: Path) -> tuple[int, int]:
    """Write the bank's reconciliation at ``day`` to ``out``; (loans, loans reconciled)."""
    rows: list[tuple[Any, ...]] = []
    with UnitOfWork(engine, write=False) as uow:
        business_date = uow.servicing.business_date()
        if business_date is None or day > business_date:
            raise ValueError(f"--date {day} is after the business date {business_date}: close "
                             f"that day first")
        moves: dict[int, list[dict[str, Any]]] = {}
        for t in uow.servicing.movements(bank, day):
            moves.setdefault(t["loan_id"], []).append(t)
        for a in uow.servicing.accounts_of_bank(bank):
            if a["start_date"] > day:
                continue
            loan_id = a["loan_id"]
            st, state = restated(schedule_of(a, uow.servicing.schedule(loan_id)),
                                 uow.servicing.transactions(loan_id), day, product_of(a))
            today = [x for x in st.allocations if x.on == day]

            def part(component: str, allocs: list[Any]) -> Decimal:
                return sum((x.amount for x in allocs if x.component == component), _ZERO)

            repaid = part("principal", st.allocations)
            outstanding = st.principal_outstanding
            written_off = outstanding if st.written_off_on is not None else _ZERO
            on_book = outstanding - written_off
            ok = a["principal"] == repaid + on_book + written_off
            if day == as_of(a, business_date):
                ok = ok and money(a["principal_outstanding_fen"]) == outstanding
            day_moves = moves.get(loan_id, [])
            rows.append((
                a["contract_no"], loan_id, day.isoformat(),
                sum((t["amount"] for t in day_moves  # a restructure moves no money
                     if t["kind"] in ("repayment", "prepayment")), _ZERO),
                sum(1 for t in day_moves if t["kind"] == "reversal"),
                part("penalty", today), part("interest", today), part("principal", today),
                part("fee", today), part("credit", today), a["principal"], repaid, on_book,
                written_off, state["dpd"], state["five_class"], "yes" if ok else "NO"))
    _write_atomically(out, RECONCILE_HEADER, rows)
    return len(rows), sum(1 for r in rows if r[-1] == "yes")
