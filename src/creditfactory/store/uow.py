"""The unit of work: one transaction, the repositories bound to it, rollback unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Connection, Engine

from creditfactory.store.engine import is_sqlite, write_lock
from creditfactory.store.reference import reference_cache
from creditfactory.store.repo_audit import AuditLog, IdempotencyRepository
from creditfactory.store.repo_banks import SubmissionRepository
from creditfactory.store.repo_blacklists import BlacklistRepository
from creditfactory.store.repo_cases import ApplicationRepository, CaseRepository
from creditfactory.store.repo_collections import CollectionsRepository
from creditfactory.store.repo_contracts import ContractRepository
from creditfactory.store.repo_data_fetch import DataFetchRepository
from creditfactory.store.repo_intake import IntakeReads
from creditfactory.store.repo_models import ModelArtifactRepository
from creditfactory.store.repo_org import (
    BankRepository,
    ChannelRepository,
    StrategyRepository,
    UserRepository,
)
from creditfactory.store.repo_servicing import ServicingRepository
from creditfactory.store.repo_sessions import SessionRepository
from creditfactory.store.repo_worklists import WorklistRepository
from creditfactory.store.write_pipeline import leave, one_round_trip, pipelined

__all__ = ["UnitOfWork"]


class UnitOfWork:
    """Open with ``with uow:``; call :meth:`commit` to keep the work, anything else rolls back.

    ``write=True`` on SQLite serialises writers and starts the transaction with ``BEGIN
    IMMEDIATE`` so it never has to upgrade a read lock. A read-only unit of work runs in
    autocommit on both stores: every statement sees its own snapshot (as under PostgreSQL's
    READ COMMITTED anyway), and it saves the BEGIN and ROLLBACK statements.
    """

    conn: Connection
    applications: ApplicationRepository
    cases: CaseRepository
    submissions: SubmissionRepository
    channels: ChannelRepository
    users: UserRepository
    sessions: SessionRepository
    banks: BankRepository
    strategies: StrategyRepository
    models: ModelArtifactRepository
    audit: AuditLog
    idempotency: IdempotencyRepository
    intake: IntakeReads
    worklists: WorklistRepository
    blacklists: BlacklistRepository
    contracts: ContractRepository
    fetched: DataFetchRepository
    servicing: ServicingRepository
    collections: CollectionsRepository

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine
        self._write = write
        self._lock = write_lock(engine) if write else None
        self._autocommit = not write
        self._reference = reference_cache(engine)
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._lock.acquire()
        try:
            self.conn = self._engine.connect()
            if self._autocommit and not is_sqlite(self._engine):
                self.conn.execution_options(isolation_level="AUTOCOMMIT")
            self.conn.info["write"] = self._write
            self.conn.info["autocommit"] = self._autocommit  # SQLite: no BEGIN (engine.py)
            self._tx = self.conn.begin()
            pipelined(self.conn, self._write)
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
        self.sessions = SessionRepository(c)
        self.banks = BankRepository(c, self._reference)
        self.strategies = StrategyRepository(c)
        self.models = ModelArtifactRepository(c)
        self.audit = AuditLog(c)
        self.idempotency = IdempotencyRepository(c)
        self.intake = IntakeReads(c)
        self.worklists = WorklistRepository(c)
        self.blacklists = BlacklistRepository(c)
        self.contracts = ContractRepository(c)
        self.fetched = DataFetchRepository(c)
        self.servicing = ServicingRepository(c)
        self.collections = CollectionsRepository(c)
        self._committed = False
        return self

    def commit(self) -> None:
        """Make the work durable (audit entries and responses still pending are written first)."""
        try:
            with one_round_trip(self.conn):  # the queued writes and the COMMIT, sent together
                self.audit.flush()
                self.idempotency.flush()
            self._tx.commit()
        except BaseException:
            self._end_failed_commit()
            raise
        self._committed = True

    def _end_failed_commit(self) -> None:
        """Roll the driver back after a failed commit, which SQLAlchemy already wrote off.

        A write sent with the commit can fail at it (a duplicate idempotency key); the
        transaction is then aborted in the driver but no longer known to SQLAlchemy, so
        nothing else would roll it back before the connection is reused.
        """
        try:
            self.conn.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
        except Exception:
            self.conn.invalidate()

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
            try:
                if not self._committed:
                    self.rollback()
            finally:
                leave(self.conn)  # the driver's settings back before the pool has it again
            self.conn.info["write"] = False
            self.conn.info["autocommit"] = False
            self.conn.close()
        finally:
            if self._lock is not None:
                self._lock.release()
