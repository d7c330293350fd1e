"""One runner per database for background jobs that every server worker would otherwise run.

``serve --workers N`` starts N processes with the same background jobs (the simulated partner
banks); run by all, they race for the same work and waste a fifth of the CPU. The process
that holds a job's lock runs it; the others keep trying, so when the holder dies (its lock
goes with it) another takes over. SQLite: an advisory lock on a file beside the database;
PostgreSQL: a session advisory lock, scoped to the database and schema, held on a connection
of its own.
"""

from __future__ import annotations

import fcntl
import hashlib
import os

from sqlalchemy.engine import Connection, Engine

from creditfactory.store.engine import is_sqlite

__all__ = ["Leadership"]


class Leadership:
    """Whether this process runs the job ``name`` for ``engine``'s database."""

    def __init__(self, engine: Engine, name: str) -> None:
        self._engine = engine
        self._name = name
        self._fd: int | None = None
        self._conn: Connection | None = None
        self._held = False
        self._key = 0

    @property
    def held(self) -> bool:
        return self._held

    def try_lead(self) -> bool:
        """Take the lock if it is free; True while this process holds it."""
        if self._held:
            return True
        if is_sqlite(self._engine):
            self._held = self._try_file()
        else:
            self._held = self._try_advisory()
        return self._held

    def _try_file(self) -> bool:
        database = self._engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return True
        fd = os.open(f"{os.path.abspath(database)}-{self._name}.lock", os.O_RDWR | os.O_CREAT,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _try_advisory(self) -> bool:
        conn = self._engine.connect()
        where = conn.exec_driver_sql("SELECT current_database(), current_schema()").one()
        scope = f"creditfactory:{where[0]}:{where[1]}:{self._name}"
        self._key = int.from_bytes(hashlib.sha256(scope.encode()).digest()[:8], "big",
                                   signed=True)
        got = bool(conn.exec_driver_sql("SELECT pg_try_advisory_lock(%(k)s)",
                                        {"k": self._key}).scalar())
        conn.commit()
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        """Give the lock up (also done by the process ending)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            try:  # a pooled connection outlives close(): unlock it explicitly
                self._conn.exec_driver_sql("SELECT pg_advisory_unlock(%(k)s)", {"k": self._key})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None
        self._held = False
