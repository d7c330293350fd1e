"""A partner bank's files: its repayments in, the day's reconciliation out.

The repayment file is CSV with a header ``reference,loan,date,amount`` (``loan`` the contract
number). Good rows post in one transaction -- a crash posts none of them -- and each bad row
(unknown loan, another bank's loan, a reference used before or twice in the file, an amount
not positive in whole fen, a date that does not parse or is not after the payout) goes to the
report with its line and reason. Posting is that of :mod:`.servicing_book`: rows dated after
the business date wait for their day's close, earlier ones restate their loan at once.

The reconciliation is per loan of the bank at a date: the day's movements (received, reversed,
and how the day's money was allocated) and the balances, each loan checked: the principal
disbursed equals the principal repaid plus the principal outstanding plus the principal
written off (the off-book balance of a written-off loan); at the business date the book's
stored balance must also equal the statement's.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from creditfactory.services.servicing_book import as_of, check_entry, request_hash, restate
from creditfactory.services.servicing_state import money, restated, schedule_of
from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

__all__ = ["FileSummary", "import_bank_file", "reconcile"]

HEADER = ("reference", "loan", "date", "amount")
_ZERO = Decimal("0.00")


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


def import_bank_file(engine: Engine, path: Path, bank: str, report: Path, *,
                     clock: Callable[[], datetime] = utcnow) -> FileSummary:
    """Post the bank's repayment file; the bad rows to ``report`` (line, reference, reason)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = tuple(h.strip().lower() for h in next(reader, ()))
        if header != HEADER:
            raise ValueError(f"{path}: the header must be {','.join(HEADER)}, got "
                             f"{','.join(header) or 'nothing'}")
        lines = [(n, row) for n, row in enumerate(reader, start=2) if any(c.strip() for c in row)]
    bad: list[tuple[Any, ...]] = []
    at = clock()
    with UnitOfWork(engine) as uow:
        business_date = uow.servicing.business_date(for_update=True)
        accounts = uow.servicing.accounts_by_contract(
            row[1].strip() for _, row in lines if len(row) == 4)
        used = uow.servicing.references(bank, (row[0].strip() for _, row in lines if row))
        seen: set[str] = set()
        good: list[dict[str, Any]] = []
        behind: dict[int, dict[str, Any]] = {}
        for n, row in lines:
            if len(row) != 4:
                bad.append((n, row[0] if row else "", f"expected 4 fields, got {len(row)}"))
                continue
            ref, contract, on, amount = (c.strip() for c in row)
            account = accounts.get(contract)
            values, errors = check_entry(account, bank, {"reference": ref, "value_date": on,
                                                         "amount": amount})
            reasons = [f"{f}: {m}" for f, m in errors]
            if account is not None and account["bank_code"] != bank:
                reasons = ["loan: another bank's loan"] + [r for r in reasons
                                                            if not r.startswith("loan:")]
            elif account is None:
                reasons = [f"loan: unknown contract {contract!r}"] + [
                    r for r in reasons if not r.startswith(("loan:", "value_date: must be after"))]
            if ref in used:
                reasons.append("reference: already posted")
            elif ref in seen:
                reasons.append("reference: repeated in this file")
            seen.add(ref)
            if reasons:
                bad.append((n, ref, "; ".join(reasons)))
                continue
            assert account is not None
            good.append({**values, "loan_id": account["loan_id"], "bank_code": bank,
                         "request_hash": request_hash(account["loan_id"], values),
                         "source": f"file:{path.name}"[:80], "posted_by": f"bank:{bank}",
                         "posted_at": at})
            if values["value_date"] <= as_of(account, business_date):
                behind[account["loan_id"]] = account
        uow.servicing.add_transactions(good)
        for loan_id in sorted(behind):
            full = uow.servicing.account(loan_id)
            assert full is not None
            restate(uow, full, as_of(full, business_date))
        uow.audit.append(f"bank:{bank}", "loan.file_imported", "bank_file", path.name,
                         detail={"posted": len(good), "refused": len(bad)}, at=at)
        uow.commit()
    _write_atomically(report, ("line", "reference", "reason"), bad)
    return FileSummary(len(good), len(bad), len(behind), report)


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
                                 uow.servicing.transactions(loan_id), day)
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
                sum((t["amount"] for t in day_moves if t["kind"] != "reversal"), _ZERO),
                sum(1 for t in day_moves if t["kind"] == "reversal"),
                part("penalty", today), part("interest", today), part("principal", today),
                part("fee", today), part("credit", today), a["principal"], repaid, on_book,
                written_off, state["dpd"], state["five_class"], "yes" if ok else "NO"))
    _write_atomically(out, RECONCILE_HEADER, rows)
    return len(rows), sum(1 for r in rows if r[-1] == "yes")
