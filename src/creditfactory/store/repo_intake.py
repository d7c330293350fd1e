"""The one read a submission makes before deciding, and the ids its write will take.

A submission needs, before its decision: whether its idempotency key was used (and the answer
then given), the applicant already holding its resident ID, and its channel's type and status.
One statement instead of four is three round trips less on PostgreSQL and three statements
less of per-statement overhead on both stores. Its write transaction then inserts an
applicant (when new), the application, its decision, its case and, by tier, a task or a bank
submission. On PostgreSQL the opening read also takes their ids from the sequences when the
submission will be written (its key unused, its channel active), so none of those inserts
waits for its ``RETURNING`` answer: a submission's reads and writes take two round trips
(opening, commit), three with the bank routing reads of an auto-approved one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.prepared import Prepared, next_id, use_ids
from creditfactory.store.tables import applicants, channels
from creditfactory.store.tables_case import (
    applications,
    bank_submissions,
    cases,
    decisions,
    idempotency_keys,
    tasks,
)

__all__ = ["IntakeReads", "Opening"]

_OPENING = sa.select(
    idempotency_keys.c.request_hash,
    idempotency_keys.c.status_code,
    idempotency_keys.c.response,
    sa.select(applicants.c.id)
    .where(applicants.c.resident_id_hash == sa.bindparam("h"))
    .scalar_subquery()
    .label("applicant_id"),
    channels.c.channel_type,
    channels.c.status.label("channel_status"),
).select_from(
    sa.select(sa.literal(1).label("one"))
    .subquery("one_row")
    .outerjoin(
        idempotency_keys,
        sa.and_(
            idempotency_keys.c.scope == sa.bindparam("s"),
            idempotency_keys.c.key == sa.bindparam("k"),
        ),
    )
    .outerjoin(channels, channels.c.channel_id == sa.bindparam("c"))
)


_ID_TABLES = (applicants, applications, decisions, cases, tasks, bank_submissions)
# PostgreSQL: the ids of the rows the write will insert, taken only when it will be written
# (an id taken and never used is a gap the fraud graph's cursor re-reads past for a while)
_OPENING_TAKING_IDS = _OPENING.add_columns(
    *(
        sa.case(
            (
                sa.and_(idempotency_keys.c.request_hash.is_(None), channels.c.status == "active"),
                next_id(table),
            ),
            else_=sa.null(),
        ).label(f"id_{table.name}")
        for table in _ID_TABLES
    )
)
_READ, _READ_TAKING_IDS = Prepared(_OPENING), Prepared(_OPENING_TAKING_IDS)


class Opening(NamedTuple):
    """What a submission knows before deciding (``None``: not found), and on PostgreSQL the
    ids taken for its write (by table name; ``None`` when it will not be written)."""

    answered: dict[str, Any] | None
    applicant_id: int | None
    channel_type: str | None
    channel_status: str | None
    ids: dict[str, int] | None = None


class IntakeReads:
    """Reads of the submission path that combine several tables in one statement."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def opening(self, scope: str, key: str, resident_id_hash: str, channel_id: str) -> Opening:
        """The key's earlier answer, the applicant and the channel, as of now.

        Only call it for a submission that is valid input: on PostgreSQL the ids it takes are
        meant to be inserted.
        """
        postgres = self._c.dialect.name == "postgresql"
        row = (_READ_TAKING_IDS if postgres else _READ).one(
            self._c, {"s": scope, "k": key, "h": resident_id_hash, "c": channel_id}
        )
        ids = None
        if postgres and row[f"id_{applications.name}"] is not None:
            ids = {t.name: int(row[f"id_{t.name}"]) for t in _ID_TABLES}
        answered = None
        if row["request_hash"] is not None:
            answered = {
                "request_hash": row["request_hash"],
                "status_code": row["status_code"],
                "response": row["response"],
            }
        return Opening(
            answered, row["applicant_id"], row["channel_type"], row["channel_status"], ids
        )

    def use_ids(self, ids: dict[str, int] | None) -> None:
        """Let the write's inserts take ``ids`` from :meth:`opening` (PostgreSQL; on SQLite, or
        with none, each insert returns its id).

        A task and a bank submission both have an id though a case gets one or neither at
        submission, and the applicant has one even when it exists: an unused one is only a gap
        in that table's ids (no reader follows them).
        """
        if ids is not None:
            use_ids(self._c, ids)
