"""What every service function needs, bundled once per process (no globals, no import work).

``services/bootstrap.py`` builds it: the store's engine, the personal-data vault, the process
definition, the simulated partner banks and the decision pipeline's three ports (the live
fraud graph, the trained models, the strategy), each typed by the port the services call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from creditfactory.factory import BankPolicy, Process, load_banks, load_process
from creditfactory.services.ports import (
    ChannelRescoring,
    DecisionStrategy,
    FraudGraph,
    ModelScores,
)
from creditfactory.store import PersonalDataVault, UnitOfWork

__all__ = ["ServiceContext"]


@dataclass
class ServiceContext:
    """The store, the vault, the process and the decision pipeline's ports.

    ``strategy`` is ``None`` until a strategy is active (submissions are then refused);
    ``models`` ``None`` decides with no scores; ``fraud`` ``None`` has no live fraud graph
    (the models hold no fraud model); ``packaging`` re-scores channels with findings when the
    models have a channel card.
    """

    engine: Engine
    vault: PersonalDataVault
    strategy: DecisionStrategy | None = None
    process: Process = field(default_factory=load_process)
    simulated_banks: tuple[BankPolicy, ...] = field(default_factory=load_banks)
    models: ModelScores | None = None
    fraud: FraudGraph | None = None
    packaging: ChannelRescoring | None = None

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """A fresh unit of work on this context's engine."""
        return UnitOfWork(self.engine, write=write)
