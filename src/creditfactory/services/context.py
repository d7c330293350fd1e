"""What every service function needs, bundled once per process (no globals, no import work).

``services/bootstrap.py`` builds it: the store's engine, the personal-data vault, the process
definition, the simulated partner banks, the decision pipeline's three ports (the live
fraud graph, the trained models, the strategy), the counterparts the platform fetches data from
(the credit bureau, the business registry) and the clock, each typed by the port the services
call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from creditfactory.factory import BankPolicy, Process, load_banks, load_process
from creditfactory.services.notifications import BorrowerNotifier
from creditfactory.services.ports import (
    ChannelRescoring,
    CreditBureau,
    DecisionStrategy,
    ExternalData,
    FraudGraph,
    ModelScores,
)
from creditfactory.store import PersonalDataVault, UnitOfWork
from creditfactory.store.types import utcnow

__all__ = ["ServiceContext"]


@dataclass
class ServiceContext:
    """The store, the vault, the process and the decision pipeline's ports.

    ``strategy`` is ``None`` until a strategy is active (submissions are then refused);
    ``models`` ``None`` decides with no scores; ``fraud`` ``None`` has no live fraud graph
    (the models hold no fraud model); ``packaging`` re-scores channels with findings when the
    models have a channel card. ``bureau`` and ``external`` are the counterparts a
    submission's data are fetched from (``None``: not configured, the submission waits);
    ``clock`` is the case time: it stamps a submission, its case, the banks' answers, the
    signatures and so the payout (the API the real time; ``world play`` its business clock).
    ``borrowers`` delivers contracts and signing codes to borrowers (``None``: none is sent).
    """

    engine: Engine
    vault: PersonalDataVault
    strategy: DecisionStrategy | None = None
    process: Process = field(default_factory=load_process)
    simulated_banks: tuple[BankPolicy, ...] = field(default_factory=load_banks)
    models: ModelScores | None = None
    fraud: FraudGraph | None = None
    packaging: ChannelRescoring | None = None
    borrowers: BorrowerNotifier | None = None
    bureau: CreditBureau | None = None
    external: ExternalData | None = None
    clock: Callable[[], datetime] = utcnow

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """A fresh unit of work on this context's engine."""
        return UnitOfWork(self.engine, write=write)
