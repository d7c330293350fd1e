"""Engines for the two supported stores: SQLite (WAL, the embedded default) and PostgreSQL.

SQLite allows one writer at a time; rather than let writers spin in SQLite's busy handler
(whose back-off sleeps ruin tail latency), writes take a writer lock and ``BEGIN IMMEDIATE``.
The lock is a thread lock plus, for a database file, an advisory lock on a file beside it, so
several server processes on one file queue for it too. PostgreSQL needs neither.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from creditfactory.settings import normalise_db_url
from creditfactory.store import write_pipeline
from creditfactory.store.errors import DatabaseUnavailable

__all__ = ["make_engine", "write_lock", "is_sqlite", "WriterLock"]

_LOCKS_GUARD = threading.Lock()


class WriterLock:
    """One SQLite writer at a time: across this process's threads and, for a file, processes."""

    def __init__(self, path: str | None) -> None:
        self._threads = threading.Lock()
        self._path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self._threads.acquire()
        if self._path is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _lock_path(engine: Engine) -> str | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database) + "-writer.lock"


def is_sqlite(engine: Engine) -> bool:
    """True when ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def write_lock(engine: Engine) -> WriterLock | None:
    """The writer lock for a SQLite engine; ``None`` for PostgreSQL."""
    if not is_sqlite(engine):
        return None
    lock: WriterLock | None = engine.__dict__.get("_creditfactory_writer")
    if lock is None:
        with _LOCKS_GUARD:
            lock = engine.__dict__.setdefault(
                "_creditfactory_writer", WriterLock(_lock_path(engine))
            )
    return lock


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    if conn.info.get("write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif not conn.info.get("autocommit"):
        conn.exec_driver_sql("BEGIN")


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
            # No ping before every checkout (a round trip per unit of work): a connection found
            # dead fails its one request and SQLAlchemy then replaces every pooled connection;
            # recycling bounds how long an idle connection is trusted.
            engine = sa.create_engine(
                url, pool_size=pool_size, max_overflow=16, pool_recycle=1800, pool_use_lifo=True
            )
            write_pipeline.install(engine)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise DatabaseUnavailable(f"cannot use database URL {url!r}: {exc}") from exc
    return engine
