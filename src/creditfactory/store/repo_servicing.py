"""The loan book's repository: accounts, booked schedules, transactions, the business date."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.engine import is_sqlite
from creditfactory.store.prepared import Prepared, next_id
from creditfactory.store.repo_servicing_bulk import update_states
from creditfactory.store.tables_case import applications, loans
from creditfactory.store.tables_servicing import (
    close_runs,
    loan_accounts,
    loan_schedule,
    loan_transactions,
    servicing_calendar,
)
from creditfactory.store.write_pipeline import is_pipelined, queue

__all__ = ["BOOK_COLUMNS", "LOAN_STATUS", "STATE_COLUMNS", "ServicingRepository"]

BOOK_COLUMNS = ("loan_id", "rate", "status", "dpd", "principal_outstanding_fen",
                "overdue_principal_fen", "penalty_accrued_fen", "penalty_paid_fen", "credit_fen",
                "received_fen", "recovered_fen", "written_off_principal_fen",
                "npl_principal_fen", "written_off_on", "first_npl_on", "dues", "principal_left",
                "interest_left", "penalty_multiplier", "write_off_dpd")
"""What the close of business loads of each loan (its state, in the book's units, and its
product's settings)."""
STATE_COLUMNS = ("status", "dpd", "bucket", "five_class", "principal_outstanding_fen",
                 "overdue_principal_fen", "penalty_accrued_fen", "penalty_paid_fen",
                 "credit_fen", "received_fen", "recovered_fen", "written_off_principal_fen",
                 "npl_principal_fen", "written_off_on", "first_npl_on", "dues",
                 "principal_left", "interest_left")
"""A loan's state as stored, in the order :meth:`ServicingRepository.set_state_rows` takes."""
_DATES = (STATE_COLUMNS.index("written_off_on"), STATE_COLUMNS.index("first_npl_on"))
LOAN_STATUS = {"active": "active", "closed": "paid_off", "written_off": "written_off"}
"""``loans.servicing_status`` by account status: the loan's lifecycle as its account says
("booked" only between payout and the account's opening); arrears are the account's DPD,
bucket and class, not a status."""
_CALENDAR = sa.select(servicing_calendar.c.business_date).where(servicing_calendar.c.id == 1)
_WRITERS_DATE = Prepared(_CALENDAR)
_HEAD = Prepared(sa.select(loan_accounts.c.loan_id, loan_accounts.c.bank_code,
                           loan_accounts.c.start_date)
                 .where(loan_accounts.c.loan_id == sa.bindparam("loan_id")))
_BY_REFERENCE = Prepared(sa.select(loan_transactions.c.id).where(
    loan_transactions.c.bank_code == sa.bindparam("bank_code"),
    loan_transactions.c.reference == sa.bindparam("reference")))
_ADD_ONE = Prepared(sa.insert(loan_transactions).returning(loan_transactions.c.id))
_ADD_WITH_ID = Prepared(sa.insert(loan_transactions))


def _posting_head(new_id: sa.ColumnElement[Any]) -> Prepared:
    t = loan_transactions
    return Prepared(sa.select(
        loan_accounts.c.loan_id, loan_accounts.c.bank_code, loan_accounts.c.start_date,
        _CALENDAR.scalar_subquery().label("business_date"),
        sa.select(t.c.id).where(t.c.bank_code == sa.bindparam("bank_code"),
                                t.c.reference == sa.bindparam("reference"))
        .scalar_subquery().label("known_id"),
        new_id.label("new_id"))
        .where(loan_accounts.c.loan_id == sa.bindparam("loan_id")))


_CLOSE_LOCK = 0x5E4B1C
"""PostgreSQL advisory lock of the business date: the banks' writes take it shared, a close
and a file import exclusive, so they take turns while the writes go on side by side (a shared
row lock on the calendar made every write queue on its row: Lock:tuple waits at 500/s)."""

_HEADS = {"postgresql": _posting_head(next_id(loan_transactions)),
          "sqlite": _posting_head(sa.null())}
_CHUNK = 900


def _day_of(conn: Connection, col: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A date column as days since 1970-01-01 (-1 when NULL), computed by the database."""
    days: sa.ColumnElement[Any]
    if is_sqlite(conn.engine):
        days = sa.cast(sa.func.julianday(col) - 2440587.5, sa.Integer)
    else:
        days = col - sa.literal(date(1970, 1, 1), sa.Date)
    return sa.func.coalesce(days, -1)


class ServicingRepository:
    """Reads and writes of the loan book inside one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    # the business date -------------------------------------------------------------------
    def business_date(self, *, for_update: bool = False) -> date | None:
        """The last day closed (``None`` before the first close); ``for_update`` locks it
        until the unit of work ends, so a close and the writes it races take turns."""
        q = sa.select(servicing_calendar.c.business_date).where(servicing_calendar.c.id == 1)
        if for_update and not is_sqlite(self._c.engine):
            self._c.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (_CLOSE_LOCK,))
            q = q.with_for_update()
        return self._c.execute(q).scalar()

    def business_date_for_writers(self) -> date | None:
        """The business date for a write that races the close: on PostgreSQL the business
        date's advisory lock shared, so the banks' writes go on side by side and the close
        (``for_update``, exclusive) waits for them, and they for it."""
        self._share_close_lock()
        try:
            day: date | None = _WRITERS_DATE.one(self._c, {})["business_date"]
        except sa.exc.NoResultFound:
            return None
        return day

    def _share_close_lock(self) -> None:
        """PostgreSQL: the business date's lock, shared, in a statement of its own (so the
        next statement's snapshot sees a close that committed while this one waited)."""
        if is_sqlite(self._c.engine):
            return
        if is_pipelined(self._c):
            queue(self._c, "SELECT pg_advisory_xact_lock_shared(%s)", (_CLOSE_LOCK,))
        else:
            self._c.exec_driver_sql("SELECT pg_advisory_xact_lock_shared(%s)", (_CLOSE_LOCK,))

    def set_business_date(self, day: date, at: datetime) -> None:
        done = self._c.execute(sa.update(servicing_calendar).where(servicing_calendar.c.id == 1)
                               .values(business_date=day, updated_at=at)).rowcount
        if not done:
            self._c.execute(sa.insert(servicing_calendar).values(id=1, business_date=day,
                                                                 updated_at=at))

    def record_close(self, **values: Any) -> None:
        self._c.execute(sa.insert(close_runs).values(**values))

    def closes(self) -> list[dict[str, Any]]:
        q = sa.select(close_runs).order_by(close_runs.c.business_date)
        return [dict(r) for r in self._c.execute(q).mappings()]

    # accounts and schedules --------------------------------------------------------------
    def add_account(self, values: Mapping[str, Any], schedule: Sequence[Mapping[str, Any]]
                    ) -> None:
        self._c.execute(sa.insert(loan_accounts), [dict(values)])
        for k in range(0, len(schedule), _CHUNK):
            self._c.execute(sa.insert(loan_schedule), list(schedule[k:k + _CHUNK]))
        self._c.execute(sa.update(loans).where(loans.c.id == values["loan_id"])
                        .values(servicing_status=LOAN_STATUS[values["status"]]))

    def account(self, loan_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
        q = sa.select(loan_accounts).where(loan_accounts.c.loan_id == loan_id)
        if for_update and not is_sqlite(self._c.engine):
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return None if row is None else dict(row)

    def posting_head(self, loan_id: int, bank_code: str, reference: str
                     ) -> dict[str, Any] | None:
        """What a bank's posting needs: the loan's ``bank_code`` and
        ``start_date``, the ``business_date`` (the lock shared first, as
        :meth:`business_date_for_writers`), the id of the bank's transaction with that
        reference (``known_id``) and, on PostgreSQL, an id for a new one (``new_id``, taken
        from the sequence). ``None`` for no such loan."""
        self._share_close_lock()
        try:
            return _HEADS[self._c.dialect.name].one(self._c, {
                "loan_id": loan_id, "bank_code": bank_code, "reference": reference})
        except sa.exc.NoResultFound:
            return None

    def add_transaction_as(self, row: Mapping[str, Any]) -> None:
        """Insert one transaction with its id (queued in PostgreSQL's write pipeline)."""
        _ADD_WITH_ID.execute(self._c, row)

    def account_head(self, loan_id: int) -> dict[str, Any] | None:
        """``loan_id``, ``bank_code`` and ``start_date`` of a loan (what a posting checks)."""
        try:
            return _HEAD.one(self._c, {"loan_id": loan_id})
        except sa.exc.NoResultFound:
            return None

    def accounts_by_contract(self, contract_nos: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``loan_id``, ``bank_code``, ``start_date`` and ``status`` of each contract found."""
        nos = sorted(set(contract_nos))
        cols = (loan_accounts.c.contract_no, loan_accounts.c.loan_id, loan_accounts.c.bank_code,
                loan_accounts.c.start_date, loan_accounts.c.status)
        found: dict[str, dict[str, Any]] = {}
        for k in range(0, len(nos), _CHUNK):
            q = sa.select(*cols).where(loan_accounts.c.contract_no.in_(nos[k:k + _CHUNK]))
            found.update({r["contract_no"]: dict(r) for r in self._c.execute(q).mappings()})
        return found

    def accounts_of_bank(self, bank_code: str) -> list[dict[str, Any]]:
        q = (sa.select(loan_accounts).where(loan_accounts.c.bank_code == bank_code)
             .order_by(loan_accounts.c.loan_id))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def schedule(self, loan_id: int) -> list[dict[str, Any]]:
        q = (sa.select(loan_schedule).where(loan_schedule.c.loan_id == loan_id)
             .order_by(loan_schedule.c.number))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def schedules(self, loan_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {i: [] for i in loan_ids}
        for k in range(0, len(loan_ids), _CHUNK):
            q = (sa.select(loan_schedule)
                 .where(loan_schedule.c.loan_id.in_(list(loan_ids[k:k + _CHUNK])))
                 .order_by(loan_schedule.c.loan_id, loan_schedule.c.number))
            for r in self._c.execute(q).mappings():
                out[r["loan_id"]].append(dict(r))
        return out

    def set_state(self, loan_id: int, state: Mapping[str, Any]) -> None:
        self.set_state_rows([(*(state[k] for k in STATE_COLUMNS), loan_id)])

    def set_state_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Write the state of many loans: each row the :data:`STATE_COLUMNS` values, then the
        loan id. Straight to the driver (one prepared UPDATE, executed many times): the
        close of business writes tens of thousands of loans a day."""
        if not rows:
            return
        sqlite = is_sqlite(self._c.engine)
        if not sqlite and len(rows) > 2000:
            update_states(self._c, STATE_COLUMNS, rows, loan_status=LOAN_STATUS)
            return
        self._set_loan_status([(LOAN_STATUS[r[0]], r[-1], LOAN_STATUS[r[0]]) for r in rows], sqlite)
        mark = "?" if sqlite else "%s"
        sql = (f"UPDATE loan_accounts SET {', '.join(f'{c} = {mark}' for c in STATE_COLUMNS)} "
               f"WHERE loan_id = {mark}")
        if sqlite:  # SQLAlchemy's SQLite dates are ISO text
            a, b = _DATES
            rows = [r if r[a] is None and r[b] is None else
                    (*r[:a], r[a] and r[a].isoformat(), r[b] and r[b].isoformat(), *r[b + 1:])
                    for r in rows]
        for k in range(0, len(rows), 5000):
            self._c.exec_driver_sql(sql, list(rows[k:k + 5000]))

    def _set_loan_status(self, rows: Sequence[tuple[str, int, str]], sqlite: bool) -> None:
        """``loans.servicing_status`` kept equal to the accounts' (a no-op where it is)."""
        mark = "?" if sqlite else "%s"
        sql = f"UPDATE loans SET servicing_status = {mark} WHERE id = {mark} AND servicing_status <> {mark}"
        for k in range(0, len(rows), 5000):
            self._c.exec_driver_sql(sql, list(rows[k:k + 5000]))

    def book_rows(self, statuses: Sequence[str]) -> Sequence[Sequence[Any]]:
        """Every loan in ``statuses`` in :data:`BOOK_COLUMNS` order, dates as day numbers,
        the rate as the driver gives it (text or Decimal, converted once per distinct rate)."""
        cols = [_day_of(self._c, loan_accounts.c[n]).label(n) if n.endswith("_on")
                else sa.type_coerce(loan_accounts.c[n], sa.String).label(n) if n == "rate"
                else loan_accounts.c[n] for n in BOOK_COLUMNS]
        q = (sa.select(*cols).where(loan_accounts.c.status.in_(list(statuses)))
             .order_by(loan_accounts.c.loan_id))
        return self._c.execute(q).all()

    # transactions ------------------------------------------------------------------------
    def transaction(self, bank_code: str, reference: str) -> dict[str, Any] | None:
        try:  # the common answer, none, from the prepared statement
            _BY_REFERENCE.one(self._c, {"bank_code": bank_code, "reference": reference})
        except sa.exc.NoResultFound:
            return None
        q = sa.select(loan_transactions).where(loan_transactions.c.bank_code == bank_code,
                                               loan_transactions.c.reference == reference)
        row = self._c.execute(q).mappings().first()
        return None if row is None else dict(row)

    def add_transaction(self, row: Mapping[str, Any]) -> int:
        """Insert one transaction; its id."""
        return _ADD_ONE.scalar(self._c, row)

    def references(self, bank_code: str, references: Iterable[str]) -> set[str]:
        """Which of ``references`` the bank already used."""
        refs = sorted(set(references))
        used: set[str] = set()
        for k in range(0, len(refs), _CHUNK):
            q = sa.select(loan_transactions.c.reference).where(
                loan_transactions.c.bank_code == bank_code,
                loan_transactions.c.reference.in_(refs[k:k + _CHUNK]))
            used.update(self._c.execute(q).scalars())
        return used

    def transactions(self, loan_id: int) -> list[dict[str, Any]]:
        q = (sa.select(loan_transactions).where(loan_transactions.c.loan_id == loan_id)
             .order_by(loan_transactions.c.id))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def add_transactions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for k in range(0, len(rows), 5000):
            self._c.execute(sa.insert(loan_transactions), [dict(r) for r in rows[k:k + 5000]])

    def day_transactions(self, day: date) -> list[dict[str, Any]]:
        """The transactions dated ``day`` that count (reversed ones left out), any kind but
        reversals."""
        t, r = loan_transactions, loan_transactions.alias("r")
        reversed_ = sa.exists().where(r.c.bank_code == t.c.bank_code,
                                      r.c.reverses == t.c.reference)
        q = (sa.select(t.c.loan_id, t.c.kind, t.c.amount)
             .where(t.c.value_date == day, t.c.kind != "reversal", ~reversed_))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def movements(self, bank_code: str, day: date) -> list[dict[str, Any]]:
        q = (sa.select(loan_transactions)
             .where(loan_transactions.c.bank_code == bank_code,
                    loan_transactions.c.value_date == day)
             .order_by(loan_transactions.c.id))
        return [dict(r) for r in self._c.execute(q).mappings()]

    # reads for the pages and the book's figures ------------------------------------------
    def _principal_fen(self) -> sa.ColumnElement[Any]:
        """The principal paid out in whole fen (exact: SQLite keeps it as text)."""
        if is_sqlite(self._c.engine):
            return sa.cast(sa.func.round(sa.cast(loan_accounts.c.principal, sa.Float) * 100),
                           sa.BigInteger)
        return sa.cast(loan_accounts.c.principal * 100, sa.BigInteger)

    def book_groups(self, bank_code: str | None = None) -> list[dict[str, Any]]:
        """The book by bank, branch, product, bucket, class and status: loans and sums in
        whole fen (paid out, outstanding, at first NPL, written off, recovered)."""
        la, ln, ap = loan_accounts, loans, applications
        keys = (la.c.bank_code, ap.c.branch, la.c.product, la.c.bucket, la.c.five_class,
                la.c.status)
        q = (sa.select(*keys, sa.func.count().label("loans"),
                       sa.func.sum(self._principal_fen()).label("principal_fen"),
                       *(sa.func.sum(la.c[f"{n}_fen"]).label(f"{n}_fen") for n in (
                           "principal_outstanding", "npl_principal", "written_off_principal",
                           "recovered")))
             .select_from(la.join(ln, ln.c.id == la.c.loan_id)
                          .join(ap, ap.c.application_id == ln.c.application_id))
             .group_by(*keys))
        if bank_code is not None:
            q = q.where(la.c.bank_code == bank_code)
        return [{k: (int(v or 0) if k.endswith(("_fen", "loans")) else v) for k, v in r.items()}
                for r in self._c.execute(q).mappings()]

    def loan_count(self, bank_code: str | None = None) -> int:
        """How many loans are booked (of ``bank_code``, or all)."""
        q = sa.select(sa.func.count()).select_from(loan_accounts)
        if bank_code is not None:
            q = q.where(loan_accounts.c.bank_code == bank_code)
        return int(self._c.execute(q).scalar_one())

    def loan_rows(self, *, bank_code: str | None = None, after: int = 0,
                  limit: int | None = 50, offset: int = 0,
                  worst_first: bool = False) -> list[dict[str, Any]]:
        """Loans with their case, application, branch and industry and their state at the
        business date (``after``: loan ids above it; ``worst_first``: by DPD, then
        outstanding). The page's loan ids are chosen from the book alone before the join, so
        a deep page costs no look-ups for the loans it skips."""
        la, ln, ap = loan_accounts, loans, applications
        order = ((la.c.dpd.desc(), la.c.principal_outstanding_fen.desc(), la.c.loan_id)
                 if worst_first else (la.c.loan_id,))
        ids = sa.select(la.c.loan_id).where(la.c.loan_id > after)
        if bank_code is not None:
            ids = ids.where(la.c.bank_code == bank_code)
        ids = ids.order_by(*order).offset(offset)
        if limit is not None:
            ids = ids.limit(limit)
        chosen = ids.subquery()
        q = (sa.select(la.c.loan_id, la.c.contract_no, la.c.bank_code, la.c.product,
                       la.c.principal, la.c.rate, la.c.term_months, la.c.start_date,
                       la.c.status, la.c.dpd, la.c.bucket, la.c.five_class,
                       la.c.principal_outstanding_fen, ln.c.case_id, ln.c.application_id,
                       ap.c.branch, ap.c.industry)
             .select_from(chosen.join(la, la.c.loan_id == chosen.c.loan_id)
                          .join(ln, ln.c.id == la.c.loan_id)
                          .join(ap, ap.c.application_id == ln.c.application_id))
             .order_by(*order))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def loan_states(self, loan_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The stored state of each of ``loan_ids`` (the book's columns, dates as dates)."""
        cols = [loan_accounts.c[n] for n in BOOK_COLUMNS] + [
            loan_accounts.c.bank_code, loan_accounts.c.contract_no,
            loan_accounts.c.prepayment_fee_rate]
        out: dict[int, dict[str, Any]] = {}
        ids = list(loan_ids)
        for k in range(0, len(ids), _CHUNK):
            q = sa.select(*cols).where(loan_accounts.c.loan_id.in_(ids[k:k + _CHUNK]))
            out.update({r["loan_id"]: dict(r) for r in self._c.execute(q).mappings()})
        return out
