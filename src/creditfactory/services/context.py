"""What every service function needs, bundled once per process (no globals, no import work)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from creditfactory.factory import BankPolicy, Process, load_banks, load_process
from creditfactory.services.ports import DecisionService
from creditfactory.store import PersonalDataVault, UnitOfWork

__all__ = ["ServiceContext"]


@dataclass
class ServiceContext:
    """The engine, the personal-data vault, the decision port and the process definition."""

    engine: Engine
    vault: PersonalDataVault
    decider: DecisionService | None
    process: Process = field(default_factory=load_process)
    simulated_banks: tuple[BankPolicy, ...] = field(default_factory=load_banks)

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """A fresh unit of work on this context's engine."""
        return UnitOfWork(self.engine, write=write)
