"""PostgreSQL write transactions in psycopg's pipeline mode: writes queued, answered together.

A write unit of work on PostgreSQL runs its hot-path writes (:mod:`prepared`) in the driver's
pipeline mode (``Connection.pipeline()``): each is sent without waiting for its answer, and
the answers are read together with whatever next needs one — a SQLAlchemy statement, a
``RETURNING`` read, or the commit. The commit queues ``COMMIT`` behind the writes, so writes
and commit take one round trip; when the transaction has not begun, its ``BEGIN`` is queued
first too (the driver is switched to autocommit for that transaction, else it would send
``BEGIN`` and wait for its answer on its own). Each queued statement is prepared on the server
the first time a connection sends it (``prepare=True``); the driver keeps the names and drops
them itself after a rollback or DDL. The driver flushes the socket after every statement, and
on TCP each segment wakes the backend: the socket is corked (``TCP_CORK``) while the pipeline
is open, so the statements leave together when it is synced. Before any statement SQLAlchemy
runs itself the pipeline is synced and left, so reads see every earlier write and
SQLAlchemy's cursors never run in pipeline mode. The first error among the queued statements
is raised as SQLAlchemy's exception. SQLite has no round trips; nothing here applies to it.

Inside a pipelined transaction a queued UPDATE's row count is not known when it returns.

A transaction handed the ids of the rows it will insert, taken from the tables' sequences
beforehand (:func:`creditfactory.store.prepared.use_ids`), queues each ``INSERT ... RETURNING
id`` with its table's id instead of waiting for the answer; an id left unused is a gap in its
sequence, as after a rollback.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, NoReturn

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

__all__ = [
    "pipelined",
    "is_pipelined",
    "queue",
    "queue_many",
    "end_pipeline",
    "one_round_trip",
    "leave",
    "keep_ids",
    "take_id",
    "install",
]

_ON = "creditfactory_pipelined"
_OPEN = "creditfactory_pipeline"
_IDS = "creditfactory_reserved_ids"
_AUTOCOMMIT_SET = "creditfactory_pipeline_autocommit"


class _Open(NamedTuple):
    """A transaction's open pipeline: the driver connection, the pipeline's context, a cursor."""

    driver: Any
    stack: contextlib.ExitStack
    cursor: Any


def pipelined(conn: Connection, on: bool) -> None:
    """Pipeline (or stop pipelining) the writes of this connection's transaction."""
    conn.info[_ON] = on and conn.dialect.driver == "psycopg"
    conn.info.pop(_IDS, None)


def is_pipelined(conn: Connection) -> bool:
    """True when this connection's transaction queues its writes."""
    return bool(conn.info.get(_ON))


def keep_ids(conn: Connection, ids: dict[str, int]) -> None:
    """Hold ids taken from their tables' sequences (by table name) for this transaction."""
    conn.info.setdefault(_IDS, {}).update(ids)


def take_id(conn: Connection, table: str) -> int | None:
    """The id reserved for the next row inserted into ``table`` in this transaction, if any."""
    held: dict[str, int] | None = conn.info.get(_IDS)
    return None if not held else held.pop(table, None)


def _open(conn: Connection) -> _Open:
    found: _Open | None = conn.info.get(_OPEN)
    if found is not None:
        return found
    from psycopg.pq import TransactionStatus

    driver = conn.connection.driver_connection
    assert driver is not None
    begin = driver.info.transaction_status == TransactionStatus.IDLE
    if begin and not driver.autocommit:
        driver.autocommit = True  # our BEGIN rides the pipeline; restored by leave()
        conn.info[_AUTOCOMMIT_SET] = True
    stack = contextlib.ExitStack()
    stack.enter_context(driver.pipeline())
    _cork(stack, driver.pgconn.socket)
    found = conn.info[_OPEN] = _Open(driver, stack, driver.cursor())
    if begin:
        _send(conn, found, lambda cur: cur.execute("BEGIN"))
    return found


def _cork(stack: contextlib.ExitStack, fd: int) -> None:
    """Hold what the pipeline sends in the kernel until it is left (uncorked just before its
    Sync): psycopg flushes after every statement, and each segment would wake the backend."""
    cork = getattr(socket, "TCP_CORK", None)  # Linux
    if cork is None:
        return
    sock = socket.socket(fileno=os.dup(fd))
    try:
        sock.setsockopt(socket.IPPROTO_TCP, cork, 1)
    except OSError:  # not TCP (a Unix socket): sent as psycopg sends it
        sock.close()
        return

    def uncork() -> None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, cork, 0)
        finally:
            sock.close()

    stack.callback(uncork)


def _send(conn: Connection, pipe: _Open, send: Any) -> None:
    try:
        send(pipe.cursor)
    except conn.dialect.loaded_dbapi.Error as exc:  # an earlier statement's answer: give up
        conn.info.pop(_OPEN, None)
        with contextlib.suppress(Exception):
            pipe.stack.close()
        _raise(conn, pipe.driver, exc)


def _raise(conn: Connection, driver: Any, error: Any) -> NoReturn:
    dialect = conn.dialect
    if dialect.is_disconnect(error, driver, None):
        conn.invalidate(error)
    raise sa.exc.DBAPIError.instance(
        "(statements queued in a pipeline)", None, error, dialect.loaded_dbapi.Error,
        dialect=dialect,
    ) from error


def queue(conn: Connection, sql: str, params: Mapping[str, Any] | Sequence[Any]) -> None:
    """Send one statement (psycopg placeholders) in the pipeline of ``conn``, prepared on the
    server; its answer is read with the next one needed."""
    _send(conn, _open(conn), lambda cur: cur.execute(sql, params, prepare=True))


def queue_many(conn: Connection, sql: str, params: Iterable[Mapping[str, Any] | Sequence[Any]]) -> None:
    """Send one statement per set of parameters in the pipeline of ``conn``."""
    _send(conn, _open(conn), lambda cur: cur.executemany(sql, params))


def end_pipeline(conn: Connection, *, discard: bool = False, commit: bool = False) -> None:
    """Sync and leave the pipeline, reading every answer (after the ``COMMIT`` when
    ``commit``); the first error is raised, unless ``discard`` (the work is being rolled back)."""
    pipe: _Open | None = conn.info.pop(_OPEN, None)
    if pipe is None:
        return
    if discard:
        with contextlib.suppress(Exception):
            pipe.stack.close()
        return
    try:
        if commit:
            pipe.cursor.execute("COMMIT")
        pipe.stack.close()
    except conn.dialect.loaded_dbapi.Error as exc:
        with contextlib.suppress(Exception):
            pipe.stack.close()
        _raise(conn, pipe.driver, exc)


@contextlib.contextmanager
def one_round_trip(conn: Connection) -> Iterator[None]:
    """Run the block (queued writes), then send the pipeline with the ``COMMIT``.

    A commit by the caller afterwards finds the transaction ended and sends nothing; with
    nothing queued, the caller's commit sends the ``COMMIT`` as usual.
    """
    if not is_pipelined(conn):
        yield
        return
    try:
        yield
    except BaseException:
        end_pipeline(conn, discard=True)
        raise
    end_pipeline(conn, commit=True)


def leave(conn: Connection) -> None:
    """After the transaction ended (committed or rolled back): stop pipelining and give the
    driver back its autocommit setting."""
    end_pipeline(conn, discard=True)
    pipelined(conn, False)
    if conn.info.pop(_AUTOCOMMIT_SET, False) and not (conn.closed or conn.invalidated):
        try:
            conn.connection.driver_connection.autocommit = False  # type: ignore[union-attr]
        except Exception:  # never back to the pool in autocommit: drop the connection instead
            conn.invalidate()


def _sync_before_execute(conn: Connection, *_args: Any) -> None:
    """Engine hook: a statement SQLAlchemy runs itself first reads the pipeline's answers."""
    if conn.info.get(_OPEN) is not None:
        end_pipeline(conn)


def _discard_before_rollback(conn: Connection) -> None:
    end_pipeline(conn, discard=True)


def install(engine: Engine) -> None:
    """Hook the pipeline's sync before SQLAlchemy's own statements into a PostgreSQL engine."""
    sa.event.listen(engine, "before_cursor_execute", _sync_before_execute)
    sa.event.listen(engine, "rollback", _discard_before_rollback)
