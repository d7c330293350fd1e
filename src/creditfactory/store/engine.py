"""Engines for the two supported stores: SQLite (WAL, the embedded default) and PostgreSQL.

SQLite allows one writer at a time; rather than let writers spin in SQLite's busy handler
(whose back-off sleeps ruin tail latency), writes take a process-wide lock and ``BEGIN
IMMEDIATE``. PostgreSQL needs neither.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from creditfactory.settings import normalise_db_url
from creditfactory.store.errors import DatabaseUnavailable

__all__ = ["make_engine", "write_lock", "is_sqlite"]

_WRITE_LOCKS: dict[int, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def is_sqlite(engine: Engine) -> bool:
    """True when ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def write_lock(engine: Engine) -> threading.Lock | None:
    """The process-wide writer lock for a SQLite engine; ``None`` for PostgreSQL."""
    if not is_sqlite(engine):
        return None
    with _LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(id(engine), threading.Lock())


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


def make_engine(url: str, *, pool_size: int = 8) -> Engine:
    """Create an engine for ``url`` (``postgresql://`` is routed to psycopg 3)."""
    url = normalise_db_url(url)
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(
                url,
                poolclass=QueuePool,
                pool_size=pool_size,
                max_overflow=16,
                connect_args={"check_same_thread": False, "timeout": 10},
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = sa.create_engine(url, pool_size=pool_size, max_overflow=16, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise DatabaseUnavailable(f"cannot use database URL {url!r}: {exc}") from exc
    return engine
