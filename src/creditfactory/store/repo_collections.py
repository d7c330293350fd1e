"""Live collections on the store: the night's delinquent accounts read in one statement, the
assignment written in bulk, and a collector's reads and writes on one account.

The nightly reads and writes go straight to the driver, as the loan book's bulk paths do
(:mod:`.repo_servicing_bulk`): the delinquent accounts joined with their episode in one query;
the episodes, assignments and bucket entries copied in (PostgreSQL ``COPY``, SQLite
``executemany``) in the caller's transaction. Everything else is SQLAlchemy Core on one account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.engine import is_sqlite
from creditfactory.store.tables_case import loans
from creditfactory.store.tables_collections import (
    collections_accounts,
    collections_assignments,
    collections_collectors,
    collections_contacts,
    collections_entries,
    collections_history,
    collections_promises,
    collections_restructures,
    collections_runs,
)
from creditfactory.store.tables_servicing import loan_accounts
from creditfactory.store.write_pipeline import end_pipeline

__all__ = ["ACCOUNT_COLUMNS", "ASSIGNMENT_COLUMNS", "DELINQUENT_COLUMNS",
           "CollectionsRepository"]

DELINQUENT_COLUMNS = ("loan_id", "bank_code", "dpd", "principal_outstanding_fen",
                      "received_fen", "principal", "rate", "term_months", "start_date", "dues",
                      "principal_left", "interest_left", "episode_start", "episodes",
                      "fast_cures", "bucket", "bucket_since", "max_dpd", "attempts", "reached",
                      "promises", "kept", "broken", "broken_in_bucket", "partials",
                      "c_received_fen", "open", "applied_at", "ring_linked_at")
"""A row of :meth:`CollectionsRepository.delinquent` (the episode's columns ``None`` for a
loan never delinquent before; money of the loan as text): the loan's account, its episode, when
its application was made (``None`` when the application was kept without an identity record,
which no ring sweep reads) and when a month-end sweep found the application strongly linked
(``None``: not found; both as the driver gives a timestamp, UTC)."""
ACCOUNT_COLUMNS = tuple(c.name for c in collections_accounts.columns)
ASSIGNMENT_COLUMNS = tuple(c.name for c in collections_assignments.columns)


def _cursor(conn: Connection) -> Any:
    if not is_sqlite(conn.engine):
        end_pipeline(conn)
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


class CollectionsRepository:
    """The live collections' tables, bound to one unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    # -- the nightly assignment -------------------------------------------------------------
    def run(self, day: date) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(collections_runs).where(
            collections_runs.c.business_date == day)).mappings().first()
        return dict(row) if row else None

    def runs(self, limit: int = 60) -> list[dict[str, Any]]:
        q = sa.select(collections_runs).order_by(collections_runs.c.business_date.desc())
        return [dict(r) for r in self._c.execute(q.limit(limit)).mappings()]

    def record_run(self, **values: Any) -> None:
        self._c.execute(sa.insert(collections_runs).values(**values))

    def delinquent(self) -> list[tuple[Any, ...]]:
        """Every active loan past due with its episode (:data:`DELINQUENT_COLUMNS`), by id."""
        la, ca = "la", "ca"
        loan_cols = [f"{la}.{c}" if c not in ("principal", "rate")
                     else f"CAST({la}.{c} AS TEXT)" for c in DELINQUENT_COLUMNS[:12]]
        ep_cols = [f"{ca}.{c}" for c in DELINQUENT_COLUMNS[12:25]]
        sql = (f"SELECT {', '.join(loan_cols + ep_cols)}, {ca}.received_fen, {ca}.open, "
               "CASE WHEN a.fraud_identity IS NULL THEN NULL ELSE a.applied_at END, rl.linked_at "
               f"FROM loan_accounts {la} LEFT JOIN collections_accounts {ca} "
               f"ON {ca}.loan_id = {la}.loan_id "
               f"JOIN loans l ON l.id = {la}.loan_id "
               "JOIN applications a ON a.application_id = l.application_id "
               "LEFT JOIN ring_links rl ON rl.application_id = l.application_id "
               f"WHERE {la}.status = 'active' AND {la}.dpd > 0 ORDER BY {la}.loan_id")
        cur = _cursor(self._c)
        try:
            cur.execute(sql)
            return list(cur.fetchall())
        finally:
            cur.close()

    def cured(self) -> list[dict[str, Any]]:
        """Open episodes whose loan is no longer past due (paid up, closed or written off)."""
        la = loan_accounts.c
        q = (sa.select(collections_accounts.c.loan_id, collections_accounts.c.episode_start,
                       la.status, la.dpd)
             .join(loan_accounts, loan_accounts.c.loan_id == collections_accounts.c.loan_id)
             .where(collections_accounts.c.open.is_(True),
                    sa.or_(la.dpd == 0, la.status != "active")))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def end_episodes(self, rows: Sequence[dict[str, Any]]) -> None:
        """Close episodes: ``loan_id``, ``cured_on``, ``fast`` (cured within 30 days)."""
        if not rows:
            return
        c = collections_accounts.c
        self._c.execute(
            sa.update(collections_accounts).where(c.loan_id == sa.bindparam("lid")).values(
                open=False, cured_on=sa.bindparam("on"),
                fast_cures=c.fast_cures + sa.bindparam("fast")),
            [{"lid": r["loan_id"], "on": r["cured_on"], "fast": int(r["fast"])} for r in rows])

    def replace_accounts(self, rows: Sequence[Sequence[Any]]) -> None:
        """Write the episodes of today's delinquent loans (rows in :data:`ACCOUNT_COLUMNS`,
        dates as ISO text), replacing their earlier rows."""
        self._c.exec_driver_sql(
            "DELETE FROM collections_accounts WHERE loan_id IN (SELECT loan_id FROM "
            "loan_accounts WHERE status = 'active' AND dpd > 0)")
        self._copy("collections_accounts", ACCOUNT_COLUMNS, rows)

    def add_assignments(self, rows: Sequence[Sequence[Any]]) -> None:
        """The night's assignment (rows in :data:`ASSIGNMENT_COLUMNS`, dates as ISO text)."""
        self._copy("collections_assignments", ASSIGNMENT_COLUMNS, rows)

    def add_entries(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """The night's bucket entries: rows of ``columns`` (of ``collections_entries``; an input
        left out is NULL), dates as ISO text."""
        unknown = set(columns) - set(collections_entries.c.keys())
        if unknown:
            raise ValueError(f"collections_entries has no column {sorted(unknown)}")
        self._copy("collections_entries", columns, rows)

    def cure_entries(self, episodes: Sequence[tuple[int, date]], day: date) -> None:
        """The bucket entries of these episodes (``loan_id``, ``episode_start``) not yet labelled
        cured on ``day``: their loan is back to current."""
        if not episodes:
            return
        e = collections_entries.c
        self._c.execute(
            sa.update(collections_entries)
            .where(e.loan_id == sa.bindparam("lid"), e.episode_start == sa.bindparam("start"),
                   e.cured_on.is_(None))
            .values(cured_on=day),
            [{"lid": lid, "start": start} for lid, start in episodes])

    def entries_until(self, last: date) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The column names and rows of the bucket entries entered on or before ``last``, by
        ``entered_on`` then loan."""
        e = collections_entries.c
        q = (sa.select(collections_entries).where(e.entered_on <= last)
             .order_by(e.entered_on, e.loan_id))
        result = self._c.execute(q)
        return list(result.keys()), [tuple(r) for r in result.all()]

    def _copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if is_sqlite(self._c.engine):
            marks = ", ".join("?" * len(columns))
            self._c.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                                    list(rows))
            return
        cur = _cursor(self._c)
        with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)

    def due_promises(self, day: date) -> list[dict[str, Any]]:
        """Open promises with the loan's money received since each was made (fen)."""
        p, la = collections_promises.c, loan_accounts.c
        q = (sa.select(p.id, p.loan_id, p.due_on, p.amount, p.received_fen_at, la.received_fen)
             .join(loan_accounts, la.loan_id == p.loan_id).where(p.status == "open"))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def settle_promises(self, rows: Sequence[dict[str, Any]], day: date) -> None:
        """Mark promises ``kept`` or ``broken`` (``id``, ``status``) on ``day``."""
        if not rows:
            return
        c = collections_promises.c
        self._c.execute(
            sa.update(collections_promises).where(c.id == sa.bindparam("pid")).values(
                status=sa.bindparam("st"), settled_on=day),
            [{"pid": r["id"], "st": r["status"]} for r in rows])

    def collectors(self) -> dict[str, list[str]]:
        """Each team's collectors, by name."""
        out: dict[str, list[str]] = {}
        q = sa.select(collections_collectors).order_by(collections_collectors.c.username)
        for r in self._c.execute(q).mappings():
            out.setdefault(r["team"], []).append(r["username"])
        return out

    def team_of(self, username: str) -> str | None:
        return self._c.execute(sa.select(collections_collectors.c.team).where(
            collections_collectors.c.username == username)).scalar()

    def set_team(self, username: str, team: str) -> None:
        c = collections_collectors.c
        self._c.execute(sa.delete(collections_collectors).where(c.username == username))
        self._c.execute(sa.insert(collections_collectors).values(username=username, team=team))

    # -- a collector's work -----------------------------------------------------------------
    def last_date(self) -> date | None:
        return self._c.execute(sa.select(sa.func.max(collections_runs.c.business_date))).scalar()

    def queue(self, day: date, team: str | None, collector: str | None, bank_code: str | None,
              offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """The accounts assigned on ``day`` (to ``team``; to ``collector`` or nobody), by
        priority, and how many there are."""
        a = collections_assignments.c
        where = [a.business_date == day]
        if team is not None:
            where.append(a.team == team)
        if collector is not None:
            where.append(sa.or_(a.collector == collector, a.collector.is_(None)))
        if bank_code is not None:
            where.append(a.bank_code == bank_code)
        total = self._c.execute(sa.select(sa.func.count()).where(*where)
                                .select_from(collections_assignments)).scalar() or 0
        q = (sa.select(collections_assignments).where(*where)
             .order_by(a.rank, a.loan_id).offset(offset).limit(limit))
        return [dict(r) for r in self._c.execute(q).mappings()], int(total)

    def assignments_on(self, day: date) -> list[dict[str, Any]]:
        a = collections_assignments.c
        q = sa.select(a.loan_id, a.team, a.bucket).where(a.business_date == day)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def assignments_of(self, loan_id: int, limit: int = 400) -> list[dict[str, Any]]:
        a = collections_assignments.c
        q = (sa.select(collections_assignments).where(a.loan_id == loan_id)
             .order_by(a.business_date.desc()).limit(limit))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def case_ids(self, loan_ids: Sequence[int]) -> dict[int, int]:
        """The case of each loan."""
        if not loan_ids:
            return {}
        q = sa.select(loans.c.id, loans.c.case_id).where(loans.c.id.in_(list(loan_ids)))
        return {int(a): int(b) for a, b in self._c.execute(q).all()}

    def account(self, loan_id: int) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(collections_accounts).where(
            collections_accounts.c.loan_id == loan_id)).mappings().first()
        return dict(row) if row else None

    def count_contact(self, loan_id: int, reached: bool) -> None:
        c = collections_accounts.c
        self._c.execute(sa.update(collections_accounts).where(c.loan_id == loan_id).values(
            attempts=c.attempts + 1, reached=c.reached + int(reached)))

    def count_promise(self, loan_id: int, outcome: str | None = None) -> None:
        c = collections_accounts.c
        values: dict[str, Any] = {"promises": c.promises + 1} if outcome is None else (
            {"kept": c.kept + 1} if outcome == "kept" else
            {"broken": c.broken + 1, "broken_in_bucket": c.broken_in_bucket + 1})
        self._c.execute(sa.update(collections_accounts).where(c.loan_id == loan_id)
                        .values(**values))

    def add_contact(self, **values: Any) -> int:
        return int(self._c.execute(sa.insert(collections_contacts).values(**values)
                                   .returning(collections_contacts.c.id)).scalar_one())

    def contacts(self, loan_id: int) -> list[dict[str, Any]]:
        c = collections_contacts.c
        q = sa.select(collections_contacts).where(c.loan_id == loan_id).order_by(c.id.desc())
        return [dict(r) for r in self._c.execute(q).mappings()]

    def add_promise(self, **values: Any) -> int:
        return int(self._c.execute(sa.insert(collections_promises).values(**values)
                                   .returning(collections_promises.c.id)).scalar_one())

    def promises(self, loan_id: int) -> list[dict[str, Any]]:
        c = collections_promises.c
        q = sa.select(collections_promises).where(c.loan_id == loan_id).order_by(c.id.desc())
        return [dict(r) for r in self._c.execute(q).mappings()]

    def add_restructure(self, **values: Any) -> int:
        return int(self._c.execute(sa.insert(collections_restructures).values(**values)
                                   .returning(collections_restructures.c.id)).scalar_one())

    def restructure(self, restructure_id: int, *, for_update: bool = False
                    ) -> dict[str, Any] | None:
        q = sa.select(collections_restructures).where(
            collections_restructures.c.id == restructure_id)
        if for_update and not is_sqlite(self._c.engine):
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def restructures(self, loan_id: int | None = None, status: str | None = None,
                     bank_code: str | None = None) -> list[dict[str, Any]]:
        c = collections_restructures.c
        q = sa.select(collections_restructures).order_by(c.id.desc())
        if loan_id is not None:
            q = q.where(c.loan_id == loan_id)
        if status is not None:
            q = q.where(c.status == status)
        if bank_code is not None:
            q = q.where(c.bank_code == bank_code)
        return [dict(r) for r in self._c.execute(q.limit(500)).mappings()]

    def decide_restructure(self, restructure_id: int, **values: Any) -> None:
        self._c.execute(sa.update(collections_restructures).where(
            collections_restructures.c.id == restructure_id).values(**values))

    def add_history(self, loan_id: int, business_date: date, action: str, actor: str,
                    detail: str, at: datetime) -> None:
        self._c.execute(sa.insert(collections_history).values(
            loan_id=loan_id, business_date=business_date, action=action, actor=actor,
            detail=detail[:500], at=at))

    def add_history_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._c.execute(sa.insert(collections_history), list(rows))

    def history(self, loan_id: int) -> list[dict[str, Any]]:
        c = collections_history.c
        q = sa.select(collections_history).where(c.loan_id == loan_id).order_by(c.id.desc())
        return [dict(r) for r in self._c.execute(q.limit(500)).mappings()]
