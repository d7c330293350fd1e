"""The unit of work: one transaction, the repositories bound to it, rollback unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Connection, Engine

from creditfactory.store.engine import write_lock
from creditfactory.store.repo_audit import AuditLog, IdempotencyRepository
from creditfactory.store.repo_banks import SubmissionRepository
from creditfactory.store.repo_cases import ApplicationRepository, CaseRepository
from creditfactory.store.repo_org import (
    BankRepository,
    ChannelRepository,
    StrategyRepository,
    UserRepository,
)

__all__ = ["UnitOfWork"]


class UnitOfWork:
    """Open with ``with uow:``; call :meth:`commit` to keep the work, anything else rolls back.

    ``write=True`` on SQLite serialises writers inside this process and starts the
    transaction with ``BEGIN IMMEDIATE`` so it never has to upgrade a read lock.
    """

    conn: Connection
    applications: ApplicationRepository
    cases: CaseRepository
    submissions: SubmissionRepository
    channels: ChannelRepository
    users: UserRepository
    banks: BankRepository
    strategies: StrategyRepository
    audit: AuditLog
    idempotency: IdempotencyRepository

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine
        self._write = write
        self._lock = write_lock(engine) if write else None
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._lock.acquire()
        try:
            self.conn = self._engine.connect()
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
        self.channels = ChannelRepository(c)
        self.users = UserRepository(c)
        self.banks = BankRepository(c)
        self.strategies = StrategyRepository(c)
        self.audit = AuditLog(c)
        self.idempotency = IdempotencyRepository(c)
        self._committed = False
        return self

    def commit(self) -> None:
        """Make the work durable."""
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
