"""The unit of work: one transaction, the repositories bound to it, rollback unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Connection, Engine

from creditfactory.store.engine import is_sqlite, write_lock
from creditfactory.store.reference import reference_cache
from creditfactory.store.repo_audit import AuditLog, IdempotencyRepository
from creditfactory.store.repo_banks import SubmissionRepository
from creditfactory.store.repo_cases import ApplicationRepository, CaseRepository
from creditfactory.store.repo_models import ModelArtifactRepository
from creditfactory.store.repo_org import (
    BankRepository,
    ChannelRepository,
    StrategyRepository,
    UserRepository,
)

__all__ = ["UnitOfWork"]


class UnitOfWork:
    """Open with ``with uow:``; call :meth:`commit` to keep the work, anything else rolls back.

    ``write=True`` on SQLite serialises writers and starts the transaction with ``BEGIN
    IMMEDIATE`` so it never has to upgrade a read lock. A read-only unit of work on PostgreSQL
    runs in autocommit: under READ COMMITTED every statement sees its own snapshot either way,
    and it saves the BEGIN and ROLLBACK round trips.
    """

    conn: Connection
    applications: ApplicationRepository
    cases: CaseRepository
    submissions: SubmissionRepository
    channels: ChannelRepository
    users: UserRepository
    banks: BankRepository
    strategies: StrategyRepository
    models: ModelArtifactRepository
    audit: AuditLog
    idempotency: IdempotencyRepository

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine
        self._write = write
        self._lock = write_lock(engine) if write else None
        self._autocommit = not write and not is_sqlite(engine)
        self._reference = reference_cache(engine)
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._lock.acquire()
        try:
            self.conn = self._engine.connect()
            if self._autocommit:
                self.conn.execution_options(isolation_level="AUTOCOMMIT")
            self.conn.info["write"] = self._write
            self._tx = self.conn.begin()
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise
        c = self.conn
        self.applications = ApplicationRepository(c)
        self.cases = CaseRepository(c)
        self.submissions = SubmissionRepository(c)
        self.channels = ChannelRepository(c, self._reference)
        self.users = UserRepository(c)
        self.banks = BankRepository(c, self._reference)
        self.strategies = StrategyRepository(c)
        self.models = ModelArtifactRepository(c)
        self.audit = AuditLog(c)
        self.idempotency = IdempotencyRepository(c)
        self._committed = False
        return self

    def commit(self) -> None:
        """Make the work durable (audit entries still pending are written first)."""
        self.audit.flush()
        self._tx.commit()
        self._committed = True

    def rollback(self) -> None:
        """Discard the work."""
        if self._tx.is_active:
            self._tx.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.rollback()
            self.conn.info["write"] = False
            self.conn.close()
        finally:
            if self._lock is not None:
                self._lock.release()
