"""The loan book's bulk reads and writes: a bank file's lookups and rows, the states of many
loans at once.

Each lookup is one statement whatever the number of keys -- the keys travel as one parameter
(a PostgreSQL array, a SQLite JSON array read by ``json_each``) -- and the rows go straight
to the driver: PostgreSQL's ``COPY`` through psycopg's ``Cursor.copy`` (the states into a
temporary table, then one ``UPDATE ... FROM``), SQLite's ``executemany`` in the caller's
transaction. Values are in the stored forms (``Money`` and dates as text on SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from creditfactory.store.engine import is_sqlite
from creditfactory.store.tables_servicing import loan_transactions
from creditfactory.store.write_pipeline import end_pipeline

__all__ = ["FILE_COLUMNS", "insert_transactions", "loan_terms", "loan_transaction_rows",
           "lookup_contracts", "update_states", "used_references"]

FILE_COLUMNS = ("loan_id", "bank_code", "reference", "kind", "value_date", "amount",
                "reverses", "request_hash", "source", "posted_by", "posted_at")
"""A transaction row of :func:`insert_transactions` (``value_date`` ISO text, ``amount``
text with two decimals)."""
_TERMS = ("loan_id", "principal", "rate", "term_months", "repayment_method", "rounding",
          "start_date", "penalty_multiplier", "write_off_dpd")


def _sqlite(conn: Connection) -> bool:
    return is_sqlite(conn.engine)


def _day(conn: Connection, col: str) -> str:
    if _sqlite(conn):
        return f"CAST(julianday({col}) - 2440587.5 AS INTEGER)"
    return f"({col} - DATE '1970-01-01')"


def _cursor(conn: Connection) -> Any:
    """The driver's own cursor in the caller's transaction (PostgreSQL: any queued writes of
    the write pipeline answered first, so the cursor runs outside pipeline mode)."""
    if not _sqlite(conn):
        end_pipeline(conn)
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _fetch(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Rows straight from the driver's cursor (no result wrapping: a million rows)."""
    cur = _cursor(conn)
    try:
        cur.execute(sql, params)
        return list(cur.fetchall())
    finally:
        cur.close()


def _roomy_cache(conn: Connection) -> None:
    """SQLite: a page cache large enough for the indexes a big file writes into (256 MB for
    this connection; the default 2 MB thrashes on a million random references)."""
    conn.exec_driver_sql("PRAGMA cache_size = -262144")


def _any(conn: Connection, col: str, values: Sequence[Any], cast: str) -> tuple[str, Any]:
    """``col`` among ``values`` as SQL with its one parameter."""
    if _sqlite(conn):
        return f"{col} IN (SELECT value FROM json_each(?))", json.dumps(list(values))
    return f"{col} = ANY(%s::{cast}[])", list(values)


def lookup_contracts(conn: Connection, contract_nos: Sequence[str]
                     ) -> list[tuple[str, int, str, int]]:
    """(contract_no, loan_id, bank_code, payout day number) of each contract found."""
    where, param = _any(conn, "contract_no", contract_nos, "text")
    sql = (f"SELECT contract_no, loan_id, bank_code, {_day(conn, 'start_date')} "
           f"FROM loan_accounts WHERE {where}")
    return _fetch(conn, sql, (param,))  # type: ignore[return-value]


def used_references(conn: Connection, bank_code: str, references: Sequence[str]) -> set[str]:
    """Which of ``references`` the bank already used."""
    where, param = _any(conn, "reference", references, "text")
    mark = "?" if _sqlite(conn) else "%s"
    sql = f"SELECT reference FROM loan_transactions WHERE bank_code = {mark} AND {where}"
    return {r[0] for r in _fetch(conn, sql, (bank_code, param))}


def insert_transactions(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert transactions (rows in :data:`FILE_COLUMNS` order)."""
    if not rows:
        return
    cols = ", ".join(FILE_COLUMNS)
    if _sqlite(conn):
        at = loan_transactions.c.posted_at.type.bind_processor(conn.dialect)
        fix = at if at is not None else (lambda v: v)
        stamps: dict[datetime, Any] = {t: fix(t) for t in {r[-1] for r in rows}}
        rows = [(*r[:-1], stamps[r[-1]]) for r in rows]
        _roomy_cache(conn)
        conn.exec_driver_sql(f"INSERT INTO loan_transactions ({cols}) VALUES "
                             f"({', '.join('?' * len(FILE_COLUMNS))})", list(rows))
        return
    cur = _cursor(conn)
    with cur.copy(f"COPY loan_transactions ({cols}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(r)


def loan_terms(conn: Connection, loan_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Each loan's terms and product settings (:data:`_TERMS`; the rate as text, the payout
    as a day number), by loan id."""
    where, param = _any(conn, "loan_id", loan_ids, "bigint")
    cols = [_day(conn, c) if c == "start_date" else f"CAST({c} AS TEXT)"
            if c in ("rate", "principal", "penalty_multiplier") else c for c in _TERMS]
    sql = f"SELECT {', '.join(cols)} FROM loan_accounts WHERE {where} ORDER BY loan_id"
    return _fetch(conn, sql, (param,))


def loan_transaction_rows(conn: Connection, loan_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(loan_id, kind, value day number, amount in whole fen) of every transaction of the
    loans (fen exact in SQL: SQLite keeps two decimals as text, PostgreSQL a numeric)."""
    where, param = _any(conn, "loan_id", loan_ids, "bigint")
    fen = ("CAST(REPLACE(amount, '.', '') AS INTEGER)" if _sqlite(conn)
           else "CAST(amount * 100 AS BIGINT)")
    sql = (f"SELECT loan_id, kind, {_day(conn, 'value_date')}, {fen} "
           f"FROM loan_transactions WHERE {where}")
    return _fetch(conn, sql, (param,))


def update_states(conn: Connection, columns: Sequence[str], rows: Sequence[tuple[Any, ...]],
                  loan_status: Mapping[str, str] | None = None) -> None:
    """PostgreSQL: the states (``columns`` values, then the loan id) copied in binary (the
    instalment arrays as they are, not in hex) into a temporary table and set in one
    ``UPDATE``; with ``loan_status`` (account status -> loan status) the loans whose
    ``servicing_status`` differs are set in one more."""
    cur = _cursor(conn)
    names = ", ".join((*columns, "loan_id"))
    cur.execute("DROP TABLE IF EXISTS pg_temp.loan_state_load")
    cur.execute(f"CREATE TEMPORARY TABLE loan_state_load ON COMMIT DROP AS "
                f"SELECT {names} FROM loan_accounts WITH NO DATA")
    cur.execute(f"SELECT {names} FROM loan_state_load")
    oids = [d.type_code for d in cur.description]
    with cur.copy(f"COPY loan_state_load ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(oids)
        for r in rows:
            copy.write_row(r)
    sets = ", ".join(f"{c} = s.{c}" for c in columns)
    cur.execute(f"UPDATE loan_accounts a SET {sets} FROM loan_state_load s "
                f"WHERE a.loan_id = s.loan_id")
    if loan_status:
        mapped = "CASE s.status " + " ".join(
            f"WHEN '{k}' THEN '{v}'" for k, v in loan_status.items()) + " END"
        cur.execute(f"UPDATE loans l SET servicing_status = {mapped} FROM loan_state_load s "
                    f"WHERE l.id = s.loan_id AND l.servicing_status <> {mapped}")
