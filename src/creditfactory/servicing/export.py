"""A schedule as a table: one row per instalment, amounts to the fen, written as CSV or
Parquet (decimal columns), the form a bank file or a spreadsheet takes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from creditfactory.servicing.schedules import Schedule

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["COLUMNS", "FORMATS", "schedule_table", "write_schedule"]

COLUMNS = ("instalment", "due_on", "principal_due", "interest_due", "instalment_due",
           "opening_balance", "closing_balance")
"""The columns of a schedule table, after ``loan_id`` when one is given."""
FORMATS = (".csv", ".parquet")


def schedule_table(schedule: Schedule, loan_id: str | None = None) -> pa.Table:
    """The instalments of ``schedule`` as an Arrow table (money as ``decimal128(18, 2)``)."""
    import pyarrow as pa

    rows = schedule.instalments
    money = pa.decimal128(18, 2)
    cols: dict[str, Any] = {}
    if loan_id is not None:
        cols["loan_id"] = pa.array([loan_id] * len(rows), pa.string())
    cols["instalment"] = pa.array([i.number for i in rows], pa.int32())
    cols["due_on"] = pa.array([i.due_date for i in rows], pa.date32())
    for name, attr in (("principal_due", "principal"), ("interest_due", "interest"),
                       ("instalment_due", "total"), ("opening_balance", "opening_balance"),
                       ("closing_balance", "closing_balance")):
        cols[name] = pa.array([getattr(i, attr) for i in rows], money)
    return pa.table(cols)


def write_schedule(schedule: Schedule, path: Path, loan_id: str | None = None) -> int:
    """Write ``schedule`` to ``path`` (``.csv`` or ``.parquet``); returns the rows written.

    Raises ``ValueError`` naming the file for another suffix."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"out must end in .csv or .parquet, got {path.name!r}")
    table = schedule_table(schedule, loan_id)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    return table.num_rows
