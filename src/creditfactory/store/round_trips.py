"""Fewer PostgreSQL round trips in a write transaction: psycopg's pipeline mode.

A write unit of work on PostgreSQL is *pipelined*: the hot-path writes (:mod:`prepared`) are
queued rather than sent one by one, and travel together with whatever next needs an answer
from the server — a ``RETURNING id``, a SQLAlchemy read, or the commit. Before any statement
SQLAlchemy runs itself, the queue is sent and its errors raised (as SQLAlchemy's exceptions),
so reads see every earlier write. SQLite has no round trips; nothing here applies to it.

Inside a pipelined transaction a queued UPDATE's row count is not known when it returns.

A transaction handed the ids of the rows it will insert, taken from the tables' sequences
beforehand (:func:`creditfactory.store.prepared.use_ids`), queues each ``INSERT ... RETURNING
id`` with its table's id instead of waiting for the answer; an id left unused is a gap in its
sequence, as after a rollback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

__all__ = [
    "pipelined",
    "ensure_pipeline",
    "end_pipeline",
    "one_round_trip",
    "sync_before_execute",
    "keep_ids",
    "take_id",
]

_ON = "creditfactory_pipelined"
_OPEN = "creditfactory_pipeline"
_IDS = "creditfactory_reserved_ids"


def _raw(conn: Connection) -> Any:
    return conn.connection.dbapi_connection


def pipelined(conn: Connection, on: bool) -> None:
    """Pipeline (or stop pipelining) the writes of this connection's transaction."""
    conn.info[_ON] = on and hasattr(_raw(conn), "pipeline")
    conn.info.pop(_IDS, None)


def keep_ids(conn: Connection, ids: dict[str, int]) -> None:
    """Hold ids taken from their tables' sequences (by table name) for this transaction."""
    conn.info.setdefault(_IDS, {}).update(ids)


def take_id(conn: Connection, table: str) -> int | None:
    """The id reserved for the next row inserted into ``table`` in this transaction, if any."""
    held: dict[str, int] | None = conn.info.get(_IDS)
    return None if not held else held.pop(table, None)


def ensure_pipeline(conn: Connection) -> bool:
    """Open the pipeline of a pipelined transaction if it is not open; False when not pipelined."""
    if not conn.info.get(_ON):
        return False
    if conn.info.get(_OPEN) is None:
        pipeline = _raw(conn).pipeline()
        pipeline.__enter__()
        conn.info[_OPEN] = pipeline
    return True


def end_pipeline(conn: Connection, *, discard: bool = False) -> None:
    """Send what is queued and leave pipeline mode; the first queued error is raised.

    With ``discard`` (the work is being rolled back) errors of the queue are not raised.
    """
    pipeline = conn.info.pop(_OPEN, None)
    if pipeline is None:
        return
    if discard:
        with contextlib.suppress(Exception):
            pipeline.__exit__(None, None, None)
        return
    dialect = conn.dialect
    try:
        pipeline.__exit__(None, None, None)
    except dialect.loaded_dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(
            "(statements queued in a pipeline)", None, exc, dialect.loaded_dbapi.Error,
            dialect=dialect,
        ) from exc


@contextlib.contextmanager
def one_round_trip(conn: Connection) -> Iterator[None]:
    """Run the block (queued writes and a commit) in the transaction's pipeline, then send it."""
    if not ensure_pipeline(conn):
        yield
        return
    try:
        yield
    except BaseException:
        end_pipeline(conn, discard=True)
        raise
    end_pipeline(conn)


def sync_before_execute(conn: Connection, *_args: Any) -> None:
    """Engine hook: a statement SQLAlchemy runs itself first sends the pipeline's queue."""
    if conn.info.get(_OPEN) is not None:
        end_pipeline(conn)


def install(engine: Engine) -> None:
    """Hook :func:`sync_before_execute` into a PostgreSQL engine."""
    sa.event.listen(engine, "before_cursor_execute", sync_before_execute)
